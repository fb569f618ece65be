//! `qtasync::qml::spawn` seen from a real QQmlEngine running real QML on the real Qt loop: the
//! result, the error and a panic delivered to bindings, `finished` and `then`; cancellation
//! from QML (`cancel()`), from Rust (the task) and by the object's destruction (`destroy()`,
//! QML's garbage collector, the Rust owner). No timing assertions: only states and counts.

use std::pin::Pin;

use cxx_qt_lib::{QString, QVariant};
use qtasync::get_running_loop;
use qtasync_tests::qml_objects::{
    new_jobs, qml_scene_call, qml_scene_collect_garbage, qml_scene_errors, qml_scene_new,
    qml_scene_property, QmlScene, ENDLESS_DROPPED, LAST_TASK,
};
use qtasync_tests::{capture_reports, let_others_run, until};

/// A QML document whose `task` is `call` (an expression on `jobs`), with its state copied to
/// typed properties by bindings, a `finished` counter and `then` callbacks.
fn document(call: &str) -> QString {
    QString::from(&format!(
        r#"
import QtQuick
QtObject {{
    property var task: {call}
    property bool running: task ? task.running : false
    property bool cancelled: task ? task.cancelled : false
    property string result: task && task.result !== undefined ? String(task.result) : "undefined"
    property string error: task ? task.error : ""
    property int finishedCount: 0
    property string thenSaw: "nothing"
    property string lateSaw: "nothing"
    Component.onCompleted: {{
        task.finished.connect(function () {{ finishedCount += 1 }})
        task.then(function (value) {{ thenSaw = "result " + value }},
                  function (error) {{ thenSaw = "error " + error }})
    }}
    function cancelTask() {{ task.cancel() }}
    function destroyTask() {{ task.destroy() }}
    function forgetTask() {{ task = null }}
    function lateThen() {{
        task.then(function (value) {{ lateSaw = "result " + value }},
                  function (error) {{ lateSaw = "error " + error }})
    }}
    function throwingThen() {{ task.then(function (value) {{ throw new Error("bad callback") }}) }}
}}
"#
    ))
}

fn property(scene: &QmlScene, name: &str) -> QVariant {
    qml_scene_property(scene, &QString::from(name))
}

fn boolean(scene: &QmlScene, name: &str) -> bool {
    property(scene, name).value::<bool>().unwrap_or_else(|| panic!("{name} is not a bool"))
}

fn int(scene: &QmlScene, name: &str) -> i32 {
    property(scene, name).value::<i32>().unwrap_or_else(|| panic!("{name} is not an int"))
}

fn text(scene: &QmlScene, name: &str) -> String {
    property(scene, name)
        .value::<QString>()
        .unwrap_or_else(|| panic!("{name} is not a string"))
        .to_string()
}

fn call(scene: &mut cxx::UniquePtr<QmlScene>, method: &str) {
    qml_scene_call(scene.pin_mut(), &QString::from(method));
}

fn endless_dropped() -> u32 {
    ENDLESS_DROPPED.with(|dropped| dropped.get())
}

/// Loads `call`'s document; panics with QML's errors if it does not load.
macro_rules! scene {
    ($jobs:expr, $call:expr) => {{
        let scene = qml_scene_new($jobs.pin_mut(), &document($call));
        let errors = qml_scene_errors(&scene).to_string();
        assert!(errors.is_empty(), "the QML did not load: {errors}");
        scene
    }};
}

#[qtasync::test(timeout = "60s")]
async fn the_result_reaches_bindings_finished_and_then() {
    let mut jobs = new_jobs();
    let scene = scene!(jobs, "jobs.twice(21)");
    assert!(boolean(&scene, "running"), "running as soon as the invokable returns");
    assert_eq!(text(&scene, "result"), "undefined");
    assert_eq!(int(&scene, "finishedCount"), 0);

    until(|| int(&scene, "finishedCount") == 1).await;
    assert!(!boolean(&scene, "running"));
    assert_eq!(text(&scene, "result"), "42");
    assert_eq!(text(&scene, "error"), "");
    assert!(!boolean(&scene, "cancelled"));
    assert_eq!(text(&scene, "thenSaw"), "result 42");
    let_others_run().await;
    assert_eq!(int(&scene, "finishedCount"), 1, "finished is emitted once");
}

#[qtasync::test(timeout = "60s")]
async fn an_error_reaches_error_and_on_error() {
    let mut jobs = new_jobs();
    let scene = scene!(jobs, r#"jobs.fail("disk on fire")"#);
    until(|| int(&scene, "finishedCount") == 1).await;
    assert!(!boolean(&scene, "running"));
    assert_eq!(text(&scene, "error"), "disk on fire");
    assert_eq!(text(&scene, "result"), "undefined");
    assert!(!boolean(&scene, "cancelled"));
    assert_eq!(text(&scene, "thenSaw"), "error disk on fire");
}

#[qtasync::test(timeout = "60s")]
async fn a_panic_reaches_qml_as_an_error() {
    let reports = capture_reports(&get_running_loop().unwrap());
    let mut jobs = new_jobs();
    let scene = scene!(jobs, "jobs.explode()");
    until(|| int(&scene, "finishedCount") == 1).await;
    assert_eq!(text(&scene, "error"), "the task panicked");
    assert_eq!(text(&scene, "thenSaw"), "error the task panicked");
    let reports: Vec<String> = reports.borrow().iter().map(|r| r.to_string()).collect();
    assert!(
        reports.iter().any(|r| r.contains("boom: a task for QML")),
        "the panic also reaches the loop's exception handler: {reports:?}"
    );
}

#[qtasync::test(timeout = "60s")]
async fn cancel_from_qml_cancels_the_task() {
    let mut jobs = new_jobs();
    let mut scene = scene!(jobs, "jobs.endless()");
    let before = endless_dropped();
    let_others_run().await;
    assert!(boolean(&scene, "running"));

    call(&mut scene, "cancelTask");
    until(|| int(&scene, "finishedCount") == 1).await;
    assert_eq!(endless_dropped(), before + 1, "the task's future was dropped");
    assert!(!boolean(&scene, "running"));
    assert!(boolean(&scene, "cancelled"));
    assert_eq!(text(&scene, "error"), "cancelled");
    assert_eq!(text(&scene, "thenSaw"), "error cancelled");
}

#[qtasync::test(timeout = "60s")]
async fn cancelling_the_task_from_rust_shows_in_qml() {
    let mut jobs = new_jobs();
    let scene = scene!(jobs, "jobs.endless()");
    let task = LAST_TASK.with(|last| last.borrow_mut().take()).expect("the task was spawned");
    let_others_run().await;
    assert!(boolean(&scene, "running"));

    assert!(task.cancel(Some("from Rust")));
    until(|| int(&scene, "finishedCount") == 1).await;
    assert!(task.cancelled());
    assert!(!boolean(&scene, "running"));
    assert!(boolean(&scene, "cancelled"));
    assert_eq!(text(&scene, "thenSaw"), "error cancelled");
}

#[qtasync::test(timeout = "60s")]
async fn destroy_from_qml_cancels_the_task() {
    let mut jobs = new_jobs();
    let mut scene = scene!(jobs, "jobs.endless()");
    let task = LAST_TASK.with(|last| last.borrow_mut().take()).expect("the task was spawned");
    let before = endless_dropped();

    call(&mut scene, "destroyTask");
    until(|| task.done()).await;
    assert!(task.cancelled(), "the task was cancelled, not finished");
    assert_eq!(endless_dropped(), before + 1);
    assert_eq!(int(&scene, "finishedCount"), 0, "a destroyed object emits nothing");
    let_others_run().await;
}

#[qtasync::test(timeout = "60s")]
async fn the_garbage_collector_collecting_the_object_cancels_the_task() {
    let mut jobs = new_jobs();
    let mut scene = scene!(jobs, "jobs.endless()");
    let task = LAST_TASK.with(|last| last.borrow_mut().take()).expect("the task was spawned");
    let before = endless_dropped();

    qml_scene_collect_garbage(scene.pin_mut());
    let_others_run().await;
    assert!(!task.done(), "an object QML still references is not collected");

    call(&mut scene, "forgetTask");
    qml_scene_collect_garbage(scene.pin_mut());
    until(|| task.done()).await;
    assert!(task.cancelled());
    assert_eq!(endless_dropped(), before + 1);
    let_others_run().await;
}

#[qtasync::test(timeout = "60s")]
async fn dropping_the_rust_owner_before_qml_gets_it_cancels_the_task() {
    let before = endless_dropped();
    let count = DropCounter; // dropped with the future, polled or not
    let future = qtasync::qml::spawn(async move {
        let _count = count;
        std::future::pending::<()>().await;
        Ok::<_, std::convert::Infallible>(0)
    });
    let task = future.task().cloned().expect("spawned on the running loop");
    assert!(*future.object().running());
    drop(future);
    until(|| task.done()).await;
    assert!(task.cancelled());
    assert_eq!(endless_dropped(), before + 1);
}

/// Counts in `ENDLESS_DROPPED`, like the `endless` job's body.
struct DropCounter;
impl Drop for DropCounter {
    fn drop(&mut self) {
        ENDLESS_DROPPED.with(|dropped| dropped.set(dropped.get() + 1));
    }
}

#[qtasync::test(timeout = "60s")]
async fn then_after_the_end_calls_back_at_once_reports_a_throw_and_tears_down_cleanly() {
    let mut jobs = new_jobs();
    let mut scene = scene!(jobs, "jobs.twice(5)");
    until(|| int(&scene, "finishedCount") == 1).await;
    call(&mut scene, "lateThen");
    assert_eq!(text(&scene, "lateSaw"), "result 10", "called back before then() returned");
    let reports = capture_reports(&get_running_loop().unwrap());
    call(&mut scene, "throwingThen");
    let reports: Vec<String> = reports.borrow().iter().map(|r| r.to_string()).collect();
    assert!(
        reports.iter().any(|r| r.contains("then() callback") && r.contains("bad callback")),
        "a callback that throws is reported: {reports:?}"
    );
    // The engine is destroyed with the object still alive (JavaScript-owned): its deletion at
    // the engine's teardown must not touch the finished task.
    let pinned: Pin<&mut QmlScene> = scene.pin_mut();
    qml_scene_collect_garbage(pinned);
    drop(scene);
    drop(jobs);
    let_others_run().await;
}
