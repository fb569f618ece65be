// `crate = "..."` for a re-exported qtasync.
mod framework {
    pub use qtasync;
}

#[framework::qtasync::main(crate = "framework::qtasync", keep_running = false)]
async fn main() {
    qtasync::sleep(std::time::Duration::from_millis(1)).await;
}
