//! The result object QML binds to: a QObject with `running`, `result`, `error`, `cancelled`,
//! a `finished` signal, `cancel()` and `then(onResult, onError)`. Created by
//! [`spawn`](super::spawn); its C++ helpers are in `cpp/qml.cpp`.

use std::pin::Pin;

use cxx_qt::casting::Upcast;
use cxx_qt::CxxQtType;
use cxx_qt_lib::{QString, QVariant};

use crate::core::exception::{default_exception_handler, ExceptionContext};
use crate::core::task::TaskRef;
use crate::event_loop::get_running_loop;

#[cxx_qt::bridge(namespace = "qtasync::qml")]
pub(crate) mod bridge {
    unsafe extern "C++" {
        include!("cxx-qt-lib/qstring.h");
        #[namespace = ""]
        type QString = cxx_qt_lib::QString;
        include!("cxx-qt-lib/qvariant.h");
        #[namespace = ""]
        type QVariant = cxx_qt_lib::QVariant;
    }

    extern "RustQt" {
        /// What QML sees of a Rust task (see [`spawn`](crate::qml::spawn)).
        #[qobject]
        #[qproperty(bool, running, READ, NOTIFY)]
        #[qproperty(bool, cancelled, READ, NOTIFY)]
        #[qproperty(QVariant, result, READ, NOTIFY)]
        #[qproperty(QString, error, READ, NOTIFY)]
        type QmlTask = super::QmlTaskState;

        /// The task ended (with a result, an error or a cancellation); the properties are set.
        #[qsignal]
        fn finished(self: Pin<&mut QmlTask>);

        /// Cancels the task; `finished` follows once it has stopped.
        #[qinvokable]
        fn cancel(self: Pin<&mut QmlTask>);

        /// Calls `on_result(result)` or `on_error(error)` once the task ends (at once if it has).
        #[qinvokable]
        fn then(self: Pin<&mut QmlTask>, on_result: &QVariant, on_error: &QVariant);

        /// `then(onResult)`: errors are not passed on.
        #[qinvokable]
        #[cxx_name = "then"]
        fn then_result(self: Pin<&mut QmlTask>, on_result: &QVariant);
    }

    unsafe extern "C++" {
        include!("qtasync/cpp/qml.h");
        fn task_object_new() -> UniquePtr<QmlTask>;
        fn release_to_javascript(object: UniquePtr<QmlTask>) -> *mut QObject;
        fn is_callable(value: &QVariant) -> bool;
        fn call_javascript(context: &QObject, callback: &QVariant, argument: &QVariant) -> String;
    }
}

pub use bridge::QmlTask;

/// The Rust side of a [`QmlTask`].
#[derive(Default)]
pub struct QmlTaskState {
    running: bool,
    cancelled: bool,
    /// Set when the task ended with a result (not an error or a cancellation).
    succeeded: bool,
    result: QVariant,
    error: QString,
    /// The task, while it runs: `cancel()` and the object's destruction cancel it.
    task: Option<TaskRef>,
    /// `then` callbacks waiting for the end: `(on_result, on_error)`.
    waiting: Vec<(QVariant, QVariant)>,
}

impl Drop for QmlTaskState {
    /// The object is being destroyed (by QML's garbage collector, `destroy()`, or its Rust
    /// owner): nobody can see the task's result any more, so it is cancelled.
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.cancel(Some("the QML result object was destroyed"));
        }
    }
}

/// How a task ended, as QML sees it.
pub(crate) enum Ending {
    Result(QVariant),
    Error(String),
    Cancelled,
}

impl QmlTask {
    /// Marks the object running `task`.
    pub(crate) fn start(self: Pin<&mut Self>, task: TaskRef) {
        let mut state = self.rust_mut();
        state.running = true;
        state.task = Some(task);
    }

    /// The task, while it runs.
    pub fn task(&self) -> Option<TaskRef> {
        self.rust().task.clone()
    }

    /// Sets the properties for `ending`, emits their change signals and `finished`, and
    /// returns the `then` callbacks to call with what to pass them.
    pub(crate) fn settle(mut self: Pin<&mut Self>, ending: Ending) -> Vec<(QVariant, QVariant)> {
        let (callbacks, argument, ok) = {
            let mut state = self.as_mut().rust_mut();
            state.task = None;
            state.running = false;
            state.succeeded = matches!(ending, Ending::Result(_));
            let ok = match ending {
                Ending::Result(value) => {
                    state.result = value;
                    true
                }
                Ending::Error(error) => {
                    state.error = QString::from(&error);
                    false
                }
                Ending::Cancelled => {
                    state.cancelled = true;
                    state.error = QString::from("cancelled");
                    false
                }
            };
            let argument =
                if ok { state.result.clone() } else { QVariant::from(&state.error.clone()) };
            (std::mem::take(&mut state.waiting), argument, ok)
        };
        if ok {
            self.as_mut().result_changed();
        } else {
            self.as_mut().error_changed();
        }
        if *self.cancelled() {
            self.as_mut().cancelled_changed();
        }
        self.as_mut().running_changed();
        self.as_mut().finished();
        callbacks
            .into_iter()
            .map(|(on_result, on_error)| (if ok { on_result } else { on_error }, argument.clone()))
            .collect()
    }

    fn cancel(self: Pin<&mut Self>) {
        if let Some(task) = self.rust().task.clone() {
            task.cancel(Some("cancelled from QML"));
        }
    }

    fn then_result(self: Pin<&mut Self>, on_result: &QVariant) {
        self.then(on_result, &QVariant::default());
    }

    fn then(mut self: Pin<&mut Self>, on_result: &QVariant, on_error: &QVariant) {
        if *self.running() {
            self.as_mut().rust_mut().waiting.push((on_result.clone(), on_error.clone()));
            return;
        }
        let state = self.rust();
        let (callback, argument) = if state.succeeded {
            (on_result, state.result.clone())
        } else {
            (on_error, QVariant::from(&state.error))
        };
        call(self.as_ref().get_ref(), callback, &argument);
    }
}

// ----- the JavaScript functions QML handed to `then(onResult, onError)` ---------------------------

/// Calls `callback(argument)` if it is a JavaScript function (anything else, such as a missing
/// `onError`, is skipped, as a Promise does). A function that throws is reported to the
/// running loop's exception handler.
pub(crate) fn call(object: &QmlTask, callback: &QVariant, argument: &QVariant) {
    if !bridge::is_callable(callback) {
        return;
    }
    let failure = bridge::call_javascript(object.upcast(), callback, argument);
    if failure.is_empty() {
        return;
    }
    let context = ExceptionContext::new(format!(
        "qtasync::qml: a then() callback of a QML result object failed: {failure}"
    ));
    match get_running_loop() {
        Ok(event_loop) => event_loop.call_exception_handler(&context),
        Err(_) => default_exception_handler(&context),
    }
}
