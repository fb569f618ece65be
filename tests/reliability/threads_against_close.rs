//! Threads calling in while the loop stops, closes and is dropped.

use super::*;

/// A future that stays pending and hands its waker to other threads.
struct ShareWaker(Arc<Mutex<Option<Waker>>>);

impl std::future::Future for ShareWaker {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        *self.0.lock().unwrap() = Some(cx.waker().clone());
        Poll::Pending
    }
}

pub(super) fn threads_calling_in_while_the_loop_stops_closes_and_drops_lose_nothing() {
    const THREADS: usize = 8;
    let (mut accepted_total, mut refused_total) = (0, 0);
    for round in 0..20u64 {
        let event_loop = EventLoop::new();
        let handle = event_loop.threadsafe_handle();
        let accepted = Arc::new(AtomicUsize::new(0));
        let ran = Arc::new(AtomicUsize::new(0));
        let dropped_unrun = Arc::new(AtomicUsize::new(0));
        let waker = Arc::new(Mutex::new(None::<Waker>));
        let stop_wakes = Arc::new(AtomicBool::new(false));
        let _pending = event_loop.create_task(ShareWaker(waker.clone())).unwrap();

        struct Item {
            ran: Arc<AtomicUsize>,
            dropped_unrun: Arc<AtomicUsize>,
            done: bool,
        }
        impl Drop for Item {
            fn drop(&mut self) {
                if !self.done {
                    self.dropped_unrun.fetch_add(1, Ordering::SeqCst);
                }
            }
        }

        let producers: Vec<_> = (0..THREADS)
            .map(|index| {
                let (handle, accepted) = (handle.clone(), accepted.clone());
                let (ran, dropped_unrun) = (ran.clone(), dropped_unrun.clone());
                let (waker, stop_wakes) = (waker.clone(), stop_wakes.clone());
                // Full speed up to `burst` items, then one every 50 µs until refused: bounded
                // memory, and still racing the close.
                let burst = scaled(250_000);
                std::thread::spawn(move || {
                    let mut refused = 0;
                    for sent in 0.. {
                        if sent > burst {
                            std::thread::sleep(Duration::from_micros(50));
                        }
                        // One thread in four also wakes the pending task and asks for a stop.
                        if index % 4 == 0 {
                            if let Some(waker) = waker.lock().unwrap().as_ref() {
                                waker.wake_by_ref();
                            }
                            if sent % 1000 == 999 {
                                let _ = handle.stop();
                            }
                        }
                        let mut item = Item {
                            ran: ran.clone(),
                            dropped_unrun: dropped_unrun.clone(),
                            done: false,
                        };
                        let call = move || {
                            item.done = true;
                            item.ran.fetch_add(1, Ordering::SeqCst);
                        };
                        match handle.call_soon_threadsafe(call) {
                            Ok(()) => {
                                accepted.fetch_add(1, Ordering::SeqCst);
                            }
                            Err(LoopClosed) => {
                                refused += 1;
                                break;
                            }
                        }
                    }
                    // Wakers kept after the loop is gone stay harmless.
                    while !stop_wakes.load(Ordering::SeqCst) {
                        if let Some(waker) = waker.lock().unwrap().as_ref() {
                            waker.wake_by_ref();
                        }
                        std::thread::yield_now();
                    }
                    refused
                })
            })
            .collect();

        // Run in short bursts (the threads' stop() requests end some of them early).
        let until = Instant::now() + Duration::from_millis(5 + round % 10);
        while Instant::now() < until {
            let _ = event_loop.run_until_complete(sleep(Duration::from_millis(1)));
        }
        event_loop.close().unwrap();
        let after_close = ran.load(Ordering::SeqCst);
        if round % 2 == 0 {
            drop(event_loop);
        }
        std::thread::sleep(Duration::from_millis(2));
        stop_wakes.store(true, Ordering::SeqCst);
        let refused: usize = producers.into_iter().map(|p| p.join().unwrap()).sum();
        assert_eq!(refused, THREADS, "every producer got a clear LoopClosed once closed");
        assert_eq!(ran.load(Ordering::SeqCst), after_close, "nothing runs after close");
        let accepted = accepted.load(Ordering::SeqCst);
        // The callback refused after close is dropped unrun too, once per thread.
        assert_eq!(
            accepted + refused,
            ran.load(Ordering::SeqCst) + dropped_unrun.load(Ordering::SeqCst),
            "every accepted callback ran or was dropped by close"
        );
        accepted_total += accepted;
        refused_total += refused;
    }
    println!(
        "  20 rounds x {THREADS} threads: {accepted_total} callbacks accepted and accounted for, \
         {refused_total} refusals after close"
    );
}

pub(super) fn a_loop_dropped_with_pending_work_releases_everything_on_its_thread() {
    let drops = Rc::new(Cell::new(0));
    let waker = Arc::new(Mutex::new(None::<Waker>));
    {
        let event_loop = EventLoop::new();
        for _ in 0..100 {
            let guard = DropCount(drops.clone());
            drop(event_loop.create_task(async move {
                let _guard = guard;
                sleep(Duration::from_secs(3600)).await;
            }));
            let guard = DropCount(drops.clone());
            event_loop.call_soon(move || drop(guard)).unwrap();
            let guard = DropCount(drops.clone());
            event_loop.call_later(Duration::from_secs(3600), move || drop(guard)).unwrap();
        }
        let _task = event_loop.create_task(ShareWaker(waker.clone())).unwrap();
        event_loop.run_until_complete(sleep(Duration::from_millis(2))).unwrap();
        // Dropped without close(), with 100 tasks asleep and 200 callbacks pending.
    }
    assert_eq!(drops.get(), 300, "every pending task and callback was released");
    let waker = waker.lock().unwrap().take().expect("the task was polled");
    std::thread::spawn(move || waker.wake()).join().unwrap();
}
