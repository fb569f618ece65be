// Just enough of Qt Widgets for qtasync's examples and tests: a window with a vertical layout,
// and labels, buttons, progress bars, grids, line edits and text views added to it (owned by
// their Qt parent).
#pragma once

#include <QtCore/QString>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QPlainTextEdit>
#include <QtWidgets/QProgressBar>
#include <QtWidgets/QPushButton>
#include <QtWidgets/QWidget>

#include <memory>

namespace qtasync_examples {

std::unique_ptr<QWidget> new_window(const QString &title, int width, int height);
QLabel *window_add_label(QWidget &window, const QString &text);
QPushButton *window_add_button(QWidget &window, const QString &text);
QProgressBar *window_add_progress(QWidget &window, int maximum);
QWidget *window_add_grid(QWidget &window);
QLabel *grid_add_cell(QWidget &grid, int row, int column, const QString &text);
void widget_show(QWidget &widget);
void button_set_enabled(QPushButton &button, bool enabled);
bool widget_save_png(QWidget &widget, const QString &path);
void label_set_text(QLabel &label, const QString &text);
QString label_text(const QLabel &label);
void label_set_style(QLabel &label, const QString &style);
void button_set_text(QPushButton &button, const QString &text);
void progress_set_value(QProgressBar &bar, int value);
int progress_value(const QProgressBar &bar);
QLineEdit *window_add_line_edit(QWidget &window, const QString &text);
QString line_edit_text(const QLineEdit &edit);
QPlainTextEdit *window_add_text_view(QWidget &window);
void text_view_append(QPlainTextEdit &view, const QString &line);
void text_view_clear(QPlainTextEdit &view);
int text_view_line_count(const QPlainTextEdit &view);

}  // namespace qtasync_examples
