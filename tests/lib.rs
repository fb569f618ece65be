//! Shared helpers for qtasync's integration tests, and a cxx-qt QObject with async slots.

// cxx-qt-build's initializer for this crate calls cxx-qt's and cxx-qt-lib's: link them.
extern crate cxx_qt as _;
extern crate cxx_qt_lib as _;

pub mod qobjects;

use std::cell::RefCell;
use std::rc::Rc;

use qtasync::{EventLoop, ExceptionContext};

/// Collects every report sent to the loop's exception handler.
pub fn capture_reports(event_loop: &EventLoop) -> Rc<RefCell<Vec<ExceptionContext>>> {
    let reports = Rc::new(RefCell::new(Vec::new()));
    let sink = reports.clone();
    event_loop.set_exception_handler(Some(Rc::new(move |_, context: &ExceptionContext| {
        sink.borrow_mut().push(context.clone());
    })));
    reports
}
