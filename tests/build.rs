use cxx_qt_build::CxxQtBuilder;

fn main() {
    CxxQtBuilder::new().file("qobjects.rs").cpp_file("cpp/factory.cpp").build();
}
