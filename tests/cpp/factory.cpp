#include "qtasync-tests/cpp/factory.h"
#include "qtasync-tests/qobjects.cxxqt.h"

std::unique_ptr<Worker> new_worker() { return std::make_unique<Worker>(); }
