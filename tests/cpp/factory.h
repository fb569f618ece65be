// Creates the test QObjects from Rust.
#pragma once

#include <memory>

class Worker;

std::unique_ptr<Worker> new_worker();
