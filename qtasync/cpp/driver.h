// The Qt half of qtasync's driver: one QObject per event loop that receives "wake" events posted
// from any thread, one precise timer for the earliest deadline of the Rust timer heap, the
// application's aboutToQuit, and an optional SIGINT notifier. Everything else is plain Rust.
#pragma once

#include <QtCore/QCoreApplication>
#include <QtCore/QEventLoop>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QSocketNotifier>

#include <cstdint>
#include <memory>

#include "rust/cxx.h"

namespace qtasync {
namespace driver {

struct DriverContext;  // Rust: crate::driver::DriverContext
struct WatchContext;   // Rust: crate::driver::WatchContext

class Dispatcher : public QObject {
public:
  explicit Dispatcher(rust::Box<DriverContext> ctx);
  ~Dispatcher() override;

  // Thread-safe: posts one wake event to this object (QCoreApplication::postEvent is thread-safe).
  void post_wake() const;
  // Owner thread only. Arms the single timer to fire `nanos` from now (never earlier).
  void arm_timer(std::uint64_t nanos);
  void disarm_timer();
  // Owner thread only. Routes SIGINT to this loop while enabled; returns false on failure.
  bool set_sigint_enabled(bool enabled);
  // Owner thread only. Runs a Qt event loop until exit_loop(); `use_app` picks
  // QCoreApplication::exec() (emits aboutToQuit at the end) over a local QEventLoop. Returns
  // kNoApplication without running when the application it was created with is gone.
  std::int32_t exec_loop(bool use_app);
  static constexpr std::int32_t kNoApplication = -0x7fff;
  bool application_alive() const;
  void exit_loop();

protected:
  bool event(QEvent *event) override;

private:
  void fire_timer();

  rust::Box<DriverContext> ctx_;
  int timer_fd_ = -1;
  QSocketNotifier *timer_notifier_ = nullptr;
  int qt_timer_id_ = 0;
  QSocketNotifier *sigint_notifier_ = nullptr;
  QEventLoop *local_loop_ = nullptr;
  bool app_loop_ = false;
  // The loop level at which exec_loop runs its loop (QThread::loopLevel() inside it).
  int exec_level_ = 0;
  // exit_loop was called from a nested loop deeper than exec_level_ (application engine only).
  bool exit_pending_ = false;
  void exit_when_back();
  QPointer<QCoreApplication> app_;
};

// Watches one QObject: QPointer for "is it alive", and destroyed() reported to Rust. The watch is
// itself a QObject living on the thread that created it (the Rust state's thread), and it is the
// context of the destroyed() connection: if the object is destroyed on another thread (after a
// moveToThread), the notification is queued to this thread instead of touching Rust's
// single-threaded state from there. It is also the object's event filter, to see a moveToThread
// (QEvent::ThreadChange, sent on the object's old thread before it moves): from then on the watch
// never reads the object again, so another thread deleting it cannot race with this one.
class ObjectWatch : public QObject {
public:
  ObjectWatch(QObject &object, rust::Box<WatchContext> ctx);
  ~ObjectWatch() override;
  bool alive() const { return !object_.isNull(); }
  // Whether the object is alive and has never left the watch's thread. Reads only the watch's
  // own state (never the object, which another thread may be deleting).
  bool on_current_thread() const;
  // Connects destroyed() again if something disconnected it (QObject::disconnect() of all
  // signals removes it too). Watch thread only, object on this thread.
  void ensure_connected();

protected:
  bool eventFilter(QObject *watched, QEvent *event) override;

private:
  void connect_destroyed();

  QPointer<QObject> object_;
  QMetaObject::Connection connection_;
  QThread *thread_;
  bool moved_away_ = false;
  rust::Box<WatchContext> ctx_;
};

std::unique_ptr<ObjectWatch> new_object_watch(QObject &object, rust::Box<WatchContext> ctx);
bool object_watch_alive(const ObjectWatch &watch);
bool object_watch_on_current_thread(const ObjectWatch &watch);
void object_watch_ensure_connected(const ObjectWatch &watch);
// ObjectRef::with's guard against nested event loops: between enter and exit, any processing of
// events on this thread (a nested QEventLoop, a modal exec(), processEvents) aborts the process
// before it delivers an event (code run there could reach the object the closure holds as `&mut`).
void with_guard_enter();
void with_guard_exit();
// Whether `object` lives on the calling thread.
bool object_on_current_thread(const QObject &object);
// The address of the QObject base (the key of qtasync's per-object state).
std::size_t object_address(const QObject &object);

std::unique_ptr<Dispatcher> new_dispatcher(rust::Box<DriverContext> ctx);
// Free functions over `const Dispatcher &`: Rust holds only shared references (cxx's opaque types
// allow mutation behind them), so a re-entrant call during exec_loop aliases nothing.
void dispatcher_post_wake(const Dispatcher &dispatcher);
void dispatcher_arm_timer(const Dispatcher &dispatcher, std::uint64_t nanos);
void dispatcher_disarm_timer(const Dispatcher &dispatcher);
bool dispatcher_set_sigint_enabled(const Dispatcher &dispatcher, bool enabled);
std::int32_t dispatcher_exec_loop(const Dispatcher &dispatcher, bool use_app);
void dispatcher_exit_loop(const Dispatcher &dispatcher);

bool on_application_thread();
// Creates a QCoreApplication when there is none; true when this call created it (the caller then
// owns it, and only it may delete it, through delete_owned_application).
bool ensure_core_application();
// Deletes the application qtasync created, only when called on the application's thread and no
// dispatcher (loop) of any thread still uses it. True when it was deleted.
bool delete_owned_application();
// Whether the application that `dispatcher` was created with is still the live application.
bool dispatcher_application_alive(const Dispatcher &dispatcher);
std::int32_t loop_level();
void quit_application();
// Runs a nested QEventLoop for `millis` ms (what a modal dialog's exec() does to its caller).
void run_nested_event_loop(std::uint32_t millis);

}  // namespace driver
}  // namespace qtasync
