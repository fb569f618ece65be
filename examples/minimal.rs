//! The Rust version of PySide6's asyncio "minimal" example: a window with a label and a button;
//! a click runs a coroutine that awaits a sleep, then updates the label. The window stays
//! responsive meanwhile.
//!
//! `cargo run -p qtasync-examples --bin minimal` (add `--quit-after 3s --click-after 200ms` to
//! have it click and quit by itself).

use std::time::Duration;

use qtasync::{qt_slot_async, sleep, ObjectRef};
use qtasync_examples::widgets::{self, QLabel, Window};
use qtasync_examples::DemoOptions;

/// The coroutine a click starts. `exclusive`: a second click restarts it.
#[qt_slot_async(exclusive)]
async fn set_text(label: ObjectRef<QLabel>) {
    widgets::set_text(&label, "Thinking...");
    sleep(Duration::from_secs(1)).await;
    widgets::set_text(&label, "What do you get if you multiply six by nine?");
}

#[qtasync::main(app = "widgets")]
async fn main() {
    let options = DemoOptions::from_env();
    let mut window = Window::new("qtasync: minimal", 420, 140);
    let label = window.add_label("The answer is 42.");
    let button = window.add_button("What is the question?");
    widgets::on_clicked(&button, move || set_text(label.clone()));
    window.show();
    options.schedule(&window, Some(&button));
    // The window lives as long as this task: until the user closes it, which quits the
    // application and ends the loop.
    std::future::pending::<()>().await;
}
