#[qtasync::main]
fn main() {}
