#[qtasync::qt_slot_async]
async fn show(text: &str) {
    println!("{text}");
}

fn main() {}
