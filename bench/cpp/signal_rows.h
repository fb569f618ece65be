// The signal rows' C++: creating the emitter (a cxx-qt QObject with a `counted(int)` signal) and
// raw Qt's floor, the same signal emitted into a direct connection to a C++ lambda.
#pragma once

#include <cstdint>
#include <memory>

#include "rust/cxx.h"

class BenchEmitter;

std::unique_ptr<BenchEmitter> bench_emitter_new();
// `count` emissions of `counted` into one direct connection; nanoseconds taken (or 0 if an
// emission was lost).
std::uint64_t raw_qt_direct_emits(std::size_t count);
