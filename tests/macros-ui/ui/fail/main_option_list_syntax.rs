#[qtasync::main(app("widgets"))]
async fn main() {}
