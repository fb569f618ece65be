//! The cxx bridge to `cpp/driver.cpp`. Nothing here is public outside the driver.

#[cxx::bridge(namespace = "qtasync::driver")]
pub(crate) mod bridge {
    /// What the C++ side reports to Rust.
    #[repr(u8)]
    enum DriverEvent {
        /// A posted wake event arrived.
        Wake,
        /// The loop's timer fired.
        Timer,
        /// QCoreApplication::aboutToQuit was emitted.
        AboutToQuit,
        /// SIGINT was received (while enabled).
        Sigint,
    }

    extern "Rust" {
        type DriverContext;
        fn driver_dispatch(context: &DriverContext, event: DriverEvent);

        type WatchContext;
        fn object_watch_destroyed(context: &WatchContext);
        fn object_watch_moved_away(context: &WatchContext);
        fn with_guard_nested_loop();
    }

    unsafe extern "C++" {
        include!("qtasync/cpp/driver.h");

        type Dispatcher;
        type ObjectWatch;
        include!(<QtCore/QObject>);
        #[namespace = ""]
        type QObject = cxx_qt::QObject;

        fn new_object_watch(
            object: Pin<&mut QObject>,
            context: Box<WatchContext>,
        ) -> UniquePtr<ObjectWatch>;
        fn object_watch_alive(watch: &ObjectWatch) -> bool;
        fn object_watch_on_current_thread(watch: &ObjectWatch) -> bool;
        fn object_watch_ensure_connected(watch: &ObjectWatch);
        fn with_guard_enter();
        fn with_guard_exit();
        fn object_on_current_thread(object: &QObject) -> bool;
        fn object_address(object: &QObject) -> usize;

        fn new_dispatcher(context: Box<DriverContext>) -> UniquePtr<Dispatcher>;
        fn dispatcher_post_wake(dispatcher: &Dispatcher);
        fn dispatcher_arm_timer(dispatcher: &Dispatcher, nanos: u64);
        fn dispatcher_disarm_timer(dispatcher: &Dispatcher);
        fn dispatcher_set_sigint_enabled(dispatcher: &Dispatcher, enabled: bool) -> bool;
        fn dispatcher_exec_loop(dispatcher: &Dispatcher, use_app: bool) -> i32;
        fn dispatcher_exit_loop(dispatcher: &Dispatcher);

        fn on_application_thread() -> bool;
        fn ensure_core_application() -> bool;
        fn delete_owned_application() -> bool;
        fn dispatcher_application_alive(dispatcher: &Dispatcher) -> bool;
        fn loop_level() -> i32;
        fn quit_application();
        fn run_nested_event_loop(millis: u32);
    }
}

pub(crate) use super::object_watch::{
    object_watch_destroyed, object_watch_moved_away, with_guard_nested_loop, WatchContext,
};
pub(crate) use super::{driver_dispatch, DriverContext};
