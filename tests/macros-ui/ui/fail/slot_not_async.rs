#[qtasync::qt_slot_async]
fn clicked(checked: bool) {
    drop(checked);
}

fn main() {}
