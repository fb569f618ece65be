//! The minimal example in QML: `Answer.ask()` (see `qml_answer.rs`) is an async slot; QML calls
//! it on a click.
//!
//! `cargo run -p qtasync-examples --bin minimal_qml` (the QML reads the examples' options
//! itself: `--click-after`, `--quit-after`, `--screenshot`). The README's headline shows this file.

use cxx_qt_lib::{QQmlApplicationEngine, QUrl};

// `Answer` and the QML module are built into the examples' library crate (`qml_answer.rs`):
// without a reference rustc would not link it, and QML would find no `com.qtasync.examples`.
// An application whose bridge is in its own crate needs no such line.
extern crate qtasync_examples as _;

#[qtasync::main(app = "gui")]
async fn main() {
    let mut engine = QQmlApplicationEngine::new();
    if let Some(engine) = engine.as_mut() {
        engine.load(&QUrl::from("qrc:/qt/qml/com/qtasync/examples/qml/minimal.qml"));
    }
    // The engine (and its window) lives as long as this task: until the window closes.
    std::future::pending::<()>().await;
}
