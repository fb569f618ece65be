#include "qtasync-bench/cpp/signal_rows.h"

#include <QtCore/QElapsedTimer>

#include "qtasync-bench/src/signal_rows.cxxqt.h"

std::unique_ptr<BenchEmitter> bench_emitter_new() { return std::make_unique<BenchEmitter>(); }

std::uint64_t raw_qt_direct_emits(std::size_t count) {
  BenchEmitter emitter;
  std::int64_t sum = 0;
  QObject::connect(&emitter, &BenchEmitter::counted, &emitter,
                   [&sum](std::int32_t value) { sum += value; }, Qt::DirectConnection);
  QElapsedTimer clock;
  clock.start();
  for (std::size_t i = 0; i < count; ++i) {
    emitter.counted(static_cast<std::int32_t>(i % 1000));
  }
  const auto elapsed = static_cast<std::uint64_t>(clock.nsecsElapsed());
  std::int64_t expected = 0;
  for (std::size_t i = 0; i < count; ++i) expected += static_cast<std::int64_t>(i % 1000);
  return sum == expected ? elapsed : 0;
}
