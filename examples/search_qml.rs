//! A search box whose results arrive asynchronously: each keystroke calls `Searcher.search`
//! (see `qml_search.rs`), which cancels the previous query's task and returns a result object;
//! a busy indicator is bound to its `running`, the list fills from its `then`.
//!
//! `cargo run -p qtasync-examples --bin search_qml`

use cxx_qt_lib::{QQmlApplicationEngine, QUrl};
use qtasync_examples::DemoOptions;

#[qtasync::main(app = "gui")]
async fn main() {
    // Validates the options; the QML reads them itself.
    let _options = DemoOptions::from_env();
    let mut engine = QQmlApplicationEngine::new();
    if let Some(engine) = engine.as_mut() {
        engine.load(&QUrl::from("qrc:/qt/qml/com/qtasync/examples/qml/search.qml"));
    }
    // The engine (and its window) lives as long as this task: until the window closes.
    std::future::pending::<()>().await;
}
