// libFuzzer target: the halfvec text parser (halfvec_in) on arbitrary bytes, with the output
// sized as halfvec_in sizes it; checks the result's invariants.
// core-sources: types/decimal_float.cpp types/vector_text.cpp distance/half.cpp distance/half_avx2.cpp
// distance/half_avx512.cpp
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "core/distance/half.h"
#include "core/types/vector_text.h"
#include "scalar_simd_level.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
	std::vector<char> text(data, data + size);
	text.push_back('\0');
	const int max_dims = size > 0 && (data[0] & 1) ? 16000 : 4;
	const int capacity = vector_core::CountVectorTextElements(text.data(), max_dims + 1);
	auto *out = static_cast<vector_core::Half *>(
	    std::malloc(sizeof(vector_core::Half) * static_cast<std::size_t>(capacity)));
	const vector_core::VectorTextResult r = vector_core::ParseHalfvecText(text.data(), out, max_dims);
	if (r.status == vector_core::VectorTextStatus::kOk) {
		if (r.dims < 1 || r.dims > max_dims || r.dims > capacity)
			std::abort();
		for (int i = 0; i < r.dims; i++)
			if (vector_core::HalfIsNaN(out[i]) || vector_core::HalfIsInf(out[i]))
				std::abort();
	}
	std::free(out);
	return 0;
}
