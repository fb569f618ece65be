use cxx_qt_build::CxxQtBuilder;

fn main() {
    CxxQtBuilder::new()
        .file("src/peers/raw_qt.rs")
        .cpp_file("cpp/raw_qt.cpp")
        .file("src/signal_rows.rs")
        .cpp_file("cpp/signal_rows.cpp")
        .build();
}
