use cxx_qt_build::CxxQtBuilder;

fn main() {
    CxxQtBuilder::new().qt_module("Widgets").file("widgets.rs").cpp_file("cpp/widgets.cpp").build();
}
