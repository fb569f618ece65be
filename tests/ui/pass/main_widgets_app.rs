// app = "widgets" creates a QApplication (qtasync's `widgets` feature).
#[qtasync::main(app = "widgets", keep_running = false)]
async fn main() {
    qtasync::yield_now().await;
}
