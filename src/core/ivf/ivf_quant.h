// IVF compute on plain arrays that scans and inserts need: the SQ8 and PQ encoders, per-query
// distance preparation and the approximate-distance kernels the list scan calls for every code.
// What only a build needs (training with FAISS, list assignment and PQ encoding on OpenMP
// threads) is in src/build, compiled into vector_build.so (build/build_api.h), so that this
// file, like all of vector.so, links no BLAS and no OpenMP.
//
// Pure C++, no PostgreSQL header; nothing here can fail.
// Distances are "smaller is closer": squared L2, or the negative inner product.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/common/status.h"
#include "core/distance/metric.h"

namespace vector_core
{

// metric: how the index compares stored-form vectors (Metric::kL2, kInnerProduct or kCosine).
// Cosine indexes store unit vectors and compare them by negative inner product (same order as
// cosine distance); bit indexes (Hamming distance) compare their 0/1 floats by kL2.

// The distance the index uses between two stored-form vectors.
float IvfDistance(Metric metric, const float *a, const float *b, std::size_t dim) noexcept;

// --- SQ8: one byte per dimension, x ~ vmin + vdiff * (code + 0.5) / 255 -------------------

// Encodes one vector into dim bytes.
void Sq8Encode(const float *x, std::size_t dim, const float *vmin, const float *vdiff, std::uint8_t *code) noexcept;
// Decodes dim bytes into floats.
void Sq8Decode(const std::uint8_t *code, std::size_t dim, const float *vmin, const float *vdiff, float *x) noexcept;

// Per-query form of the SQ8 distance: distance(code) = bias + sign * sum_i f(q'_i, w_i, code_i).
struct Sq8Query {
	bool ip;       // inner-product form (else weighted L2)
	float bias;    // constant part
	float *qprime; // dim floats: (q - vmin) / step - 0.5 (L2) or q * step (IP)
	float *weight; // dim floats: step^2 (L2 only)
};
// Fills query (whose arrays the caller provides, dim floats each) for the stored-form query q.
void Sq8PrepareQuery(const float *q, std::size_t dim, const float *vmin, const float *vdiff, Metric metric,
                     Sq8Query *query) noexcept;
// Approximate distance of one code to the prepared query.
float Sq8Distance(const Sq8Query *query, const std::uint8_t *code, std::size_t dim) noexcept;
// Approximate distances of count codes found at codes + i * stride (i < count) to the query.
void Sq8DistanceBatch(const Sq8Query *query, const std::uint8_t *codes, std::size_t count, std::size_t stride,
                      std::size_t dim, float *out) noexcept;

// --- PQ: m sub-quantizers of 256 centroids over dim / m dimensions each -------------------

// Largest m <= dim / 4 that divides dim (at least 1): the default number of sub-quantizers.
int PqDefaultM(int dim) noexcept;
// Fills the encoder tables of a codebook: book_t (256 * dim floats, each sub-quantizer's
// centroids transposed to [dsub][256]) and norms (m * 256 squared centroid norms).
void PqPrepareEncoder(const float *codebook, std::size_t dim, std::size_t m, float *book_t, float *norms) noexcept;
// Encodes n vectors into m bytes each (nearest sub-centroid per sub-vector) with the encoder
// tables, on the calling thread.
void PqEncode(const float *x, std::size_t n, std::size_t dim, std::size_t m, const float *book_t, const float *norms,
              std::uint8_t *codes) noexcept;
// Fills table (m x 256) with the distance of each sub-centroid to the query's sub-vector:
// squared L2 (L2, cosine) or negative inner product (inner product).
void PqDistanceTable(const float *q, std::size_t dim, std::size_t m, const float *codebook, Metric metric,
                     float *table) noexcept;
// Approximate distance of one code: the sum of its table entries.
float PqDistance(const float *table, const std::uint8_t *code, std::size_t m) noexcept;

} // namespace vector_core
