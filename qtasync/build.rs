use cxx_qt_build::CxxQtBuilder;

fn main() {
    let mut builder = CxxQtBuilder::new().file("src/driver/ffi.rs").cpp_file("cpp/driver.cpp");
    if std::env::var_os("CARGO_FEATURE_WIDGETS").is_some() {
        builder =
            builder.qt_module("Widgets").file("src/driver/widgets.rs").cpp_file("cpp/widgets.cpp");
    }
    builder.build();
}
