//! Results back to QML: an invokable starts a Rust task and returns at once a result object
//! that QML binds to and waits on (feature `qml`).
//!
//! ```no_run
//! use std::convert::Infallible;
//! use std::time::Duration;
//! use cxx_qt_lib::{QString, QStringList};
//!
//! /// The body of a `#[qinvokable] fn search(self: Pin<&mut Self>, query: &QString) -> *mut QObject`
//! /// (declare `#[namespace = ""] type QObject = cxx_qt::QObject;` with `include!(<QtCore/QObject>)`).
//! fn search(query: &QString) -> *mut cxx_qt::QObject {
//!     let query = query.to_string();
//!     qtasync::qml::spawn(async move {
//!         qtasync::sleep(Duration::from_millis(300)).await; // a slow source
//!         let mut found = QStringList::default();
//!         found.append(QString::from(&format!("{query}: first hit")));
//!         Ok::<_, Infallible>(found)
//!     })
//!     .into_qml()
//! }
//! # fn main() {}
//! ```
//!
//! and in QML:
//!
//! ```qml
//! property var pending: null
//! TextField { onTextChanged: { if (pending) pending.cancel(); pending = searcher.search(text) } }
//! BusyIndicator { running: pending !== null && pending.running }
//! ListView { model: pending && !pending.running ? pending.result : [] }
//! // or, Promise-style (and `Promise.resolve(pending)` works too: the object is a thenable):
//! // searcher.search(text).then(hits => ..., error => ...)
//! ```
//!
//! The result object ([`QmlTask`], a `QObject`) has
//!
//! | member | what |
//! |---|---|
//! | `running` (bool) | true until the task ends |
//! | `result` (QVariant) | the task's `Ok` value, converted to JavaScript (a `QStringList` is an array) |
//! | `error` (string) | the task's `Err` displayed, `"cancelled"`, or why the task could not run |
//! | `cancelled` (bool) | the task was cancelled (from QML, from Rust, or by the object's destruction) |
//! | `finished()` | emitted once, when the task ended and the properties above are set |
//! | `cancel()` | cancels the task; `finished` follows once it has stopped |
//! | `then(onResult[, onError])` | calls one of them once the task ends (at once, synchronously, if it has) |
//!
//! **Cancellation goes both ways.** `cancel()` from QML and [`TaskRef::cancel`] from Rust (the
//! task is [`QmlFuture::task`]) both end with `running` false, `cancelled` true and `finished`.
//! Destroying the object cancels the task: the object handed to QML by
//! [`into_qml`](QmlFuture::into_qml) is parentless with `JavaScriptOwnership`, so QML's garbage
//! collector deletes it once no JavaScript references it, and its deletion cancels the task,
//! which never touches the object again. Keep a reference (a property) as long as you want the
//! result, also with `then`: callbacks do not keep the object alive.
//!
//! **Errors and panics** reach QML as `error`; a `then` callback that throws is reported to the
//! loop's exception handler. Without a running loop the object is returned already ended, with
//! the reason in `error`.

mod object;
mod spawn;

pub use object::{QmlTask, QmlTaskState};
pub use spawn::{spawn, QmlFuture, QmlOutcome};

#[doc(no_inline)]
pub use crate::core::task::TaskRef;
