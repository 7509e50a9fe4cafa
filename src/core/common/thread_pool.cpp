// The parallel loop of thread_pool.h.
#include "core/common/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "core/common/signal_mask.h"

namespace vector_core
{

void RunInBatches(int threads, std::size_t begin, std::size_t end, std::size_t batch,
                  const std::function<void(std::size_t index, int thread)> &body,
                  const std::function<void()> &before_batch)
{
	std::atomic<std::size_t> next{begin};
	std::atomic<bool> stop{false};
	std::exception_ptr error;
	std::mutex error_mutex;
	auto run = [&](int thread) {
		try {
			while (!stop.load(std::memory_order_relaxed)) {
				if (before_batch)
					before_batch();
				const std::size_t first = next.fetch_add(batch, std::memory_order_relaxed);
				if (first >= end)
					break;
				const std::size_t last = std::min(end, first + batch);
				for (std::size_t i = first; i < last; i++)
					body(i, thread);
			}
		} catch (...) {
			std::lock_guard<std::mutex> guard(error_mutex);
			if (!error)
				error = std::current_exception();
			stop.store(true);
		}
	};

	if (threads <= 1) {
		run(0);
	} else {
		std::vector<std::thread> pool;
		pool.reserve(static_cast<std::size_t>(threads - 1));
		const sigset_t previous = BlockAllSignals();
		try {
			for (int t = 1; t < threads; t++)
				pool.emplace_back(run, t);
		} catch (...) {
			// Could not start a thread: carry on with those we have.
		}
		RestoreSignalMask(previous);
		run(0);
		for (std::thread &t : pool)
			t.join();
	}
	if (error)
		std::rethrow_exception(error);
}

} // namespace vector_core
