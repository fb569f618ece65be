#include "qtasync/cpp/signals.h"

#include <QtCore/QThread>

namespace qtasync {
namespace qt {

bool object_thread_is_current(const QObject &object) {
  return object.thread() == QThread::currentThread();
}

}  // namespace qt
}  // namespace qtasync
