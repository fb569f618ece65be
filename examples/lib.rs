//! Shared pieces of qtasync's examples (also used by its tests): a small Widgets binding.

// cxx-qt-build's initializer for this crate calls cxx-qt's and cxx-qt-lib's: link them.
extern crate cxx_qt as _;
extern crate cxx_qt_lib as _;

pub mod demo_options;
pub mod qml_answer;
pub mod qml_search;
pub mod widgets;

pub use demo_options::DemoOptions;
