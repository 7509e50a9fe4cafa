// libFuzzer target: the ivfflat / ivf page decoder and cross-checks of vector_index_check.
// core-sources: index_check.cpp
#include "fuzz_index_pages.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
	return FuzzIndexPages<vector_core::IvfChecker>(data, size);
}
