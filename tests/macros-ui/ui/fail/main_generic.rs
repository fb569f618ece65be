#[qtasync::main]
async fn main<T>() {}
