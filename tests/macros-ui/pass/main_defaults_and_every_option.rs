// Every option of #[qtasync::main]; `?` works in the body because the output type is known.
#[qtasync::main(
    keep_running = false,
    quit_qapp = true,
    handle_sigint = false,
    debug = true,
    app = "core"
)]
async fn main() -> Result<(), std::num::ParseIntError> {
    let steps: u32 = "3".parse()?;
    for _ in 0..steps {
        qtasync::yield_now().await;
    }
    Ok(())
}
