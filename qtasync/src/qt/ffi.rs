//! The cxx bridge to `cpp/signals.cpp`: the one question about a QObject that cxx-qt's API does
//! not answer, which thread it lives on.

#[cxx::bridge(namespace = "qtasync::qt")]
pub(crate) mod bridge {
    unsafe extern "C++" {
        include!("qtasync/cpp/signals.h");
        include!(<QtCore/QObject>);
        #[namespace = ""]
        type QObject = cxx_qt::QObject;

        /// Whether `object` lives on (has its thread affinity with) the calling thread.
        fn object_thread_is_current(object: &QObject) -> bool;
    }
}
