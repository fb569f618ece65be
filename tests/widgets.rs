//! Widgets on the main thread (so `harness = false`): a real `QPushButton::click()` runs an async
//! slot that awaits and updates a label; `#[qtasync::main(app = "widgets")]`'s pieces.

use std::time::{Duration, Instant};

use qtasync::{qt_slot_async, sleep, ObjectRef, Runner, WidgetsApplication};
use qtasync_examples::widgets::{self, QLabel, Window};

/// What the click runs: a coroutine, connected as a plain callback.
#[qt_slot_async]
async fn on_click(label: ObjectRef<QLabel>, clicks: u32) {
    widgets::set_text(&label, &format!("working on click {clicks}"));
    sleep(Duration::from_millis(20)).await;
    widgets::set_text(&label, &format!("done with click {clicks}"));
}

fn a_button_click_runs_a_coroutine() {
    let output = Runner::new().keep_running(false).quit_qapp(false).run(async {
        let mut window = Window::new("qtasync test", 300, 120);
        let label = window.add_label("idle");
        let button = window.add_button("Go");
        window.show();
        let mut clicks = 0;
        let target = label.clone();
        widgets::on_clicked(&button, move || {
            clicks += 1;
            on_click(target.clone(), clicks);
        });
        widgets::click(&button);
        assert_eq!(
            widgets::text(&label),
            "idle",
            "the slot returned at once; its body runs as a task"
        );
        qtasync::yield_now().await;
        assert_eq!(widgets::text(&label), "working on click 1");
        let deadline = Instant::now() + Duration::from_secs(5);
        while widgets::text(&label) != "done with click 1" {
            assert!(Instant::now() < deadline, "label: {}", widgets::text(&label));
            sleep(Duration::from_millis(2)).await;
        }
        widgets::click(&button);
        while widgets::text(&label) != "done with click 2" {
            assert!(Instant::now() < deadline, "label: {}", widgets::text(&label));
            sleep(Duration::from_millis(2)).await;
        }
        clicks_seen(&label)
    });
    assert_eq!(output.unwrap(), Some(2));
}

fn clicks_seen(label: &ObjectRef<QLabel>) -> u32 {
    widgets::text(label).rsplit(' ').next().unwrap().parse().unwrap()
}

/// A free async slot taking an `ObjectRef` is cancelled when that object is destroyed.
#[qt_slot_async]
async fn slow_update(label: ObjectRef<QLabel>) {
    sleep(Duration::from_millis(50)).await;
    widgets::set_text(&label, "must never run");
}

fn destroying_an_object_argument_cancels_a_free_slot() {
    let output = Runner::new().keep_running(false).quit_qapp(false).run(async {
        let event_loop = qtasync::get_running_loop().unwrap();
        let reports = qtasync_tests::capture_reports(&event_loop);
        let mut window = Window::new("qtasync test", 300, 120);
        let label = window.add_label("idle");
        slow_update(label.clone());
        sleep(Duration::from_millis(5)).await;
        drop(window);
        assert!(!label.is_alive());
        sleep(Duration::from_millis(100)).await;
        let count = reports.borrow().len();
        (count, event_loop.task_count())
    });
    assert_eq!(output.unwrap(), Some((0, 1)), "no report, only the main task left");
}

fn main() {
    if std::env::var_os("QT_QPA_PLATFORM").is_none() {
        std::env::set_var("QT_QPA_PLATFORM", "offscreen");
    }
    let _app = WidgetsApplication::new();
    let cases: &[(&str, fn())] = &[
        ("a_button_click_runs_a_coroutine", a_button_click_runs_a_coroutine),
        (
            "destroying_an_object_argument_cancels_a_free_slot",
            destroying_an_object_argument_cancels_a_free_slot,
        ),
    ];
    qtasync_tests::run_cases("widgets", cases);
}
