//! `Lock`, `Semaphore` and `BoundedSemaphore`.

use super::*;

#[qtasync::test(timeout = "60s")]
async fn a_lock_admits_one_task_at_a_time_in_arrival_order() {
    let lock = Rc::new(Lock::new());
    let log = Rc::new(RefCell::new(Vec::new()));
    let held = lock.acquire().await;
    let tasks: Vec<_> = (0..4)
        .map(|n| {
            let (lock, log) = (lock.clone(), log.clone());
            spawn(async move {
                let _guard = lock.acquire().await;
                log.borrow_mut().push(format!("{n} in"));
                let_others_run().await;
                log.borrow_mut().push(format!("{n} out"));
            })
            .unwrap()
        })
        .collect();
    let_others_run().await;
    assert!(log.borrow().is_empty(), "nobody enters while the lock is held");
    assert!(lock.locked() && lock.try_acquire().is_none());
    drop(held);
    gather(tasks).await.unwrap();
    let expected: Vec<String> =
        (0..4).flat_map(|n| [format!("{n} in"), format!("{n} out")]).collect();
    assert_eq!(*log.borrow(), expected);
    assert!(!lock.locked());
}

#[qtasync::test(timeout = "60s")]
async fn a_semaphore_limits_concurrency() {
    let semaphore = Rc::new(Semaphore::new(2));
    let active = Rc::new(Cell::new(0));
    let most = Rc::new(Cell::new(0));
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let (semaphore, active, most) = (semaphore.clone(), active.clone(), most.clone());
            spawn(async move {
                let _permit = semaphore.acquire().await;
                active.set(active.get() + 1);
                most.set(most.get().max(active.get()));
                let_others_run().await;
                active.set(active.get() - 1);
            })
            .unwrap()
        })
        .collect();
    gather(tasks).await.unwrap();
    assert_eq!(most.get(), 2);
    assert_eq!(semaphore.available(), 2);
    semaphore.release(); // an unbounded semaphore may grow
    assert_eq!(semaphore.available(), 3);
}

#[qtasync::test(timeout = "60s")]
async fn releasing_a_bounded_semaphore_too_often_is_an_error() {
    let semaphore = BoundedSemaphore::new(2);
    assert_eq!(semaphore.release(), Err(ReleaseError { bound: 2 }));
    let guard = semaphore.acquire().await;
    semaphore.acquire().await.forget();
    assert!(semaphore.locked());
    assert_eq!(semaphore.release(), Ok(())); // gives back the forgotten permit
    assert_eq!(semaphore.release(), Err(ReleaseError { bound: 2 }), "the guard still holds one");
    drop(guard);
    assert_eq!(semaphore.available(), 2);
    assert_eq!(semaphore.release(), Err(ReleaseError { bound: 2 }));
}
