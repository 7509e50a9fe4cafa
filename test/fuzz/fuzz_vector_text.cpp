// libFuzzer target: the vector text parser (vector_in) on arbitrary bytes.
// Sizes the output exactly as vector_in does (CountVectorTextElements), so ASan catches a write
// past it; checks the result's invariants.
// core-sources: types/decimal_float.cpp types/vector_text.cpp distance/half.cpp distance/half_avx2.cpp
// distance/half_avx512.cpp
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/types/vector_text.h"
#include "scalar_simd_level.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
	std::vector<char> text(data, data + size);
	text.push_back('\0');
	// Small limits as well as the real one, so that "too many dimensions" is reached.
	const int max_dims = size > 0 && (data[0] & 1) ? 16000 : 4;
	const int capacity = vector_core::CountVectorTextElements(text.data(), max_dims + 1);
	float *out = static_cast<float *>(std::malloc(sizeof(float) * static_cast<std::size_t>(capacity)));
	const vector_core::VectorTextResult r = vector_core::ParseVectorText(text.data(), out, max_dims);
	if (r.status == vector_core::VectorTextStatus::kOk) {
		if (r.dims < 1 || r.dims > max_dims || r.dims > capacity)
			std::abort();
		for (int i = 0; i < r.dims; i++)
			if (!std::isfinite(out[i]))
				std::abort();
	}
	if (r.status == vector_core::VectorTextStatus::kOutOfRange &&
	    (r.token_length == 0 || r.token_begin + r.token_length > std::strlen(text.data())))
		std::abort();
	std::free(out);
	return 0;
}
