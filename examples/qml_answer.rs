//! The QObject behind `minimal_qml`: its invokable `ask()` is an async slot.

use std::pin::Pin;
use std::time::Duration;

use cxx_qt_lib::QString;
use qtasync::{qt_slot_async, sleep};

#[cxx_qt::bridge]
pub mod qobject {
    unsafe extern "C++" {
        include!("cxx-qt-lib/qstring.h");
        type QString = cxx_qt_lib::QString;
    }

    extern "RustQt" {
        #[qobject]
        #[qml_element]
        #[qproperty(QString, text)]
        #[qproperty(bool, busy)]
        type Answer = super::AnswerRust;

        /// Starts the coroutine and returns at once.
        #[qinvokable]
        fn ask(self: Pin<&mut Answer>);
    }
}

/// The Rust state of an `Answer`.
pub struct AnswerRust {
    text: QString,
    busy: bool,
}

impl Default for AnswerRust {
    fn default() -> Self {
        AnswerRust { text: QString::from("The answer is 42."), busy: false }
    }
}

impl qobject::Answer {
    /// Awaits a sleep, then updates `text`; QML stays responsive meanwhile. A new click while it
    /// runs restarts it (`exclusive`); if QML destroys the object, the task is cancelled.
    #[qt_slot_async(exclusive)]
    pub async fn ask(self: Pin<&mut Self>) {
        self.with(|mut answer| {
            answer.as_mut().set_busy(true);
            answer.set_text(QString::from("Thinking..."));
        });
        sleep(Duration::from_secs(1)).await;
        self.with(|mut answer| {
            answer.as_mut().set_text(QString::from("What do you get if you multiply six by nine?"));
            answer.set_busy(false);
        });
    }
}
