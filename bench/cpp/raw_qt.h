// Raw Qt, the floor under every Qt integration: the same workloads done with nothing but
// QMetaObject::invokeMethod (one posted event per item) and QTimer, plus a probe that measures how
// late a 1 ms Qt timer fires while a loop is busy (the UI latency a user would feel).
#pragma once

#include <QtCore/QElapsedTimer>
#include <QtCore/QObject>
#include <QtCore/QTimer>

#include <cstdint>
#include <memory>

#include "rust/cxx.h"

namespace qtasync_bench {

struct RawTimers;

// A 1 ms precise QTimer on the calling thread's Qt loop that records its worst lateness.
class Probe : public QObject {
public:
  Probe();
  // The worst lateness so far, counting a tick that is overdue now.
  std::uint64_t worst_nanos() const;

private:
  QTimer timer_;
  QElapsedTimer clock_;
  std::int64_t last_ = 0;
  std::uint64_t worst_ = 0;
};

std::unique_ptr<Probe> probe_start();
std::uint64_t probe_worst_nanos(const Probe &probe);

std::uint64_t raw_qt_callbacks(std::size_t count);
std::uint64_t raw_qt_cross_thread(std::size_t count, std::size_t threads);
RawTimers raw_qt_timers(rust::Slice<const std::uint32_t> deadlines_ms);
rust::Vec<std::uint64_t> raw_qt_sleeps(std::size_t count, std::uint32_t millis);
std::uint64_t raw_qt_fairness(std::size_t count);

}  // namespace qtasync_bench
