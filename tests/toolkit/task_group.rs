//! `TaskGroup`: failures cancel siblings, outside cancellation, `join`.

use super::*;

#[qtasync::test(timeout = "60s")]
async fn a_failing_child_cancels_a_sibling_mid_await_and_the_group_lists_the_failure() {
    let sibling_dropped = flag();
    let sibling_resumed = flag();
    let sibling_waiting = Rc::new(Event::new());
    let group = TaskGroup::fallible();
    let (dropped, resumed, waiting) =
        (sibling_dropped.clone(), sibling_resumed.clone(), sibling_waiting.clone());
    group
        .spawn(async move {
            let _flag = DropFlag(dropped);
            waiting.set();
            sleep(FOREVER).await;
            resumed.set(true);
            Ok(())
        })
        .unwrap()
        .set_name("sleeper");
    let waiting = sibling_waiting.clone();
    group
        .spawn(async move {
            waiting.wait().await; // the sleeper is suspended in its sleep now
            Err("disk full")
        })
        .unwrap()
        .set_name("writer");
    let error = group.join().await.unwrap_err();
    assert!(sibling_dropped.get(), "the sibling's future was dropped: its destructor ran");
    assert!(!sibling_resumed.get());
    assert_eq!(error.errors().len(), 1, "{error}");
    assert_eq!(error.errors()[0].task_name(), "writer");
    assert_eq!(error.errors()[0].error(), Some(&"disk full"));
    assert_eq!(error.to_string(), "1 task group child failed: writer failed: disk full");
}

#[qtasync::test(timeout = "60s")]
async fn a_group_lists_every_child_that_failed_including_panics() {
    let group = TaskGroup::<String>::fallible();
    group.spawn(async { Err("first".to_owned()) }).unwrap();
    group.spawn(panics("second")).unwrap();
    group.spawn(async { Ok(()) }).unwrap();
    let errors = group.join().await.unwrap_err().into_errors();
    assert_eq!(errors.len(), 2);
    assert!(matches!(&errors[0], ChildError::Failed { error, .. } if error == "first"));
    assert_eq!(errors[1].panic().map(|panic| panic.message()), Some("second"));
}

#[qtasync::test(timeout = "60s")]
async fn a_group_cancelled_from_outside_cancels_its_running_children() {
    let dropped = [flag(), flag()];
    let started = Rc::new(Cell::new(0));
    let (flags, count) = (dropped.clone(), started.clone());
    let owner = spawn(async move {
        let group = TaskGroup::new();
        for flag in flags {
            let count = count.clone();
            group
                .spawn(async move {
                    let _flag = DropFlag(flag);
                    count.set(count.get() + 1);
                    sleep(FOREVER).await;
                })
                .unwrap();
        }
        group.join().await
    })
    .unwrap();
    until(|| started.get() == 2).await;
    assert!(owner.cancel(Some("closing the window")));
    assert!(matches!(owner.await, Err(TaskError::Cancelled(Some(m))) if m == "closing the window"));
    until(|| dropped.iter().all(|flag| flag.get())).await;
}

#[qtasync::test(timeout = "60s")]
async fn a_failed_group_refuses_new_children_then_finishes() {
    let group = TaskGroup::fallible();
    let spawner = group.spawner();
    group.spawn(async { sleep(FOREVER).await }).unwrap();
    group.spawn(async { Err(42) }).unwrap();
    loop {
        match group.spawn(async {}) {
            Ok(_) => yield_now().await,
            Err(error) => {
                assert_eq!(error, GroupSpawnError::ShuttingDown);
                break;
            }
        }
    }
    let errors = group.join().await.unwrap_err().into_errors();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].error(), Some(&42));
    assert_eq!(spawner.spawn(async {}).unwrap_err(), GroupSpawnError::Finished);
}

#[qtasync::test(timeout = "60s")]
async fn join_waits_for_every_child_including_ones_spawned_by_children() {
    let finished = Rc::new(Cell::new(0));
    let group = TaskGroup::new();
    let spawner = group.spawner();
    let count = finished.clone();
    group
        .spawn(async move {
            yield_now().await;
            let inner = count.clone();
            spawner
                .spawn(async move {
                    let_others_run().await;
                    inner.set(inner.get() + 1);
                })
                .unwrap();
            count.set(count.get() + 1);
        })
        .unwrap();
    assert_eq!(group.len(), 1);
    group.join().await.unwrap();
    assert_eq!(finished.get(), 2);
}
