// One `_` too many for the signal's arguments: the error points at the `(_, _)`.
use std::pin::Pin;

use cxx_qt::casting::Upcast;
use cxx_qt::{QMetaObjectConnectionGuard, QObject};

/// Stands in for a cxx-qt QObject with a `clicked(bool)` signal (this case is only compiled).
struct Button;

unsafe impl Upcast<QObject> for Button {
    unsafe fn upcast_ptr(_: *const Self) -> *const QObject {
        unimplemented!()
    }
    unsafe fn from_base_ptr(_: *const QObject) -> *const Self {
        unimplemented!()
    }
}

impl Button {
    fn on_clicked<F: FnMut(Pin<&mut Button>, bool) + 'static>(
        self: Pin<&mut Self>,
        _handler: F,
    ) -> QMetaObjectConnectionGuard {
        unimplemented!()
    }
}

async fn wait(button: Pin<&mut Button>) {
    let _ = qtasync::signal!(button.clicked(_, _)).await;
}

fn main() {
    let _ = wait;
}
