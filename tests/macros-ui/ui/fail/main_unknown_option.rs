#[qtasync::main(keep_runing = false)]
async fn main() {}
