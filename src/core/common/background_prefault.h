// Faulting fresh memory in on a thread of its own while the caller goes on filling it.
//
// The first write to each page of a fresh allocation makes the kernel find and zero a page, on the
// writing thread. For a build that copies every row of a table into memory that costs a share of
// its table scan, and far more when transparent huge pages need compacting first (0.01 s to 0.6 s
// for 250 MB on one machine). Handed the ranges as they are allocated, a BackgroundPrefault has
// the kernel fault them in ahead of the writer (madvise MADV_POPULATE_WRITE, which maps pages
// without writing to them, so it never races with the caller's writes).
//
// Pure C++ and system calls: the thread touches no PostgreSQL state and starts with every signal
// blocked (signal_mask.h). Nothing here throws; where the thread cannot start, or the kernel lacks
// MADV_POPULATE_WRITE (before Linux 5.14), pages fault in where they are first written, as without.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>

namespace vector_core
{

class BackgroundPrefault
{
public:
	BackgroundPrefault() = default;
	~BackgroundPrefault();
	BackgroundPrefault(const BackgroundPrefault &) = delete;
	BackgroundPrefault &operator=(const BackgroundPrefault &) = delete;

	// Queues [p, p + bytes) to be faulted in, after the ranges queued before. Starts the thread on
	// the first call.
	void Add(void *p, std::size_t bytes) noexcept;

	// Stops the thread: the step in progress (at most kStepBytes) finishes, the rest is dropped.
	// Must be called before any queued memory is freed. Idempotent.
	void Stop() noexcept;

	// Bytes the kernel faulted in for this object so far (for a DEBUG line).
	std::size_t done() noexcept;

private:
	static constexpr std::size_t kStepBytes = std::size_t{2} << 20;

	void Run() noexcept;

	std::mutex mutex_;
	std::condition_variable wake_;
	std::deque<std::pair<char *, std::size_t>> ranges_;
	std::thread thread_;
	bool started_ = false;
	bool stopping_ = false;
	bool unsupported_ = false;
	std::size_t done_ = 0;
};

} // namespace vector_core
