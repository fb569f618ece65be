//! `QApplication` (Qt Widgets), with the `widgets` feature.

#[cxx::bridge(namespace = "qtasync::driver")]
mod bridge {
    unsafe extern "C++" {
        include!("qtasync/cpp/widgets.h");
        #[namespace = ""]
        type QApplication;

        fn new_widgets_application(args: &Vec<String>) -> UniquePtr<QApplication>;
    }
}

/// A `QApplication`, alive until dropped.
pub struct WidgetsApplication {
    _app: cxx::UniquePtr<bridge::QApplication>,
}

impl WidgetsApplication {
    /// Creates the process's `QApplication` from the program's arguments.
    pub fn new() -> Self {
        let args: Vec<String> = std::env::args().collect();
        WidgetsApplication { _app: bridge::new_widgets_application(&args) }
    }
}

impl Default for WidgetsApplication {
    fn default() -> Self {
        WidgetsApplication::new()
    }
}
