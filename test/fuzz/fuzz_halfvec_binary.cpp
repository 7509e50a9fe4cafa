// libFuzzer target: the halfvec binary form (halfvec_recv) on arbitrary bytes, in the order
// halfvec_recv uses the decoder: header, checks, length check, values into a dim-sized array.
// core-sources: types/vector_binary.cpp
#include <cstdint>
#include <cstdlib>

#include "core/types/vector_binary.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
	int dim = 0, unused = 0;
	if (vector_core::DecodeVectorBinaryHeader(data, size, &dim, &unused) != vector_core::VectorBinaryStatus::kOk)
		return 0;
	if (dim < 1 || dim > 16000 || unused != 0 || size - 4 < 2 * static_cast<std::size_t>(dim))
		return 0;
	auto *out = static_cast<std::uint16_t *>(std::malloc(sizeof(std::uint16_t) * static_cast<std::size_t>(dim)));
	std::size_t consumed = 0;
	const auto status = vector_core::DecodeHalfvecBinaryValues(data + 4, size - 4, dim, out, &consumed);
	if (consumed > size - 4 || consumed % 2 != 0)
		std::abort();
	if (status == vector_core::VectorBinaryStatus::kOk) {
		if (consumed != 2 * static_cast<std::size_t>(dim))
			std::abort();
		for (int i = 0; i < dim; i++)
			if ((out[i] & 0x7C00) == 0x7C00)
				std::abort(); // NaN or infinity let through
	} else if (consumed == 0 || (out[consumed / 2 - 1] & 0x7C00) != 0x7C00) {
		std::abort(); // a refusal must point at the NaN or infinity
	}
	std::free(out);
	return 0;
}
