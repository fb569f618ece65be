//! Calling the JavaScript functions QML handed to `then(onResult, onError)`.

use cxx_qt::casting::Upcast;
use cxx_qt_lib::QVariant;

use crate::core::exception::{default_exception_handler, ExceptionContext};
use crate::event_loop::get_running_loop;

use super::object::{bridge, QmlTask};

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
