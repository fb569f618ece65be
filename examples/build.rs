use cxx_qt_build::{CxxQtBuilder, QmlModule};

fn main() {
    CxxQtBuilder::new_qml_module(
        QmlModule::new("com.qtasync.examples")
            .qml_file("qml/minimal.qml")
            .qml_file("qml/search.qml"),
    )
    .qt_module("Widgets")
    .qt_module("Quick")
    .files(["widgets.rs", "qml_answer.rs", "qml_search.rs"])
    .cpp_file("cpp/widgets.cpp")
    .build();
}
