use cxx_qt_build::CxxQtBuilder;

fn main() {
    CxxQtBuilder::new().file("src/peers/raw_qt.rs").cpp_file("cpp/raw_qt.cpp").build();
}
