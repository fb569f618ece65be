//! `shield` and `wait_for`.

use super::*;

#[qtasync::test(timeout = "60s")]
async fn shield_keeps_the_inner_task_running_when_the_outer_is_cancelled() {
    let gate = Rc::new(Event::new());
    let finished = flag();
    let (g, f) = (gate.clone(), finished.clone());
    let inner = Rc::new(RefCell::new(None));
    let slot = inner.clone();
    let outer = spawn(async move {
        let shielded = shield(async move {
            g.wait().await;
            f.set(true);
            7
        })
        .unwrap();
        *slot.borrow_mut() = Some(shielded.task_ref());
        shielded.await
    })
    .unwrap();
    until(|| inner.borrow().is_some()).await;
    outer.cancel(None);
    assert!(outer.await.unwrap_err().is_cancelled());
    let inner = inner.borrow_mut().take().unwrap();
    let_others_run().await;
    assert!(!inner.done() && !inner.cancelled(), "the shielded task still runs");
    gate.set();
    until(|| inner.done()).await;
    assert!(finished.get() && !inner.cancelled());
}

#[qtasync::test(timeout = "60s")]
async fn wait_for_passes_the_output_or_drops_the_future_on_timeout() {
    assert_eq!(wait_for(FOREVER, async { 5 }).await, Ok(5));
    let dropped = flag();
    let d = dropped.clone();
    let late = wait_for(Duration::from_millis(1), async move {
        let _flag = DropFlag(d);
        sleep(FOREVER).await;
    })
    .await;
    assert!(late.is_err());
    assert!(dropped.get());
}
