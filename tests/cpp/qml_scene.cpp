#include "qtasync-tests/cpp/qml_scene.h"

#include <QtCore/QUrl>
#include <QtQml/QQmlComponent>
#include <QtQml/QQmlContext>
#include <QtQml/QQmlEngine>

#include "qtasync-tests/qml_objects.cxxqt.h"

std::unique_ptr<QmlScene> qml_scene_new(Jobs &jobs, const QString &source) {
  auto scene = std::make_unique<QmlScene>();
  scene->engine.rootContext()->setContextProperty(QStringLiteral("jobs"), &jobs);
  QQmlComponent component(&scene->engine);
  component.setData(source.toUtf8(), QUrl(QStringLiteral("qrc:/scene.qml")));
  scene->root.reset(component.create());
  if (!scene->root) {
    scene->errors = component.errorString();
  }
  return scene;
}

QString qml_scene_errors(const QmlScene &scene) { return scene.errors; }

QVariant qml_scene_property(const QmlScene &scene, const QString &name) {
  return scene.root ? scene.root->property(name.toUtf8().constData()) : QVariant();
}

void qml_scene_call(QmlScene &scene, const QString &method) {
  if (scene.root) {
    QMetaObject::invokeMethod(scene.root.get(), method.toUtf8().constData());
  }
}

void qml_scene_collect_garbage(QmlScene &scene) { scene.engine.collectGarbage(); }

std::unique_ptr<Jobs> new_jobs() { return std::make_unique<Jobs>(); }
