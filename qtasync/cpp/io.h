// The Qt half of qtasync's I/O reactor: one QSocketNotifier on the reactor's OS poller (an epoll
// descriptor on Linux), the only descriptor of qtasync's I/O that Qt ever watches. When Qt finds
// it readable, Rust collects the ready events without blocking and wakes only those tasks, so the
// cost of a loop iteration does not grow with the number of idle sockets.
#pragma once

#include <QtCore/QAbstractEventDispatcher>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QSocketNotifier>

#include <memory>

#include "rust/cxx.h"

namespace qtasync {
namespace io {

struct IoContext;  // Rust: crate::driver::io::IoContext

// Lives on the thread that created it (the reactor's thread). The notifier belongs to that
// thread's event dispatcher; should the dispatcher be replaced (the application deleted and made
// again), ensure() makes a new notifier for the new one.
class IoWatch {
public:
  IoWatch(int fd, rust::Box<IoContext> ctx);
  ~IoWatch();
  // True when a notifier is registered with the calling thread's current event dispatcher
  // (making one when needed); false when the thread has no event dispatcher and none can be made.
  bool ensure();

private:
  int fd_;
  rust::Box<IoContext> ctx_;
  QSocketNotifier *notifier_ = nullptr;
  QPointer<QAbstractEventDispatcher> dispatcher_;
};

// Null when `fd` is negative.
std::unique_ptr<IoWatch> new_io_watch(int fd, rust::Box<IoContext> ctx);
bool io_watch_ensure(const IoWatch &watch);

}  // namespace io
}  // namespace qtasync
