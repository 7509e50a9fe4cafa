// Sets the calling thread's OpenMP thread count for a scope and restores it afterwards (the
// build module's FAISS and OpenMP calls run with the build's thread count, then leave the
// backend's setting as it was).
#pragma once

#include <omp.h>

#include <algorithm>

namespace vector_core
{

class OmpThreadsScope
{
public:
	explicit OmpThreadsScope(int threads) : saved_(omp_get_max_threads())
	{
		omp_set_num_threads(std::max(1, threads));
	}
	~OmpThreadsScope()
	{
		omp_set_num_threads(saved_);
	}
	OmpThreadsScope(const OmpThreadsScope &) = delete;
	OmpThreadsScope &operator=(const OmpThreadsScope &) = delete;

private:
	int saved_;
};

} // namespace vector_core
