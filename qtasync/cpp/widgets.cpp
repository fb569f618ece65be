#include "qtasync/cpp/widgets.h"

#include <string>
#include <vector>

namespace qtasync {
namespace driver {

std::unique_ptr<QApplication> new_widgets_application(const rust::Vec<rust::String> &args) {
  // QApplication keeps argc and argv for its whole life: keep them in static storage.
  static std::vector<std::string> storage;
  static std::vector<char *> argv;
  static int argc = 0;
  storage.clear();
  for (const rust::String &arg : args) storage.emplace_back(std::string(arg));
  argv.clear();
  for (std::string &arg : storage) argv.push_back(arg.data());
  argv.push_back(nullptr);
  argc = static_cast<int>(storage.size());
  return std::make_unique<QApplication>(argc, argv.data());
}

}  // namespace driver
}  // namespace qtasync
