// #[qtasync::test] with options compiles to a #[test] function (run by libtest here).
#[qtasync::test(timeout = "2m")]
async fn waits() -> Result<(), String> {
    qtasync::yield_now().await;
    Ok(())
}

#[qtasync::test(crate = "qtasync", timeout = "250ms")]
async fn plain() {}

#[qtasync::test(start_paused = true, allow_leftovers = true)]
async fn paused() {
    qtasync::sleep(std::time::Duration::from_secs(3600)).await;
    qtasync::spawn(std::future::pending::<()>()).unwrap();
}
