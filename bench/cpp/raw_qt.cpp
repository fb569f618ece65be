#include "qtasync-bench/cpp/raw_qt.h"
#include "qtasync-bench/src/peers/raw_qt.cxx.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QEventLoop>

#include <algorithm>
#include <chrono>
#include <functional>
#include <atomic>
#include <thread>
#include <vector>

namespace qtasync_bench {

namespace {

constexpr std::int64_t PROBE_INTERVAL_NS = 1000000;

// Posts `posts` closures to `loop` (from any thread); each counts in `done` on the loop's thread,
// and the one that brings it to `total` quits the loop.
void post_counting(QEventLoop &loop, std::size_t posts, std::size_t total, std::size_t &done) {
  for (std::size_t i = 0; i < posts; ++i) {
    QMetaObject::invokeMethod(
        &loop,
        [&loop, &done, total]() {
          if (++done == total) loop.quit();
        },
        Qt::QueuedConnection);
  }
}

}  // namespace

Probe::Probe() {
  timer_.setTimerType(Qt::PreciseTimer);
  timer_.setInterval(1);
  QObject::connect(&timer_, &QTimer::timeout, this, [this]() {
    const std::int64_t now = clock_.nsecsElapsed();
    const std::int64_t late = now - last_ - PROBE_INTERVAL_NS;
    if (late > 0 && static_cast<std::uint64_t>(late) > worst_) {
      worst_ = static_cast<std::uint64_t>(late);
    }
    last_ = now;
  });
  clock_.start();
  last_ = clock_.nsecsElapsed();
  timer_.start();
}

std::uint64_t Probe::worst_nanos() const {
  const std::int64_t overdue = clock_.nsecsElapsed() - last_ - PROBE_INTERVAL_NS;
  return std::max<std::uint64_t>(worst_, overdue > 0 ? static_cast<std::uint64_t>(overdue) : 0);
}

std::unique_ptr<Probe> probe_start() { return std::make_unique<Probe>(); }

std::uint64_t probe_worst_nanos(const Probe &probe) { return probe.worst_nanos(); }

// `count` posted closures; the time from the first post until the last has run.
std::uint64_t raw_qt_callbacks(std::size_t count) {
  QEventLoop loop;
  std::size_t done = 0;
  QElapsedTimer clock;
  clock.start();
  post_counting(loop, count, count, done);
  loop.exec();
  return static_cast<std::uint64_t>(clock.nsecsElapsed());
}

// `count` closures posted from `threads` producer threads to this thread's loop.
std::uint64_t raw_qt_cross_thread(std::size_t count, std::size_t threads) {
  QEventLoop loop;
  std::size_t done = 0;
  QElapsedTimer clock;
  clock.start();
  std::vector<std::thread> producers;
  for (std::size_t t = 0; t < threads; ++t) {
    const std::size_t share = count / threads + (t < count % threads ? 1 : 0);
    producers.emplace_back(
        [&loop, &done, count, share]() { post_counting(loop, share, count, done); });
  }
  loop.exec();
  const auto elapsed = static_cast<std::uint64_t>(clock.nsecsElapsed());
  for (auto &producer : producers) producer.join();
  return elapsed;
}

// One single-shot precise QTimer per deadline (QtAsyncio's approach).
RawTimers raw_qt_timers(rust::Slice<const std::uint32_t> deadlines_ms) {
  QEventLoop loop;
  const std::size_t count = deadlines_ms.size();
  std::vector<std::size_t> fired;
  fired.reserve(count);
  std::uint64_t early = 0;
  QElapsedTimer clock;
  clock.start();
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint32_t ms = deadlines_ms[i];
    QTimer::singleShot(std::chrono::milliseconds(ms), Qt::PreciseTimer, &loop,
                       [&, i, ms]() {
                         if (clock.nsecsElapsed() < static_cast<std::int64_t>(ms) * 1000000) {
                           ++early;
                         }
                         fired.push_back(i);
                         if (fired.size() == count) loop.quit();
                       });
  }
  const auto schedule = static_cast<std::uint64_t>(clock.nsecsElapsed());
  if (count > 0) loop.exec();
  std::uint64_t inversions = 0;
  for (std::size_t k = 1; k < fired.size(); ++k) {
    if (deadlines_ms[fired[k - 1]] > deadlines_ms[fired[k]]) ++inversions;
  }
  return RawTimers{schedule, inversions, early, static_cast<std::uint64_t>(fired.size())};
}

// `count` sequential single-shot precise timers of `millis`; each one's overshoot in ns.
rust::Vec<std::uint64_t> raw_qt_sleeps(std::size_t count, std::uint32_t millis) {
  rust::Vec<std::uint64_t> overshoots;
  QEventLoop loop;
  QElapsedTimer clock;
  std::function<void()> next = [&]() {
    clock.start();
    QTimer::singleShot(std::chrono::milliseconds(millis), Qt::PreciseTimer, &loop, [&]() {
      const std::int64_t late = clock.nsecsElapsed() - static_cast<std::int64_t>(millis) * 1000000;
      overshoots.push_back(static_cast<std::uint64_t>(std::max<std::int64_t>(late, 0)));
      if (overshoots.size() == count) {
        loop.quit();
      } else {
        next();
      }
    });
  };
  if (count == 0) return overshoots;
  next();
  loop.exec();
  return overshoots;
}

// `count` posted closures queued at once, with the probe running: its worst lateness in ns.
std::uint64_t raw_qt_fairness(std::size_t count) {
  Probe probe;
  QEventLoop loop;
  std::size_t done = 0;
  post_counting(loop, count, count, done);
  loop.exec();
  return probe.worst_nanos();
}

}  // namespace qtasync_bench
