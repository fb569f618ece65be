//! An idle loop wakes up zero times; work is batched; the clock is monotonic.

use super::*;

#[test]
fn an_idle_loop_does_not_wake_up_and_work_is_batched() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let before = event_loop.dispatch_count();
        sleep(Duration::from_millis(200)).await;
        let idle = event_loop.dispatch_count() - before;
        assert!(idle <= 3, "an idle loop dispatched {idle} times in 200 ms");

        let count = Rc::new(Cell::new(0u32));
        let before = event_loop.dispatch_count();
        for _ in 0..100_000 {
            let count = count.clone();
            event_loop.call_soon(move || count.set(count.get() + 1)).unwrap();
        }
        while count.get() < 100_000 {
            yield_now().await;
        }
        let dispatches = event_loop.dispatch_count() - before;
        // One Qt event per batch; the time budget may split batches on a slow machine.
        assert!(dispatches < 1_000, "100k callbacks took {dispatches} Qt events");
    });
}

#[test]
fn time_is_monotonic() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let mut last = event_loop.time();
        for _ in 0..1000 {
            let now = event_loop.time();
            assert!(now >= last);
            last = now;
        }
    });
}
