// `#[qtasync::test]`'s tokio options need the `tokio` feature too.
#[qtasync::test(tokio)]
async fn uses_tokio() {}

fn main() {}
