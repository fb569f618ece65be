#[qtasync::main(app = "qml")]
async fn main() {}
