//! A cxx-qt QObject whose invokables hand QML result objects (`qtasync::qml::spawn`), and a
//! real QQmlEngine to run QML against it, for the QML result tests.

use std::cell::{Cell, RefCell};
use std::convert::Infallible;
use std::pin::Pin;

use cxx_qt::QObject;
use cxx_qt_lib::QString;
use qtasync::qml::TaskRef;

#[cxx_qt::bridge]
pub mod qobject {
    unsafe extern "C++" {
        include!("cxx-qt-lib/qstring.h");
        type QString = cxx_qt_lib::QString;
        include!("cxx-qt-lib/qvariant.h");
        type QVariant = cxx_qt_lib::QVariant;
    }

    extern "RustQt" {
        #[qobject]
        type Jobs = super::JobsRust;

        /// `value * 2`, after a few turns of the loop.
        #[qinvokable]
        fn twice(self: Pin<&mut Jobs>, value: i32) -> *mut QObject;

        /// Fails with `reason`, after a few turns of the loop.
        #[qinvokable]
        fn fail(self: Pin<&mut Jobs>, reason: &QString) -> *mut QObject;

        /// Never ends (until cancelled); counts in `ENDLESS_DROPPED` when its body is dropped.
        #[qinvokable]
        fn endless(self: Pin<&mut Jobs>) -> *mut QObject;

        /// Panics after one turn of the loop.
        #[qinvokable]
        fn explode(self: Pin<&mut Jobs>) -> *mut QObject;
    }

    unsafe extern "C++" {
        include!("qtasync-tests/cpp/qml_scene.h");
        /// A QQmlEngine with a document created from text.
        type QmlScene;
        fn new_jobs() -> UniquePtr<Jobs>;
        fn qml_scene_new(jobs: Pin<&mut Jobs>, source: &QString) -> UniquePtr<QmlScene>;
        fn qml_scene_errors(scene: &QmlScene) -> QString;
        fn qml_scene_property(scene: &QmlScene, name: &QString) -> QVariant;
        fn qml_scene_call(scene: Pin<&mut QmlScene>, method: &QString);
        fn qml_scene_collect_garbage(scene: Pin<&mut QmlScene>);
    }
}

pub use qobject::{
    new_jobs, qml_scene_call, qml_scene_collect_garbage, qml_scene_errors, qml_scene_new,
    qml_scene_property, Jobs, QmlScene,
};

#[derive(Default)]
pub struct JobsRust;

thread_local! {
    /// The task of the last result object handed out.
    pub static LAST_TASK: RefCell<Option<TaskRef>> = const { RefCell::new(None) };
    /// How many `endless` bodies were dropped (cancelled).
    pub static ENDLESS_DROPPED: Cell<u32> = const { Cell::new(0) };
}

struct CountDrop;
impl Drop for CountDrop {
    fn drop(&mut self) {
        ENDLESS_DROPPED.with(|dropped| dropped.set(dropped.get() + 1));
    }
}

fn hand_out(future: qtasync::qml::QmlFuture) -> *mut QObject {
    LAST_TASK.with(|last| *last.borrow_mut() = future.task().cloned());
    future.into_qml()
}

async fn a_few_turns() {
    for _ in 0..3 {
        qtasync::yield_now().await;
    }
}

impl qobject::Jobs {
    pub fn twice(self: Pin<&mut Self>, value: i32) -> *mut QObject {
        hand_out(qtasync::qml::spawn(async move {
            a_few_turns().await;
            Ok::<_, Infallible>(value * 2)
        }))
    }

    pub fn fail(self: Pin<&mut Self>, reason: &QString) -> *mut QObject {
        let reason = reason.to_string();
        hand_out(qtasync::qml::spawn(async move {
            a_few_turns().await;
            Err::<i32, _>(reason)
        }))
    }

    pub fn endless(self: Pin<&mut Self>) -> *mut QObject {
        hand_out(qtasync::qml::spawn(async move {
            let _count = CountDrop;
            std::future::pending::<()>().await;
            Ok::<_, Infallible>(0)
        }))
    }

    pub fn explode(self: Pin<&mut Self>) -> *mut QObject {
        hand_out(qtasync::qml::spawn(async move {
            qtasync::yield_now().await;
            if value_is_true() {
                panic!("boom: a task for QML");
            }
            Ok::<_, Infallible>(0)
        }))
    }
}

fn value_is_true() -> bool {
    std::hint::black_box(true)
}
