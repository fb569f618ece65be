// app = "widgets" needs qtasync's `widgets` feature (this package leaves it out).
#[qtasync::main(app = "widgets")]
async fn main() {}
