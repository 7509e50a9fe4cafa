// libFuzzer target: the sparsevec binary form (sparsevec_recv) on arbitrary bytes, in the order
// sparsevec_recv uses the decoders: header, checks, length check, indices, index check, values.
// core-sources: types/decimal_float.cpp types/vector_binary.cpp types/sparsevec_text.cpp types/vector_text.cpp
// distance/half.cpp distance/half_avx2.cpp distance/half_avx512.cpp
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "core/types/sparsevec_text.h"
#include "core/types/vector_binary.h"
#include "scalar_simd_level.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
	std::int32_t dim = 0, nnz = 0, unused = 0;
	if (vector_core::DecodeSparsevecBinaryHeader(data, size, &dim, &nnz, &unused) !=
	    vector_core::VectorBinaryStatus::kOk)
		return 0;
	if (dim < 1 || dim > 1000000000 || nnz < 0 || nnz > 16000 || nnz > dim || unused != 0 ||
	    size - 12 < 8 * static_cast<std::size_t>(nnz))
		return 0;
	const std::size_t n = static_cast<std::size_t>(nnz);
	auto *indices = static_cast<std::int32_t *>(std::malloc(sizeof(std::int32_t) * (n > 0 ? n : 1)));
	auto *values = static_cast<float *>(std::malloc(sizeof(float) * (n > 0 ? n : 1)));
	std::size_t consumed = 0;
	if (vector_core::DecodeInt32BinaryValues(data + 12, size - 12, nnz, indices, &consumed) !=
	        vector_core::VectorBinaryStatus::kOk ||
	    consumed != 4 * n)
		std::abort();
	if (vector_core::CheckSparseIndices(indices, nnz, dim) == vector_core::SparseIndexStatus::kOk) {
		for (std::size_t i = 0; i < n; i++)
			if (indices[i] < 0 || indices[i] >= dim || (i > 0 && indices[i] <= indices[i - 1]))
				std::abort(); // accepted indices out of range or order
		const std::size_t at = 12 + consumed;
		const auto status =
		    vector_core::DecodeSparsevecBinaryValues(data + at, size - at, nnz, values, &consumed);
		if (consumed > size - at)
			std::abort();
		if (status == vector_core::VectorBinaryStatus::kOk)
			for (std::size_t i = 0; i < n; i++)
				if (!std::isfinite(values[i]) || values[i] == 0.0f)
					std::abort();
	}
	std::free(indices);
	std::free(values);
	return 0;
}
