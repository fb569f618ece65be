//! `spawn`: a task whose end a [`QmlTask`] shows to QML, and [`QmlFuture`], the object before
//! QML owns it.

use std::cell::Cell;
use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use cxx::UniquePtr;
use cxx_qt::QObject;
use cxx_qt_lib::{QVariant, QVariantValue};

use crate::core::task::TaskRef;
use crate::event_loop::get_running_loop;
use crate::object_ref::ObjectRef;

use super::object::{bridge, call, Ending, QmlTask};

/// What a task spawned for QML may end with: `Result<T, E>` where `T` converts to a
/// `QVariant` (`QString`, `QStringList`, `i32`, `f64`, `bool`, `QVariantMap`, ...) and `E` is
/// displayed as the `error` string.
#[diagnostic::on_unimplemented(
    message = "a task for QML returns `Result<T, E>` with `T: QVariantValue` and `E: Display`, not `{Self}`",
    label = "return `Ok::<_, std::convert::Infallible>(value)` if it cannot fail"
)]
pub trait QmlOutcome {
    /// The value for `result`, or the text for `error`.
    fn into_outcome(self) -> Result<QVariant, String>;
}

impl<T: QVariantValue, E: Display> QmlOutcome for Result<T, E> {
    fn into_outcome(self) -> Result<QVariant, String> {
        match self {
            Ok(value) => Ok(QVariant::from(&value)),
            Err(error) => Err(error.to_string()),
        }
    }
}

/// A [`QmlTask`] not yet handed to QML, with its task. Dropping it deletes the object, which
/// cancels the task.
pub struct QmlFuture {
    object: UniquePtr<QmlTask>,
    task: Option<TaskRef>,
}

impl QmlFuture {
    /// The task, to cancel it from Rust (QML then sees `cancelled`); `None` if it could not
    /// be spawned (no running loop, or a closed one: the object's `error` says which).
    pub fn task(&self) -> Option<&TaskRef> {
        self.task.as_ref()
    }

    /// The object, still owned by this `QmlFuture` (to read its state from Rust).
    pub fn object(&self) -> &QmlTask {
        self.object.as_ref().expect("a QmlFuture always holds its object")
    }

    /// Hands the object to QML: return this from a `#[qinvokable]` declared `-> *mut QObject`.
    /// The object is parentless with `JavaScriptOwnership`: QML's garbage collector deletes it
    /// (cancelling the task if it still runs) once no JavaScript references it. Returned to
    /// anything but QML, the object is leaked.
    pub fn into_qml(self) -> *mut QObject {
        bridge::release_to_javascript(self.object)
    }
}

/// Spawns `future` on the running loop and returns the object QML binds to: `running` until it
/// ends, then `result` (its `Ok` value) or `error` (its `Err`, `"cancelled"`, or a panic), and
/// `finished`. See the [module documentation](self) for the QML side.
///
/// ```no_run
/// # use std::convert::Infallible;
/// # use cxx_qt_lib::QString;
/// fn answer() -> *mut cxx_qt::QObject {
///     qtasync::qml::spawn(async {
///         qtasync::yield_now().await;
///         Ok::<_, Infallible>(QString::from("42"))
///     })
///     .into_qml()
/// }
/// # fn main() {}
/// ```
#[track_caller]
pub fn spawn<F>(future: F) -> QmlFuture
where
    F: Future + 'static,
    F::Output: QmlOutcome,
{
    let mut object = bridge::task_object_new();
    let pinned = object.as_mut().expect("Qt allocated the result object");
    // SAFETY: from here on the object is reached mutably only through `object_ref` (and its
    // clones below, all inside `with`) and by Qt, which calls its invokables and deletes it;
    // `object` is only kept to be deleted or released to QML, never dereferenced. The object
    // was just created on this thread.
    let object_ref = unsafe { ObjectRef::new(pinned) };
    let spawned = get_running_loop().map_err(|error| error.to_string()).and_then(|event_loop| {
        let ending = Rc::new(Cell::new(None));
        let slot = ending.clone();
        let task = event_loop
            .create_task(async move { slot.set(Some(future.await.into_outcome())) })
            .map_err(|error| error.to_string())?;
        task.set_name("qtasync::qml::spawn");
        Ok((task.task_ref(), ending))
    });
    let task = match spawned {
        Ok((task, ending)) => {
            object_ref.with(|object| object.start(task.clone()));
            let watched = object_ref.clone();
            task.add_done_callback(move |task| {
                let ending = match ending.take() {
                    Some(Ok(value)) => Ending::Result(value),
                    Some(Err(error)) => Ending::Error(error),
                    None if task.cancelled() => Ending::Cancelled,
                    None => Ending::Error(PANICKED.to_owned()),
                };
                settle(&watched, ending);
            });
            Some(task)
        }
        Err(why) => {
            settle(&object_ref, Ending::Error(format!("qtasync::qml::spawn: {why}")));
            None
        }
    };
    QmlFuture { object, task }
}

/// `error` after a panic (the panic itself goes to the loop's exception handler).
const PANICKED: &str = "the task panicked";

/// Shows `ending` on the object, if it still exists, then calls its `then` callbacks.
fn settle(object: &ObjectRef<QmlTask>, ending: Ending) {
    let Ok(waiting) = object.try_with(|object| object.settle(ending)) else { return };
    for (callback, argument) in waiting {
        // Each call may run QML code that ends the object's life: stop then.
        let call = |object: Pin<&mut QmlTask>| call(&object, &callback, &argument);
        if object.try_with(call).is_err() {
            return;
        }
    }
}
