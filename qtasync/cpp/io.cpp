#include "qtasync/cpp/io.h"
#include "qtasync/src/driver/io_ffi.cxx.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QEventLoop>
#include <QtCore/QThread>

namespace qtasync {
namespace io {

IoWatch::IoWatch(int fd, rust::Box<IoContext> ctx) : fd_(fd), ctx_(std::move(ctx)) {}

// Deleting the notifier unregisters it from the thread's current dispatcher; when that is not
// the one it was registered with (the old one was deleted with its application), Qt finds
// nothing to remove.
IoWatch::~IoWatch() { delete notifier_; }

bool IoWatch::ensure() {
  QAbstractEventDispatcher *current = QThread::currentThread()->eventDispatcher();
  if (current == nullptr) {
    // Qt's threads (and the main thread once an application exists) make their dispatcher on
    // demand; constructing a QEventLoop does it (QThreadData::ensureEventDispatcher).
    if (QCoreApplication::instance() == nullptr) return false;
    QEventLoop ensure_event_dispatcher;
    current = QThread::currentThread()->eventDispatcher();
    if (current == nullptr) return false;
  }
  if (notifier_ != nullptr && !dispatcher_.isNull() && dispatcher_.data() == current) return true;
  if (notifier_ != nullptr) {
    notifier_->setEnabled(false);
    delete notifier_;
    notifier_ = nullptr;
  }
  dispatcher_ = current;
  notifier_ = new QSocketNotifier(fd_, QSocketNotifier::Read);
  QObject::connect(notifier_, &QSocketNotifier::activated, notifier_,
                   [this]() { io_watch_ready(*ctx_); });
  return true;
}

std::unique_ptr<IoWatch> new_io_watch(int fd, rust::Box<IoContext> ctx) {
  if (fd < 0) return nullptr;
  return std::make_unique<IoWatch>(fd, std::move(ctx));
}

bool io_watch_ensure(const IoWatch &watch) { return const_cast<IoWatch &>(watch).ensure(); }

}  // namespace io
}  // namespace qtasync
