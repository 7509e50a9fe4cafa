// Unit tests of the SQ8 rows of hnsw (core/distance/sq8_rows.h): the kernels against scalar
// references, the encoding's stored error norms, the estimates between rows, and above all that a
// query's bound is never above the distance the SQL operators compute (else PostgreSQL's re-rank
// would raise "index returned tuples in wrong order").
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "core/distance/element_distance.h"
#include "core/distance/float_distance.h"
#include "core/distance/sq8_rows.h"

using namespace vector_core;

namespace
{

// A row buffer, 4-byte aligned as on pages.
std::vector<std::uint32_t> Encode(const std::vector<float> &x)
{
	std::vector<std::uint32_t> row((Sq8RowBytes(x.size()) + 3) / 4);
	Sq8EncodeRow(x.data(), x.size(), row.data());
	return row;
}

std::vector<std::uint32_t> Query(const std::vector<float> &q)
{
	std::vector<std::uint32_t> out(Sq8QueryBytes(q.size()) / 4);
	Sq8PrepareQuery(q.data(), q.size(), out.data());
	return out;
}

const std::uint8_t *CodesOf(const std::vector<std::uint32_t> &row)
{
	return reinterpret_cast<const std::uint8_t *>(row.data()) + kSq8HeaderBytes;
}

std::vector<float> Normalised(const std::vector<float> &x)
{
	const double norm = std::sqrt(SquaredNormDouble(x.data(), x.size()));
	std::vector<float> out(x.size());
	for (std::size_t i = 0; i < x.size(); i++)
		out[i] = static_cast<float>(x[i] / norm);
	return out;
}

// Rows of several shapes: scale and offset vary, some constant, some with one large value.
std::vector<float> RandomRow(std::mt19937 &gen, std::size_t dims, int shape)
{
	std::normal_distribution<float> normal(0.0f, 1.0f);
	std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
	std::vector<float> x(dims);
	const float scales[] = {1.0f, 1e-20f, 1e20f, 3.0f, 0.01f};
	const float scale = scales[shape % 5];
	for (std::size_t i = 0; i < dims; i++) {
		switch (shape % 4) {
		case 0:
			x[i] = normal(gen) * scale;
			break;
		case 1:
			x[i] = (uniform(gen) + 5.0f) * scale;
			break;
		case 2:
			x[i] = (i % 17 == 0 ? 100.0f : uniform(gen)) * scale;
			break;
		default:
			x[i] = 0.5f * scale;
			break;
		}
	}
	return x;
}

// The operators' values, as the SQL functions compute them (float kernels) and in double; the
// smaller of the two.
double OperatorL2(const std::vector<float> &q, const std::vector<float> &x)
{
	double exact = 0;
	for (std::size_t i = 0; i < q.size(); i++)
		exact += (static_cast<double>(q[i]) - x[i]) * (static_cast<double>(q[i]) - x[i]);
	return std::min(std::sqrt(exact),
	                std::sqrt(static_cast<double>(L2SquaredDistance(q.data(), x.data(), q.size()))));
}

double OperatorNegativeIp(const std::vector<float> &q, const std::vector<float> &x)
{
	double exact = 0;
	for (std::size_t i = 0; i < q.size(); i++)
		exact += static_cast<double>(q[i]) * x[i];
	return std::min(-exact, -static_cast<double>(InnerProduct(q.data(), x.data(), q.size())));
}

double OperatorCosine(const std::vector<float> &q, const std::vector<float> &x)
{
	const CosineParts parts = CosineDistanceParts(q.data(), x.data(), q.size());
	double similarity = static_cast<double>(parts.dot) /
	                    std::sqrt(static_cast<double>(parts.norm_a) * static_cast<double>(parts.norm_b));
	similarity = std::clamp(similarity, -1.0, 1.0);
	double dot = 0, nq = 0, nx = 0;
	for (std::size_t i = 0; i < q.size(); i++) {
		dot += static_cast<double>(q[i]) * x[i];
		nq += static_cast<double>(q[i]) * q[i];
		nx += static_cast<double>(x[i]) * x[i];
	}
	return std::min(1.0 - similarity, 1.0 - std::clamp(dot / std::sqrt(nq * nx), -1.0, 1.0));
}

double OperatorL1(const std::vector<float> &q, const std::vector<float> &x)
{
	double exact = 0;
	for (std::size_t i = 0; i < q.size(); i++)
		exact += std::fabs(static_cast<double>(q[i]) - x[i]);
	return std::min(exact, static_cast<double>(L1Distance(q.data(), x.data(), q.size())));
}

} // namespace

TEST(Sq8Rows, KernelsMatchScalarReferences)
{
	std::mt19937 gen(7);
	std::uniform_int_distribution<int> byte(0, 255);
	std::normal_distribution<float> normal(0.0f, 1.0f);
	for (std::size_t n : {1, 3, 7, 8, 15, 16, 17, 31, 64, 65, 100, 768, 1536, 16000}) {
		std::vector<std::uint8_t> a(n), b(n);
		std::vector<float> q(n);
		for (std::size_t i = 0; i < n; i++) {
			a[i] = static_cast<std::uint8_t>(byte(gen));
			b[i] = static_cast<std::uint8_t>(byte(gen));
			q[i] = normal(gen);
		}
		double dot = 0, abs_dot = 0, l1 = 0, l1_scale = 0, l1c = 0;
		std::uint64_t codes = 0;
		const float lo = -0.75f, step = 0.0123f, lo_b = 0.25f, step_b = 0.004f;
		for (std::size_t i = 0; i < n; i++) {
			dot += static_cast<double>(q[i]) * a[i];
			abs_dot += std::fabs(static_cast<double>(q[i]) * a[i]);
			codes += static_cast<std::uint64_t>(a[i]) * b[i];
			const double xa = static_cast<double>(lo) + static_cast<double>(step) * a[i];
			const double xb = static_cast<double>(lo_b) + static_cast<double>(step_b) * b[i];
			l1 += std::fabs(q[i] - xa);
			l1_scale += std::fabs(q[i]) + std::fabs(xa);
			l1c += std::fabs(xa - xb);
		}
		const double tolerance = Sq8RoundingSlack(n);
		EXPECT_NEAR(Sq8DotFloat(q.data(), a.data(), n), dot, tolerance * abs_dot + 1e-6) << n;
		EXPECT_EQ(Sq8DotCodes(a.data(), b.data(), n), codes) << n;
		EXPECT_NEAR(Sq8L1Float(q.data(), lo, step, a.data(), n), l1, tolerance * l1_scale) << n;
		EXPECT_NEAR(Sq8L1Codes(lo, step, a.data(), lo_b, step_b, b.data(), n), l1c, tolerance * l1_scale + 1e-6)
		    << n;
	}
}

// Every level this CPU has gives the scalar kernels' results (codes exactly, floats within the
// rounding the bounds allow for).
TEST(Sq8Rows, EveryLevelMatchesTheScalarKernels)
{
	std::mt19937 gen(9);
	std::uniform_int_distribution<int> byte(0, 255);
	std::normal_distribution<float> normal(0.0f, 1.0f);
	const SimdLevel detected = DetectedSimdLevel();
	for (std::size_t n = 0; n <= 300; n += (n < 70 ? 1 : 37)) {
		std::vector<std::uint8_t> a(n + 1), b(n + 1);
		std::vector<float> q(n + 1);
		double abs_dot = 0;
		for (std::size_t i = 0; i < n; i++) {
			a[i] = static_cast<std::uint8_t>(byte(gen));
			b[i] = static_cast<std::uint8_t>(byte(gen));
			q[i] = normal(gen);
			abs_dot += std::fabs(q[i]) * a[i];
		}
		const float dot = sq8_levels::DotFloatScalar(q.data(), a.data(), n);
		const std::uint32_t codes = sq8_levels::DotCodesScalar(a.data(), b.data(), n);
		const double tolerance = Sq8RoundingSlack(n) * abs_dot + 1e-6;
		if (detected >= SimdLevel::kAvx2) {
			EXPECT_NEAR(sq8_levels::DotFloatAvx2(q.data(), a.data(), n), dot, tolerance) << n;
			EXPECT_EQ(sq8_levels::DotCodesAvx2(a.data(), b.data(), n), codes) << n;
		}
		if (detected >= SimdLevel::kAvx512) {
			EXPECT_NEAR(sq8_levels::DotFloatAvx512(q.data(), a.data(), n), dot, tolerance) << n;
			EXPECT_EQ(sq8_levels::DotCodesAvx512(a.data(), b.data(), n), codes) << n;
		}
		EXPECT_EQ(Sq8DotCodes(a.data(), b.data(), n), codes) << n;
	}
	// The dispatched kernels follow the active level, down to scalar.
	ASSERT_TRUE(SetSimdLevel(SimdLevel::kScalar));
	std::vector<std::uint8_t> c(100, 7);
	std::vector<float> ones(100, 1.0f);
	EXPECT_EQ(Sq8DotFloat(ones.data(), c.data(), 100), 700.0f);
	EXPECT_EQ(Sq8DotCodes(c.data(), c.data(), 100), 4900u);
	SetSimdLevel(detected);
}

TEST(Sq8Rows, EncodingKeepsItsErrorNorms)
{
	std::mt19937 gen(11);
	for (int shape = 0; shape < 20; shape++) {
		for (std::size_t dims : {1, 5, 100, 768}) {
			const std::vector<float> x = RandomRow(gen, dims, shape);
			const auto row = Encode(x);
			float header[6];
			std::memcpy(header, row.data(), sizeof(header));
			std::vector<float> decoded(dims);
			Sq8DecodeRow(row.data(), dims, decoded.data());
			double r2 = 0, r1 = 0, norm2 = 0, sumc = 0;
			for (std::size_t i = 0; i < dims; i++) {
				const double d =
				    static_cast<double>(header[0]) + static_cast<double>(header[1]) * CodesOf(row)[i];
				r2 += (x[i] - d) * (x[i] - d);
				r1 += std::fabs(x[i] - d);
				norm2 += d * d;
				sumc += CodesOf(row)[i];
			}
			EXPECT_GE(header[1], 0.0f);
			EXPECT_FALSE(Sq8IsQuery(row.data()));
			EXPECT_GE(static_cast<double>(header[4]), std::sqrt(r2)) << shape << " " << dims;
			EXPECT_GE(static_cast<double>(header[5]), r1) << shape << " " << dims;
			if (norm2 > 1e-30 && norm2 < 1e30) { // (stored as a float)
				EXPECT_NEAR(header[2], norm2, 1e-6 * norm2);
			}
			EXPECT_EQ(static_cast<double>(header[3]), sumc);
			// Half a step per value at most (the nearest code).
			for (std::size_t i = 0; i < dims; i++)
				EXPECT_LE(std::fabs(x[i] - decoded[i]), 0.5001 * header[1] + 1e-6 * std::fabs(x[i]))
				    << i;
		}
	}
}

TEST(Sq8Rows, RowsCompareByTheirDecodedValues)
{
	std::mt19937 gen(5);
	for (int shape = 0; shape < 12; shape++) {
		const std::size_t dims = 96;
		const std::vector<float> x = RandomRow(gen, dims, 0), y = RandomRow(gen, dims, shape);
		const auto a = Encode(x), b = Encode(y);
		std::vector<float> da(dims), db(dims);
		Sq8DecodeRow(a.data(), dims, da.data());
		Sq8DecodeRow(b.data(), dims, db.data());
		double l2 = 0, ip = 0, l1 = 0, scale = 0;
		for (std::size_t i = 0; i < dims; i++) {
			l2 += (static_cast<double>(da[i]) - db[i]) * (static_cast<double>(da[i]) - db[i]);
			ip += static_cast<double>(da[i]) * db[i];
			l1 += std::fabs(static_cast<double>(da[i]) - db[i]);
			scale += static_cast<double>(da[i]) * da[i] + static_cast<double>(db[i]) * db[i];
		}
		if (scale > 1e30) // beyond floats: the estimates overflow as the float kernels do
			continue;
		EXPECT_NEAR(Sq8L2(a.data(), b.data(), dims), l2, 1e-5 * scale + 1e-30);
		EXPECT_NEAR(Sq8NegativeInnerProduct(a.data(), b.data(), dims), -ip, 1e-5 * scale + 1e-30);
		EXPECT_NEAR(Sq8L1(a.data(), b.data(), dims), l1, 1e-4 * (l1 + std::sqrt(scale)) + 1e-30);
		// The same either way round, and a row's distance to itself is reproducible.
		EXPECT_EQ(Sq8L2(a.data(), b.data(), dims), Sq8L2(b.data(), a.data(), dims));
		EXPECT_EQ(Sq8NegativeInnerProduct(a.data(), b.data(), dims),
		          Sq8NegativeInnerProduct(b.data(), a.data(), dims));
		EXPECT_EQ(Sq8L2(a.data(), a.data(), dims), Sq8L2(a.data(), a.data(), dims));
	}
	// The element distance table serves sq8 rows (cosine as the inner product of normalised rows).
	EXPECT_EQ(ElementDistance(ElementKind::kSq8, Metric::kL2), &Sq8L2);
	EXPECT_EQ(ElementDistance(ElementKind::kSq8, StoredRowMetric(ElementKind::kSq8, Metric::kCosine)),
	          &Sq8NegativeInnerProduct);
	EXPECT_EQ(ElementDistance(ElementKind::kSq8, Metric::kHamming), nullptr);
	EXPECT_EQ(ElementFixedBytes(ElementKind::kSq8, 768), Sq8RowBytes(768));
}

// The heart of it: over many shapes, scales and dimensions, and for a query equal to the row,
// no bound is above what the operator computes; and the bounds are tight enough to be useful.
TEST(Sq8Rows, QueryBoundsNeverExceedTheOperators)
{
	std::mt19937 gen(3);
	std::uniform_int_distribution<int> shapes(0, 19);
	double slack_l2 = 0;
	int useful = 0, pairs = 0;
	for (std::size_t dims : {1, 2, 7, 64, 100, 768, 1536, 16000}) {
		const int rounds = dims >= 1536 ? 30 : 300;
		for (int r = 0; r < rounds; r++) {
			const std::vector<float> x = RandomRow(gen, dims, shapes(gen));
			std::vector<float> q = r % 10 == 0 ? x : RandomRow(gen, dims, shapes(gen));
			if (r % 10 == 1) // near the row
				for (std::size_t i = 0; i < dims; i++)
					q[i] = x[i] * 1.0001f + 1e-7f;
			const auto row = Encode(x);
			const auto query = Query(q);
			ASSERT_TRUE(Sq8IsQuery(query.data()));
			const double l2 = Sq8OperatorBound(Metric::kL2, Sq8L2(query.data(), row.data(), dims));
			const double ip = Sq8OperatorBound(Metric::kInnerProduct,
			                                   Sq8NegativeInnerProduct(query.data(), row.data(), dims));
			const double l1 = Sq8OperatorBound(Metric::kL1, Sq8L1(query.data(), row.data(), dims));
			const double op_l2 = OperatorL2(q, x);
			EXPECT_FALSE(l2 > op_l2) << dims << " " << r;
			EXPECT_FALSE(ip > OperatorNegativeIp(q, x)) << dims << " " << r;
			EXPECT_FALSE(l1 > OperatorL1(q, x)) << dims << " " << r;
			if (std::isfinite(op_l2) && op_l2 > 0 && dims == 768) {
				slack_l2 = std::max(slack_l2, (op_l2 - l2) / op_l2);
				useful += (op_l2 - l2) / op_l2 < 0.05;
				pairs++;
			}
			// Cosine: rows and queries normalised as the index does.
			const double nq = SquaredNormDouble(q.data(), dims), nx = SquaredNormDouble(x.data(), dims);
			if (nq > 0 && nx > 0 && std::isfinite(nq) && std::isfinite(nx)) {
				auto crow = Encode(Normalised(x));
				auto cquery = Query(Normalised(q));
				// As the index does: no bound where the operator's float sums fail.
				if (!Sq8CosineNormBounded(nx))
					Sq8DropBound(crow.data());
				if (!Sq8CosineNormBounded(nq))
					Sq8DropBound(cquery.data());
				const double cos = Sq8OperatorBound(
				    Metric::kCosine, Sq8NegativeInnerProduct(cquery.data(), crow.data(), dims));
				// (NaN from the operator sorts last: any bound is below it.)
				EXPECT_FALSE(cos > OperatorCosine(q, x)) << dims << " " << r;
				if (Sq8CosineNormBounded(nx) && Sq8CosineNormBounded(nq)) {
					EXPECT_GT(cos, -1.0) << dims << " " << r; // a bound, not nothing
				}
			}
		}
	}
	// Most bounds at 768 dimensions are within 5% of the distance (random rows: loose ones are
	// those of rows with a large value, whose step is coarse).
	EXPECT_GT(useful, pairs / 2) << "largest relative slack " << slack_l2;
}

// An estimate query (inserts) gives the distance to the decoded row, at or above the bound.
TEST(Sq8Rows, EstimateQueriesGiveTheDistanceToTheDecodedRow)
{
	std::mt19937 gen(17);
	for (int r = 0; r < 50; r++) {
		const std::size_t dims = 200;
		const std::vector<float> x = RandomRow(gen, dims, r % 2 == 0 ? 0 : 1);
		const std::vector<float> q = RandomRow(gen, dims, 0);
		const auto row = Encode(x);
		std::vector<std::uint32_t> estimate(Sq8QueryBytes(dims) / 4);
		Sq8PrepareQuery(q.data(), dims, estimate.data(), true);
		const auto bound = Query(q);
		EXPECT_TRUE(Sq8IsQuery(estimate.data()));
		std::vector<float> decoded(dims);
		Sq8DecodeRow(row.data(), dims, decoded.data());
		double l2 = 0, ip = 0, l1 = 0, scale = 0;
		for (std::size_t i = 0; i < dims; i++) {
			l2 += (static_cast<double>(q[i]) - decoded[i]) * (static_cast<double>(q[i]) - decoded[i]);
			ip += static_cast<double>(q[i]) * decoded[i];
			l1 += std::fabs(static_cast<double>(q[i]) - decoded[i]);
			scale += static_cast<double>(q[i]) * q[i] + static_cast<double>(decoded[i]) * decoded[i];
		}
		EXPECT_NEAR(Sq8L2(estimate.data(), row.data(), dims), l2, 1e-5 * scale);
		EXPECT_NEAR(Sq8NegativeInnerProduct(estimate.data(), row.data(), dims), -ip, 1e-5 * scale);
		EXPECT_NEAR(Sq8L1(estimate.data(), row.data(), dims), l1, 1e-4 * (l1 + std::sqrt(scale)));
		EXPECT_LE(Sq8L2(bound.data(), row.data(), dims), Sq8L2(estimate.data(), row.data(), dims));
		EXPECT_LE(Sq8NegativeInnerProduct(bound.data(), row.data(), dims),
		          Sq8NegativeInnerProduct(estimate.data(), row.data(), dims));
		EXPECT_LE(Sq8L1(bound.data(), row.data(), dims), Sq8L1(estimate.data(), row.data(), dims));
	}
}

TEST(Sq8Rows, BoundsThatCannotBeComputedAreMinusInfinity)
{
	const std::size_t dims = 4;
	const std::vector<float> x = {3e38f, -3e38f, 3e38f, 0.0f};
	const std::vector<float> q = {-3e38f, 3e38f, -3e38f, 1.0f};
	const auto row = Encode(x);
	const auto query = Query(q);
	const float l2 = Sq8L2(query.data(), row.data(), dims);
	EXPECT_FALSE(std::isnan(l2));
	EXPECT_LE(Sq8OperatorBound(Metric::kL2, l2), OperatorL2(q, x));
	EXPECT_FALSE(std::isnan(Sq8NegativeInnerProduct(query.data(), row.data(), dims)));
	EXPECT_FALSE(std::isnan(Sq8L1(query.data(), row.data(), dims)));
	// Estimates (inserts) overflow to infinity, never NaN: a row equal to itself must compare
	// equal to itself, and NaN breaks the search's ordering.
	std::vector<std::uint32_t> estimate(Sq8QueryBytes(dims) / 4);
	Sq8PrepareQuery(x.data(), dims, estimate.data(), true);
	for (const auto fn : {&Sq8L2, &Sq8NegativeInnerProduct, &Sq8L1}) {
		const float e = fn(estimate.data(), row.data(), dims);
		EXPECT_FALSE(std::isnan(e));
		EXPECT_EQ(e, fn(estimate.data(), row.data(), dims));
	}
}
