// libFuzzer target: the vector binary form (vector_recv) on arbitrary bytes, in the order
// vector_recv uses the decoder: header, checks, length check, values into a dim-sized array.
// core-sources: types/vector_binary.cpp
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "core/types/vector_binary.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
	int dim = 0, unused = 0;
	if (vector_core::DecodeVectorBinaryHeader(data, size, &dim, &unused) != vector_core::VectorBinaryStatus::kOk)
		return 0;
	if (dim < 1 || dim > 16000 || unused != 0 || size - 4 < 4 * static_cast<std::size_t>(dim))
		return 0;
	float *out = static_cast<float *>(std::malloc(sizeof(float) * static_cast<std::size_t>(dim)));
	std::size_t consumed = 0;
	const auto status = vector_core::DecodeVectorBinaryValues(data + 4, size - 4, dim, out, &consumed);
	if (consumed > size - 4)
		std::abort();
	if (status == vector_core::VectorBinaryStatus::kOk) {
		if (consumed != 4 * static_cast<std::size_t>(dim))
			std::abort();
		for (int i = 0; i < dim; i++)
			if (!std::isfinite(out[i]))
				std::abort();
	}
	std::free(out);
	return 0;
}
