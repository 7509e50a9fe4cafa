// Shared body of the page-decoder fuzz targets: the input is cut into 8 kB pages (the last one
// zero-padded, at most 16) and fed to a checker as the blocks of an index.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "core/check/hnsw_check.h"
#include "core/check/ivf_check.h"

template <typename Checker> int FuzzIndexPages(const std::uint8_t *data, std::size_t size)
{
	constexpr std::size_t kPage = vector_core::kCheckPageSize;
	const std::size_t nblocks = size == 0 ? 0 : (size + kPage - 1) / kPage;
	if (nblocks == 0 || nblocks > 16)
		return 0;
	// Each page in its own allocation, exactly kPage bytes, so that ASan sees a read past one.
	std::vector<std::vector<unsigned char>> pages(nblocks, std::vector<unsigned char>(kPage, 0));
	for (std::size_t b = 0; b < nblocks; b++)
		std::memcpy(pages[b].data(), data + b * kPage, b + 1 < nblocks ? kPage : size - b * kPage);
	Checker checker(static_cast<std::uint32_t>(nblocks));
	for (std::size_t b = 0; b < nblocks; b++)
		if (!checker.AddPage(static_cast<std::uint32_t>(b), pages[b].data()))
			break;
	checker.Finish();
	(void)checker.HasHeapTid(1, 1);
	return 0;
}
