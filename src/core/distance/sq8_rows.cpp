// SQ8 rows of hnsw (see sq8_rows.h). The dot products are in sq8_kernels.cpp (one per
// instruction-set level); the taxicab kernels here are compiled for several levels
// (target_clones) and picked by the loader, as ivf_quant.cpp's are.
#include "core/distance/sq8_rows.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <limits>

namespace vector_core
{

namespace
{

struct Sq8Header {
	float lo;
	float step; // negative: a prepared query
	float norm2;
	float sumc;
	float r2;
	float r1;
};
static_assert(sizeof(Sq8Header) == kSq8HeaderBytes, "the header is six floats");

// The header of a query form, in the same six slots.
struct Sq8QueryHeader {
	float unused;
	float marker; // -1 (bounds), -2 (estimates)
	float norm2;  // |q|^2
	float sum;    // sum q_i
	float norm;   // |q|
	float l1;     // sum |q_i|
};
static_assert(sizeof(Sq8QueryHeader) == kSq8HeaderBytes, "the same size as a row's");

Sq8Header ReadHeader(const void *p)
{
	Sq8Header h;
	std::memcpy(&h, p, sizeof(h));
	return h;
}

Sq8QueryHeader ReadQueryHeader(const void *p)
{
	Sq8QueryHeader h;
	std::memcpy(&h, p, sizeof(h));
	return h;
}

const std::uint8_t *Codes(const void *row)
{
	return static_cast<const std::uint8_t *>(row) + kSq8HeaderBytes;
}

// The query's floats (memcpy-free: queries are prepared into aligned buffers).
const float *QueryFloats(const void *query)
{
	return reinterpret_cast<const float *>(static_cast<const std::uint8_t *>(query) + kSq8HeaderBytes);
}

// A float not below v (v >= 0).
float RoundUp(double v)
{
	float f = static_cast<float>(v);
	if (static_cast<double>(f) < v)
		f = std::nextafter(f, std::numeric_limits<float>::infinity());
	return f;
}

constexpr float kMinusInfinity = -std::numeric_limits<float>::infinity();
constexpr float kBoundMarker = -1.0f;
constexpr float kEstimateMarker = -2.0f;

// Operands beyond this size may overflow the operators' float sums (then they return infinity,
// NaN, or 1 for cosine): their rows get no bound.
constexpr double kLargestSafe = 1e37;

// A bound that is not finite (terms too large, NaN) is no bound: -infinity is.
float Guard(double bound)
{
	const float f = static_cast<float>(bound);
	return std::isfinite(f) ? f : kMinusInfinity;
}

// A bound of a distance (never negative) that came out at most 0: 0, or -infinity for NaN.
float DistanceBoundAtMost0(double lower)
{
	return lower == lower ? 0.0f : kMinusInfinity;
}

// An estimate as a float: infinity when the values overflowed (inf - inf is NaN, which would
// neither order nor compare equal to itself), never below 0 for squared distances.
float Estimate(double d)
{
	const float f = static_cast<float>(d);
	if (f != f)
		return std::numeric_limits<float>::infinity();
	return f;
}

// Absolute rounding the bounds allow for besides the relative one: subnormal products and terms.
double AbsoluteSlack(std::size_t n)
{
	return 8.0 * (static_cast<double>(n) + 16.0) * static_cast<double>(std::numeric_limits<float>::denorm_min());
}

// Euclidean norm of the encoded row's values: |x^| + |x - x^|.
double RowNorm(const Sq8Header &x)
{
	return std::sqrt(std::max(static_cast<double>(x.norm2), 0.0)) + static_cast<double>(x.r2);
}

// x^.y^ of two rows, in double (commutative term by term, so that f(a, b) == f(b, a)).
double DecodedDot(const Sq8Header &a, const std::uint8_t *ca, const Sq8Header &b, const std::uint8_t *cb,
                  std::size_t dims)
{
	const double los = static_cast<double>(a.lo) * static_cast<double>(b.lo) * static_cast<double>(dims);
	const double cross = static_cast<double>(a.lo) * static_cast<double>(b.step) * static_cast<double>(b.sumc) +
	                     static_cast<double>(b.lo) * static_cast<double>(a.step) * static_cast<double>(a.sumc);
	const double codes =
	    static_cast<double>(a.step) * static_cast<double>(b.step) * static_cast<double>(Sq8DotCodes(ca, cb, dims));
	return los + cross + codes;
}

// q.x^ of a query and a row, and a bound of its rounding error.
double QueryDot(const Sq8QueryHeader &q, const float *qx, const Sq8Header &x, const std::uint8_t *cx, std::size_t dims,
                double *error)
{
	const double dot = static_cast<double>(x.lo) * static_cast<double>(q.sum) +
	                   static_cast<double>(x.step) * static_cast<double>(Sq8DotFloat(qx, cx, dims));
	*error = Sq8RoundingSlack(dims) * (std::fabs(static_cast<double>(x.lo)) + 255.0 * static_cast<double>(x.step)) *
	         static_cast<double>(q.l1);
	return dot;
}

} // namespace

void Sq8EncodeRow(const float *x, std::size_t dims, void *out) noexcept
{
	float lo = dims > 0 ? x[0] : 0.0f, hi = lo;
	for (std::size_t i = 1; i < dims; i++) {
		lo = std::min(lo, x[i]);
		hi = std::max(hi, x[i]);
	}
	Sq8Header h;
	h.lo = lo;
	h.step = static_cast<float>((static_cast<double>(hi) - static_cast<double>(lo)) / 255.0);
	std::uint8_t *codes = static_cast<std::uint8_t *>(out) + kSq8HeaderBytes;
	double norm2 = 0, r2 = 0, r1 = 0, sumc = 0;
	for (std::size_t i = 0; i < dims; i++) {
		long c = 0;
		if (h.step > 0) {
			c = std::lround((static_cast<double>(x[i]) - lo) / static_cast<double>(h.step));
			c = std::clamp(c, 0L, 255L);
		}
		codes[i] = static_cast<std::uint8_t>(c);
		const double decoded = static_cast<double>(lo) + static_cast<double>(h.step) * static_cast<double>(c);
		const double lost = static_cast<double>(x[i]) - decoded;
		norm2 += decoded * decoded;
		r2 += lost * lost;
		r1 += std::fabs(lost);
		sumc += static_cast<double>(c);
	}
	h.norm2 = static_cast<float>(norm2);
	h.sumc = static_cast<float>(sumc);
	// Rounded up, and a little more for what the double sums rounded.
	h.r2 = RoundUp(std::sqrt(r2) * (1.0 + 1e-12));
	h.r1 = RoundUp(r1 * (1.0 + 1e-12));
	std::memcpy(out, &h, sizeof(h));
}

void Sq8PrepareQuery(const float *q, std::size_t dims, void *out, bool estimate) noexcept
{
	double norm2 = 0, sum = 0, l1 = 0;
	for (std::size_t i = 0; i < dims; i++) {
		norm2 += static_cast<double>(q[i]) * q[i];
		sum += q[i];
		l1 += std::fabs(static_cast<double>(q[i]));
	}
	Sq8QueryHeader h;
	h.unused = 0;
	h.marker = estimate ? kEstimateMarker : kBoundMarker;
	h.norm2 = static_cast<float>(norm2);
	h.sum = static_cast<float>(sum);
	h.norm = RoundUp(std::sqrt(norm2));
	h.l1 = RoundUp(l1);
	std::memcpy(out, &h, sizeof(h));
	std::memcpy(static_cast<std::uint8_t *>(out) + kSq8HeaderBytes, q, dims * sizeof(float));
}

void Sq8DropBound(void *p) noexcept
{
	// The row's r2 and the query's norm share the slot: infinite, every bound is -infinity.
	static_assert(offsetof(Sq8Header, r2) == offsetof(Sq8QueryHeader, norm), "one slot");
	const float infinity = std::numeric_limits<float>::infinity();
	std::memcpy(static_cast<std::uint8_t *>(p) + offsetof(Sq8Header, r2), &infinity, sizeof(infinity));
}

bool Sq8CosineNormBounded(double norm2) noexcept
{
	return norm2 >= 1e-30 && norm2 <= 1e30;
}

bool Sq8IsQuery(const void *p) noexcept
{
	return ReadHeader(p).step < 0;
}

void Sq8DecodeRow(const void *row, std::size_t dims, float *out) noexcept
{
	const Sq8Header h = ReadHeader(row);
	const std::uint8_t *codes = Codes(row);
	for (std::size_t i = 0; i < dims; i++)
		out[i] = static_cast<float>(static_cast<double>(h.lo) + static_cast<double>(h.step) * codes[i]);
}

float Sq8L2(const void *a, const void *b, std::size_t dims)
{
	const Sq8Header x = ReadHeader(b);
	if (!Sq8IsQuery(a)) {
		const Sq8Header y = ReadHeader(a);
		const double d = static_cast<double>(y.norm2) + static_cast<double>(x.norm2) -
		                 2.0 * DecodedDot(y, Codes(a), x, Codes(b), dims);
		return static_cast<float>(std::max(d, 0.0));
	}
	const Sq8QueryHeader q = ReadQueryHeader(a);
	double dot_error = 0;
	const double dot = QueryDot(q, QueryFloats(a), x, Codes(b), dims, &dot_error);
	if (q.marker == kEstimateMarker)
		return Estimate(std::max(static_cast<double>(q.norm2) + static_cast<double>(x.norm2) - 2.0 * dot, 0.0));
	const double slack = Sq8RoundingSlack(dims);
	const double reach = static_cast<double>(q.norm) + RowNorm(x);
	if (!(reach * reach < kLargestSafe))
		return kMinusInfinity;
	const double norms = static_cast<double>(q.norm2) + static_cast<double>(x.norm2);
	// |q - x^|^2 computed, less its rounding; |q - x| >= |q - x^| - |x - x^|.
	const double d = norms - 2.0 * dot - slack * norms - 2.0 * dot_error - AbsoluteSlack(dims);
	const double lower = (std::sqrt(std::max(d, 0.0)) - static_cast<double>(x.r2)) * (1.0 - slack);
	return lower > 0 ? Guard(lower * lower) : DistanceBoundAtMost0(lower);
}

float Sq8NegativeInnerProduct(const void *a, const void *b, std::size_t dims)
{
	const Sq8Header x = ReadHeader(b);
	if (!Sq8IsQuery(a)) {
		const Sq8Header y = ReadHeader(a);
		return static_cast<float>(-DecodedDot(y, Codes(a), x, Codes(b), dims));
	}
	const Sq8QueryHeader q = ReadQueryHeader(a);
	double dot_error = 0;
	const double dot = QueryDot(q, QueryFloats(a), x, Codes(b), dims, &dot_error);
	if (q.marker == kEstimateMarker)
		return Estimate(-dot);
	// -q.x = -q.x^ - q.(x - x^) >= -q.x^ - |q| r2; the operator rounds by up to slack |q| |x|.
	const double qn = static_cast<double>(q.norm);
	const double xn = RowNorm(x);
	if (!(qn * xn < kLargestSafe))
		return kMinusInfinity;
	return Guard(-dot - dot_error - qn * static_cast<double>(x.r2) - Sq8RoundingSlack(dims) * qn * xn -
	             AbsoluteSlack(dims));
}

float Sq8L1(const void *a, const void *b, std::size_t dims)
{
	const Sq8Header x = ReadHeader(b);
	if (!Sq8IsQuery(a)) {
		const Sq8Header y = ReadHeader(a);
		return Sq8L1Codes(y.lo, y.step, Codes(a), x.lo, x.step, Codes(b), dims);
	}
	const Sq8QueryHeader q = ReadQueryHeader(a);
	const double slack = Sq8RoundingSlack(dims);
	const double d = static_cast<double>(Sq8L1Float(QueryFloats(a), x.lo, x.step, Codes(b), dims));
	if (q.marker == kEstimateMarker)
		return Estimate(d);
	// Each term rounds by up to its operands' size: |q_i| + |lo| + step c_i, and the sum by d.
	const double operands = static_cast<double>(q.l1) +
	                        static_cast<double>(dims) * std::fabs(static_cast<double>(x.lo)) +
	                        static_cast<double>(x.step) * static_cast<double>(x.sumc);
	if (!(operands + static_cast<double>(x.r1) + static_cast<double>(x.r2) + static_cast<double>(q.norm) <
	      kLargestSafe))
		return kMinusInfinity;
	const double lower =
	    (d - slack * (operands + d) - static_cast<double>(x.r1) - AbsoluteSlack(dims)) * (1.0 - slack);
	return lower > 0 ? Guard(lower) : DistanceBoundAtMost0(lower);
}

double Sq8OperatorBound(Metric metric, float bound) noexcept
{
	switch (metric) {
	case Metric::kL2:
		if (bound > 0)
			return std::sqrt(static_cast<double>(bound));
		return bound < 0 ? -std::numeric_limits<double>::infinity() : 0.0;
	case Metric::kCosine:
		return 1.0 + static_cast<double>(bound);
	default:
		return static_cast<double>(bound);
	}
}

__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"))) float
Sq8L1Float(const float *q, float lo, float step, const std::uint8_t *c, std::size_t n) noexcept
{
	float s = 0;
#pragma omp simd reduction(+ : s)
	for (std::size_t i = 0; i < n; i++)
		s += std::fabs(q[i] - (lo + step * static_cast<float>(c[i])));
	return s;
}

__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"))) float
Sq8L1Codes(float lo_a, float step_a, const std::uint8_t *a, float lo_b, float step_b, const std::uint8_t *b,
           std::size_t n) noexcept
{
	float s = 0;
#pragma omp simd reduction(+ : s)
	for (std::size_t i = 0; i < n; i++)
		s += std::fabs((lo_a + step_a * static_cast<float>(a[i])) - (lo_b + step_b * static_cast<float>(b[i])));
	return s;
}

} // namespace vector_core
