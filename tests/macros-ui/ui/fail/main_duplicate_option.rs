#[qtasync::main(quit_qapp = false, keep_running = true, quit_qapp = true)]
async fn main() {}
