// A runtime needs at least one worker.
#[qtasync::main(tokio_workers = 0)]
async fn main() {}
