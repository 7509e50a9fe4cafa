// The one way src/core and src/pg keep signals away from the threads they start.
//
// A new thread inherits the signal mask of the thread that creates it. PostgreSQL's signal
// handlers must only ever run on the backend's main thread, so every thread pool (std::thread
// or OpenMP) is created between BlockAllSignals and RestoreSignalMask: the workers start with
// every signal blocked, and the caller gets its own mask back before it does anything else.
#pragma once

#include <signal.h>

namespace vector_core
{

// Blocks every signal in the calling thread and returns the mask that was in force.
sigset_t BlockAllSignals() noexcept;

// Restores a mask that BlockAllSignals returned.
void RestoreSignalMask(const sigset_t &previous) noexcept;

} // namespace vector_core
