//! Just enough of Qt Widgets for the examples and tests: a [`Window`] with a vertical layout and
//! children reached through [`qtasync::ObjectRef`], which survives `.await` and knows when Qt
//! destroys the widget.

use std::pin::Pin;

use cxx_qt_lib::QString;
use qtasync::ObjectRef;

#[cxx_qt::bridge]
pub mod ffi {
    unsafe extern "C++" {
        include!("cxx-qt-lib/qstring.h");
        type QString = cxx_qt_lib::QString;
        include!("qtasync-examples/cpp/widgets.h");
    }

    unsafe extern "C++Qt" {
        /// `QWidget`.
        #[qobject]
        type QWidget;

        /// `QLabel`.
        #[qobject]
        type QLabel;

        /// `QPushButton`.
        #[qobject]
        type QPushButton;

        /// `QAbstractButton::clicked(bool checked)`.
        #[qsignal]
        fn clicked(self: Pin<&mut QPushButton>, checked: bool);

        /// `QAbstractButton::click()`: a click, as the user's.
        fn click(self: Pin<&mut QPushButton>);

        /// `QProgressBar`.
        #[qobject]
        type QProgressBar;

        /// `QLineEdit`.
        #[qobject]
        type QLineEdit;

        /// `QPlainTextEdit` (read-only here: a view of text lines).
        #[qobject]
        type QPlainTextEdit;
    }

    #[namespace = "qtasync_examples"]
    unsafe extern "C++" {
        fn new_window(title: &QString, width: i32, height: i32) -> UniquePtr<QWidget>;
        fn window_add_label(window: Pin<&mut QWidget>, text: &QString) -> *mut QLabel;
        fn window_add_button(window: Pin<&mut QWidget>, text: &QString) -> *mut QPushButton;
        fn window_add_progress(window: Pin<&mut QWidget>, maximum: i32) -> *mut QProgressBar;
        fn window_add_grid(window: Pin<&mut QWidget>) -> *mut QWidget;
        fn grid_add_cell(
            grid: Pin<&mut QWidget>,
            row: i32,
            column: i32,
            text: &QString,
        ) -> *mut QLabel;
        fn widget_show(widget: Pin<&mut QWidget>);
        fn button_set_enabled(button: Pin<&mut QPushButton>, enabled: bool);
        fn widget_save_png(widget: Pin<&mut QWidget>, path: &QString) -> bool;
        fn label_set_text(label: Pin<&mut QLabel>, text: &QString);
        fn label_text(label: &QLabel) -> QString;
        fn label_set_style(label: Pin<&mut QLabel>, style: &QString);
        fn button_set_text(button: Pin<&mut QPushButton>, text: &QString);
        fn progress_set_value(bar: Pin<&mut QProgressBar>, value: i32);
        fn progress_value(bar: &QProgressBar) -> i32;
        fn window_add_line_edit(window: Pin<&mut QWidget>, text: &QString) -> *mut QLineEdit;
        fn line_edit_text(edit: &QLineEdit) -> QString;
        fn window_add_text_view(window: Pin<&mut QWidget>) -> *mut QPlainTextEdit;
        fn text_view_append(view: Pin<&mut QPlainTextEdit>, line: &QString);
        fn text_view_clear(view: Pin<&mut QPlainTextEdit>);
        fn text_view_line_count(view: &QPlainTextEdit) -> i32;
    }
}

pub use ffi::{QLabel, QLineEdit, QPlainTextEdit, QProgressBar, QPushButton, QWidget};

/// Wraps a child widget that Qt just created and parented.
fn adopt<T: cxx_qt::casting::Upcast<cxx_qt::QObject>>(child: *mut T) -> ObjectRef<T> {
    assert!(!child.is_null(), "Qt returned no widget");
    // SAFETY: `child` was just created by Qt and is alive; its parent owns it, so it stays at this
    // address until Qt destroys it, which the ObjectRef watches for. The raw pointer is not used
    // again: from here on the child is reached only through the ObjectRef (ObjectRef::new's
    // contract).
    unsafe { ObjectRef::new(Pin::new_unchecked(&mut *child)) }
}

/// A top-level window with a vertical layout; dropping it destroys the window and its children.
pub struct Window {
    /// Owns the window (dropping it destroys the window); reached only through `handle`.
    _widget: cxx::UniquePtr<QWidget>,
    handle: ObjectRef<QWidget>,
}

impl Window {
    /// A hidden window; call [`show`](Self::show).
    pub fn new(title: &str, width: i32, height: i32) -> Self {
        let mut widget = ffi::new_window(&QString::from(title), width, height);
        // SAFETY: `Window` reaches the widget mutably only through this ObjectRef (every method
        // below goes through `handle.with`), so no other `&mut` is used while a `with` runs.
        let handle = unsafe { ObjectRef::new(widget.pin_mut()) };
        Window { _widget: widget, handle }
    }

    /// A reference to the window that survives `.await` (and knows when it is gone).
    pub fn handle(&self) -> ObjectRef<QWidget> {
        self.handle.clone()
    }

    /// Adds a centred label.
    pub fn add_label(&mut self, text: &str) -> ObjectRef<QLabel> {
        adopt(self.handle.with(|window| ffi::window_add_label(window, &QString::from(text))))
    }

    /// Adds a push button.
    pub fn add_button(&mut self, text: &str) -> ObjectRef<QPushButton> {
        adopt(self.handle.with(|window| ffi::window_add_button(window, &QString::from(text))))
    }

    /// Adds a progress bar from 0 to `maximum`.
    pub fn add_progress(&mut self, maximum: i32) -> ObjectRef<QProgressBar> {
        adopt(self.handle.with(|window| ffi::window_add_progress(window, maximum)))
    }

    /// Adds a grid of cells.
    pub fn add_grid(&mut self) -> Grid {
        Grid { widget: adopt(self.handle.with(ffi::window_add_grid)) }
    }

    /// Adds a one-line text input (monospace) holding `text`.
    pub fn add_line_edit(&mut self, text: &str) -> ObjectRef<QLineEdit> {
        adopt(self.handle.with(|window| ffi::window_add_line_edit(window, &QString::from(text))))
    }

    /// Adds a read-only, scrolling view of text lines (monospace).
    pub fn add_text_view(&mut self) -> ObjectRef<QPlainTextEdit> {
        adopt(self.handle.with(ffi::window_add_text_view))
    }

    /// Shows the window.
    pub fn show(&mut self) {
        self.handle.with(ffi::widget_show);
    }
}

/// Renders a widget into a PNG file; `false` if it failed or the widget is gone.
pub fn save_png(widget: &ObjectRef<QWidget>, path: &str) -> bool {
    widget.try_with(|widget| ffi::widget_save_png(widget, &QString::from(path))).unwrap_or(false)
}

/// A grid of label cells inside a [`Window`].
pub struct Grid {
    widget: ObjectRef<QWidget>,
}

impl Grid {
    /// Adds a cell at `row`, `column`.
    pub fn add_cell(&self, row: i32, column: i32, text: &str) -> ObjectRef<QLabel> {
        let cell =
            self.widget.with(|grid| ffi::grid_add_cell(grid, row, column, &QString::from(text)));
        adopt(cell)
    }
}

/// Sets a label's text.
pub fn set_text(label: &ObjectRef<QLabel>, text: &str) {
    label.with(|label| ffi::label_set_text(label, &QString::from(text)));
}

/// A label's text.
pub fn text(label: &ObjectRef<QLabel>) -> String {
    label.with(|label| ffi::label_text(&label).to_string())
}

/// Sets a label's style sheet (colours, for instance).
pub fn set_style(label: &ObjectRef<QLabel>, style: &str) {
    label.with(|label| ffi::label_set_style(label, &QString::from(style)));
}

/// Enables or disables a button.
pub fn set_enabled(button: &ObjectRef<QPushButton>, enabled: bool) {
    button.with(|button| ffi::button_set_enabled(button, enabled));
}

/// Sets a button's text.
pub fn set_button_text(button: &ObjectRef<QPushButton>, text: &str) {
    button.with(|button| ffi::button_set_text(button, &QString::from(text)));
}

/// Sets a progress bar's value.
pub fn set_progress(bar: &ObjectRef<QProgressBar>, value: i32) {
    bar.with(|bar| ffi::progress_set_value(bar, value));
}

/// A progress bar's value.
pub fn progress(bar: &ObjectRef<QProgressBar>) -> i32 {
    bar.with(|bar| ffi::progress_value(&bar))
}

/// A line edit's text.
pub fn line_edit_text(edit: &ObjectRef<QLineEdit>) -> String {
    edit.with(|edit| ffi::line_edit_text(&edit).to_string())
}

/// Appends a line to a text view and scrolls to it.
pub fn append_line(view: &ObjectRef<QPlainTextEdit>, line: &str) {
    view.with(|view| ffi::text_view_append(view, &QString::from(line)));
}

/// Empties a text view.
pub fn clear_lines(view: &ObjectRef<QPlainTextEdit>) {
    view.with(ffi::text_view_clear);
}

/// How many lines a text view holds.
pub fn line_count(view: &ObjectRef<QPlainTextEdit>) -> usize {
    view.with(|view| ffi::text_view_line_count(&view)) as usize
}

/// Calls `on_click` on every click of `button` (connects `clicked`).
pub fn on_clicked(button: &ObjectRef<QPushButton>, on_click: impl FnMut() + 'static) {
    // cxx-qt wants a Send handler; Qt calls it on the button's thread, where `on_click` lives.
    let mut on_click = qtasync::ThreadBound::new(on_click);
    button.with(|button| button.on_clicked(move |_, _| (on_click.get_mut())()).release());
}

/// Clicks `button` as the user would.
pub fn click(button: &ObjectRef<QPushButton>) {
    button.with(|button| button.click());
}
