// Unit tests of the sparse distance kernels (core/distance/sparse_distance.h) against the dense
// computation of the same vectors, and of the sparsevec text parser and index checks
// (core/types/sparsevec_text.h).
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/distance/sparse_distance.h"
#include "core/types/sparsevec_text.h"

namespace vector_core
{
namespace
{

// A sparse vector as parallel arrays, with its dense form.
struct Sparse {
	std::vector<std::int32_t> indices;
	std::vector<float> values;
	std::vector<float> dense;
};

// Random sparse vector of dimension dim with about density * dim non-zero elements.
Sparse RandomSparse(std::mt19937 &rng, int dim, double density)
{
	std::bernoulli_distribution present(density);
	std::uniform_real_distribution<float> value(-10.0f, 10.0f);
	Sparse s;
	s.dense.assign(static_cast<std::size_t>(dim), 0.0f);
	for (int i = 0; i < dim; i++) {
		if (!present(rng))
			continue;
		float v = value(rng);
		if (v == 0)
			continue;
		s.indices.push_back(i);
		s.values.push_back(v);
		s.dense[static_cast<std::size_t>(i)] = v;
	}
	return s;
}

TEST(SparseDistance, MatchesDenseComputation)
{
	std::mt19937 rng(9);
	for (int trial = 0; trial < 400; trial++) {
		int dim = 1 + trial % 97;
		Sparse a = RandomSparse(rng, dim, (trial % 5) / 4.0);
		Sparse b = RandomSparse(rng, dim, ((trial / 5) % 5) / 4.0);
		double l2 = 0, ip = 0, ip_abs = 0, l1 = 0, norm = 0;
		for (int i = 0; i < dim; i++) {
			double x = a.dense[i];
			double y = b.dense[i];
			l2 += (x - y) * (x - y);
			ip += x * y;
			ip_abs += std::fabs(x * y);
			l1 += std::fabs(x - y);
			norm += x * x;
		}
		int an = static_cast<int>(a.indices.size());
		int bn = static_cast<int>(b.indices.size());
		SCOPED_TRACE("trial " + std::to_string(trial));
		EXPECT_NEAR(SparseL2SquaredDistance(a.indices.data(), a.values.data(), an, b.indices.data(),
		                                    b.values.data(), bn),
		            l2, 1e-5 * l2 + 1e-6);
		EXPECT_NEAR(
		    SparseInnerProduct(a.indices.data(), a.values.data(), an, b.indices.data(), b.values.data(), bn),
		    ip, 1e-5 * ip_abs + 1e-6);
		EXPECT_NEAR(
		    SparseL1Distance(a.indices.data(), a.values.data(), an, b.indices.data(), b.values.data(), bn), l1,
		    1e-5 * l1 + 1e-6);
		EXPECT_NEAR(SparseSquaredNorm(a.values.data(), an), norm, 1e-12 * norm);
		EXPECT_NEAR(SparseSquaredNormFloat(a.values.data(), an), norm, 1e-5 * norm + 1e-6);
		// The fused cosine walk gives the separate kernels' sums bit for bit (same order).
		CosineParts parts =
		    SparseCosineParts(a.indices.data(), a.values.data(), an, b.indices.data(), b.values.data(), bn);
		EXPECT_EQ(parts.dot, SparseInnerProduct(a.indices.data(), a.values.data(), an, b.indices.data(),
		                                        b.values.data(), bn));
		EXPECT_EQ(parts.norm_a, SparseSquaredNormFloat(a.values.data(), an));
		EXPECT_EQ(parts.norm_b, SparseSquaredNormFloat(b.values.data(), bn));
		// Symmetric and zero against itself.
		EXPECT_EQ(SparseL2SquaredDistance(a.indices.data(), a.values.data(), an, a.indices.data(),
		                                  a.values.data(), an),
		          0.0f);
		EXPECT_EQ(
		    SparseL1Distance(a.indices.data(), a.values.data(), an, b.indices.data(), b.values.data(), bn),
		    SparseL1Distance(b.indices.data(), b.values.data(), bn, a.indices.data(), a.values.data(), an));
	}
}

TEST(SparseDistance, EmptyOperands)
{
	std::int32_t idx[] = {2};
	float val[] = {3.0f};
	EXPECT_EQ(SparseL2SquaredDistance(nullptr, nullptr, 0, idx, val, 1), 9.0f);
	EXPECT_EQ(SparseL2SquaredDistance(idx, val, 1, nullptr, nullptr, 0), 9.0f);
	EXPECT_EQ(SparseInnerProduct(idx, val, 1, nullptr, nullptr, 0), 0.0f);
	EXPECT_EQ(SparseL1Distance(nullptr, nullptr, 0, nullptr, nullptr, 0), 0.0f);
	EXPECT_EQ(SparseSquaredNorm(nullptr, 0), 0.0);
	CosineParts parts = SparseCosineParts(idx, val, 1, nullptr, nullptr, 0);
	EXPECT_EQ(parts.dot, 0.0f);
	EXPECT_EQ(parts.norm_a, 9.0f);
	EXPECT_EQ(parts.norm_b, 0.0f);
	parts = SparseCosineParts(nullptr, nullptr, 0, idx, val, 1);
	EXPECT_EQ(parts.norm_a, 0.0f);
	EXPECT_EQ(parts.norm_b, 9.0f);
}

// Parses text with room for capacity elements.
SparsevecTextResult Parse(const std::string &text, std::vector<SparseElement> *out, int capacity = 100)
{
	out->assign(static_cast<std::size_t>(capacity), SparseElement{0, 0});
	SparsevecTextResult r = ParseSparsevecText(text.c_str(), out->data(), capacity);
	out->resize(static_cast<std::size_t>(r.nnz));
	return r;
}

TEST(SparsevecText, AcceptsWellFormedInput)
{
	std::vector<SparseElement> e;
	SparsevecTextResult r = Parse(" { 1 : 1.5 ,3:-2e1, 5:0 }\t/ 5 ", &e);
	ASSERT_EQ(r.status, SparsevecTextStatus::kOk);
	EXPECT_EQ(r.dim, 5);
	ASSERT_EQ(r.nnz, 2); // the explicit zero is dropped
	EXPECT_EQ(e[0].index, 0);
	EXPECT_EQ(e[0].value, 1.5f);
	EXPECT_EQ(e[1].index, 2);
	EXPECT_EQ(e[1].value, -20.0f);

	r = Parse("{}/3", &e);
	EXPECT_EQ(r.status, SparsevecTextStatus::kOk);
	EXPECT_EQ(r.nnz, 0);
	EXPECT_EQ(r.dim, 3);
}

TEST(SparsevecText, ReportsProblems)
{
	std::vector<SparseElement> e;
	EXPECT_EQ(Parse("1:1}/2", &e).status, SparsevecTextStatus::kMissingOpenBrace);
	EXPECT_EQ(Parse("", &e).status, SparsevecTextStatus::kMissingOpenBrace);
	EXPECT_EQ(Parse("{1:1", &e).status, SparsevecTextStatus::kInvalidSyntax);
	EXPECT_EQ(Parse("{1:1,}/2", &e).status, SparsevecTextStatus::kInvalidSyntax);
	EXPECT_EQ(Parse("{a:1}/2", &e).status, SparsevecTextStatus::kInvalidSyntax);
	EXPECT_EQ(Parse("{1 1}/2", &e).status, SparsevecTextStatus::kInvalidSyntax);
	EXPECT_EQ(Parse("{1:x}/2", &e).status, SparsevecTextStatus::kInvalidSyntax);
	EXPECT_EQ(Parse("{1:1}", &e).status, SparsevecTextStatus::kUnexpectedEnd);
	EXPECT_EQ(Parse("{1:1}/", &e).status, SparsevecTextStatus::kInvalidSyntax);
	EXPECT_EQ(Parse("{1:1}/2x", &e).status, SparsevecTextStatus::kJunkAfterClose);
	EXPECT_EQ(Parse("{1:nan}/2", &e).status, SparsevecTextStatus::kNaN);
	EXPECT_EQ(Parse("{1:-inf}/2", &e).status, SparsevecTextStatus::kInfinite);
	SparsevecTextResult r = Parse("{1:1e39}/2", &e);
	EXPECT_EQ(r.status, SparsevecTextStatus::kOutOfRange);
	EXPECT_EQ(std::string("{1:1e39}/2").substr(r.token_begin, r.token_length), "1e39");
	EXPECT_EQ(Parse("{1:1e-50}/2", &e).status, SparsevecTextStatus::kOutOfRange);
	EXPECT_EQ(Parse("{1:1,2:2,3:3}/3", &e, 2).status, SparsevecTextStatus::kTooManyElements);
	// Huge numbers are clamped, not wrapped.
	r = Parse("{99999999999:1}/99999999999", &e);
	EXPECT_EQ(r.status, SparsevecTextStatus::kOk);
	EXPECT_EQ(r.dim, 2147483647);
	EXPECT_EQ(e[0].index, 2147483646);
	r = Parse("{-99999999999:1}/-99999999999", &e);
	EXPECT_EQ(e[0].index, INT32_MIN);
	EXPECT_EQ(r.dim, -2147483648LL);
}

TEST(SparsevecText, CountsElementsUpToTheCap)
{
	EXPECT_EQ(CountSparsevecTextElements("{}/1", 10), 1);
	EXPECT_EQ(CountSparsevecTextElements("{1:1,2:2,3:3}/3", 10), 3);
	EXPECT_EQ(CountSparsevecTextElements("{1:1,2:2,3:3}/3", 1), 2);
}

TEST(SparseIndices, SortAndCheck)
{
	std::vector<SparseElement> e{{4, 1}, {0, 2}, {2, 3}};
	SortSparseElements(e.data(), 3);
	EXPECT_EQ(e[0].index, 0);
	EXPECT_EQ(e[0].value, 2.0f);
	EXPECT_EQ(e[2].index, 4);

	std::int32_t ok[] = {0, 2, 4};
	EXPECT_EQ(CheckSparseIndices(ok, 3, 5), SparseIndexStatus::kOk);
	EXPECT_EQ(CheckSparseIndices(ok, 3, 4), SparseIndexStatus::kOutOfBounds);
	std::int32_t negative[] = {-1, 2};
	EXPECT_EQ(CheckSparseIndices(negative, 2, 5), SparseIndexStatus::kOutOfBounds);
	std::int32_t unsorted[] = {2, 1};
	EXPECT_EQ(CheckSparseIndices(unsorted, 2, 5), SparseIndexStatus::kNotAscending);
	std::int32_t duplicate[] = {1, 1, 9};
	// The duplicate at position 1 is found before the out-of-bounds index at position 2.
	EXPECT_EQ(CheckSparseIndices(duplicate, 3, 5), SparseIndexStatus::kDuplicate);
	EXPECT_EQ(CheckSparseIndices(nullptr, 0, 1), SparseIndexStatus::kOk);
}

// Well-formed inputs with a few random edits (insert, delete, replace over the grammar's
// alphabet): the parser must stay within its buffer (the sanitizer build checks that) and
// report consistent results for whatever survives.
TEST(SparsevecText, SurvivesRandomEdits)
{
	const std::string alphabet = "{}:,/0123456789.-+eEnaif \t";
	std::mt19937 rng(13);
	std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
	std::uniform_int_distribution<int> small(0, 9);
	int parsed = 0;
	int refused = 0;
	for (int trial = 0; trial < 50000; trial++) {
		std::string text = "{";
		for (int i = small(rng); i > 0; i--)
			text += std::to_string(small(rng) + 1) + ":" + std::to_string(small(rng) - 3) + ".5,";
		text += "1:2}/" + std::to_string(small(rng) + 1);
		for (int edits = small(rng) % 4; edits > 0; edits--) {
			std::size_t at = std::uniform_int_distribution<std::size_t>(0, text.size() - 1)(rng);
			switch (small(rng) % 3) {
			case 0:
				text.insert(at, 1, alphabet[pick(rng)]);
				break;
			case 1:
				text.erase(at, 1);
				break;
			default:
				text[at] = alphabet[pick(rng)];
				break;
			}
		}
		int capacity = CountSparsevecTextElements(text.c_str(), 16000);
		std::vector<SparseElement> out(static_cast<std::size_t>(capacity));
		SparsevecTextResult r = ParseSparsevecText(text.c_str(), out.data(), capacity);
		ASSERT_LE(r.nnz, capacity) << text;
		ASSERT_GE(r.nnz, 0) << text;
		if (r.status == SparsevecTextStatus::kOutOfRange) {
			ASSERT_LE(r.token_begin + r.token_length, text.size()) << text;
		}
		if (r.status == SparsevecTextStatus::kOk) {
			parsed++;
			for (int i = 0; i < r.nnz; i++)
				ASSERT_NE(out[static_cast<std::size_t>(i)].value, 0.0f) << text;
		} else {
			refused++;
		}
	}
	// Both outcomes occur, so the test is not vacuous.
	EXPECT_GT(parsed, 0);
	EXPECT_GT(refused, 0);
}
} // namespace
} // namespace vector_core
