#include "qtasync-tests/cpp/signal_factory.h"

#include <QtCore/QMetaMethod>
#include <QtCore/QThread>
#include <string>

#include "qtasync-tests/signal_objects.cxxqt.h"

std::unique_ptr<Emitter> new_emitter() { return std::make_unique<Emitter>(); }

namespace {
// QObject::receivers is protected; a subclass may name it, and call it through a member pointer.
class ReceiverCount : public QObject {
public:
  static int of(const QObject &emitter, const char *signal) {
    return (emitter.*(&ReceiverCount::receivers))(signal);
  }
};
}  // namespace

std::int32_t emitter_receivers(const Emitter &emitter, rust::Str name) {
  const QMetaObject *meta = emitter.metaObject();
  const QByteArray wanted(name.data(), static_cast<qsizetype>(name.size()));
  for (int index = meta->methodOffset(); index < meta->methodCount(); ++index) {
    const QMetaMethod method = meta->method(index);
    if (method.methodType() == QMetaMethod::Signal && method.name() == wanted) {
      // What SIGNAL(...) makes: "2" + the signature.
      const QByteArray signal = QByteArray("2") + method.methodSignature();
      return ReceiverCount::of(emitter, signal.constData());
    }
  }
  return -1;
}

void emitter_set_thread(Emitter &emitter, bool on_current_thread) {
  emitter.moveToThread(on_current_thread ? QThread::currentThread() : nullptr);
}

std::unique_ptr<QTimer> new_single_shot_timer() {
  auto timer = std::make_unique<QTimer>();
  timer->setSingleShot(true);
  return timer;
}

void timer_start(QTimer &timer, std::int32_t msec) { timer.start(msec); }
