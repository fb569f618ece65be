#[qtasync::main(keep_running = "no")]
async fn main() {}
