#[qtasync::main(tokio_workers = "4")]
async fn main() {}
