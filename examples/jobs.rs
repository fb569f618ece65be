//! Why async matters in a GUI: three blocking jobs run in the executor's threads at once, each
//! reporting progress to its bar, while a timer keeps the clock label alive; "Cancel" stops them
//! all. None of it blocks the Qt thread, and no thread touches a widget.
//!
//! `cargo run -p qtasync-examples --bin jobs` (`--click-after 300ms` starts the jobs by itself).

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use qtasync::{get_running_loop, qt_slot_async, sleep, ObjectRef, TaskRef};
use qtasync_examples::widgets::{self, QLabel, QProgressBar, QPushButton, Window};
use qtasync_examples::DemoOptions;

const CHUNKS: i32 = 40;

/// One chunk of "real" blocking work: hashing, on an executor thread.
fn blocking_chunk(seed: u64) -> u64 {
    let mut hash = seed;
    for i in 0..300_000u64 {
        hash = hash.rotate_left(5) ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    std::thread::sleep(Duration::from_millis(10));
    hash
}

/// Runs one job: chunk after chunk in the executor, updating its bar between chunks.
async fn job(number: u64, bar: ObjectRef<QProgressBar>) -> u64 {
    let event_loop = get_running_loop().expect("on the loop");
    let mut hash = number;
    for chunk in 1..=CHUNKS {
        hash = event_loop
            .run_in_executor(move || blocking_chunk(hash))
            .expect("the executor is running")
            .await
            .expect("the chunk does not panic");
        widgets::set_progress(&bar, chunk);
    }
    hash
}

/// State the buttons share (on the Qt thread only).
struct Jobs {
    bars: Vec<ObjectRef<QProgressBar>>,
    status: ObjectRef<QLabel>,
    running: RefCell<Vec<TaskRef>>,
}

#[qt_slot_async(exclusive)]
async fn start(jobs: Rc<Jobs>) {
    let event_loop = get_running_loop().expect("on the loop");
    let started = Instant::now();
    widgets::set_text(&jobs.status, "Running three jobs in the executor...");
    let tasks: Vec<_> = jobs
        .bars
        .iter()
        .enumerate()
        .map(|(i, bar)| {
            widgets::set_progress(bar, 0);
            event_loop.create_task(job(i as u64 + 1, bar.clone())).expect("the loop is open")
        })
        .collect();
    *jobs.running.borrow_mut() = tasks.iter().map(|task| task.task_ref()).collect();
    let mut finished = 0;
    for task in tasks {
        if task.await.is_ok() {
            finished += 1;
        }
    }
    let took = started.elapsed().as_secs_f64();
    widgets::set_text(&jobs.status, &format!("{finished} of 3 jobs finished in {took:.1} s"));
}

fn cancel(jobs: &Jobs) {
    for task in jobs.running.borrow_mut().drain(..) {
        task.cancel(Some("cancelled by the user"));
    }
}

#[qtasync::main(app = "widgets")]
async fn main() {
    let options = DemoOptions::from_env();
    let mut window = Window::new("qtasync: jobs", 420, 260);
    let clock = window.add_label("");
    let bars = (0..3).map(|_| window.add_progress(CHUNKS)).collect();
    let status = window.add_label("Press Start");
    let start_button: ObjectRef<QPushButton> = window.add_button("Start");
    let cancel_button = window.add_button("Cancel");
    let jobs = Rc::new(Jobs { bars, status, running: RefCell::new(Vec::new()) });
    let j = jobs.clone();
    widgets::on_clicked(&start_button, move || start(j.clone()));
    let j = jobs.clone();
    widgets::on_clicked(&cancel_button, move || cancel(&j));
    window.show();
    options.schedule(&window, Some(&start_button));
    // The clock shows that the Qt thread never blocks.
    let started = Instant::now();
    loop {
        widgets::set_text(
            &clock,
            &format!("Qt thread alive: {:.1} s", started.elapsed().as_secs_f64()),
        );
        sleep(Duration::from_millis(100)).await;
    }
}
