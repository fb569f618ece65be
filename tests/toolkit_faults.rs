//! The task toolkit under faults (issue "task toolkit", Faults): cancellation through groups and
//! shields, a consumer that panics before `task_done`, a lock held by a cancelled task, and one
//! event with 100,000 waiters. On the real Qt loop; the slow parts in virtual time.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use qtasync::sync::{Event, Lock, Queue};
use qtasync::task::GroupSpawnError;
use qtasync::{
    get_running_loop, shield, sleep, spawn, wait_for, yield_now, ObjectRef, TaskError, TaskGroup,
};
use qtasync_tests::let_others_run;
use qtasync_tests::qobjects::new_worker;

#[qtasync::test(timeout = "60s")]
async fn a_group_cancelled_from_outside_leaves_a_shielded_inner_task_running() {
    let gate = Rc::new(Event::new());
    let inner_done = Rc::new(Cell::new(false));
    let (g, d) = (gate.clone(), inner_done.clone());
    let owner = spawn(async move {
        let group = TaskGroup::new();
        group
            .spawn(async move {
                let inner = shield(async move {
                    g.wait().await;
                    d.set(true);
                })
                .unwrap();
                let _ = inner.await;
            })
            .unwrap();
        group.join().await
    })
    .unwrap();
    let_others_run().await;
    assert!(owner.cancel(Some("window closed")));
    assert!(matches!(owner.await, Err(TaskError::Cancelled(_))), "the group ended cancelled");
    assert!(!inner_done.get());
    gate.set();
    let_others_run().await;
    assert!(inner_done.get(), "the shielded task went on to the end");
}

#[qtasync::test(timeout = "60s", start_paused = true)]
async fn queue_join_waits_for_the_item_of_a_consumer_that_panicked_until_someone_accounts_for_it() {
    let queue = Rc::new(Queue::new(0));
    for item in 0..3 {
        queue.put_nowait(item).unwrap();
    }
    let q = queue.clone();
    let crashing = spawn(async move {
        let _item = q.get().await.unwrap();
        panic!("consumer crashed before task_done");
    })
    .unwrap();
    let outcome = crashing.await;
    assert!(matches!(outcome, Err(TaskError::Panicked(_))), "the panic is the task's error");
    let q = queue.clone();
    let worker = spawn(async move {
        while let Ok(_item) = q.get_nowait() {
            q.task_done().unwrap();
        }
    })
    .unwrap();
    worker.await.unwrap();
    // One item was taken and never marked done: join keeps waiting, it does not lose count.
    assert!(wait_for(Duration::from_secs(60), queue.join()).await.is_err());
    // The supervisor that saw the panic accounts for the lost item; join returns.
    queue.task_done().unwrap();
    wait_for(Duration::from_secs(1), queue.join()).await.unwrap();
}

#[qtasync::test(timeout = "60s")]
async fn a_lock_held_by_a_cancelled_task_is_released() {
    let lock = Rc::new(Lock::new());
    let l = lock.clone();
    let holder = spawn(async move {
        let _guard = l.acquire().await;
        std::future::pending::<()>().await;
    })
    .unwrap();
    let_others_run().await;
    assert!(lock.locked());
    let l = lock.clone();
    let next = spawn(async move {
        let _guard = l.acquire().await;
    })
    .unwrap();
    let_others_run().await;
    assert!(!next.done(), "the second task waits for the lock");
    holder.cancel(None);
    next.await.unwrap();
    assert!(!lock.locked());
}

#[qtasync::test(timeout = "120s")]
async fn a_hundred_thousand_waiters_on_one_event_are_each_woken_once() {
    const WAITERS: usize = 100_000;
    let event_loop = get_running_loop().unwrap();
    let before = event_loop.task_count();
    let event = Rc::new(Event::new());
    let woken = Rc::new(Cell::new(0usize));
    let tasks: Vec<_> = (0..WAITERS)
        .map(|_| {
            let (event, woken) = (event.clone(), woken.clone());
            spawn(async move {
                event.wait().await;
                woken.set(woken.get() + 1);
            })
            .unwrap()
        })
        .collect();
    yield_now().await; // every waiter is now registered
    assert_eq!(woken.get(), 0);
    event.set();
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(woken.get(), WAITERS, "each waiter woke exactly once");
    event.set(); // nobody is left to wake
    sleep(Duration::from_millis(1)).await;
    assert_eq!(woken.get(), WAITERS);
    assert_eq!(event_loop.task_count(), before, "every waiter's task is gone");
}

#[qtasync::test(timeout = "60s")]
async fn a_group_tied_to_an_object_cancels_its_children_when_the_object_is_destroyed() {
    let mut worker = new_worker();
    // SAFETY: `worker` is used below only to drop the object, never while a `with` runs.
    let object = unsafe { ObjectRef::new(worker.pin_mut()) };
    let group = TaskGroup::new();
    group.cancel_with(&object);
    let cancelled = Rc::new(Cell::new(0));
    for _ in 0..3 {
        let cancelled = cancelled.clone();
        group
            .spawn(async move {
                struct Count(Rc<Cell<u32>>);
                impl Drop for Count {
                    fn drop(&mut self) {
                        self.0.set(self.0.get() + 1);
                    }
                }
                let _count = Count(cancelled);
                std::future::pending::<()>().await;
            })
            .unwrap();
    }
    let_others_run().await;
    drop(worker); // Qt destroys the object (a window closed)
    assert!(matches!(group.spawn(async {}), Err(GroupSpawnError::ShuttingDown)));
    group.join().await.unwrap();
    assert_eq!(cancelled.get(), 3, "every child's future was dropped");
}
