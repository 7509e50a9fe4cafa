/*
 * The C interface of vector_build.so, the second module of the extension.
 *
 * vector.so, which every backend that touches a vector loads, links no BLAS, LAPACK or OpenMP.
 * What an index build needs from them (FAISS k-means, quantizer training, list assignment and
 * PQ encoding on OpenMP threads) lives in vector_build.so, which vector.so loads on the first
 * build of a backend (pg/common/build_module.cpp) and calls through the table of plain C
 * function pointers below.
 *
 * The contract: no C++ exception and no PostgreSQL long jump crosses it. Every function catches
 * everything below it and reports through a VectorBuildResult (a code and a message); the
 * caller in vector.so turns a failure into ereport. The module never sees a PostgreSQL header
 * and never touches PostgreSQL: it computes on plain arrays. Any thread it starts is started
 * by the caller's thread, so with the signal mask the caller has set (vector.so blocks every
 * signal around the load and around each parallel call).
 *
 * Plain C (this header also compiles as C): fixed-size types, no enum class, no reference.
 * A change of any signature or of the table's layout bumps VECTOR_BUILD_ABI_VERSION, so that
 * a vector.so and a vector_build.so of different versions refuse each other instead of
 * calling through a wrong signature.
 */
#pragma once

#ifdef __cplusplus
#include <cstddef>
#include <cstdint>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define VECTOR_BUILD_ABI_VERSION 3

/* The exported symbol: a function returning the table (never null). */
#define VECTOR_BUILD_API_SYMBOL "vector_build_api"

/* The module's file name in PostgreSQL's $libdir, without the suffix. */
#define VECTOR_BUILD_MODULE_NAME "vector_build"

/* VectorBuildResult.code */
#define VECTOR_BUILD_OK 0
#define VECTOR_BUILD_ERROR 1         /* message says what failed */
#define VECTOR_BUILD_OUT_OF_MEMORY 2 /* an allocation failed */
#define VECTOR_BUILD_CANCELLED 3     /* should_stop returned true */

#define VECTOR_BUILD_MESSAGE_BYTES 256

typedef struct VectorBuildResult {
	int32_t code;
	char message[VECTOR_BUILD_MESSAGE_BYTES]; /* "" when code is VECTOR_BUILD_OK */
} VectorBuildResult;

/* How list assignment compares a row with a centroid (stored forms, see core/ivf/ivf_quant.h). */
#define VECTOR_BUILD_METRIC_L2 0            /* squared L2 */
#define VECTOR_BUILD_METRIC_INNER_PRODUCT 1 /* negative inner product (also cosine on unit rows) */

typedef struct VectorBuildApi {
	uint32_t abi_version; /* VECTOR_BUILD_ABI_VERSION */
	uint32_t size;        /* sizeof(VectorBuildApi) */

	/* K-means of the IVF lists (see build/kmeans.h): k x dim centroids from the n x dim
	 * sample. should_stop, when not null, is polled between iterations (possibly from other
	 * threads: it must only read a flag); true stops with VECTOR_BUILD_CANCELLED. threads: OpenMP
	 * threads of the seeding and of the bounded iterations, which may keep bounds_bytes of
	 * bounds. */
	void (*kmeans_train)(const float *x, size_t n, size_t dim, size_t k, bool spherical, int32_t niter,
	                     int32_t threads, uint32_t seed, bool (*should_stop)(void), size_t bounds_bytes,
	                     float *centroids, VectorBuildResult *result);
	/* Nearest centroid of each of the n rows (list numbers into lists), on threads threads. */
	void (*ivf_assign)(const float *x, size_t n, size_t dim, const float *centroids, size_t k, int32_t metric,
	                   int32_t threads, int32_t *lists, VectorBuildResult *result);
	/* SQ8 parameters: per-dimension vmin and vdiff (dim floats each). */
	void (*sq8_train)(const float *x, size_t n, size_t dim, float *vmin, float *vdiff, VectorBuildResult *result);
	/* PQ codebook: m x 256 x dim/m floats (dim % m == 0). */
	void (*pq_train)(const float *x, size_t n, size_t dim, size_t m, float *codebook, VectorBuildResult *result);
	/* PQ codes of n rows (m bytes each) with the encoder tables of core/ivf/ivf_quant.h, on
	 * threads threads. */
	void (*pq_encode)(const float *x, size_t n, size_t dim, size_t m, const float *book_t, const float *norms,
	                  int32_t threads, uint8_t *codes, VectorBuildResult *result);
	/* ivf_assign that also writes bounds (n x k floats): lower bounds of each row's distance to
	 * each centroid, for ivf_reassign (see build/ivf_bounded_assign.h). On threads threads. */
	void (*ivf_assign_bounded)(const float *x, size_t n, size_t dim, const float *centroids, size_t k,
	                           int32_t metric, int32_t threads, int32_t *lists, float *bounds,
	                           VectorBuildResult *result);
	/* Reassigns rows whose lists and bounds came from ivf_assign_bounded or ivf_reassign, after
	 * centroid j moved by at most shifts[j]; adds the distances it computed to *computed. */
	void (*ivf_reassign)(const float *x, size_t n, size_t dim, const float *centroids, size_t k, int32_t metric,
	                     const float *shifts, int32_t threads, int32_t *lists, float *bounds, int64_t *computed,
	                     VectorBuildResult *result);
} VectorBuildApi;

typedef const VectorBuildApi *(*VectorBuildApiFunction)(void);

/* The one exported symbol of vector_build.so. */
const VectorBuildApi *vector_build_api(void);

#ifdef __cplusplus
}
#endif
