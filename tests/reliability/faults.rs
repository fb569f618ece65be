//! A panic in every kind of callback: contained and reported.

use super::*;

/// Every kind of callback that panics in the test below, each reported as `boom: SOURCE`.
const SOURCES: &[&str] = &[
    "call_soon",
    "timer",
    "done callback",
    "future done callback",
    "task",
    "executor job",
    "task factory",
    "async slot",
];

pub(super) fn a_panic_in_every_kind_of_callback_is_contained_and_reported() {
    let event_loop = EventLoop::new();
    let reports = capture_reports(&event_loop);
    let seen = reports.clone();
    let finished = event_loop
        .run_until_complete(async move {
            let event_loop = get_running_loop().unwrap();
            event_loop.call_soon(|| panic!("boom: call_soon")).unwrap();
            event_loop.call_later(Duration::from_millis(1), || panic!("boom: timer")).unwrap();
            let task = event_loop.create_task(async {}).unwrap();
            task.add_done_callback(|_| panic!("boom: done callback"));
            task.await.unwrap();
            let future = event_loop.create_future::<u32>();
            future.add_done_callback(|_| panic!("boom: future done callback"));
            future.set_result(1).unwrap();
            event_loop.create_task(async { panic!("boom: task") }).unwrap().detach();
            drop(event_loop.run_in_executor(|| panic!("boom: executor job")).unwrap());
            let awaited = event_loop.run_in_executor(|| -> u32 { panic!("boom: awaited job") });
            assert!(awaited.unwrap().await.unwrap_err().to_string().contains("boom: awaited job"));
            event_loop.set_task_factory(Some(Rc::new(|_: &EventLoop, _: TaskSpec| -> TaskSpec {
                panic!("boom: task factory")
            })));
            event_loop.create_task(async {}).unwrap().detach();
            event_loop.set_task_factory(None);
            let mut worker = new_worker();
            worker.pin_mut().explode();
            // The handler itself panicking: reported by the default handler, contained.
            let handler = event_loop.get_exception_handler().unwrap();
            event_loop.set_exception_handler(Some(Rc::new(
                move |event_loop: &EventLoop, context: &ExceptionContext| {
                    if context.message == "handler trigger" {
                        panic!("boom: exception handler");
                    }
                    handler(event_loop, context)
                },
            )));
            event_loop.call_exception_handler(&ExceptionContext::new("handler trigger"));
            // Some reports come later (the dropped executor job's once its thread has run it, the
            // async slot's at its task's step): wait until every source has reported (at most
            // 30 s) rather than a fixed pause a slow run (valgrind) outlasts.
            let all_reported = || {
                SOURCES.iter().all(|source| {
                    seen.borrow().iter().any(|report| {
                        report
                            .exception
                            .as_ref()
                            .is_some_and(|e| e.to_string().ends_with(&format!("boom: {source}")))
                    })
                })
            };
            let deadline = std::time::Instant::now() + Duration::from_secs(30);
            while !all_reported() && std::time::Instant::now() < deadline {
                sleep(Duration::from_millis(10)).await;
            }
            "the loop went on"
        })
        .unwrap();
    assert_eq!(finished, "the loop went on");
    let reports = reports.borrow();
    let texts: Vec<String> = reports
        .iter()
        .map(|r| {
            format!(
                "{} / {}",
                r.message,
                r.exception.as_ref().map_or(String::new(), |e| e.to_string())
            )
        })
        .collect();
    for source in SOURCES {
        let needle = format!("boom: {source}");
        assert!(
            texts.iter().any(|text| text.ends_with(&needle)),
            "no report of {needle:?} in {texts:#?}"
        );
    }
    assert!(
        !texts.iter().any(|text| text.contains("awaited job")),
        "awaited errors are not reported"
    );
    event_loop.close().unwrap();
}
