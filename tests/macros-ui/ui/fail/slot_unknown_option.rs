#[qtasync::qt_slot_async(exclusive = true, priority = 3)]
async fn clicked() {}

fn main() {}
