#include "qtasync-tests/cpp/factory.h"
#include "qtasync-tests/qobjects.cxxqt.h"

#include <QtCore/QCoreApplication>
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

void disconnect_everything(Worker &worker) { QObject::disconnect(&worker, nullptr, nullptr, nullptr); }

void process_events() { QCoreApplication::processEvents(); }

namespace {
rust::Fn<void()> *post_routine = nullptr;
}  // namespace

void add_post_routine(rust::Fn<void()> routine) {
  post_routine = new rust::Fn<void()>(routine);
  qAddPostRoutine([]() { (*post_routine)(); });
}
