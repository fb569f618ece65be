// What qtasync::qml (results handed to QML) asks Qt that cxx-qt's API does not expose: creating
// the result object, handing its ownership to QML's garbage collector, calling a JavaScript
// function that QML passed in as a QVariant.
#pragma once

#include <memory>

#include <QtCore/QObject>
#include <QtCore/QVariant>

#include "rust/cxx.h"

namespace qtasync {
namespace qml {

class QmlTask;

// A new, parentless result object.
std::unique_ptr<QmlTask> task_object_new();

// Gives up C++ ownership of `object`: marks it JavaScriptOwnership (what QML also does to a
// parentless object an invokable returns), so QML's garbage collector deletes it once no
// JavaScript references it.
QObject *release_to_javascript(std::unique_ptr<QmlTask> object);

// Whether `value` holds a callable JavaScript value (a function QML passed in).
bool is_callable(const QVariant &value);

// Calls the JavaScript function held by `callback` with `argument`, converted by the engine
// that owns `context`'s JavaScript wrapper. Returns "" on success, else why it failed (the
// function threw, or no engine owns `context`).
::rust::String call_javascript(const QObject &context, const QVariant &callback,
                             const QVariant &argument);

}  // namespace qml
}  // namespace qtasync
