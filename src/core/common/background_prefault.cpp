// Faulting fresh memory in on a thread of its own (see background_prefault.h).
#include "core/common/background_prefault.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>

#include "core/common/signal_mask.h"

namespace vector_core
{

BackgroundPrefault::~BackgroundPrefault()
{
	Stop();
}

void BackgroundPrefault::Add(void *p, std::size_t bytes) noexcept
{
#ifdef MADV_POPULATE_WRITE
	if (p == nullptr || bytes == 0)
		return;
	std::unique_lock<std::mutex> lock(mutex_);
	if (stopping_ || unsupported_)
		return;
	try {
		ranges_.emplace_back(static_cast<char *>(p), bytes);
	} catch (...) {
		return; // that range faults in where it is written
	}
	if (!started_) {
		started_ = true;
		const sigset_t previous = BlockAllSignals();
		try {
			thread_ = std::thread([this] { Run(); });
		} catch (...) {
			unsupported_ = true;
			ranges_.clear();
		}
		RestoreSignalMask(previous);
	}
	lock.unlock();
	wake_.notify_one();
#else
	(void)p;
	(void)bytes;
#endif
}

void BackgroundPrefault::Stop() noexcept
{
	{
		std::lock_guard<std::mutex> lock(mutex_);
		stopping_ = true;
		ranges_.clear();
	}
	wake_.notify_one();
	if (thread_.joinable())
		thread_.join();
}

std::size_t BackgroundPrefault::done() noexcept
{
	std::lock_guard<std::mutex> lock(mutex_);
	return done_;
}

void BackgroundPrefault::Run() noexcept
{
#ifdef MADV_POPULATE_WRITE
	const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
	std::unique_lock<std::mutex> lock(mutex_);
	for (;;) {
		wake_.wait(lock, [this] { return stopping_ || !ranges_.empty(); });
		if (stopping_)
			return;
		auto &range = ranges_.front();
		// madvise wants a page-aligned start: the partial first page is the writer's.
		char *start = reinterpret_cast<char *>((reinterpret_cast<std::uintptr_t>(range.first) + page - 1) &
		                                       ~static_cast<std::uintptr_t>(page - 1));
		const std::size_t skipped = static_cast<std::size_t>(start - range.first);
		if (skipped >= range.second) {
			ranges_.pop_front();
			continue;
		}
		const std::size_t step = std::min(kStepBytes, (range.second - skipped) & ~(page - 1));
		if (step == 0) {
			ranges_.pop_front();
			continue;
		}
		range.first = start + step;
		range.second -= skipped + step;
		if (range.second == 0)
			ranges_.pop_front();
		lock.unlock();
		const int rc = madvise(start, step, MADV_POPULATE_WRITE);
		const int error = errno;
		lock.lock();
		if (rc == 0) {
			done_ += step;
		} else if (error == EINVAL) {
			unsupported_ = true; // a kernel without it: stop trying
			ranges_.clear();
			return;
		}
		// (other errors, such as a range freed by a Stop the caller forgot: skip it)
	}
#endif
}

} // namespace vector_core
