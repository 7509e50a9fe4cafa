// Blocks of row-centroid inner products by BLAS (see blas_products.h).
#include "build/blas_products.h"

#include <dlfcn.h>
#include <omp.h>

#include <algorithm>
#include <limits>
#include <memory>

#include "core/distance/float_distance.h"

namespace vector_core
{

namespace
{

// The Fortran BLAS entry point (libblas, OpenBLAS behind it), as FAISS declares it.
extern "C" int sgemm_(const char *transa, const char *transb, const int *m, const int *n, const int *k,
                      const float *alpha, const float *a, const int *lda, const float *b, const int *ldb,
                      const float *beta, float *c, const int *ldc);

constexpr std::size_t kBlockRows = 4096;
constexpr std::size_t kBlockFloats = std::size_t{1} << 22;

// Rows of x from first: their products with every centroid into products (rows x k).
void BlockProducts(const float *x, std::size_t first, std::size_t rows, std::size_t dim, const float *centroids,
                   std::size_t k, float *products)
{
	const int m_k = static_cast<int>(k), d = static_cast<int>(dim), nb = static_cast<int>(rows);
	const float one = 1.0f, zero = 0.0f;
	// Column-major: products (k x rows) = centroids^T (k x dim) * block (dim x rows), so that
	// products[i * k + j] is row i's inner product with centroid j. (Not zeroed before: sgemm with
	// beta 0 writes every product.)
	sgemm_("T", "N", &m_k, &nb, &d, &one, centroids, &d, x + first * dim, &d, &zero, products, &m_k);
}

std::size_t BlockRows(std::size_t n, std::size_t k)
{
	return std::min(n, std::clamp<std::size_t>(kBlockFloats / k, 1, kBlockRows));
}

// Blocks are cut at least this small when threads of ours share them, so that each thread gets
// several (one BLAS product of 256 rows is still large enough to run at full speed).
constexpr std::size_t kMinSharedBlockRows = 256;
constexpr std::size_t kBlocksPerThread = 4;

// OpenBLAS's thread count, held at one for a scope in which threads of ours each run their own
// products. OpenBLAS's threads, once they have worked, spin (sched_yield) for about 0.1 s after
// every product before they sleep: on two cores they took CPU from the build's own threads and
// from the backend's page writes. Only for OpenBLAS built on its own threads
// (openblas_get_parallel() 1): its serial build may not take concurrent calls, and its OpenMP build
// sets OpenMP's thread count with its own. Elsewhere Available() is false, and the products run
// in order on the caller's thread with BLAS's own threads.
class SingleThreadedBlas
{
public:
	static bool Available()
	{
		return Functions().available;
	}
	SingleThreadedBlas()
	{
		const Table &f = Functions();
		if (!f.available)
			return;
		saved_ = f.get();
		if (saved_ != 1)
			f.set(1);
	}
	~SingleThreadedBlas()
	{
		if (Functions().available && saved_ != 1)
			Functions().set(saved_);
	}
	SingleThreadedBlas(const SingleThreadedBlas &) = delete;
	SingleThreadedBlas &operator=(const SingleThreadedBlas &) = delete;

private:
	struct Table {
		void (*set)(int) = nullptr;
		int (*get)(void) = nullptr;
		bool available = false;
	};
	static const Table &Functions()
	{
		static const Table table = [] {
			Table t;
			t.set = reinterpret_cast<void (*)(int)>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
			t.get = reinterpret_cast<int (*)(void)>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
			auto parallel = reinterpret_cast<int (*)(void)>(dlsym(RTLD_DEFAULT, "openblas_get_parallel"));
			t.available = t.set != nullptr && t.get != nullptr && parallel != nullptr && parallel() == 1;
			return t;
		}();
		return table;
	}

	int saved_ = 1;
};

} // namespace

void ForEachProductBlock(const float *x, std::size_t n, std::size_t dim, const float *centroids, std::size_t k,
                         int threads,
                         const std::function<void(std::size_t first, std::size_t rows, const float *products)> &visit)
{
	if (n == 0)
		return;
	std::size_t block_rows = BlockRows(n, k);
	auto in_order = [&] {
		const std::unique_ptr<float[]> products(new float[block_rows * k]);
		for (std::size_t start = 0; start < n; start += block_rows) {
			const std::size_t rows = std::min(block_rows, n - start);
			BlockProducts(x, start, rows, dim, centroids, k, products.get());
			visit(start, rows, products.get());
		}
	};
	if (!SingleThreadedBlas::Available()) {
		in_order();
		return;
	}
	// (held at one thread for small products too: BLAS's threads would spin after them)
	const SingleThreadedBlas one_thread;
	std::size_t blocks = 1;
	if (threads > 1 && n > kMinSharedBlockRows) {
		const std::size_t wanted = static_cast<std::size_t>(threads) * kBlocksPerThread;
		block_rows = std::min(block_rows, std::max(kMinSharedBlockRows, (n + wanted - 1) / wanted));
		blocks = (n + block_rows - 1) / block_rows;
	}
	const int team =
	    static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(std::max(threads, 1)), blocks));
	if (team <= 1) {
		in_order();
		return;
	}
	// Allocated before the threads start: nothing in the parallel loop throws.
	std::vector<std::unique_ptr<float[]>> products(static_cast<std::size_t>(team));
	for (auto &p : products)
		p.reset(new float[block_rows * k]);
	const long long count = static_cast<long long>(blocks);
#pragma omp parallel for num_threads(team) schedule(dynamic, 1)
	for (long long b = 0; b < count; b++) {
		const std::size_t start = static_cast<std::size_t>(b) * block_rows;
		const std::size_t rows = std::min(block_rows, n - start);
		float *own = products[static_cast<std::size_t>(omp_get_thread_num())].get();
		BlockProducts(x, start, rows, dim, centroids, k, own);
		visit(start, rows, own);
	}
}

Status CheckAssignmentSizes(std::size_t dim, std::size_t k) noexcept
{
	if (k == 0 || dim == 0)
		return Status::Error("list assignment: no lists");
	if (k > static_cast<std::size_t>(std::numeric_limits<int>::max()) ||
	    dim > static_cast<std::size_t>(std::numeric_limits<int>::max()))
		return Status::Error("list assignment: too many lists or dimensions");
	return Status::Ok();
}

std::vector<float> CentroidSquaredNorms(const float *centroids, std::size_t k, std::size_t dim)
{
	std::vector<float> norms(k);
	for (std::size_t j = 0; j < k; j++)
		norms[j] = InnerProduct(centroids + j * dim, centroids + j * dim, dim);
	return norms;
}

std::int32_t NearestFromProducts(const float *ip, const float *norms, std::size_t k, bool l2) noexcept
{
	std::int32_t best_list = 0;
	float best = std::numeric_limits<float>::infinity();
	for (std::size_t j = 0; j < k; j++) {
		const float score = l2 ? norms[j] - 2.0f * ip[j] : -ip[j];
		if (score < best) {
			best = score;
			best_list = static_cast<std::int32_t>(j);
		}
	}
	return best_list;
}

} // namespace vector_core
