//! The QObject behind `search_qml`: `search(query)` returns at once a result object
//! (`qtasync::qml::spawn`) that QML binds to; each new query cancels the previous one.

use std::convert::Infallible;
use std::pin::Pin;
use std::time::Duration;

use cxx_qt::CxxQtType;
use cxx_qt_lib::{QString, QStringList};
use qtasync::qml::TaskRef;

#[cxx_qt::bridge]
pub mod qobject {
    unsafe extern "C++" {
        include!("cxx-qt-lib/qstring.h");
        type QString = cxx_qt_lib::QString;
    }

    extern "RustQt" {
        #[qobject]
        #[qml_element]
        #[qproperty(i32, superseded, READ, NOTIFY)]
        type Searcher = super::SearcherRust;

        /// Starts a search and returns its result object (`running`, `result`, `then`, ...).
        #[qinvokable]
        fn search(self: Pin<&mut Searcher>, query: &QString) -> *mut QObject;
    }
}

/// The Rust state of a `Searcher`.
#[derive(Default)]
pub struct SearcherRust {
    /// How many searches were cancelled because a newer query arrived while they ran.
    superseded: i32,
    /// The search started last.
    last: Option<TaskRef>,
}

/// What there is to find: Qt's classes that qtasync's examples and tests touch.
const CATALOGUE: &[&str] = &[
    "QAbstractItemModel",
    "QApplication",
    "QBuffer",
    "QByteArray",
    "QCoreApplication",
    "QDateTime",
    "QDir",
    "QEvent",
    "QEventLoop",
    "QFile",
    "QGuiApplication",
    "QHash",
    "QJSEngine",
    "QJSValue",
    "QLabel",
    "QLineEdit",
    "QList",
    "QLocalSocket",
    "QMetaObject",
    "QMutex",
    "QObject",
    "QPointer",
    "QProcess",
    "QPushButton",
    "QQmlApplicationEngine",
    "QQmlComponent",
    "QQmlContext",
    "QQmlEngine",
    "QQuickItem",
    "QQuickWindow",
    "QSocketNotifier",
    "QString",
    "QStringList",
    "QTcpServer",
    "QTcpSocket",
    "QThread",
    "QThreadPool",
    "QTimer",
    "QUdpSocket",
    "QUrl",
    "QVariant",
    "QWidget",
];

/// The slow source: answers after 400 ms, with the entries containing `query`.
async fn look_up(query: String) -> Result<QStringList, Infallible> {
    qtasync::sleep(Duration::from_millis(400)).await;
    let query = query.to_lowercase();
    let mut hits = QStringList::default();
    for entry in CATALOGUE.iter().filter(|entry| entry.to_lowercase().contains(&query)) {
        hits.append(QString::from(*entry));
    }
    Ok(hits)
}

impl qobject::Searcher {
    /// Cancels the search still running for the previous keystroke, starts one for `query`
    /// and hands its result object to QML.
    pub fn search(mut self: Pin<&mut Self>, query: &QString) -> *mut qobject::QObject {
        if let Some(previous) = self.as_mut().rust_mut().last.take() {
            if previous.cancel(Some("a newer query arrived")) {
                let superseded = *self.superseded() + 1;
                self.as_mut().rust_mut().superseded = superseded;
                self.as_mut().superseded_changed();
            }
        }
        let search = qtasync::qml::spawn(look_up(query.to_string()));
        self.as_mut().rust_mut().last = search.task().cloned();
        search.into_qml()
    }
}
