// libFuzzer target: the ivfflat / ivf page decoder and cross-checks of vector_index_check.
// core-sources: index_check.cpp element_space.cpp distance.cpp distance_avx2.cpp distance_avx512.cpp half.cpp half_avx2.cpp half_avx512.cpp bit_distance.cpp bit_distance_avx512.cpp sparse_distance.cpp
#include "fuzz_index_pages.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
	return FuzzIndexPages<vector_core::IvfChecker>(data, size);
}
