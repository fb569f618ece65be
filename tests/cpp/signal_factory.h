// Creates the signal test QObject from Rust, and asks Qt what the tests check about it.
#pragma once

#include <memory>

#include "rust/cxx.h"

#include <QtCore/QTimer>

class Emitter;

std::unique_ptr<Emitter> new_emitter();
// QObject::receivers for the signal named `name`: how many connections it has (-1: no such signal).
std::int32_t emitter_receivers(const Emitter &emitter, rust::Str name);
// moveToThread(nullptr), or back to the calling thread (allowed from a thread-less object).
void emitter_set_thread(Emitter &emitter, bool on_current_thread);
std::unique_ptr<QTimer> new_single_shot_timer();
void timer_start(QTimer &timer, std::int32_t msec);
