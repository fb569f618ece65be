//! A cxx-qt QObject with signals of 0, 1 and 2 arguments (one a `QString`, one a `&QString`)
//! and invokables that emit them, and Qt's `QTimer` with its C++Qt signal, for the
//! `qtasync::signal!` tests.

use std::pin::Pin;

use cxx_qt_lib::QString;

#[cxx_qt::bridge]
pub mod qobject {
    unsafe extern "C++" {
        include!("cxx-qt-lib/qstring.h");
        type QString = cxx_qt_lib::QString;
    }

    extern "RustQt" {
        #[qobject]
        type Emitter = super::EmitterRust;

        /// No argument.
        #[qsignal]
        fn pinged(self: Pin<&mut Emitter>);

        /// One argument.
        #[qsignal]
        fn counted(self: Pin<&mut Emitter>, value: i32);

        /// Two arguments, the `QString` by value.
        #[qsignal]
        fn renamed(self: Pin<&mut Emitter>, index: i32, name: QString);

        /// A `QString` by reference (cloned into the owned arguments).
        #[qsignal]
        fn labelled(self: Pin<&mut Emitter>, label: &QString);

        /// Emits `pinged()`.
        #[qinvokable]
        fn ping(self: Pin<&mut Emitter>);

        /// Emits `counted(0)`, `counted(1)`, ... `counted(n - 1)`, synchronously.
        #[qinvokable]
        fn count_to(self: Pin<&mut Emitter>, n: i32);

        /// Emits `renamed(index, name)`.
        #[qinvokable]
        fn rename(self: Pin<&mut Emitter>, index: i32, name: &QString);

        /// Emits `labelled(label)`.
        #[qinvokable]
        fn label(self: Pin<&mut Emitter>, label: &QString);
    }

    unsafe extern "C++Qt" {
        include!(<QtCore/QTimer>);
        /// A Qt class, declared (not defined) here: its signals are C++Qt signals.
        #[qobject]
        type QTimer;

        /// `QTimer::timeout()`, a private signal: `pub(self)`, so cxx-qt generates no emitter.
        #[qsignal]
        pub(self) fn timeout(self: Pin<&mut QTimer>);
    }

    unsafe extern "C++" {
        include!("qtasync-tests/cpp/signal_factory.h");
        /// A single-shot QTimer, not started.
        fn new_single_shot_timer() -> UniquePtr<QTimer>;
        /// Starts it: `timeout()` comes `msec` ms later, from the event loop.
        fn timer_start(timer: Pin<&mut QTimer>, msec: i32);
        fn new_emitter() -> UniquePtr<Emitter>;
        /// How many connections the signal named `name` has (-1: no such signal).
        fn emitter_receivers(emitter: &Emitter, name: &str) -> i32;
        /// Moves the emitter to no thread (`false`) or back to the calling thread (`true`).
        fn emitter_set_thread(emitter: Pin<&mut Emitter>, on_current_thread: bool);
    }
}

pub use qobject::{
    emitter_receivers, emitter_set_thread, new_emitter, new_single_shot_timer, timer_start,
    Emitter, QTimer,
};

#[derive(Default)]
pub struct EmitterRust;

impl qobject::Emitter {
    pub fn ping(self: Pin<&mut Self>) {
        self.pinged();
    }

    pub fn count_to(mut self: Pin<&mut Self>, n: i32) {
        for value in 0..n {
            self.as_mut().counted(value);
        }
    }

    pub fn rename(self: Pin<&mut Self>, index: i32, name: &QString) {
        self.renamed(index, name.clone());
    }

    pub fn label(self: Pin<&mut Self>, label: &QString) {
        self.labelled(label);
    }
}
