//! `gather`, `gather_settled`, `wait` (timeouts, FIRST_EXCEPTION, FIRST_COMPLETED) and `as_completed`.

use super::*;

#[qtasync::test(timeout = "60s")]
async fn gather_fails_with_a_childs_panic_and_cancels_the_others() {
    let sleeper_dropped = flag();
    let dropped = sleeper_dropped.clone();
    let sleeper = spawn(async move {
        let _flag = DropFlag(dropped);
        sleep(FOREVER).await;
        1
    })
    .unwrap();
    let quick = spawn(async { 2 }).unwrap();
    let panicker = spawn(async {
        yield_now().await;
        panic!("child panicked")
    })
    .unwrap();
    let sleeper_ref = sleeper.task_ref();
    match gather(vec![sleeper, quick, panicker]).await {
        Err(TaskError::Panicked(panic)) => assert_eq!(panic.message(), "child panicked"),
        other => panic!("expected the child's panic, got {other:?}"),
    }
    until(|| sleeper_dropped.get()).await;
    assert!(sleeper_ref.cancelled());
}

#[qtasync::test(timeout = "60s")]
async fn gather_keeps_input_order_whatever_the_completion_order() {
    let (tx, rx) = futures::channel::oneshot::channel::<()>();
    let late = spawn(async move {
        rx.await.unwrap();
        "late"
    })
    .unwrap();
    let early = spawn(async move {
        tx.send(()).unwrap();
        "early"
    })
    .unwrap();
    assert_eq!(gather(vec![late, early]).await.unwrap(), vec!["late", "early"]);
    assert_eq!(gather(Vec::<qtasync::Task<u8>>::new()).await.unwrap(), Vec::<u8>::new());
}

#[qtasync::test(timeout = "60s")]
async fn gather_settled_returns_every_result_in_order() {
    let tasks = vec![
        spawn(async { 1 }).unwrap(),
        spawn(async { panic!("two") }).unwrap(),
        spawn(async {
            sleep(Duration::from_millis(1)).await;
            3
        })
        .unwrap(),
    ];
    let results = gather_settled(tasks).await;
    assert_eq!(results.len(), 3);
    assert_eq!(results[0].as_ref().ok(), Some(&1));
    assert!(results[1].as_ref().is_err_and(TaskError::is_panic));
    assert_eq!(results[2].as_ref().ok(), Some(&3));
}

#[qtasync::test(timeout = "60s")]
async fn cancelling_the_task_awaiting_a_gather_cancels_the_children() {
    let dropped = [flag(), flag()];
    let children: Vec<_> = dropped
        .iter()
        .map(|flag| {
            let flag = flag.clone();
            spawn(async move {
                let _flag = DropFlag(flag);
                sleep(FOREVER).await;
            })
            .unwrap()
        })
        .collect();
    let refs: Vec<_> = children.iter().map(|child| child.task_ref()).collect();
    let outer = spawn(gather(children)).unwrap();
    let_others_run().await;
    outer.cancel(None);
    assert!(outer.await.unwrap_err().is_cancelled());
    until(|| dropped.iter().all(|flag| flag.get())).await;
    assert!(refs.iter().all(|child| child.cancelled()));
}

#[qtasync::test(timeout = "60s")]
async fn wait_with_a_timeout_returns_the_pending_tasks_still_running() {
    let done = spawn(async { 1 }).unwrap();
    let slow = spawn(async {
        sleep(FOREVER).await;
        2
    })
    .unwrap();
    let result =
        wait(vec![done, slow], Some(Duration::from_millis(5)), ReturnWhen::AllCompleted).await;
    assert_eq!(result.done.len(), 1);
    assert_eq!(result.done[0].index, 0);
    assert_eq!(result.done[0].result.as_ref().ok(), Some(&1));
    assert_eq!(result.pending.len(), 1);
    let pending = &result.pending[0];
    let_others_run().await;
    assert!(!pending.done(), "a timeout does not cancel the pending tasks");
    pending.cancel(None);
}

#[qtasync::test(timeout = "60s")]
async fn wait_first_exception_returns_at_the_first_panic() {
    let gate = Rc::new(Event::new());
    let g = gate.clone();
    let ok = spawn(async { 1 }).unwrap();
    let panicker = spawn(async move {
        g.wait().await;
        panic!("failed")
    })
    .unwrap();
    let slow = spawn(async {
        sleep(FOREVER).await;
        3
    })
    .unwrap();
    let opener = spawn({
        let gate = gate.clone();
        async move {
            let_others_run().await;
            gate.set();
        }
    })
    .unwrap();
    let result = wait(vec![ok, panicker, slow], None, ReturnWhen::FirstException).await;
    let mut done: Vec<usize> = result.done.iter().map(|done| done.index).collect();
    done.sort();
    assert_eq!(done, vec![0, 1]);
    assert!(result.done.iter().any(|done| done.panicked()));
    assert_eq!(result.pending.len(), 1);
    result.pending[0].cancel(None);
    opener.await.unwrap();
}

#[qtasync::test(timeout = "60s")]
async fn wait_first_completed_returns_the_first_one_done() {
    let gate = Rc::new(Event::new());
    let g = gate.clone();
    let blocked = spawn(async move { g.wait().await }).unwrap();
    let quick = spawn(async {}).unwrap();
    let result = wait(vec![blocked, quick], None, ReturnWhen::FirstCompleted).await;
    assert_eq!(result.done.iter().map(|done| done.index).collect::<Vec<_>>(), vec![1]);
    assert_eq!(result.pending.len(), 1);
    gate.set();
    let mut pending = result.pending;
    pending.pop().unwrap().await.unwrap();
}

#[qtasync::test(timeout = "60s")]
async fn as_completed_yields_in_completion_order() {
    // Task 2 finishes first, which lets task 0 finish, which lets task 1 finish.
    let (first, second) = (Rc::new(Event::new()), Rc::new(Event::new()));
    let (f, s) = (first.clone(), second.clone());
    let t0 = spawn(async move {
        f.wait().await;
        s.set();
        "zero"
    })
    .unwrap();
    let s = second.clone();
    let t1 = spawn(async move {
        s.wait().await;
        "one"
    })
    .unwrap();
    let f = first.clone();
    let t2 = spawn(async move {
        let_others_run().await;
        f.set();
        "two"
    })
    .unwrap();
    let stream = as_completed(vec![t0, t1, t2]);
    assert_eq!(stream.len(), 3);
    let order: Vec<_> = stream.map(|done| (done.index, done.result.unwrap())).collect().await;
    assert_eq!(order, vec![(2, "two"), (0, "zero"), (1, "one")]);
}

#[qtasync::test(timeout = "60s", start_paused = true)]
async fn as_completed_with_a_timeout_ends_with_elapsed_and_leaves_the_rest_running() {
    let quick = spawn(async { sleep(Duration::from_secs(1)).await }).unwrap();
    let slow = spawn(async { sleep(Duration::from_secs(60)).await }).unwrap();
    let slow_ref = slow.task_ref();
    let stream = as_completed(vec![quick, slow]).with_timeout(Duration::from_secs(10));
    let items: Vec<_> = stream.collect().await;
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].as_ref().map(|done| done.index).ok(), Some(0));
    assert!(items[1].is_err(), "the deadline passed before the slow task");
    assert!(!slow_ref.done(), "asyncio leaves it running");
    slow_ref.cancel(None);
    yield_now().await;
    assert!(slow_ref.done());
}
