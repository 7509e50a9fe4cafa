// Unit tests of the vector text parser (src/core/vector_text.cpp).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/vector_text.h"

using vector_core::ParseVectorText;
using vector_core::VectorTextResult;
using vector_core::VectorTextStatus;

namespace {

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

}  // namespace
