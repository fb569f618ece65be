#include "qtasync/cpp/qml.h"

#include <QtQml/QJSEngine>
#include <QtQml/QJSValue>

#include "qtasync/src/qml/object.cxxqt.h"

namespace qtasync {
namespace qml {

std::unique_ptr<QmlTask> task_object_new() { return std::make_unique<QmlTask>(); }

QObject *release_to_javascript(std::unique_ptr<QmlTask> object) {
  QJSEngine::setObjectOwnership(object.get(), QJSEngine::JavaScriptOwnership);
  return object.release();
}

bool is_callable(const QVariant &value) {
  return value.metaType() == QMetaType::fromType<QJSValue>() &&
         value.value<QJSValue>().isCallable();
}

::rust::String call_javascript(const QObject &context, const QVariant &callback,
                             const QVariant &argument) {
  if (!is_callable(callback)) {
    return ::rust::String("not a JavaScript function");
  }
  QJSEngine *engine = qjsEngine(&context);
  if (engine == nullptr) {
    return ::rust::String("no JavaScript engine owns the result object");
  }
  QJSValue function = callback.value<QJSValue>();
  QJSValue outcome = function.call({engine->toScriptValue(argument)});
  if (outcome.isError()) {
    return ::rust::String(outcome.toString().toStdString());
  }
  return ::rust::String();
}

}  // namespace qml
}  // namespace qtasync
