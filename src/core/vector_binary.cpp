// Decoding of the vector binary form; see vector_binary.h.
#include "core/vector_binary.h"

#include <cmath>
#include <cstdint>
#include <cstring>

namespace vector_core {

static std::uint32_t BigEndian32(const unsigned char *p) noexcept
{
	return (static_cast<std::uint32_t>(p[0]) << 24) | (static_cast<std::uint32_t>(p[1]) << 16) |
	       (static_cast<std::uint32_t>(p[2]) << 8) | static_cast<std::uint32_t>(p[3]);
}

VectorBinaryStatus DecodeVectorBinaryHeader(const unsigned char *data, std::size_t len, int *dim, int *unused) noexcept
{
	if (len < 4)
		return VectorBinaryStatus::kShort;
	*dim = static_cast<std::int16_t>((data[0] << 8) | data[1]);
	*unused = static_cast<std::int16_t>((data[2] << 8) | data[3]);
	return VectorBinaryStatus::kOk;
}

VectorBinaryStatus DecodeVectorBinaryValues(const unsigned char *data, std::size_t len, int dim, float *out,
                                            std::size_t *consumed) noexcept
{
	*consumed = 0;
	if (dim < 0 || len / 4 < static_cast<std::size_t>(dim))
		return VectorBinaryStatus::kShort;
	for (int i = 0; i < dim; i++) {
		const std::uint32_t bits = BigEndian32(data + 4 * static_cast<std::size_t>(i));
		float value;
		std::memcpy(&value, &bits, sizeof(value));
		*consumed += 4;
		if (std::isnan(value))
			return VectorBinaryStatus::kNaN;
		if (std::isinf(value))
			return VectorBinaryStatus::kInfinite;
		out[i] = value;
	}
	return VectorBinaryStatus::kOk;
}

} // namespace vector_core
