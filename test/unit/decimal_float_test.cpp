// Unit tests of StrToFloat (src/core/types/decimal_float.cpp): the same value, end and errno as
// std::strtof for every input, and the fast path taken for the forms clients send.
#include <gtest/gtest.h>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/types/decimal_float.h"

using vector_core::ParsePlainDecimalFloat;
using vector_core::StrToFloat;

namespace
{

// Whether StrToFloat agrees with strtof on text: bit-identical value, same end, same errno.
void ExpectSameAsStrtof(const std::string &text)
{
	char *ref_end = nullptr;
	errno = 0;
	const float ref = std::strtof(text.c_str(), &ref_end);
	const int ref_errno = errno;
	char *end = nullptr;
	errno = 0;
	const float got = StrToFloat(text.c_str(), &end);
	const int got_errno = errno;
	std::uint32_t ref_bits, got_bits;
	std::memcpy(&ref_bits, &ref, 4);
	std::memcpy(&got_bits, &got, 4);
	// NaNs compare by being NaNs (strtof's payload is not ours to match).
	if (!(ref != ref && got != got)) {
		EXPECT_EQ(ref_bits, got_bits) << "\"" << text << "\": strtof " << ref << ", ours " << got;
	}
	EXPECT_EQ(ref_end - text.c_str(), end - text.c_str()) << "\"" << text << "\"";
	EXPECT_EQ(ref_errno, got_errno) << "\"" << text << "\"";
}

} // namespace

TEST(DecimalFloat, EdgeFormsMatchStrtof)
{
	const char *cases[] = {"0",
	                       "-0",
	                       "+0",
	                       "0.0",
	                       "-0.0",
	                       "00001.000",
	                       "1.",
	                       ".5",
	                       "-.5e-3",
	                       "+.5E+3",
	                       "1e5",
	                       "1e",
	                       "1e+",
	                       "1e-",
	                       "1ex",
	                       "1.5e5x",
	                       ".",
	                       "-",
	                       "+",
	                       "",
	                       " 1",
	                       "e5",
	                       "inf",
	                       "-Infinity",
	                       "nan",
	                       "NaN",
	                       "0x1p3",
	                       "0x",
	                       "0X1A",
	                       "1,2",
	                       "1]",
	                       "3.4028235e38",
	                       "3.4028236e38",
	                       "3.40282357e38",
	                       "1e39",
	                       "-1e39",
	                       "1.17549435e-38",
	                       "1.1754942e-38",
	                       "1e-45",
	                       "1e-46",
	                       "7e-46",
	                       "1e-400",
	                       "0e999999",
	                       "123456789012345678",
	                       "1234567890123456789",
	                       "12345678901234567890",
	                       "0.00000000000000000000000001",
	                       "9007199254740993",
	                       "9007199254740992e-22",
	                       "1e22",
	                       "1e23",
	                       "16777217",
	                       "16777216.5",
	                       "16777217.0000001",
	                       "0.1",
	                       "0.2",
	                       "0.3",
	                       "2.5e-10",
	                       "1.000000059604644775390625",
	                       "1.00000005960464477539062499",
	                       "1.000000059604644775390624",
	                       "33554431",
	                       "33554433"};
	for (const char *c : cases)
		ExpectSameAsStrtof(c);
}

TEST(DecimalFloat, RandomNumbersMatchStrtof)
{
	std::mt19937_64 rng(20261203);
	std::uniform_real_distribution<double> unit(-1.0, 1.0);
	std::uniform_int_distribution<int> exp10(-50, 45);
	std::uniform_int_distribution<int> digits(1, 21);
	std::uniform_int_distribution<int> digit(0, 9);
	char buffer[128];
	const char *formats[] = {"%.9g", "%.6g", "%.17g", "%.3e", "%.8e", "%.12f", "%g", "%.1f"};
	for (int i = 0; i < 200000; i++) {
		// Printed floats, as clients send them.
		const double v = unit(rng) * std::pow(10.0, exp10(rng) / 2);
		std::snprintf(buffer, sizeof(buffer), formats[i % 8], v);
		ExpectSameAsStrtof(buffer);
		// Random digit strings with a point and an exponent, near ties included.
		char *out = buffer;
		if (i & 1)
			*out++ = '-';
		const int n = digits(rng);
		const int point = std::uniform_int_distribution<int>(0, n)(rng);
		for (int d = 0; d < n; d++) {
			if (d == point)
				*out++ = '.';
			*out++ = static_cast<char>('0' + digit(rng));
		}
		*out = '\0';
		if (i % 3 == 0)
			std::snprintf(out, sizeof(buffer) - static_cast<std::size_t>(out - buffer), "e%d",
			              exp10(rng) / 2);
		ExpectSameAsStrtof(buffer);
	}
	// Exact float midpoints in decimal (the double-rounding hazard): m + 1/2 ulp for floats near
	// 1 and near 2^24, each printed exactly, and one digit more or less.
	for (std::uint32_t m = 0; m < 20000; m++) {
		for (const double base : {1.0, 16777216.0, 0.001, 123456.0}) {
			const float start = static_cast<float>(base);
			std::uint32_t bits;
			std::memcpy(&bits, &start, 4);
			bits += m;
			float f;
			std::memcpy(&f, &bits, 4);
			const double mid = (static_cast<double>(f) + static_cast<double>(std::nextafter(f, 3e38f))) / 2;
			std::snprintf(buffer, sizeof(buffer), "%.40g", mid);
			ExpectSameAsStrtof(buffer);
			std::snprintf(buffer, sizeof(buffer), "%.17g", mid);
			ExpectSameAsStrtof(buffer);
			std::snprintf(buffer, sizeof(buffer), "%.16g", mid);
			ExpectSameAsStrtof(buffer);
		}
	}
}

TEST(DecimalFloat, FastPathTakesTheCommonForms)
{
	// The forms clients print (9 significant digits, short decimals, exponents) take the fast
	// path; a change that silently sent them all to strtof would still pass the tests above.
	std::mt19937_64 rng(7);
	std::normal_distribution<float> normal(0.0f, 0.05f);
	char buffer[64];
	int fast = 0;
	const int total = 10000;
	for (int i = 0; i < total; i++) {
		std::snprintf(buffer, sizeof(buffer), "%.9g", normal(rng));
		float value;
		const char *end;
		fast += ParsePlainDecimalFloat(buffer, &value, &end) ? 1 : 0;
	}
	EXPECT_GE(fast, total * 99 / 100);
	float value;
	const char *end;
	EXPECT_TRUE(ParsePlainDecimalFloat("-0.0123456789", &value, &end));
	EXPECT_TRUE(ParsePlainDecimalFloat("1.5e-3,", &value, &end));
	EXPECT_EQ(*end, ',');
	EXPECT_FALSE(ParsePlainDecimalFloat("inf", &value, &end));
	EXPECT_FALSE(ParsePlainDecimalFloat("1e-45", &value, &end));
}
