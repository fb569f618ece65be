// The tokio options need qtasync's `tokio` feature (this package leaves it out): one error, at
// the option.
#[qtasync::main(tokio_workers = 2)]
async fn main() {}
