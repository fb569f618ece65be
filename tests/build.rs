use cxx_qt_build::CxxQtBuilder;

fn main() {
    CxxQtBuilder::new()
        .file("qobjects.rs")
        .cpp_file("cpp/factory.cpp")
        .file("signal_objects.rs")
        .cpp_file("cpp/signal_factory.cpp")
        .file("qml_objects.rs")
        .cpp_file("cpp/qml_scene.cpp")
        .qt_module("Qml")
        .build();
}
