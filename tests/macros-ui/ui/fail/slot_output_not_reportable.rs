#[qtasync::qt_slot_async]
async fn compute() -> u32 {
    42
}

fn main() {}
