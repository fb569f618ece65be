#include "qtasync-examples/cpp/widgets.h"

#include <QtGui/QFontDatabase>
#include <QtGui/QPixmap>
#include <QtWidgets/QGridLayout>
#include <QtWidgets/QVBoxLayout>

namespace qtasync_examples {

std::unique_ptr<QWidget> new_window(const QString &title, int width, int height) {
  auto window = std::make_unique<QWidget>();
  window->setWindowTitle(title);
  window->resize(width, height);
  new QVBoxLayout(window.get());
  return window;
}

namespace {
template <typename T>
T *add(QWidget &window, T *child) {
  window.layout()->addWidget(child);
  return child;
}
}  // namespace

QLabel *window_add_label(QWidget &window, const QString &text) {
  auto *label = add(window, new QLabel(text, &window));
  label->setAlignment(Qt::AlignCenter);
  label->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
  return label;
}

QPushButton *window_add_button(QWidget &window, const QString &text) {
  return add(window, new QPushButton(text, &window));
}

QProgressBar *window_add_progress(QWidget &window, int maximum) {
  auto *bar = add(window, new QProgressBar(&window));
  bar->setRange(0, maximum);
  bar->setValue(0);
  return bar;
}

QWidget *window_add_grid(QWidget &window) {
  auto *grid = add(window, new QWidget(&window));
  auto *layout = new QGridLayout(grid);
  layout->setSpacing(1);
  return grid;
}

QLabel *grid_add_cell(QWidget &grid, int row, int column, const QString &text) {
  auto *cell = new QLabel(text, &grid);
  cell->setAlignment(Qt::AlignCenter);
  cell->setAutoFillBackground(true);
  static_cast<QGridLayout *>(grid.layout())->addWidget(cell, row, column);
  return cell;
}

void widget_show(QWidget &widget) { widget.show(); }
void button_set_enabled(QPushButton &button, bool enabled) { button.setEnabled(enabled); }
bool widget_save_png(QWidget &widget, const QString &path) { return widget.grab().save(path, "PNG"); }
void label_set_text(QLabel &label, const QString &text) { label.setText(text); }
QString label_text(const QLabel &label) { return label.text(); }
void label_set_style(QLabel &label, const QString &style) { label.setStyleSheet(style); }
void button_set_text(QPushButton &button, const QString &text) { button.setText(text); }
void progress_set_value(QProgressBar &bar, int value) { bar.setValue(value); }
int progress_value(const QProgressBar &bar) { return bar.value(); }

QLineEdit *window_add_line_edit(QWidget &window, const QString &text) {
  auto *edit = add(window, new QLineEdit(text, &window));
  edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  return edit;
}

QString line_edit_text(const QLineEdit &edit) { return edit.text(); }

QPlainTextEdit *window_add_text_view(QWidget &window) {
  auto *view = add(window, new QPlainTextEdit(&window));
  view->setReadOnly(true);
  view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  return view;
}

// Appends a paragraph and scrolls to it (appendPlainText keeps the view at the end).
void text_view_append(QPlainTextEdit &view, const QString &line) { view.appendPlainText(line); }
void text_view_clear(QPlainTextEdit &view) { view.clear(); }

// An empty view still has one (empty) block: count it as no line.
int text_view_line_count(const QPlainTextEdit &view) {
  return view.document()->isEmpty() ? 0 : view.blockCount();
}

}  // namespace qtasync_examples
