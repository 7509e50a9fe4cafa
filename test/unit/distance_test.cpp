// Unit tests of the distance kernels (core/distance/float_distance.h): every SIMD level the CPU supports
// against a double-precision reference, against each other, and the dispatch itself.
//
// The kernels sum in float, so a result may differ from the exact sum by rounding that grows
// with the sum of the absolute values of the terms; tolerances are relative to that sum.
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "core/distance/float_distance.h"

namespace vector_core
{
namespace
{

// The five kernels of one level, as plain function pointers.
struct Kernels {
	SimdLevel level;
	float (*l2_squared)(const float *, const float *, std::size_t);
	float (*inner_product)(const float *, const float *, std::size_t);
	float (*l1)(const float *, const float *, std::size_t);
	CosineParts (*cosine_parts)(const float *, const float *, std::size_t);
	double (*squared_norm_double)(const float *, std::size_t);
};

const Kernels kLevels[] = {
    {SimdLevel::kScalar, scalar::L2SquaredDistance, scalar::InnerProduct, scalar::L1Distance,
     scalar::CosineDistanceParts, scalar::SquaredNormDouble},
    {SimdLevel::kAvx2, avx2::L2SquaredDistance, avx2::InnerProduct, avx2::L1Distance, avx2::CosineDistanceParts,
     avx2::SquaredNormDouble},
    {SimdLevel::kAvx512, avx512::L2SquaredDistance, avx512::InnerProduct, avx512::L1Distance,
     avx512::CosineDistanceParts, avx512::SquaredNormDouble},
};

const Kernels kDispatched = {SimdLevel::kScalar, L2SquaredDistance,   InnerProduct,
                             L1Distance,         CosineDistanceParts, SquaredNormDouble};

// Prints a level by name in test names and failure messages (found by ADL).
[[maybe_unused]] void PrintTo(SimdLevel level, std::ostream *os)
{
	*os << SimdLevelName(level);
}

// The kernels of level.
const Kernels &KernelsOf(SimdLevel level)
{
	return kLevels[static_cast<int>(level)];
}

// True if this CPU can run level's kernels.
bool Supported(SimdLevel level)
{
	return static_cast<int>(level) <= static_cast<int>(DetectedSimdLevel());
}

// An exact-ish value and the sum of |terms| that bounds its float rounding error.
struct RefValue {
	double value;
	double abs_sum;
	std::size_t terms;
};

// The double-precision reference of every kernel for one pair of inputs.
struct Reference {
	RefValue l2_squared;
	RefValue inner_product;
	RefValue l1;
	RefValue dot;
	RefValue norm_a;
	RefValue norm_b;
};

// Computes the reference in double (differences and products of floats are exact there).
Reference ComputeReference(const float *a, const float *b, std::size_t n)
{
	Reference r{};
	for (std::size_t i = 0; i < n; i++) {
		double x = a[i];
		double y = b[i];
		double d = x - y;
		r.l2_squared.value += d * d;
		r.l2_squared.abs_sum += d * d;
		r.inner_product.value += x * y;
		r.inner_product.abs_sum += std::fabs(x * y);
		r.l1.value += std::fabs(d);
		r.l1.abs_sum += std::fabs(d);
		r.norm_a.value += x * x;
		r.norm_a.abs_sum += x * x;
		r.norm_b.value += y * y;
		r.norm_b.abs_sum += y * y;
	}
	for (RefValue *v : {&r.l2_squared, &r.inner_product, &r.l1, &r.norm_a, &r.norm_b})
		v->terms = n;
	r.dot = r.inner_product;
	return r;
}

// Allowed float error of a sum of n terms: relative to the sum of their absolute values, 1e-5
// or, for long sums, 4 sqrt(n) float epsilons (the scalar level adds 16000 terms one by one
// into a single float, and its rounding errors grow like a random walk).
double FloatTolerance(const RefValue &ref)
{
	double relative = std::max(1e-5, 4.0 * std::sqrt(static_cast<double>(ref.terms)) * FLT_EPSILON);
	return relative * ref.abs_sum + 1e-6;
}

// Allowed error of the double-accumulated squared norm.
double DoubleTolerance(const RefValue &ref)
{
	return 1e-12 * ref.abs_sum + 1e-300;
}

// Fills out with values of mixed magnitude (1e-3 .. 1e3, both signs, some exact zeros).
void FillMixed(std::mt19937 &rng, std::vector<float> &out)
{
	std::uniform_real_distribution<float> mantissa(-1.0f, 1.0f);
	std::uniform_int_distribution<int> exponent(-3, 3);
	std::uniform_int_distribution<int> zero(0, 15);
	for (float &x : out)
		x = zero(rng) == 0 ? 0.0f : mantissa(rng) * std::pow(10.0f, static_cast<float>(exponent(rng)));
}

// Checks every kernel of k on (a, b) against the reference, with a message naming the case.
void ExpectMatchesReference(const Kernels &k, const float *a, const float *b, std::size_t n, const std::string &what)
{
	Reference r = ComputeReference(a, b, n);
	SCOPED_TRACE(what + " level=" + SimdLevelName(k.level) + " n=" + std::to_string(n));
	EXPECT_NEAR(k.l2_squared(a, b, n), r.l2_squared.value, FloatTolerance(r.l2_squared));
	EXPECT_NEAR(k.inner_product(a, b, n), r.inner_product.value, FloatTolerance(r.inner_product));
	EXPECT_NEAR(k.l1(a, b, n), r.l1.value, FloatTolerance(r.l1));
	CosineParts parts = k.cosine_parts(a, b, n);
	EXPECT_NEAR(parts.dot, r.dot.value, FloatTolerance(r.dot));
	EXPECT_NEAR(parts.norm_a, r.norm_a.value, FloatTolerance(r.norm_a));
	EXPECT_NEAR(parts.norm_b, r.norm_b.value, FloatTolerance(r.norm_b));
	EXPECT_NEAR(k.squared_norm_double(a, n), r.norm_a.value, DoubleTolerance(r.norm_a));
}

// Dimensions beyond the exhaustive 0..70: common embedding sizes, the maximum, random others.
std::vector<std::size_t> LargeDims()
{
	std::vector<std::size_t> dims = {71,  96,   100,  127,  128,  129,  255,  384,  512,
	                                 768, 1000, 1024, 1536, 2000, 3072, 4096, 16000};
	std::mt19937 rng(12345);
	std::uniform_int_distribution<std::size_t> dim(72, 16000);
	for (int i = 0; i < 40; i++)
		dims.push_back(dim(rng));
	return dims;
}

// Restores the active SIMD level when a test that changes it ends.
class SimdLevelGuard
{
public:
	SimdLevelGuard() : saved_(ActiveSimdLevel())
	{
	}
	~SimdLevelGuard()
	{
		SetSimdLevel(saved_);
	}
	SimdLevelGuard(const SimdLevelGuard &) = delete;
	SimdLevelGuard &operator=(const SimdLevelGuard &) = delete;

private:
	SimdLevel saved_;
};

// Fixture parameterised by SIMD level; skips levels this CPU lacks.
class DistanceLevelTest : public ::testing::TestWithParam<SimdLevel>
{
protected:
	void SetUp() override
	{
		if (!Supported(GetParam()))
			GTEST_SKIP() << "CPU lacks " << SimdLevelName(GetParam());
	}
	const Kernels &kernels() const
	{
		return KernelsOf(GetParam());
	}
};

TEST_P(DistanceLevelTest, SmallDimsAllOffsetsMatchReference)
{
	std::mt19937 rng(1);
	for (std::size_t n = 0; n <= 70; n++) {
		std::vector<float> a(n + 3), b(n + 3);
		FillMixed(rng, a);
		FillMixed(rng, b);
		for (std::size_t offset_a = 0; offset_a <= 3 && offset_a + n <= a.size(); offset_a++)
			for (std::size_t offset_b = 0; offset_b <= 3 && offset_b + n <= b.size(); offset_b++)
				ExpectMatchesReference(kernels(), a.data() + offset_a, b.data() + offset_b, n,
				                       "offsets " + std::to_string(offset_a) + "," +
				                           std::to_string(offset_b));
	}
}

TEST_P(DistanceLevelTest, LargeDimsMatchReference)
{
	std::mt19937 rng(2);
	std::size_t case_index = 0;
	for (std::size_t n : LargeDims()) {
		std::vector<float> a(n + 3), b(n + 3);
		FillMixed(rng, a);
		FillMixed(rng, b);
		std::size_t offset_a = case_index % 4;
		std::size_t offset_b = (case_index / 4 + 1) % 4;
		ExpectMatchesReference(kernels(), a.data() + offset_a, b.data() + offset_b, n, "large");
		case_index++;
	}
}

TEST_P(DistanceLevelTest, UniformPositiveValuesMatchReference)
{
	// Same-sign values make the float sums grow steadily: the hardest case for rounding.
	std::mt19937 rng(3);
	std::uniform_real_distribution<float> value(0.0f, 1.0f);
	for (std::size_t n : {1000u, 16000u}) {
		std::vector<float> a(n), b(n);
		for (std::size_t i = 0; i < n; i++) {
			a[i] = value(rng);
			b[i] = value(rng);
		}
		ExpectMatchesReference(kernels(), a.data(), b.data(), n, "uniform");
	}
}

TEST_P(DistanceLevelTest, ZeroVectorsGiveZero)
{
	const Kernels &k = kernels();
	for (std::size_t n : {0u, 1u, 7u, 16u, 100u, 16000u}) {
		std::vector<float> zero(n, 0.0f);
		EXPECT_EQ(k.l2_squared(zero.data(), zero.data(), n), 0.0f) << n;
		EXPECT_EQ(k.inner_product(zero.data(), zero.data(), n), 0.0f) << n;
		EXPECT_EQ(k.l1(zero.data(), zero.data(), n), 0.0f) << n;
		CosineParts parts = k.cosine_parts(zero.data(), zero.data(), n);
		EXPECT_EQ(parts.dot, 0.0f) << n;
		EXPECT_EQ(parts.norm_a, 0.0f) << n;
		EXPECT_EQ(parts.norm_b, 0.0f) << n;
		EXPECT_EQ(k.squared_norm_double(zero.data(), n), 0.0) << n;
	}
	// Against a zero vector, the kernels reduce to norms.
	std::mt19937 rng(4);
	std::vector<float> a(300), zero(300, 0.0f);
	FillMixed(rng, a);
	CosineParts parts = k.cosine_parts(a.data(), zero.data(), a.size());
	EXPECT_EQ(parts.dot, 0.0f);
	EXPECT_EQ(parts.norm_b, 0.0f);
	EXPECT_EQ(k.inner_product(a.data(), zero.data(), a.size()), 0.0f);
}

TEST_P(DistanceLevelTest, IdenticalAndSwappedInputs)
{
	// Exact identities every level keeps: d(a, a) = 0, symmetry, and cosine(a, a) parts all
	// equal (so cosine distance of a vector with itself is exactly 0).
	const Kernels &k = kernels();
	std::mt19937 rng(5);
	for (std::size_t n : {1u, 5u, 31u, 33u, 100u, 768u, 1537u}) {
		std::vector<float> a(n), b(n);
		FillMixed(rng, a);
		FillMixed(rng, b);
		EXPECT_EQ(k.l2_squared(a.data(), a.data(), n), 0.0f) << n;
		EXPECT_EQ(k.l1(a.data(), a.data(), n), 0.0f) << n;
		EXPECT_EQ(k.l2_squared(a.data(), b.data(), n), k.l2_squared(b.data(), a.data(), n)) << n;
		EXPECT_EQ(k.inner_product(a.data(), b.data(), n), k.inner_product(b.data(), a.data(), n)) << n;
		EXPECT_EQ(k.l1(a.data(), b.data(), n), k.l1(b.data(), a.data(), n)) << n;
		CosineParts self = k.cosine_parts(a.data(), a.data(), n);
		EXPECT_EQ(self.dot, self.norm_a) << n;
		EXPECT_EQ(self.norm_a, self.norm_b) << n;
		CosineParts parts = k.cosine_parts(a.data(), b.data(), n);
		EXPECT_EQ(parts.norm_a, self.norm_a) << n;
		// Each level sums the cosine parts in the same order as its inner product, so <=> and
		// <#> agree exactly on the dot product.
		EXPECT_EQ(parts.dot, k.inner_product(a.data(), b.data(), n)) << n;
	}
}

INSTANTIATE_TEST_SUITE_P(Levels, DistanceLevelTest,
                         ::testing::Values(SimdLevel::kScalar, SimdLevel::kAvx2, SimdLevel::kAvx512),
                         [](const ::testing::TestParamInfo<SimdLevel> &info) {
	                         return std::string(SimdLevelName(info.param));
                         });

TEST(DistanceLevelsAgree, EverySupportedPairWithinTolerance)
{
	std::mt19937 rng(6);
	std::vector<std::size_t> dims;
	for (std::size_t n = 0; n <= 70; n++)
		dims.push_back(n);
	for (std::size_t n : LargeDims())
		dims.push_back(n);
	for (std::size_t n : dims) {
		std::vector<float> a(n + 1), b(n + 2);
		FillMixed(rng, a);
		FillMixed(rng, b);
		const float *pa = a.data() + 1;
		const float *pb = b.data() + 2;
		Reference r = ComputeReference(pa, pb, n);
		for (const Kernels &x : kLevels) {
			for (const Kernels &y : kLevels) {
				if (&x >= &y || !Supported(x.level) || !Supported(y.level))
					continue;
				SCOPED_TRACE(std::string(SimdLevelName(x.level)) + " vs " + SimdLevelName(y.level) +
				             " n=" + std::to_string(n));
				EXPECT_NEAR(x.l2_squared(pa, pb, n), y.l2_squared(pa, pb, n),
				            2 * FloatTolerance(r.l2_squared));
				EXPECT_NEAR(x.inner_product(pa, pb, n), y.inner_product(pa, pb, n),
				            2 * FloatTolerance(r.inner_product));
				EXPECT_NEAR(x.l1(pa, pb, n), y.l1(pa, pb, n), 2 * FloatTolerance(r.l1));
				CosineParts px = x.cosine_parts(pa, pb, n);
				CosineParts py = y.cosine_parts(pa, pb, n);
				EXPECT_NEAR(px.dot, py.dot, 2 * FloatTolerance(r.dot));
				EXPECT_NEAR(px.norm_a, py.norm_a, 2 * FloatTolerance(r.norm_a));
				EXPECT_NEAR(px.norm_b, py.norm_b, 2 * FloatTolerance(r.norm_b));
				EXPECT_NEAR(x.squared_norm_double(pa, n), y.squared_norm_double(pa, n),
				            2 * DoubleTolerance(r.norm_a));
			}
		}
	}
}

TEST(DistanceDispatch, DefaultIsDetectedLevel)
{
	EXPECT_EQ(ActiveSimdLevel(), DetectedSimdLevel());
}

TEST(DistanceDispatch, DispatchedEqualsActiveLevelBitForBit)
{
	SimdLevelGuard guard;
	std::mt19937 rng(7);
	std::vector<float> a(1500), b(1500);
	FillMixed(rng, a);
	FillMixed(rng, b);
	for (const Kernels &k : kLevels) {
		if (!Supported(k.level))
			continue;
		ASSERT_TRUE(SetSimdLevel(k.level));
		ASSERT_EQ(ActiveSimdLevel(), k.level);
		for (std::size_t n : {0u, 3u, 100u, 1499u}) {
			const float *pa = a.data() + 1;
			const float *pb = b.data();
			SCOPED_TRACE(std::string(SimdLevelName(k.level)) + " n=" + std::to_string(n));
			EXPECT_EQ(kDispatched.l2_squared(pa, pb, n), k.l2_squared(pa, pb, n));
			EXPECT_EQ(kDispatched.inner_product(pa, pb, n), k.inner_product(pa, pb, n));
			EXPECT_EQ(kDispatched.l1(pa, pb, n), k.l1(pa, pb, n));
			CosineParts pd = kDispatched.cosine_parts(pa, pb, n);
			CosineParts pk = k.cosine_parts(pa, pb, n);
			EXPECT_EQ(pd.dot, pk.dot);
			EXPECT_EQ(pd.norm_a, pk.norm_a);
			EXPECT_EQ(pd.norm_b, pk.norm_b);
			EXPECT_EQ(kDispatched.squared_norm_double(pa, n), k.squared_norm_double(pa, n));
		}
	}
}

TEST(DistanceDispatch, SetSimdLevelRefusesUnsupportedLevels)
{
	SimdLevelGuard guard;
	ASSERT_TRUE(SetSimdLevel(SimdLevel::kScalar));
	for (const Kernels &k : kLevels) {
		if (Supported(k.level))
			continue;
		EXPECT_FALSE(SetSimdLevel(k.level)) << SimdLevelName(k.level);
		EXPECT_EQ(ActiveSimdLevel(), SimdLevel::kScalar);
	}
	EXPECT_FALSE(SetSimdLevel(static_cast<SimdLevel>(42)));
	EXPECT_EQ(ActiveSimdLevel(), SimdLevel::kScalar);
	EXPECT_TRUE(SetSimdLevel(DetectedSimdLevel()));
	EXPECT_EQ(ActiveSimdLevel(), DetectedSimdLevel());
}

TEST(DistanceDispatch, LevelNames)
{
	EXPECT_STREQ(SimdLevelName(SimdLevel::kScalar), "scalar");
	EXPECT_STREQ(SimdLevelName(SimdLevel::kAvx2), "avx2");
	EXPECT_STREQ(SimdLevelName(SimdLevel::kAvx512), "avx512");
	EXPECT_STREQ(SimdLevelName(static_cast<SimdLevel>(42)), "unknown");
}

} // namespace
} // namespace vector_core
