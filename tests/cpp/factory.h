// Creates the test QObjects from Rust, and moves or deletes them the ways Qt programs do.
#pragma once

#include <memory>

class Worker;

std::unique_ptr<Worker> new_worker();
// Moves `worker` to a helper thread (QObject::moveToThread), as a program that hands an object
// to a worker thread does.
void move_worker_away(Worker &worker);
// Deletes a worker previously moved away, on the helper thread, and waits until it is gone.
void delete_worker_away(std::unique_ptr<Worker> worker);
// QObject::deleteLater, as WA_DeleteOnClose and QML's destroy() do.
void worker_delete_later(Worker &worker);
