// Unit tests of the vector text parser (src/core/types/vector_text.cpp).
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "core/types/vector_text.h"

using vector_core::ParseVectorText;
using vector_core::VectorTextResult;
using vector_core::VectorTextStatus;

namespace
{

// Parses text with room for max_dims elements and returns the result and values.
VectorTextResult Parse(const std::string &text, std::vector<float> *values, int max_dims = 16000)
{
	values->assign(static_cast<std::size_t>(max_dims), 0.0f);
	VectorTextResult r = ParseVectorText(text.c_str(), values->data(), max_dims);
	values->resize(static_cast<std::size_t>(r.dims));
	return r;
}

TEST(VectorText, AcceptsPlainAndSpacedForms)
{
	std::vector<float> v;
	EXPECT_EQ(Parse("[1,2,3]", &v).status, VectorTextStatus::kOk);
	EXPECT_EQ(v, (std::vector<float>{1, 2, 3}));
	EXPECT_EQ(Parse(" \t[ 1 ,\n2\r,\f3\v] \n", &v).status, VectorTextStatus::kOk);
	EXPECT_EQ(v, (std::vector<float>{1, 2, 3}));
	EXPECT_EQ(Parse("[1e2,-2.5e-1,+4,.5,5.]", &v).status, VectorTextStatus::kOk);
	EXPECT_EQ(v, (std::vector<float>{100, -0.25f, 4, 0.5f, 5}));
}

TEST(VectorText, ReportsProblemsInPgvectorOrder)
{
	std::vector<float> v;
	EXPECT_EQ(Parse("1,2", &v).status, VectorTextStatus::kMissingOpenBracket);
	EXPECT_EQ(Parse("", &v).status, VectorTextStatus::kMissingOpenBracket);
	EXPECT_EQ(Parse("[]", &v).status, VectorTextStatus::kNoDimensions);
	EXPECT_EQ(Parse("[  ]", &v).status, VectorTextStatus::kNoDimensions);
	EXPECT_EQ(Parse("[", &v).status, VectorTextStatus::kInvalidSyntax);
	EXPECT_EQ(Parse("[1,", &v).status, VectorTextStatus::kInvalidSyntax);
	EXPECT_EQ(Parse("[1,,2]", &v).status, VectorTextStatus::kInvalidSyntax);
	EXPECT_EQ(Parse("[1 2]", &v).status, VectorTextStatus::kInvalidSyntax);
	EXPECT_EQ(Parse("[1,2", &v).status, VectorTextStatus::kInvalidSyntax);
	EXPECT_EQ(Parse("[a]", &v).status, VectorTextStatus::kInvalidSyntax);
	EXPECT_EQ(Parse("[1]x", &v).status, VectorTextStatus::kJunkAfterClose);
	EXPECT_EQ(Parse("[NaN]", &v).status, VectorTextStatus::kNaN);
	EXPECT_EQ(Parse("[1,-inf]", &v).status, VectorTextStatus::kInfinite);
	// NaN is reported before a later syntax error, like pgvector.
	EXPECT_EQ(Parse("[nan,,", &v).status, VectorTextStatus::kNaN);
}

TEST(VectorText, OutOfRangeNamesTheToken)
{
	std::vector<float> v;
	std::string text = "[1, -4e38 ,2]";
	VectorTextResult r = Parse(text, &v);
	ASSERT_EQ(r.status, VectorTextStatus::kOutOfRange);
	EXPECT_EQ(text.substr(r.token_begin, r.token_length), "-4e38");
	// Underflow is not an error: it rounds to a denormal or zero.
	EXPECT_EQ(Parse("[1e-50]", &v).status, VectorTextStatus::kOk);
}

TEST(VectorText, EnforcesTheDimensionLimitWithoutOverrun)
{
	std::vector<float> v;
	EXPECT_EQ(Parse("[1,2,3]", &v, 3).status, VectorTextStatus::kOk);
	EXPECT_EQ(Parse("[1,2,3,4]", &v, 3).status, VectorTextStatus::kTooManyDimensions);
	std::string big = "[";
	for (int i = 0; i < 16001; i++)
		big += i ? ",1" : "1";
	big += "]";
	EXPECT_EQ(Parse(big, &v).status, VectorTextStatus::kTooManyDimensions);
	EXPECT_EQ(vector_core::CountVectorTextElements(big.c_str(), 16001), 16001);
	EXPECT_EQ(vector_core::CountVectorTextElements("[1,2]", 16001), 2);
}

} // namespace

namespace
{

// Parses halfvec text with room for max_dims halves.
VectorTextResult ParseHalf(const std::string &text, std::vector<vector_core::Half> *values, int max_dims = 16000)
{
	values->assign(static_cast<std::size_t>(max_dims), 0);
	VectorTextResult r = vector_core::ParseHalfvecText(text.c_str(), values->data(), max_dims);
	values->resize(static_cast<std::size_t>(r.dims));
	return r;
}

TEST(HalfvecText, ParsesIntoRoundedHalves)
{
	std::vector<vector_core::Half> v;
	ASSERT_EQ(ParseHalf("[1, -2.5, 0.1, 65504]", &v).status, VectorTextStatus::kOk);
	EXPECT_EQ(v, (std::vector<vector_core::Half>{0x3c00, 0xc100, 0x2e66, 0x7bff}));
}

TEST(HalfvecText, RefusesWhatHalfCannotHold)
{
	std::vector<vector_core::Half> v;
	std::string text = "[1, 65520]";
	VectorTextResult r = ParseHalf(text, &v);
	EXPECT_EQ(r.status, VectorTextStatus::kOutOfRange);
	EXPECT_EQ(text.substr(r.token_begin, r.token_length), "65520");
	EXPECT_EQ(ParseHalf("[1e39]", &v).status, VectorTextStatus::kOutOfRange);
	EXPECT_EQ(ParseHalf("[NaN]", &v).status, VectorTextStatus::kNaN);
	EXPECT_EQ(ParseHalf("[-Infinity]", &v).status, VectorTextStatus::kInfinite);
	// The out-of-range element comes first, so it is the one reported.
	EXPECT_EQ(ParseHalf("[70000, nan]", &v).status, VectorTextStatus::kOutOfRange);
	EXPECT_EQ(ParseHalf("[1,2,3]", &v, 2).status, VectorTextStatus::kTooManyDimensions);
	EXPECT_EQ(ParseHalf("[1] x", &v).status, VectorTextStatus::kJunkAfterClose);
	// Tiny values round to zero instead of failing, as pgvector does.
	ASSERT_EQ(ParseHalf("[1e-10]", &v).status, VectorTextStatus::kOk);
	EXPECT_EQ(v[0], 0);
}

// Random strings over the grammar's alphabet: the halfvec parser must stay within its buffer
// (the sanitizer build checks that) and only ever store finite halves.
TEST(HalfvecText, SurvivesRandomInput)
{
	const std::string alphabet = "[],0123456789.-+eEnaif \t";
	std::mt19937 rng(17);
	std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
	std::uniform_int_distribution<int> length(0, 30);
	int parsed = 0;
	for (int trial = 0; trial < 100000; trial++) {
		std::string text = trial % 2 == 0 ? "[" : "";
		for (int i = length(rng); i > 0; i--)
			text += alphabet[pick(rng)];
		std::vector<vector_core::Half> v;
		VectorTextResult r = ParseHalf(text, &v, 4);
		ASSERT_LE(r.dims, 4) << text;
		if (r.status == VectorTextStatus::kOk) {
			parsed++;
			for (vector_core::Half h : v)
				ASSERT_FALSE(vector_core::HalfIsInf(h) || vector_core::HalfIsNaN(h)) << text;
		}
	}
	EXPECT_GT(parsed, 0);
}

} // namespace
