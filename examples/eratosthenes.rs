//! The Rust version of PySide6's asyncio "Eratosthenes" example: a grid of numbers; a coroutine
//! sieves the primes and colours the cells step by step, while another ticks a clock: the UI
//! stays responsive throughout. Shows `run(coroutine)` with `keep_running`: the window stays up
//! after the sieve is done.
//!
//! `cargo run -p qtasync-examples --bin eratosthenes`

use std::time::{Duration, Instant};

use qtasync::{get_running_loop, sleep, ObjectRef};
use qtasync_examples::widgets::{self, QLabel, Window};
use qtasync_examples::DemoOptions;

const ROWS: i32 = 10;
const COLUMNS: i32 = 10;
const LAST: usize = (ROWS * COLUMNS) as usize;
/// One colour per small prime; the rest share the last one.
const COLOURS: &[&str] = &["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4"];

fn paint(cell: &ObjectRef<QLabel>, background: &str) {
    widgets::set_style(cell, &format!("background: {background}; color: white; font-weight: bold"));
}

/// Sieves 2..=LAST, marking each prime and then crossing out its multiples one by one.
async fn sieve(cells: Vec<ObjectRef<QLabel>>, status: ObjectRef<QLabel>, tick: Duration) -> usize {
    let cell = |n: usize| &cells[n - 1];
    widgets::set_style(cell(1), "background: #888; color: white");
    let mut composite = [false; LAST + 1];
    let mut primes = 0;
    for n in 2..=LAST {
        if composite[n] {
            continue;
        }
        primes += 1;
        let colour = COLOURS[(primes - 1).min(COLOURS.len() - 1)];
        paint(cell(n), "#222");
        widgets::set_text(&status, &format!("Found prime {n}; crossing out its multiples"));
        for multiple in (n * n..=LAST).step_by(n) {
            if !composite[multiple] {
                composite[multiple] = true;
                sleep(tick).await;
                paint(cell(multiple), colour);
            }
        }
    }
    widgets::set_text(&status, &format!("Done: {primes} primes up to {LAST}"));
    primes
}

#[qtasync::main(app = "widgets")]
async fn main() {
    let options = DemoOptions::from_env();
    let mut window = Window::new("qtasync: Eratosthenes", 460, 520);
    let status = window.add_label("Sieving...");
    let clock = window.add_label("");
    let grid = window.add_grid();
    let cells: Vec<ObjectRef<QLabel>> = (0..ROWS * COLUMNS)
        .map(|i| grid.add_cell(i / COLUMNS, i % COLUMNS, &(i + 1).to_string()))
        .collect();
    window.show();
    options.schedule(&window, None);

    let event_loop = get_running_loop().expect("inside #[qtasync::main]");
    // A second coroutine: the clock keeps ticking while the sieve runs.
    let started = Instant::now();
    let ticker = event_loop
        .create_task(async move {
            loop {
                widgets::set_text(&clock, &format!("{:.1} s", started.elapsed().as_secs_f64()));
                sleep(Duration::from_millis(100)).await;
            }
        })
        .expect("the loop is open");
    let tick = if options.quit_after.is_some() {
        Duration::from_millis(2)
    } else {
        Duration::from_millis(25)
    };
    let primes = sieve(cells, status, tick).await;
    assert_eq!(primes, 25);
    ticker.cancel(Some("the sieve is done"));
    // keep_running: the window stays up until the user closes it.
    std::future::pending::<()>().await;
}
