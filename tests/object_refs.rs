//! `ObjectRef` soundness (issue "Soundness", items 1, 2 and 7, and the holes a review found
//! after): one `&mut` per object, never a dangling or aliased one, never a read of an object
//! another thread owns. `harness = false`: the cases run on the main thread; those that must
//! abort run in a child process. The in-process cases also run under valgrind.

use std::cell::{Cell, RefCell};
use std::pin::Pin;
use std::rc::Rc;
use std::time::{Duration, Instant};

use qtasync::testing::run_nested_event_loop;
use qtasync::{get_running_loop, EventLoop, ObjectAccessError, ObjectRef};
use qtasync_tests::child_process::{child_aborts, child_case};
use qtasync_tests::qobjects::{
    delete_worker_away, disconnect_everything, move_worker_away, new_worker, process_events,
    worker_delete_later, Worker,
};
use qtasync_tests::{on_loop, until};

/// The owner of a worker that a case can drop from anywhere.
type Owner = Rc<RefCell<Option<cxx::UniquePtr<Worker>>>>;

/// An object owned by an `Rc` that the case can drop from anywhere, and an `ObjectRef` to it.
fn shared_worker() -> (Owner, ObjectRef<Worker>) {
    let owner = Rc::new(RefCell::new(Some(new_worker())));
    // SAFETY: the owner is used by the cases only to drop or move the object, never to reach it
    // while a `with` runs.
    let object = unsafe { ObjectRef::new(owner.borrow_mut().as_mut().unwrap().pin_mut()) };
    (owner, object)
}

// ----- one `&mut` per object -------------------------------------------------------------------

fn two_object_refs_to_one_object_share_one_borrow() {
    let mut worker = new_worker();
    // SAFETY: `worker` is used below only to make more ObjectRefs, never while a `with` runs.
    let a = unsafe { ObjectRef::new(worker.pin_mut()) };
    // SAFETY: as above.
    let b = unsafe { ObjectRef::new(worker.pin_mut()) };
    assert!(a.same_object(&b), "one state per object, whatever handle reaches it");
    let inner = a.with(|_| b.try_with(|_| ()));
    assert_eq!(inner, Err(ObjectAccessError::AlreadyInUse));
    assert_eq!(b.try_with(|_| 5), Ok(5), "free again once the outer `with` returned");
}

/// Child: a nested event loop (a modal dialog's `exec()`) inside `with`, with a callback queued
/// that a task, slot or QML binding could equally be.
fn a_nested_event_loop_inside_with_aborts_before_delivering_an_event_child() {
    let (_owner, object) = shared_worker();
    on_loop(async move {
        let event_loop = get_running_loop().unwrap();
        event_loop.call_soon(|| println!("delivered")).unwrap();
        object.with(|_| run_nested_event_loop(Duration::from_millis(50)));
        println!("resumed");
    });
}

fn a_nested_event_loop_inside_with_aborts_before_delivering_an_event() {
    let stdout = child_aborts(
        "a_nested_event_loop_inside_with_aborts_before_delivering_an_event",
        "an event loop (a modal dialog's exec(), QEventLoop::exec) ran inside ObjectRef::with",
    );
    assert!(!stdout.contains("delivered"), "no event was delivered: {stdout}");
    assert!(!stdout.contains("resumed"), "{stdout}");
}

/// Child: `QCoreApplication::processEvents()` called inside `with`.
fn process_events_inside_with_aborts_child() {
    let (_owner, object) = shared_worker();
    on_loop(async move {
        let event_loop = get_running_loop().unwrap();
        event_loop.call_soon(|| println!("delivered")).unwrap();
        object.with(|_| process_events());
        println!("resumed");
    });
}

fn process_events_inside_with_aborts() {
    let stdout = child_aborts("process_events_inside_with_aborts", "ran inside ObjectRef::with");
    assert!(!stdout.contains("delivered"), "no event was delivered: {stdout}");
}

fn a_nested_event_loop_outside_with_runs_as_usual() {
    let (_owner, object) = shared_worker();
    on_loop(async move {
        let event_loop = get_running_loop().unwrap();
        let ran = Rc::new(Cell::new(false));
        let r = ran.clone();
        event_loop.call_soon(move || r.set(true)).unwrap();
        object.with(|mut worker| worker.as_mut().set_steps_done(1));
        run_nested_event_loop(Duration::from_millis(20));
        assert!(ran.get(), "the nested loop outside `with` delivered the callback");
        assert_eq!(object.with(|worker| *worker.steps_done()), 1);
    });
}

// ----- never a dangling `&mut` -----------------------------------------------------------------

/// Child: the closure itself deletes the object (drops its owner), then touches it again.
fn deleting_the_object_inside_with_child() {
    let (owner, object) = shared_worker();
    object.with(|worker| {
        drop(owner.borrow_mut().take());
        println!("resumed with steps_done = {}", worker.steps_done());
    });
    println!("survived");
}

fn deleting_the_object_inside_with_aborts_before_the_dangling_reference_is_used() {
    let stdout = child_aborts(
        "deleting_the_object_inside_with",
        "destroyed while ObjectRef::with was using it",
    );
    assert!(!stdout.contains("resumed"), "the closure never resumed: {stdout}");
}

/// Child: `disconnect()` of every signal first (the watch's destroyed() connection too), then the
/// same deletion inside `with`: the watch connected itself again on entry.
fn deleting_a_disconnected_object_inside_with_child() {
    let (owner, object) = shared_worker();
    object.with(disconnect_everything);
    object.with(|worker| {
        drop(owner.borrow_mut().take());
        println!("resumed with steps_done = {}", worker.steps_done());
    });
}

fn deleting_a_disconnected_object_inside_with_still_aborts() {
    let stdout = child_aborts(
        "deleting_a_disconnected_object_inside_with",
        "destroyed while ObjectRef::with was using it",
    );
    assert!(!stdout.contains("resumed"), "the closure never resumed: {stdout}");
}

fn a_disconnected_object_still_reports_its_destruction() {
    let (owner, object) = shared_worker();
    let destroyed = Rc::new(Cell::new(false));
    let d = destroyed.clone();
    object.on_destroyed(move || d.set(true));
    object.with(disconnect_everything);
    assert_eq!(object.try_with(|_| ()), Ok(()), "`with` reconnects the watch");
    drop(owner.borrow_mut().take());
    assert!(destroyed.get(), "destroyed() reached the watch");
    assert_eq!(object.try_with(|_| ()), Err(ObjectAccessError::Destroyed));
}

fn delete_later_inside_with_is_carried_out_after_with_returns() {
    let worker = new_worker();
    // SAFETY: the UniquePtr is released to Qt (deleteLater deletes it) and never used again.
    let object = unsafe { ObjectRef::new(Pin::new_unchecked(&mut *worker.into_raw())) };
    on_loop(async move {
        object.with(|mut worker| {
            worker_delete_later(worker.as_mut());
            worker.as_mut().set_steps_done(7);
            assert_eq!(*worker.steps_done(), 7);
        });
        assert!(object.is_alive(), "deleteLater waits for the loop");
        until(|| !object.is_alive()).await;
        assert_eq!(object.try_with(|_| ()), Err(ObjectAccessError::Destroyed));
    });
}

fn an_object_deleted_in_a_nested_loop_outside_with_is_reported_destroyed() {
    let (owner, object) = shared_worker();
    on_loop(async move {
        let event_loop = get_running_loop().unwrap();
        event_loop.call_soon(move || drop(owner.borrow_mut().take())).unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while object.is_alive() && Instant::now() < deadline {
            run_nested_event_loop(Duration::from_millis(10));
        }
        assert!(!object.is_alive());
        assert_eq!(object.try_with(|_| ()), Err(ObjectAccessError::Destroyed));
    });
}

// ----- objects of other threads ----------------------------------------------------------------

/// Child: the closure moves the object to another thread, then touches it again.
fn moving_the_object_to_another_thread_inside_with_child() {
    let _application = EventLoop::new(); // Qt sends ThreadChange only with an application
    let (_owner, object) = shared_worker();
    object.with(|mut worker| {
        move_worker_away(worker.as_mut());
        println!("resumed with steps_done = {}", worker.steps_done());
    });
}

fn moving_the_object_to_another_thread_inside_with_aborts() {
    let stdout = child_aborts(
        "moving_the_object_to_another_thread_inside_with",
        "moved to another thread while ObjectRef::with was using it",
    );
    assert!(!stdout.contains("resumed"), "the closure never resumed: {stdout}");
}

fn an_object_moved_to_another_thread_is_refused_and_its_destruction_queued_here() {
    let mut worker = new_worker();
    // SAFETY: the UniquePtr is used below only to move the object away and delete it.
    let object = unsafe { ObjectRef::new(worker.pin_mut()) };
    let here = std::thread::current().id();
    let seen_on = Rc::new(RefCell::new(None));
    let s = seen_on.clone();
    object.on_destroyed(move || *s.borrow_mut() = Some(std::thread::current().id()));
    move_worker_away(worker.pin_mut());
    // Refused from the watch's own record of the move: the object (which its new thread may be
    // deleting) is not read.
    assert_eq!(object.try_with(|_| ()), Err(ObjectAccessError::WrongThread));
    delete_worker_away(worker);
    // The QPointer (an atomic) says it is gone.
    assert_eq!(object.try_with(|_| ()), Err(ObjectAccessError::Destroyed));
    on_loop(async move {
        until(|| seen_on.borrow().is_some()).await;
        assert_eq!(*seen_on.borrow(), Some(here), "destroyed() was delivered on this thread");
        assert_eq!(object.try_with(|_| ()), Err(ObjectAccessError::Destroyed));
    });
}

fn main() {
    if std::env::var_os("QT_QPA_PLATFORM").is_none() {
        std::env::set_var("QT_QPA_PLATFORM", "offscreen");
    }
    let children: &[(&str, fn())] = &[
        (
            "a_nested_event_loop_inside_with_aborts_before_delivering_an_event",
            a_nested_event_loop_inside_with_aborts_before_delivering_an_event_child,
        ),
        ("process_events_inside_with_aborts", process_events_inside_with_aborts_child),
        ("deleting_the_object_inside_with", deleting_the_object_inside_with_child),
        (
            "deleting_a_disconnected_object_inside_with",
            deleting_a_disconnected_object_inside_with_child,
        ),
        (
            "moving_the_object_to_another_thread_inside_with",
            moving_the_object_to_another_thread_inside_with_child,
        ),
    ];
    if let Some(case) = child_case() {
        let (_, run) = children.iter().find(|(name, _)| *name == case).expect("a child case");
        run();
        return;
    }
    qtasync_tests::run_cases(
        "object_refs",
        &[
            (
                "two_object_refs_to_one_object_share_one_borrow",
                two_object_refs_to_one_object_share_one_borrow,
            ),
            (
                "a_nested_event_loop_inside_with_aborts_before_delivering_an_event",
                a_nested_event_loop_inside_with_aborts_before_delivering_an_event,
            ),
            ("process_events_inside_with_aborts", process_events_inside_with_aborts),
            (
                "a_nested_event_loop_outside_with_runs_as_usual",
                a_nested_event_loop_outside_with_runs_as_usual,
            ),
            (
                "deleting_the_object_inside_with_aborts_before_the_dangling_reference_is_used",
                deleting_the_object_inside_with_aborts_before_the_dangling_reference_is_used,
            ),
            (
                "deleting_a_disconnected_object_inside_with_still_aborts",
                deleting_a_disconnected_object_inside_with_still_aborts,
            ),
            (
                "a_disconnected_object_still_reports_its_destruction",
                a_disconnected_object_still_reports_its_destruction,
            ),
            (
                "delete_later_inside_with_is_carried_out_after_with_returns",
                delete_later_inside_with_is_carried_out_after_with_returns,
            ),
            (
                "an_object_deleted_in_a_nested_loop_outside_with_is_reported_destroyed",
                an_object_deleted_in_a_nested_loop_outside_with_is_reported_destroyed,
            ),
            (
                "moving_the_object_to_another_thread_inside_with_aborts",
                moving_the_object_to_another_thread_inside_with_aborts,
            ),
            (
                "an_object_moved_to_another_thread_is_refused_and_its_destruction_queued_here",
                an_object_moved_to_another_thread_is_refused_and_its_destruction_queued_here,
            ),
        ],
    );
}
