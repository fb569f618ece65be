#[qtasync::qt_slot_async]
async fn show<T: std::fmt::Display + 'static>(value: T) {
    println!("{value}");
}

fn main() {}
