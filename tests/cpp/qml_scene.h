// A real QQmlEngine running a QML document given as text, with a `jobs` object (qml_objects.rs)
// as context property: what the QML result tests drive.
#pragma once

#include <memory>

#include <QtCore/QString>
#include <QtCore/QVariant>
#include <QtQml/QQmlEngine>

#include "rust/cxx.h"

class Jobs;

struct QmlScene {
  // Declared first, destroyed last: the root object goes before its engine.
  QQmlEngine engine;
  std::unique_ptr<QObject> root;
  QString errors;
};

// Compiles and creates `source`; errors, if any, are in `qml_scene_errors`. `jobs` must
// outlive the scene.
std::unique_ptr<QmlScene> qml_scene_new(Jobs &jobs, const QString &source);
QString qml_scene_errors(const QmlScene &scene);
// A property of the document's root object.
QVariant qml_scene_property(const QmlScene &scene, const QString &name);
// Calls a function without arguments declared on the root object.
void qml_scene_call(QmlScene &scene, const QString &method);
// QJSEngine::collectGarbage(): unreferenced JavaScript-owned objects get deleteLater().
void qml_scene_collect_garbage(QmlScene &scene);
std::unique_ptr<Jobs> new_jobs();
