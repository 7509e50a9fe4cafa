// Portable and POPCNT bit-string distances and their dispatch; see bit_distance.h.
//
// Both loops read 8 bytes at a time through memcpy (the strings have no alignment guarantee)
// and finish byte by byte. The portable level counts with std::popcount compiled for the
// baseline ISA (a few shifts and masks per word); the popcnt level is the same loop compiled
// with the POPCNT instruction enabled.
#include "core/distance/bit_distance.h"

#include <bit>
#include <cstring>

#include "core/distance/float_distance.h"

namespace vector_core
{

namespace
{

// Reads 8 bytes at p without alignment requirement.
inline std::uint64_t LoadWord(const std::uint8_t *p)
{
	std::uint64_t word;
	std::memcpy(&word, p, sizeof(word));
	return word;
}

} // namespace

// The shared loops, instantiated once per target below.
#define VECTOR_BIT_KERNELS(ATTRIBUTE)                                                                                  \
	ATTRIBUTE std::uint64_t HammingDistance(const std::uint8_t *a, const std::uint8_t *b, std::size_t bytes)       \
	{                                                                                                              \
		std::uint64_t distance = 0;                                                                            \
		std::size_t i = 0;                                                                                     \
		for (; i + 8 <= bytes; i += 8)                                                                         \
			distance += std::popcount(LoadWord(a + i) ^ LoadWord(b + i));                                  \
		for (; i < bytes; i++)                                                                                 \
			distance += std::popcount(static_cast<unsigned>(a[i] ^ b[i]));                                 \
		return distance;                                                                                       \
	}                                                                                                              \
	ATTRIBUTE JaccardCounts JaccardCountBits(const std::uint8_t *a, const std::uint8_t *b, std::size_t bytes)      \
	{                                                                                                              \
		JaccardCounts counts{0, 0, 0};                                                                         \
		std::size_t i = 0;                                                                                     \
		for (; i + 8 <= bytes; i += 8) {                                                                       \
			std::uint64_t x = LoadWord(a + i);                                                             \
			std::uint64_t y = LoadWord(b + i);                                                             \
			counts.both += std::popcount(x & y);                                                           \
			counts.a += std::popcount(x);                                                                  \
			counts.b += std::popcount(y);                                                                  \
		}                                                                                                      \
		for (; i < bytes; i++) {                                                                               \
			counts.both += std::popcount(static_cast<unsigned>(a[i] & b[i]));                              \
			counts.a += std::popcount(static_cast<unsigned>(a[i]));                                        \
			counts.b += std::popcount(static_cast<unsigned>(b[i]));                                        \
		}                                                                                                      \
		return counts;                                                                                         \
	}

namespace scalar
{
// HammingDistance: popcount of a ^ b, word by word; JaccardCountBits: the three popcounts.
VECTOR_BIT_KERNELS()
} // namespace scalar

#if defined(__x86_64__) || defined(__i386__)
namespace popcnt
{
// True when the CPU has the POPCNT instruction.
bool Supported()
{
	static const bool supported = [] {
		__builtin_cpu_init();
		return __builtin_cpu_supports("popcnt") != 0;
	}();
	return supported;
}
// The scalar loops compiled with POPCNT (one instruction per word).
VECTOR_BIT_KERNELS(__attribute__((target("popcnt"))))
} // namespace popcnt
#else
namespace popcnt
{
// No POPCNT outside x86.
bool Supported()
{
	return false;
}
// Scalar stand-in on non-x86 builds.
std::uint64_t HammingDistance(const std::uint8_t *a, const std::uint8_t *b, std::size_t bytes)
{
	return scalar::HammingDistance(a, b, bytes);
}
// Scalar stand-in on non-x86 builds.
JaccardCounts JaccardCountBits(const std::uint8_t *a, const std::uint8_t *b, std::size_t bytes)
{
	return scalar::JaccardCountBits(a, b, bytes);
}
} // namespace popcnt
#endif

#undef VECTOR_BIT_KERNELS

namespace
{

// Which implementation serves the active SIMD level on this CPU.
enum class BitImpl { kScalar, kPopcnt, kAvx512 };

// Follows float_distance.h's active level (so SetSimdLevel(kScalar) also forces portable counts),
// then the CPU's own popcount features.
inline BitImpl ChooseBitImpl()
{
	switch (ActiveSimdLevel()) {
	case SimdLevel::kAvx512:
		if (avx512::VpopcntdqSupported())
			return BitImpl::kAvx512;
		[[fallthrough]];
	case SimdLevel::kAvx2:
		if (popcnt::Supported())
			return BitImpl::kPopcnt;
		break;
	case SimdLevel::kScalar:
		break;
	}
	return BitImpl::kScalar;
}

} // namespace

// Dispatches to the chosen implementation's Hamming distance.
std::uint64_t HammingDistance(const std::uint8_t *a, const std::uint8_t *b, std::size_t bytes)
{
	switch (ChooseBitImpl()) {
	case BitImpl::kAvx512:
		return avx512::HammingDistance(a, b, bytes);
	case BitImpl::kPopcnt:
		return popcnt::HammingDistance(a, b, bytes);
	case BitImpl::kScalar:
		break;
	}
	return scalar::HammingDistance(a, b, bytes);
}

// 1 - both / (a + b - both), or 1 when nothing is shared (avoids 0 / 0 for all-zero strings).
double JaccardFromCounts(const JaccardCounts &counts)
{
	if (counts.both == 0)
		return 1.0;
	return 1.0 - static_cast<double>(counts.both) / static_cast<double>(counts.a + counts.b - counts.both);
}

// Dispatches the counting, then applies JaccardFromCounts.
double JaccardDistance(const std::uint8_t *a, const std::uint8_t *b, std::size_t bytes)
{
	switch (ChooseBitImpl()) {
	case BitImpl::kAvx512:
		return JaccardFromCounts(avx512::JaccardCountBits(a, b, bytes));
	case BitImpl::kPopcnt:
		return JaccardFromCounts(popcnt::JaccardCountBits(a, b, bytes));
	case BitImpl::kScalar:
		break;
	}
	return JaccardFromCounts(scalar::JaccardCountBits(a, b, bytes));
}

// Name of the implementation the dispatched functions use now.
const char *BitDistanceImplementation()
{
	switch (ChooseBitImpl()) {
	case BitImpl::kAvx512:
		return "avx512";
	case BitImpl::kPopcnt:
		return "popcnt";
	case BitImpl::kScalar:
		break;
	}
	return "scalar";
}

} // namespace vector_core
