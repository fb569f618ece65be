// Creates the test QObjects from Rust, and moves or deletes them the ways Qt programs do.
#pragma once

#include <memory>

#include "rust/cxx.h"

class Worker;

std::unique_ptr<Worker> new_worker();
// Moves `worker` to a helper thread (QObject::moveToThread), as a program that hands an object
// to a worker thread does.
void move_worker_away(Worker &worker);
// Deletes a worker previously moved away, on the helper thread, and waits until it is gone.
void delete_worker_away(std::unique_ptr<Worker> worker);
// QObject::deleteLater, as WA_DeleteOnClose and QML's destroy() do.
void worker_delete_later(Worker &worker);
// QObject::disconnect() of every signal of `worker` (watch connections included).
void disconnect_everything(Worker &worker);
// QCoreApplication::processEvents() on the calling thread.
void process_events();
// qAddPostRoutine: `routine` runs inside the application's destructor.
void add_post_routine(rust::Fn<void()> routine);
