// Unit tests of BackgroundPrefault (core/common/background_prefault.h): the thread faults memory in
// beside a writer without changing a byte of it, and stops when asked.
#include <gtest/gtest.h>

#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <vector>

#include "core/common/background_prefault.h"

using vector_core::BackgroundPrefault;

namespace
{

// A fresh anonymous mapping (no page faulted in yet).
class Mapping
{
public:
	explicit Mapping(std::size_t bytes) : bytes_(bytes)
	{
		void *p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		data_ = p == MAP_FAILED ? nullptr : static_cast<unsigned char *>(p);
	}
	~Mapping()
	{
		if (data_ != nullptr)
			munmap(data_, bytes_);
	}
	unsigned char *data() const
	{
		return data_;
	}

private:
	std::size_t bytes_;
	unsigned char *data_;
};

} // namespace

// The writer fills 64 MB (from an unaligned start) while the thread faults the same range in:
// every byte written is there afterwards, and the untouched bytes read zero.
TEST(BackgroundPrefault, FaultsInBesideAWriterWithoutChangingIt)
{
	const std::size_t bytes = std::size_t{64} << 20;
	Mapping m(bytes);
	ASSERT_NE(m.data(), nullptr);
	BackgroundPrefault prefault;
	prefault.Add(m.data() + 100, bytes / 2 - 100);
	prefault.Add(m.data() + bytes / 2, bytes / 2);
	for (std::size_t i = 100; i < bytes - 4096; i += 7)
		m.data()[i] = static_cast<unsigned char>(1 + i % 251);
	prefault.Stop();
	for (std::size_t i = 0; i < bytes; i++) {
		const bool written = i >= 100 && i < bytes - 4096 && (i - 100) % 7 == 0;
		ASSERT_EQ(m.data()[i], written ? static_cast<unsigned char>(1 + i % 251) : 0) << "byte " << i;
	}
#ifdef MADV_POPULATE_WRITE
	// (a kernel before 5.14 refuses the advice: nothing is faulted in by the thread)
	EXPECT_LE(prefault.done(), bytes);
#endif
}

// Stop without a range, twice, and an Add after Stop: no thread left behind, nothing done.
TEST(BackgroundPrefault, StopsWithoutWorkAndIgnoresLaterRanges)
{
	Mapping m(std::size_t{4} << 20);
	ASSERT_NE(m.data(), nullptr);
	BackgroundPrefault idle;
	idle.Stop();
	idle.Stop();
	idle.Add(m.data(), std::size_t{4} << 20);
	EXPECT_EQ(idle.done(), 0u);
	BackgroundPrefault busy;
	busy.Add(m.data(), std::size_t{4} << 20);
	busy.Stop();
	busy.Add(m.data(), std::size_t{4} << 20);
	busy.Stop();
	EXPECT_EQ(m.data()[12345], 0);
}

// Given time, the thread faults in the whole range it was given (page-aligned part).
TEST(BackgroundPrefault, FaultsInTheWholeRange)
{
	const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
	const std::size_t pages = 2048, bytes = pages * page;
	Mapping m(bytes);
	ASSERT_NE(m.data(), nullptr);
#ifdef MADV_POPULATE_WRITE
	if (madvise(m.data(), page, MADV_POPULATE_WRITE) != 0)
		GTEST_SKIP() << "this kernel has no MADV_POPULATE_WRITE";
	BackgroundPrefault prefault;
	prefault.Add(m.data() + page, bytes - page);
	for (int wait = 0; wait < 1000 && prefault.done() < bytes - page; wait++)
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
	EXPECT_EQ(prefault.done(), bytes - page);
	std::vector<unsigned char> resident(pages);
	ASSERT_EQ(mincore(m.data(), bytes, resident.data()), 0);
	for (std::size_t p = 0; p < pages; p++)
		EXPECT_TRUE(resident[p] & 1) << "page " << p;
#else
	GTEST_SKIP() << "built without MADV_POPULATE_WRITE";
#endif
}
