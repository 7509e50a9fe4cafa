// libFuzzer target: the sparsevec text parser (sparsevec_in) on arbitrary bytes, in the order
// sparsevec_in uses it: count, parse into exactly that many elements, sort, check the indices.
// core-sources: types/decimal_float.cpp types/sparsevec_text.cpp types/vector_text.cpp distance/half.cpp
// distance/half_avx2.cpp distance/half_avx512.cpp
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "core/types/sparsevec_text.h"
#include "scalar_simd_level.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
	std::vector<char> text(data, data + size);
	text.push_back('\0');
	const int max_nnz = size > 0 && (data[0] & 1) ? 16000 : 4;
	const int capacity = vector_core::CountSparsevecTextElements(text.data(), max_nnz);
	if (capacity > max_nnz)
		return 0; // sparsevec_in refuses it before parsing
	auto *out = static_cast<vector_core::SparseElement *>(
	    std::malloc(sizeof(vector_core::SparseElement) * static_cast<std::size_t>(capacity > 0 ? capacity : 1)));
	const vector_core::SparsevecTextResult r = vector_core::ParseSparsevecText(text.data(), out, capacity);
	if (r.status == vector_core::SparsevecTextStatus::kOk) {
		if (r.nnz < 0 || r.nnz > capacity)
			std::abort();
		vector_core::SortSparseElements(out, r.nnz);
		std::vector<std::int32_t> indices(static_cast<std::size_t>(r.nnz));
		for (int i = 0; i < r.nnz; i++) {
			if (!std::isfinite(out[i].value) || out[i].value == 0.0f)
				std::abort();
			if (i > 0 && out[i].index < out[i - 1].index)
				std::abort(); // not sorted
			indices[static_cast<std::size_t>(i)] = out[i].index;
		}
		(void)vector_core::CheckSparseIndices(indices.data(), r.nnz, r.dim);
	}
	std::free(out);
	return 0;
}
