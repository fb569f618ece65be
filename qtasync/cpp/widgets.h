// QApplication for `#[qtasync::main(app = "widgets")]` (built with qtasync's `widgets` feature).
#pragma once

#include <QtWidgets/QApplication>

#include <memory>

#include "rust/cxx.h"

namespace qtasync {
namespace driver {

std::unique_ptr<QApplication> new_widgets_application(const rust::Vec<rust::String> &args);

}  // namespace driver
}  // namespace qtasync
