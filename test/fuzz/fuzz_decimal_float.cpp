// libFuzzer target: StrToFloat against std::strtof on arbitrary bytes (the same value bits, end
// and errno), and the fast path alone never claiming a number strtof reads differently.
// core-sources: types/decimal_float.cpp
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/types/decimal_float.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
	std::vector<char> text(data, data + size);
	text.push_back('\0');
	char *ref_end = nullptr;
	errno = 0;
	const float ref = std::strtof(text.data(), &ref_end);
	const int ref_errno = errno;
	char *end = nullptr;
	errno = 0;
	const float got = vector_core::StrToFloat(text.data(), &end);
	const int got_errno = errno;
	std::uint32_t ref_bits, got_bits;
	std::memcpy(&ref_bits, &ref, 4);
	std::memcpy(&got_bits, &got, 4);
	const bool both_nan = ref != ref && got != got;
	if ((!both_nan && ref_bits != got_bits) || ref_end != end || ref_errno != got_errno)
		std::abort();
	return 0;
}
