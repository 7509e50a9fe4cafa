// A parallel loop over an index range on threads started for one call, without PostgreSQL.
//
// The threads are the caller plus threads - 1 std::threads, started with every signal blocked
// (signal_mask.h) and joined before the call returns, so no thread outlives it and only the
// caller receives signals. They take batches of consecutive indexes, in order, from a shared
// atomic counter (a dynamic schedule). The first exception thrown on any thread stops the others
// at their next batch and is rethrown on the caller once all have joined. Threads touch only
// what body touches: plain memory, never PostgreSQL.
#pragma once

#include <cstddef>
#include <functional>

namespace vector_core
{

// Runs body(i, thread) for every i in [begin, end) on threads threads (thread 0 is the caller;
// thread < threads). before_batch, when set, runs on a thread before each batch it takes and may
// throw to stop the loop (a cancel flag). When a thread cannot be started, those that did run the
// whole range.
void RunInBatches(int threads, std::size_t begin, std::size_t end, std::size_t batch,
                  const std::function<void(std::size_t index, int thread)> &body,
                  const std::function<void()> &before_batch);

} // namespace vector_core
