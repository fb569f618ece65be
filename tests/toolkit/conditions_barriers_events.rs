//! `Condition`, `Barrier` and `Event`.

use super::*;

#[qtasync::test(timeout = "60s")]
async fn notify_wakes_that_many_waiters_and_notify_all_wakes_the_rest() {
    let condition = Rc::new(Condition::new());
    let woken = Rc::new(Cell::new(0));
    let waiters: Vec<_> = (0..3)
        .map(|_| {
            let (condition, woken) = (condition.clone(), woken.clone());
            spawn(async move {
                let guard = condition.acquire().await;
                let _guard = guard.wait().await;
                woken.set(woken.get() + 1);
            })
            .unwrap()
        })
        .collect();
    let_others_run().await;
    assert!(!condition.locked(), "waiting releases the lock");
    condition.acquire().await.notify(1);
    until(|| woken.get() == 1).await;
    let_others_run().await;
    assert_eq!(woken.get(), 1, "notify(1) wakes one waiter");
    condition.acquire().await.notify_all();
    gather(waiters).await.unwrap();
    assert_eq!(woken.get(), 3);
}

#[qtasync::test(timeout = "60s")]
async fn a_barrier_lets_everyone_go_when_the_last_arrives() {
    let barrier = Rc::new(Barrier::new(NonZeroUsize::new(3).unwrap()));
    let arrive = |barrier: &Rc<Barrier>| {
        let barrier = barrier.clone();
        spawn(async move { barrier.wait().await }).unwrap()
    };
    let (a, b) = (arrive(&barrier), arrive(&barrier));
    let_others_run().await;
    assert!(!a.done() && !b.done());
    assert_eq!(barrier.n_waiting(), 2);
    let last = barrier.wait().await.unwrap();
    assert!(last.is_leader());
    let mut indices =
        vec![last.index(), a.await.unwrap().unwrap().index(), b.await.unwrap().unwrap().index()];
    indices.sort();
    assert_eq!(indices, vec![0, 1, 2]);
    assert_eq!(barrier.n_waiting(), 0, "the next round starts empty");
    // Aborting wakes the waiters, and later waits fail at once.
    let waiter = arrive(&barrier);
    let_others_run().await;
    barrier.abort();
    assert_eq!(waiter.await.unwrap(), Err(BarrierAborted));
    assert_eq!(barrier.wait().await, Err(BarrierAborted));
    // Reset: whole again, and a new round works.
    barrier.reset();
    assert!(!barrier.broken());
    let (a, b) = (arrive(&barrier), arrive(&barrier));
    let_others_run().await;
    assert_eq!(barrier.wait().await.map(|r| r.is_leader()), Ok(true));
    assert!(a.await.unwrap().is_ok() && b.await.unwrap().is_ok());
}

#[qtasync::test(timeout = "60s")]
async fn resetting_a_barrier_fails_its_waiters_and_empties_it() {
    let barrier = Rc::new(Barrier::new(NonZeroUsize::new(3).unwrap()));
    let waiters: Vec<_> = (0..2)
        .map(|_| {
            let barrier = barrier.clone();
            spawn(async move { barrier.wait().await }).unwrap()
        })
        .collect();
    let_others_run().await;
    assert_eq!(barrier.n_waiting(), 2);
    barrier.reset();
    for waiter in waiters {
        assert_eq!(waiter.await.unwrap(), Err(BarrierAborted), "asyncio's BrokenBarrierError");
    }
    assert_eq!(barrier.n_waiting(), 0);
    assert!(!barrier.broken(), "a reset barrier is usable");
}

#[qtasync::test(timeout = "60s")]
async fn an_event_wakes_its_waiters_when_set_and_blocks_again_when_cleared() {
    let event = Rc::new(Event::new());
    let waiters: Vec<_> = (0..2)
        .map(|_| {
            let event = event.clone();
            spawn(async move { event.wait().await }).unwrap()
        })
        .collect();
    let_others_run().await;
    assert!(waiters.iter().all(|waiter| !waiter.done()));
    event.set();
    assert!(event.is_set());
    gather(waiters).await.unwrap();
    event.wait().await; // set: returns at once
    event.clear();
    let e = event.clone();
    let late = spawn(async move { e.wait().await }).unwrap();
    let_others_run().await;
    assert!(!late.done(), "a cleared event blocks again");
    event.set();
    late.await.unwrap();
}
