// libFuzzer target: the ivfflat / ivf page decoder and cross-checks of vector_index_check.
// core-sources: check/index_check.cpp check/hnsw_check.cpp check/ivf_check.cpp distance/element_distance.cpp
// distance/float_distance.cpp distance/float_distance_avx2.cpp distance/float_distance_avx512.cpp distance/half.cpp
// distance/half_avx2.cpp distance/half_avx512.cpp distance/bit_distance.cpp distance/bit_distance_avx512.cpp
// distance/sparse_distance.cpp distance/sq8_rows.cpp distance/sq8_kernels.cpp
#include "fuzz_index_pages.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
	return FuzzIndexPages<vector_core::IvfChecker>(data, size);
}
