#[qtasync::main(keep_running = false)]
async fn main() -> Result<(), String> {
    42
}
