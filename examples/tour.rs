//! A console tour of qtasync: tasks, timers, a cancelled task, blocking work in the executor and
//! a callback from another thread, all on Qt's event loop (a QCoreApplication).
//!
//! `cargo run -p qtasync-examples --bin tour`

use std::time::{Duration, Instant};

use qtasync::{get_running_loop, sleep, Runner};

async fn tour() -> Result<(), Box<dyn std::error::Error>> {
    let event_loop = get_running_loop()?;
    let started = Instant::now();
    let elapsed = move || format!("{:>6.1} ms", started.elapsed().as_secs_f64() * 1e3);

    println!("{} tasks run concurrently on Qt's event loop:", elapsed());
    let workers: Vec<_> = (1..=3u64)
        .map(|n| {
            event_loop.create_task(async move {
                sleep(Duration::from_millis(20 * n)).await;
                n * 10
            })
        })
        .collect::<Result<_, _>>()?;

    let slow = event_loop.create_task(async {
        sleep(Duration::from_secs(60)).await;
    })?;
    event_loop.call_later(Duration::from_millis(30), move || {
        slow.cancel(Some("not needed any more"));
    })?;

    let checksum = event_loop.run_in_executor(|| (1..=2_000_000u64).map(|n| n % 7).sum::<u64>())?;

    let handle = event_loop.threadsafe_handle();
    std::thread::spawn(move || {
        let _ =
            handle.call_soon_threadsafe(|| println!("   (a callback sent from another thread)"));
    });

    for worker in workers {
        let name = worker.name();
        let value = worker.await?;
        println!("{} {name} returned {value}", elapsed());
    }
    let checksum = checksum.await?;
    println!("{} executor job returned {checksum}", elapsed());
    println!("{} done; the loop handled {} Qt events", elapsed(), event_loop.dispatch_count());
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let output = Runner::new().keep_running(false).run(tour())?;
    output.expect("keep_running(false) returns the output")
}
