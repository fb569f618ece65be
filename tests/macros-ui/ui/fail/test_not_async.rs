#[qtasync::test]
fn plain() {}

fn main() {}
