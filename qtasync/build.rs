use cxx_qt_build::CxxQtBuilder;

fn main() {
    // Miri interprets only the Qt-free core's tests (scripts/miri.sh); nothing links the C++,
    // so compiling it would only cost minutes.
    if std::env::var_os("CARGO_CFG_MIRI").is_some() {
        return;
    }
    let mut builder = CxxQtBuilder::new()
        .file("src/driver/ffi.rs")
        .cpp_file("cpp/driver.cpp")
        .file("src/qt/ffi.rs")
        .cpp_file("cpp/signals.cpp")
        .file("src/driver/io_ffi.rs")
        .cpp_file("cpp/io.cpp");
    if std::env::var_os("CARGO_FEATURE_WIDGETS").is_some() {
        builder =
            builder.qt_module("Widgets").file("src/driver/widgets.rs").cpp_file("cpp/widgets.cpp");
    }
    if std::env::var_os("CARGO_FEATURE_QML").is_some() {
        builder = builder.qt_module("Qml").file("src/qml/object.rs").cpp_file("cpp/qml.cpp");
    }
    builder.build();
}
