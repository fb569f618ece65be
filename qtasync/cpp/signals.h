// What qtasync::qt (awaiting Qt signals) asks Qt that cxx-qt's API does not expose.
#pragma once

#include <QtCore/QObject>

namespace qtasync {
namespace qt {

// Whether `object` lives on the calling thread: signals reach their Rust handlers on the
// object's thread, and those handlers hold thread-bound (`Rc`) state.
bool object_thread_is_current(const QObject &object);

}  // namespace qt
}  // namespace qtasync
