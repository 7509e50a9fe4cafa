// Decoding of the vector binary form; see vector_binary.h.
#include "core/types/vector_binary.h"

#include <cmath>
#include <cstdint>
#include <cstring>

namespace vector_core
{

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

VectorBinaryStatus DecodeHalfvecBinaryValues(const unsigned char *data, std::size_t len, int dim, std::uint16_t *out,
                                             std::size_t *consumed) noexcept
{
	*consumed = 0;
	if (dim < 0 || len / 2 < static_cast<std::size_t>(dim))
		return VectorBinaryStatus::kShort;
	for (int i = 0; i < dim; i++) {
		const unsigned char *p = data + 2 * static_cast<std::size_t>(i);
		const std::uint16_t bits = static_cast<std::uint16_t>((p[0] << 8) | p[1]);
		*consumed += 2;
		out[i] = bits;
		if ((bits & 0x7C00) == 0x7C00)
			return (bits & 0x03FF) != 0 ? VectorBinaryStatus::kNaN : VectorBinaryStatus::kInfinite;
	}
	return VectorBinaryStatus::kOk;
}

VectorBinaryStatus DecodeSparsevecBinaryHeader(const unsigned char *data, std::size_t len, std::int32_t *dim,
                                               std::int32_t *nnz, std::int32_t *unused) noexcept
{
	if (len < 12)
		return VectorBinaryStatus::kShort;
	*dim = static_cast<std::int32_t>(BigEndian32(data));
	*nnz = static_cast<std::int32_t>(BigEndian32(data + 4));
	*unused = static_cast<std::int32_t>(BigEndian32(data + 8));
	return VectorBinaryStatus::kOk;
}

VectorBinaryStatus DecodeInt32BinaryValues(const unsigned char *data, std::size_t len, int count, std::int32_t *out,
                                           std::size_t *consumed) noexcept
{
	*consumed = 0;
	if (count < 0 || len / 4 < static_cast<std::size_t>(count))
		return VectorBinaryStatus::kShort;
	for (int i = 0; i < count; i++)
		out[i] = static_cast<std::int32_t>(BigEndian32(data + 4 * static_cast<std::size_t>(i)));
	*consumed = 4 * static_cast<std::size_t>(count);
	return VectorBinaryStatus::kOk;
}

VectorBinaryStatus DecodeSparsevecBinaryValues(const unsigned char *data, std::size_t len, int count, float *out,
                                               std::size_t *consumed) noexcept
{
	*consumed = 0;
	if (count < 0 || len / 4 < static_cast<std::size_t>(count))
		return VectorBinaryStatus::kShort;
	for (int i = 0; i < count; i++) {
		const std::uint32_t bits = BigEndian32(data + 4 * static_cast<std::size_t>(i));
		float value;
		std::memcpy(&value, &bits, sizeof(value));
		*consumed += 4;
		out[i] = value;
		if (std::isnan(value))
			return VectorBinaryStatus::kNaN;
		if (std::isinf(value))
			return VectorBinaryStatus::kInfinite;
		if (value == 0.0f)
			return VectorBinaryStatus::kZero;
	}
	return VectorBinaryStatus::kOk;
}

} // namespace vector_core
