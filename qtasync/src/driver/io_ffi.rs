//! The cxx bridge to `cpp/io.cpp`: the reactor's one `QSocketNotifier`.

#[cxx::bridge(namespace = "qtasync::io")]
pub(crate) mod bridge {
    extern "Rust" {
        type IoContext;
        fn io_watch_ready(context: &IoContext);
    }

    unsafe extern "C++" {
        include!("qtasync/cpp/io.h");

        type IoWatch;

        fn new_io_watch(fd: i32, context: Box<IoContext>) -> UniquePtr<IoWatch>;
        fn io_watch_ensure(watch: &IoWatch) -> bool;
    }
}

pub(crate) use super::io::{io_watch_ready, IoContext};
