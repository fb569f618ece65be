#include "qtasync-tests/cpp/factory.h"
#include "qtasync-tests/qobjects.cxxqt.h"

#include <QtCore/QThread>

std::unique_ptr<Worker> new_worker() { return std::make_unique<Worker>(); }

namespace {
QThread *helper_thread() {
  static QThread *thread = [] {
    auto *started = new QThread;
    started->start();
    return started;
  }();
  return thread;
}
}  // namespace

void move_worker_away(Worker &worker) { worker.moveToThread(helper_thread()); }

void delete_worker_away(std::unique_ptr<Worker> owned) {
  Worker *worker = owned.release();
  QMetaObject::invokeMethod(
      worker, [worker]() { delete worker; }, Qt::BlockingQueuedConnection);
}

void worker_delete_later(Worker &worker) { worker.deleteLater(); }
