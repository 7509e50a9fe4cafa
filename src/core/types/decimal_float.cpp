// Reading a float from decimal text; see decimal_float.h.
//
// The fast path: the digits give an integer m (< 2^53) and a power of ten e (|e| <= 22), both
// exact in a double, so m * 10^e (or m / 10^-e) is one IEEE operation and its result d is the
// correctly rounded double of the decimal number x. Rounding d to float gives the correctly
// rounded float of x unless d lies exactly halfway between two floats (then x may lie on either
// side of that midpoint and d does not say which): every float midpoint is a double, rounding is
// monotonic, so x and d are on the same side of every midpoint d is not. Such midpoints, numbers
// outside float's normal range (strtof's ERANGE), hexadecimal, inf/nan and more than 19
// significant digits go to strtof.
#include "core/types/decimal_float.h"

#include <cfloat>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace vector_core
{

namespace
{

constexpr double kPowersOfTen[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                   1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

bool IsDigit(char c) noexcept
{
	return c >= '0' && c <= '9';
}

} // namespace

bool ParsePlainDecimalFloat(const char *p, float *value, const char **end) noexcept
{
	const char *s = p;
	bool negative = false;
	if (*s == '+' || *s == '-') {
		negative = *s == '-';
		s++;
	}
	std::uint64_t mantissa = 0;
	int significant = 0; // digits in mantissa, leading zeros not counted
	int exponent = 0;    // of ten, for the digits after the point
	bool any_digit = false;
	for (; IsDigit(*s); s++) {
		any_digit = true;
		if (mantissa == 0 && *s == '0')
			continue;
		if (++significant > 19)
			return false;
		mantissa = mantissa * 10 + static_cast<std::uint64_t>(*s - '0');
	}
	if (*s == '.') {
		s++;
		for (; IsDigit(*s); s++) {
			any_digit = true;
			exponent--;
			if (mantissa == 0 && *s == '0')
				continue;
			if (++significant > 19)
				return false;
			mantissa = mantissa * 10 + static_cast<std::uint64_t>(*s - '0');
		}
	}
	if (!any_digit)
		return false; // "", ".", "inf", "nan", a sign alone: strtof's business
	if (*s == 'e' || *s == 'E') {
		const char *e = s + 1;
		bool exponent_negative = false;
		if (*e == '+' || *e == '-') {
			exponent_negative = *e == '-';
			e++;
		}
		if (!IsDigit(*e))
			return false; // "1e", "1e+": strtof stops before the 'e'
		int written = 0;
		for (; IsDigit(*e); e++) {
			if (written > 1000)
				return false;
			written = written * 10 + (*e - '0');
		}
		exponent += exponent_negative ? -written : written;
		s = e;
	}
	if (*s == 'x' || *s == 'X')
		return false; // "0x..." is hexadecimal to strtof
	if (mantissa == 0) {
		*value = negative ? -0.0f : 0.0f;
		*end = s;
		return true;
	}
	if (mantissa > (std::uint64_t{1} << 53) || exponent < -22 || exponent > 22)
		return false;
	double d = static_cast<double>(mantissa);
	d = exponent < 0 ? d / kPowersOfTen[-exponent] : d * kPowersOfTen[exponent];
	if (!(d >= FLT_MIN && d <= FLT_MAX))
		return false; // subnormal or overflowing floats: strtof sets errno
	std::uint64_t bits;
	std::memcpy(&bits, &d, sizeof(bits));
	// A float keeps 24 of the double's 53 significant bits: the 29 below them exactly
	// 1000...0 is a midpoint between two floats.
	if ((bits & ((std::uint64_t{1} << 29) - 1)) == (std::uint64_t{1} << 28))
		return false;
	const float f = static_cast<float>(d);
	*value = negative ? -f : f;
	*end = s;
	return true;
}

float StrToFloat(const char *p, char **end) noexcept
{
	float value;
	const char *fast_end;
	if (ParsePlainDecimalFloat(p, &value, &fast_end)) {
		*end = const_cast<char *>(fast_end);
		return value;
	}
	return std::strtof(p, end);
}

} // namespace vector_core
