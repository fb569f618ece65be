#[qtasync::main(tokio_runtime = "my_app::handle")]
async fn main() {}
