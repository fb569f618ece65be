#[qtasync::test(timeout = "5 seconds")]
async fn slow() {}

fn main() {}
