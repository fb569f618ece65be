//! Ports of what PySide6's QtAsyncio test suite asserts (sources/pyside6/tests/QtAsyncio/).

use super::*;

#[test]
fn qtasyncio_gather_of_sleeping_coroutines() {
    qt_test(|| async {
        async fn job(i: u64) -> u64 {
            sleep(Duration::from_millis(10 * (3 - i))).await;
            i * 2
        }
        let event_loop = get_running_loop().unwrap();
        let tasks: Vec<_> = (0..3).map(|i| event_loop.create_task(job(i)).unwrap()).collect();
        let results: Vec<u64> =
            futures::future::join_all(tasks).await.into_iter().map(Result::unwrap).collect();
        assert_eq!(results, vec![0, 2, 4]);
    });
}

#[test]
fn qtasyncio_chain_of_coroutines() {
    qt_test(|| async {
        async fn part1(n: u32) -> String {
            sleep(Duration::from_millis(n.into())).await;
            format!("result{n}-1")
        }
        async fn part2(n: u32, previous: String) -> String {
            sleep(Duration::from_millis(n.into())).await;
            format!("result{n}-2 derived from {previous}")
        }
        async fn chain(n: u32) -> String {
            let p1 = part1(n).await;
            part2(n, p1).await
        }
        let event_loop = get_running_loop().unwrap();
        let tasks: Vec<_> =
            [1, 2, 3].into_iter().map(|n| event_loop.create_task(chain(n)).unwrap()).collect();
        let results: Vec<String> =
            futures::future::join_all(tasks).await.into_iter().map(Result::unwrap).collect();
        assert_eq!(results[2], "result3-2 derived from result3-1");
    });
}

#[test]
fn qtasyncio_producers_and_consumers_over_a_queue() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let (sender, receiver) = mpsc::channel::<u32>(4);
        // Several consumers share the queue: one at a time waits on the receiver.
        let receiver = Rc::new(futures::lock::Mutex::new(receiver));
        let consumed = Rc::new(RefCell::new(Vec::new()));
        let producers: Vec<_> = (0..3u32)
            .map(|p| {
                let mut sender = sender.clone();
                event_loop
                    .create_task(async move {
                        for i in 0..20 {
                            sleep(Duration::from_micros(u64::from((p * 7 + i * 13) % 500))).await;
                            sender.send(p * 100 + i).await.unwrap();
                        }
                    })
                    .unwrap()
            })
            .collect();
        drop(sender);
        let consumers: Vec<_> = (0..2)
            .map(|_| {
                let receiver = receiver.clone();
                let consumed = consumed.clone();
                event_loop
                    .create_task(async move {
                        loop {
                            let next = receiver.lock().await.next().await;
                            match next {
                                Some(item) => consumed.borrow_mut().push(item),
                                None => break,
                            }
                            sleep(Duration::from_micros(200)).await;
                        }
                    })
                    .unwrap()
            })
            .collect();
        futures::future::join_all(producers).await;
        futures::future::join_all(consumers).await;
        let mut consumed = consumed.borrow().clone();
        consumed.sort();
        let expected: Vec<u32> = (0..3).flat_map(|p| (0..20).map(move |i| p * 100 + i)).collect();
        assert_eq!(consumed, expected, "nothing lost, nothing doubled");
    });
}

#[test]
fn qtasyncio_timeout_raises_at_the_right_moment() {
    // Port of bug_2790: asyncio.timeout around a sleep.
    qt_test(|| async {
        let started = Instant::now();
        let result = timeout(Duration::from_millis(30), sleep(Duration::from_secs(5))).await;
        let elapsed = started.elapsed();
        assert!(result.is_err());
        assert!(elapsed >= Duration::from_millis(30), "{elapsed:?}");
        assert!(elapsed < Duration::from_millis(1000), "{elapsed:?}");
        assert_eq!(timeout(Duration::from_secs(5), async { 3 }).await.unwrap(), 3);
    });
}

#[test]
fn qtasyncio_call_later_fires_on_time() {
    // Port of _time (1 s within 0.1 s), shortened to 200 ms.
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let fired = event_loop.create_future::<Instant>();
        let f = fired.clone();
        let started = Instant::now();
        event_loop
            .call_later(Duration::from_millis(200), move || f.set_result(Instant::now()).unwrap())
            .unwrap();
        let at = fired.await.unwrap() - started;
        assert!(at >= Duration::from_millis(200) && at < Duration::from_millis(300), "{at:?}");
    });
}

#[test]
fn qtasyncio_threadsafe_call_from_a_plain_thread() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let handle = event_loop.threadsafe_handle();
        let (sender, receiver) = futures::channel::oneshot::channel();
        std::thread::spawn(move || {
            handle
                .call_soon_threadsafe(move || {
                    let on_loop = get_running_loop().is_ok();
                    sender.send(on_loop).unwrap();
                })
                .unwrap();
        });
        assert!(receiver.await.unwrap(), "the callback ran on the loop's thread");
    });
}
