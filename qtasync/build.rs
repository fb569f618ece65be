use cxx_qt_build::CxxQtBuilder;

fn main() {
    CxxQtBuilder::new().file("src/driver/ffi.rs").cpp_file("cpp/driver.cpp").build();
}
