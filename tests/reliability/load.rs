//! Load: a million callbacks in flight, a hundred thousand tasks with random sleeps, awaits and cancellations.

use super::*;

pub(super) fn a_million_callbacks_in_flight_each_run_or_cancelled_exactly_once() {
    let count = scaled(1_000_000);
    let event_loop = EventLoop::new();
    let runs = Rc::new(RefCell::new(vec![0u8; count]));
    let drops = Rc::new(Cell::new(0));
    let (loop_runs, loop_drops) = (runs.clone(), drops.clone());
    let cancelled = event_loop
        .run_until_complete(async move {
            let event_loop = get_running_loop().unwrap();
            let mut handles = Vec::with_capacity(count);
            for id in 0..count {
                let (runs, guard) = (loop_runs.clone(), DropCount(loop_drops.clone()));
                handles.push(
                    event_loop
                        .call_soon(move || {
                            let _guard = guard;
                            runs.borrow_mut()[id] += 1;
                        })
                        .unwrap(),
                );
            }
            // Every seventh is cancelled while all of them are in flight.
            let mut cancelled = HashSet::new();
            for (id, handle) in handles.iter().enumerate().step_by(7) {
                handle.cancel();
                cancelled.insert(id);
            }
            // FIFO: this task's next step comes after every callback scheduled above.
            yield_now().await;
            cancelled
        })
        .unwrap();
    let runs = runs.borrow();
    for (id, &ran) in runs.iter().enumerate() {
        let expected = u8::from(!cancelled.contains(&id));
        assert_eq!(ran, expected, "callback {id} ran {ran} times");
    }
    assert_eq!(drops.get(), count, "every closure was dropped exactly once: nothing left queued");
    event_loop.close().unwrap();
    assert_eq!(drops.get(), count);
    println!(
        "  {count} callbacks in flight: {} ran once, {} cancelled, none left",
        count - cancelled.len(),
        cancelled.len()
    );
}

pub(super) fn a_hundred_thousand_tasks_with_random_sleeps_awaits_and_cancellations() {
    let count = scaled(100_000);
    let event_loop = EventLoop::new();
    let base_tasks = event_loop.task_count();
    let completed = Rc::new(Cell::new(0usize));
    let drops = Rc::new(Cell::new(0usize));
    let (task_completed, task_drops) = (completed.clone(), drops.clone());
    let (ok, cancelled, forever) = event_loop
        .run_until_complete(async move {
            let event_loop = get_running_loop().unwrap();
            let gate = event_loop.create_future::<u32>();
            let mut rng = Rng::new(7);
            let mut tasks = Vec::with_capacity(count);
            let mut forever = 0;
            let mut kinds = Vec::with_capacity(count);
            for _ in 0..count {
                let kind = rng.below(4);
                kinds.push(kind);
                forever += usize::from(kind == 3);
                let pause = Duration::from_micros(rng.below(20_000));
                let (gate, completed, guard) =
                    (gate.clone(), task_completed.clone(), DropCount(task_drops.clone()));
                tasks.push(
                    event_loop
                        .create_task(async move {
                            let _guard = guard;
                            match kind {
                                0 => sleep(pause).await,
                                1 => assert_eq!(gate.await.unwrap(), 42),
                                2 => {
                                    for _ in 0..10 {
                                        yield_now().await;
                                    }
                                }
                                _ => sleep(Duration::from_secs(3600)).await,
                            }
                            completed.set(completed.get() + 1);
                        })
                        .unwrap(),
                );
            }
            // The gate opens after 5 ms; a tenth of the tasks are cancelled at random moments,
            // and every task that would sleep for an hour is cancelled after 100 ms.
            let opener = gate.clone();
            event_loop
                .call_later(Duration::from_millis(5), move || opener.set_result(42).unwrap())
                .unwrap();
            for task in &tasks {
                if rng.below(10) != 0 {
                    continue;
                }
                let task = task.task_ref();
                let at = Duration::from_micros(rng.below(25_000));
                event_loop
                    .call_later(at, move || {
                        task.cancel(Some("random"));
                    })
                    .unwrap();
            }
            let sleepers: Vec<_> = tasks
                .iter()
                .zip(&kinds)
                .filter(|(_, kind)| **kind == 3)
                .map(|(task, _)| task.task_ref())
                .collect();
            event_loop
                .call_later(Duration::from_millis(100), move || {
                    for task in &sleepers {
                        task.cancel(Some("too long"));
                    }
                })
                .unwrap();
            let (mut ok, mut cancelled) = (0, 0);
            for task in tasks {
                match task.await {
                    Ok(()) => ok += 1,
                    Err(TaskError::Cancelled(_)) => cancelled += 1,
                    Err(error) => panic!("unexpected {error}"),
                }
            }
            (ok, cancelled, forever)
        })
        .unwrap();
    assert_eq!(ok + cancelled, count, "every task ended exactly once");
    assert_eq!(ok, completed.get(), "the tasks that finished are the ones that say so");
    assert!(cancelled >= forever, "{cancelled} cancelled, {forever} would sleep an hour");
    assert_eq!(drops.get(), count, "every task's future was dropped");
    assert_eq!(event_loop.task_count(), base_tasks, "no task left behind");
    event_loop.close().unwrap();
    println!("  {count} tasks: {ok} completed, {cancelled} cancelled, none left");
}
