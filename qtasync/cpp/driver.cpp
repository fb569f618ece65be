#include "qtasync/cpp/driver.h"
#include "qtasync/src/driver/ffi.cxx.h"

#include <QtCore/QAbstractEventDispatcher>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtCore/QTimerEvent>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <mutex>
#include <unistd.h>
#include <fcntl.h>
#include <sys/socket.h>
#ifdef __linux__
#include <sys/timerfd.h>
#endif

namespace qtasync {
namespace driver {

namespace {

// Registered once; the value is an event type Qt reserved for us.
QEvent::Type wake_event_type() {
  static const int type = QEvent::registerEventType();
  return static_cast<QEvent::Type>(type);
}

// --- SIGINT: the handler only writes one byte to a socket pair (async-signal-safe); a
// QSocketNotifier on the other end brings it to the Qt thread. One dispatcher at a time owns the
// handler; install and removal are serialised by sigint_mutex (loops on several threads may
// toggle it). The handler reads only the atomic write end (lock-free, so async-signal-safe);
// the pair is made once and never closed.
std::mutex sigint_mutex;
std::atomic<int> sigint_write_fd{-1};
int sigint_read_fd = -1;
struct sigaction previous_sigint;
const void *sigint_owner = nullptr;
static_assert(std::atomic<int>::is_always_lock_free, "the SIGINT handler needs a lock-free int");

extern "C" void on_sigint_signal(int) {
  const int saved = errno;
  const char byte = 1;
  const int fd = sigint_write_fd.load(std::memory_order_acquire);
  if (fd >= 0) {
    ssize_t ignored = ::write(fd, &byte, 1);
    (void)ignored;
  }
  errno = saved;
}

// --- The application qtasync creates. Owned by the one ensure_core_application() call that
// created it (its caller decides whether to delete it), on the thread that created it; never
// deleted while a dispatcher of any thread exists.
std::mutex app_mutex;
int owned_argc = 1;
char owned_arg0[] = "qtasync";
char *owned_argv[] = {owned_arg0, nullptr};
QCoreApplication *owned_app = nullptr;
int live_dispatchers = 0;  // under app_mutex
// delete_owned_application is deleting the application (outside the lock: its destructor runs
// post routines and destroys objects whose code may create loops, which take the lock). Under
// app_mutex.
bool deleting_app = false;

}  // namespace

Dispatcher::Dispatcher(rust::Box<DriverContext> ctx) : ctx_(std::move(ctx)) {
  {
    // Counted under the lock that delete_owned_application takes: the application cannot be
    // deleted between this check and the count.
    std::lock_guard<std::mutex> lock(app_mutex);
    if (QCoreApplication::instance() == nullptr && !deleting_app) {
      owned_app = new QCoreApplication(owned_argc, owned_argv);
    }
    app_ = deleting_app ? nullptr : QCoreApplication::instance();
    ++live_dispatchers;
  }
  // A thread not started by QThread (the main thread before exec, a std::thread) may have no
  // event dispatcher yet; socket notifiers and timers need one. Constructing a QEventLoop
  // creates it (QThreadData::ensureEventDispatcher).
  if (QThread::currentThread()->eventDispatcher() == nullptr) {
    QEventLoop ensure_event_dispatcher;
  }
#ifdef __linux__
  // A timerfd keeps nanosecond deadlines; QTimer only takes whole milliseconds.
  timer_fd_ = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (timer_fd_ >= 0) {
    timer_notifier_ = new QSocketNotifier(timer_fd_, QSocketNotifier::Read, this);
    QObject::connect(timer_notifier_, &QSocketNotifier::activated, this, [this]() {
      std::uint64_t expirations = 0;
      ssize_t ignored = ::read(timer_fd_, &expirations, sizeof expirations);
      (void)ignored;
      fire_timer();
    });
  }
#endif
  if (QCoreApplication *app = app_.data()) {
    QObject::connect(app, &QCoreApplication::aboutToQuit, this,
                     [this]() { driver_dispatch(*ctx_, DriverEvent::AboutToQuit); });
  }
}

Dispatcher::~Dispatcher() {
  set_sigint_enabled(false);
  if (timer_fd_ >= 0) {
    delete timer_notifier_;
    ::close(timer_fd_);
  }
  std::lock_guard<std::mutex> lock(app_mutex);
  --live_dispatchers;
}

bool Dispatcher::application_alive() const {
  return !app_.isNull() && QCoreApplication::instance() == app_.data();
}

void Dispatcher::post_wake() const {
  QCoreApplication::postEvent(const_cast<Dispatcher *>(this), new QEvent(wake_event_type()));
}

void Dispatcher::arm_timer(std::uint64_t nanos) {
  if (timer_fd_ >= 0) {
#ifdef __linux__
    if (nanos == 0) nanos = 1;  // an all-zero it_value would disarm the timer
    struct itimerspec spec;
    std::memset(&spec, 0, sizeof spec);
    spec.it_value.tv_sec = static_cast<time_t>(nanos / 1000000000ull);
    spec.it_value.tv_nsec = static_cast<long>(nanos % 1000000000ull);
    ::timerfd_settime(timer_fd_, 0, &spec, nullptr);
    return;
#endif
  }
  // Fallback: whole milliseconds rounded up, so it never fires before the deadline.
  if (qt_timer_id_ != 0) killTimer(qt_timer_id_);
  const std::uint64_t millis = (nanos + 999999ull) / 1000000ull;
  qt_timer_id_ = startTimer(static_cast<int>(millis > 0x7fffffffull ? 0x7fffffffull : millis),
                            Qt::PreciseTimer);
}

void Dispatcher::disarm_timer() {
#ifdef __linux__
  if (timer_fd_ >= 0) {
    struct itimerspec spec;
    std::memset(&spec, 0, sizeof spec);
    ::timerfd_settime(timer_fd_, 0, &spec, nullptr);
  }
#endif
  if (qt_timer_id_ != 0) {
    killTimer(qt_timer_id_);
    qt_timer_id_ = 0;
  }
}

void Dispatcher::fire_timer() { driver_dispatch(*ctx_, DriverEvent::Timer); }

bool Dispatcher::set_sigint_enabled(bool enabled) {
  std::lock_guard<std::mutex> lock(sigint_mutex);
  if (enabled) {
    if (sigint_owner != nullptr) return sigint_owner == this;
    if (sigint_read_fd < 0) {
      // Made once and never closed: a handler still running on another thread during a
      // teardown must never write into a descriptor number that something else reuses.
      int fds[2];
      if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds) != 0)
        return false;
      sigint_read_fd = fds[0];
      sigint_write_fd.store(fds[1], std::memory_order_release);
    }
    // Bytes from an earlier owner's time are not this loop's SIGINT.
    char stale[64];
    while (::read(sigint_read_fd, stale, sizeof stale) > 0) {
    }
    struct sigaction action;
    std::memset(&action, 0, sizeof action);
    action.sa_handler = on_sigint_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    if (::sigaction(SIGINT, &action, &previous_sigint) != 0) return false;
    sigint_owner = this;
    const int read_fd = sigint_read_fd;
    sigint_notifier_ = new QSocketNotifier(read_fd, QSocketNotifier::Read, this);
    QObject::connect(sigint_notifier_, &QSocketNotifier::activated, this, [this, read_fd]() {
      char buffer[64];
      while (::read(read_fd, buffer, sizeof buffer) > 0) {
      }
      driver_dispatch(*ctx_, DriverEvent::Sigint);
    });
    return true;
  }
  if (sigint_owner == this) {
    // The previous handler comes back; the socket pair stays (see above).
    ::sigaction(SIGINT, &previous_sigint, nullptr);
    delete sigint_notifier_;
    sigint_notifier_ = nullptr;
    sigint_owner = nullptr;
  }
  return true;
}

std::int32_t Dispatcher::exec_loop(bool use_app) {
  if (!application_alive()) return kNoApplication;
  if (use_app) {
    app_loop_ = true;
    exit_pending_ = false;
    exec_level_ = QThread::currentThread()->loopLevel() + 1;
    const int code = QCoreApplication::exec();
    app_loop_ = false;
    exit_pending_ = false;
    return code;
  }
  QEventLoop loop;
  QEventLoop *outer = local_loop_;
  local_loop_ = &loop;
  const int code = loop.exec();
  local_loop_ = outer;
  return code;
}

void Dispatcher::exit_loop() {
  if (app_loop_) {
    // QCoreApplication::exit() ends every loop on the thread, a modal dialog's too: when the
    // stop comes from inside a nested loop, wait until that loop has returned.
    if (QThread::currentThread()->loopLevel() > exec_level_) {
      exit_when_back();
    } else {
      QCoreApplication::exit(0);
    }
  } else if (local_loop_ != nullptr) {
    // QEventLoop::exit ends only this loop, when control comes back to it.
    local_loop_->exit(0);
  }
}

void Dispatcher::exit_when_back() {
  // Qt has no "a nested loop returned" notification; while one is open over the application's
  // loop, look again every 10 ms. Only a stop() made inside a foreign nested loop gets here.
  exit_pending_ = true;
  QTimer::singleShot(10, this, [this]() {
    if (!exit_pending_ || !app_loop_) return;
    if (QThread::currentThread()->loopLevel() > exec_level_) {
      exit_when_back();
    } else {
      exit_pending_ = false;
      QCoreApplication::exit(0);
    }
  });
}

bool Dispatcher::event(QEvent *event) {
  if (event->type() == wake_event_type()) {
    driver_dispatch(*ctx_, DriverEvent::Wake);
    return true;
  }
  if (event->type() == QEvent::Timer &&
      static_cast<QTimerEvent *>(event)->timerId() == qt_timer_id_ && qt_timer_id_ != 0) {
    killTimer(qt_timer_id_);
    qt_timer_id_ = 0;
    fire_timer();
    return true;
  }
  return QObject::event(event);
}

ObjectWatch::ObjectWatch(QObject &object, rust::Box<WatchContext> ctx)
    : object_(&object), thread_(QThread::currentThread()), ctx_(std::move(ctx)) {
  connect_destroyed();
  object.installEventFilter(this);
}

ObjectWatch::~ObjectWatch() {
  QObject::disconnect(connection_);
  // Qt removes a destroyed filter from the object's list by itself; removing it here is only
  // allowed while the object lives on this thread (removeEventFilter touches the object).
  if (!moved_away_ && !object_.isNull()) object_->removeEventFilter(this);
}

void ObjectWatch::connect_destroyed() {
  // `this` is the context: direct when the object dies on this thread, queued to this thread
  // when it dies on another one.
  connection_ = QObject::connect(object_.data(), &QObject::destroyed, this,
                                 [this]() { object_watch_destroyed(*ctx_); });
}

void ObjectWatch::ensure_connected() {
  if (moved_away_ || object_.isNull() || connection_) return;
  connect_destroyed();
}

bool ObjectWatch::eventFilter(QObject *watched, QEvent *event) {
  // ThreadChange is sent to the object (and its children) on its current thread, which is this
  // watch's thread while it is not moved away, before the move happens.
  if (event->type() == QEvent::ThreadChange && watched == object_.data() && !moved_away_) {
    moved_away_ = true;
    object_watch_moved_away(*ctx_);
  }
  return false;
}

bool ObjectWatch::on_current_thread() const {
  // While the object has never moved, it lives on thread_: only this thread can delete it, and
  // destroyed() reaches this watch directly, so the QPointer is current.
  if (moved_away_ || thread_ != QThread::currentThread() || object_.isNull()) return false;
  // Without an application Qt delivers no events, ThreadChange included: then the object itself
  // has to be asked (a program that moves objects between threads has an application).
  return QCoreApplication::instance() != nullptr || object_->thread() == thread_;
}

std::unique_ptr<ObjectWatch> new_object_watch(QObject &object, rust::Box<WatchContext> ctx) {
  return std::make_unique<ObjectWatch>(object, std::move(ctx));
}

bool object_watch_alive(const ObjectWatch &watch) { return watch.alive(); }

bool object_watch_on_current_thread(const ObjectWatch &watch) {
  return watch.on_current_thread();
}

void object_watch_ensure_connected(const ObjectWatch &watch) {
  const_cast<ObjectWatch &>(watch).ensure_connected();
}

namespace {
// ObjectRef::with's nested-loop guard (see driver.h). Per thread: how many `with` closures are
// running, and the event dispatcher whose signals are watched. Every processEvents() call (what
// QEventLoop::exec, a modal dialog's exec() and QCoreApplication::processEvents all come down
// to) emits awake() or aboutToBlock() on the thread's dispatcher before it delivers any event;
// the outer loop's own call was made before `with` started.
thread_local int with_depth = 0;
thread_local QPointer<QAbstractEventDispatcher> with_watched_dispatcher;

void on_dispatcher_activity() {
  if (with_depth > 0) with_guard_nested_loop();
}
}  // namespace

void with_guard_enter() {
  QThread *thread = QThread::currentThread();
  if (thread->eventDispatcher() == nullptr) {
    // Made now rather than by a QEventLoop inside the closure, so that it is watched.
    QEventLoop ensure_event_dispatcher;
  }
  QAbstractEventDispatcher *dispatcher = thread->eventDispatcher();
  if (with_watched_dispatcher.data() != dispatcher) {
    QObject::connect(dispatcher, &QAbstractEventDispatcher::awake, &on_dispatcher_activity);
    QObject::connect(dispatcher, &QAbstractEventDispatcher::aboutToBlock, &on_dispatcher_activity);
    with_watched_dispatcher = dispatcher;
  }
  ++with_depth;
}

void with_guard_exit() { --with_depth; }

bool object_on_current_thread(const QObject &object) {
  return object.thread() == QThread::currentThread();
}

std::size_t object_address(const QObject &object) {
  return reinterpret_cast<std::size_t>(&object);
}

std::unique_ptr<Dispatcher> new_dispatcher(rust::Box<DriverContext> ctx) {
  return std::make_unique<Dispatcher>(std::move(ctx));
}

void dispatcher_post_wake(const Dispatcher &dispatcher) { dispatcher.post_wake(); }

namespace {
Dispatcher &mut(const Dispatcher &dispatcher) { return const_cast<Dispatcher &>(dispatcher); }
}  // namespace

void dispatcher_arm_timer(const Dispatcher &dispatcher, std::uint64_t nanos) {
  mut(dispatcher).arm_timer(nanos);
}
void dispatcher_disarm_timer(const Dispatcher &dispatcher) { mut(dispatcher).disarm_timer(); }
bool dispatcher_set_sigint_enabled(const Dispatcher &dispatcher, bool enabled) {
  return mut(dispatcher).set_sigint_enabled(enabled);
}
std::int32_t dispatcher_exec_loop(const Dispatcher &dispatcher, bool use_app) {
  return mut(dispatcher).exec_loop(use_app);
}
void dispatcher_exit_loop(const Dispatcher &dispatcher) { mut(dispatcher).exit_loop(); }

bool on_application_thread() {
  QCoreApplication *app = QCoreApplication::instance();
  return app != nullptr && app->thread() == QThread::currentThread();
}

bool ensure_core_application() {
  std::lock_guard<std::mutex> lock(app_mutex);
  if (QCoreApplication::instance() != nullptr || deleting_app) return false;
  owned_app = new QCoreApplication(owned_argc, owned_argv);
  return true;
}

bool delete_owned_application() {
  QCoreApplication *app = nullptr;
  {
    std::lock_guard<std::mutex> lock(app_mutex);
    if (owned_app == nullptr || QCoreApplication::instance() != owned_app || deleting_app) {
      return false;
    }
    if (owned_app->thread() != QThread::currentThread() || live_dispatchers > 0) return false;
    app = owned_app;
    owned_app = nullptr;
    deleting_app = true;
  }
  // Not under the lock: what the destructor runs may create a dispatcher or an application,
  // which take it. Meanwhile those see deleting_app and get no application.
  delete app;
  std::lock_guard<std::mutex> lock(app_mutex);
  deleting_app = false;
  return true;
}

bool dispatcher_application_alive(const Dispatcher &dispatcher) {
  return dispatcher.application_alive();
}

std::int32_t loop_level() { return QThread::currentThread()->loopLevel(); }

void quit_application() { QCoreApplication::quit(); }

void run_nested_event_loop(std::uint32_t millis) {
  QEventLoop loop;
  QTimer::singleShot(static_cast<int>(millis), Qt::PreciseTimer, &loop, &QEventLoop::quit);
  loop.exec();
}

}  // namespace driver
}  // namespace qtasync
