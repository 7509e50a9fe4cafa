// The HNSW graph in memory, without PostgreSQL: parallel bulk build over a caller-owned array of
// vectors, connectivity repair, search, and the neighbor-selection heuristic as a pure function
// that the on-disk insert code can reuse with its own storage.
//
// Build protocol (what the `hnsw` access method does):
//   1. HnswGraph::EstimateMemoryBytes(n, dims, m, threads) against maintenance_work_mem.
//   2. HnswGraph graph(params, data, n)      data: n rows of dims floats, normalised by the
//                                             caller for cosine (then metric kInnerProduct).
//   3. graph.InsertRange(b, e) for consecutive chunks (say 2,000 rows); between chunks the
//      caller checks for interrupts and reports progress. Worker threads never outlive a call.
//   4. graph.Finish(): repairs reachability (EnsureConnected) and sorts every neighbor list by
//      distance, closest first.
//   5. Read EntryPoint(), MaxLevel(), Level(i), Neighbors(i, layer) and write pages.
// Everything may throw (std::invalid_argument for bad arguments, std::bad_alloc); nothing calls
// PostgreSQL, and worker threads start with every signal blocked.
//
// Distances are "smaller is closer": squared L2, negative inner product, or L1.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "core/distance/element_distance.h"

namespace vector_core
{

// Highest layer a node can get (pgvector caps levels the same way).
constexpr int kHnswGraphMaxLevel = 15;
// Node ids are uint32; this one means "none".
constexpr std::uint32_t kHnswNoNode = 0xFFFFFFFFu;

// Nodes the descent through the upper layers keeps on each layer, for searches and inserts alike
// (in memory and on disk). One, the greedy walk of the HNSW paper, sometimes stops on a small upper
// layer (layer 2 of siftsmall holds about 40 rows) far from its target, where no link leads
// closer. A search then enters the layers below thousands of rows away and does not get back at
// ef_search 40; an insert that lands there takes neighbors from the wrong region. On siftsmall
// (10,000 rows inserted one by one, m 16, ef_construction 64, 200 level draws) a beam of 4 (2 on a
// search's layer 1, below) took the rows not found by their own vector at ef_search 40 from a mean
// of 15.5 (15 draws over 50, worst 115) to 2.8 (worst 11), and recall@10 at ef_search 10 from
// 0.9688 to 0.9709 (docs/benchmarks.md, "The descent through the upper layers").
constexpr int kHnswDescentBeam = 4;
// The beam of a search on its last upper layer (layer 1), the largest. There the beam of 4 cost
// 10-25% of the CPU per query on 768-dimension rows at ef_search 10-80; 2 costs nothing
// measurable and leaves about as few rows not found on the draws above (mean 2.8, worst 11;
// greedy there: 3.2, worst 14). Inserts keep kHnswDescentBeam on every layer (their layer-0
// search costs far more than the descent).
constexpr int kHnswSearchLastLayerBeam = 2;

// The beams of a search's descent: on each upper layer, and on the last (layer 1).
struct HnswSearchBeams {
	int upper = kHnswDescentBeam;
	int last = kHnswSearchLastLayerBeam;
};

// The descent of inserts and of VACUUM's repairs, in memory and on disk: kHnswDescentBeam on every
// layer.
constexpr HnswSearchBeams kHnswInsertBeams = {kHnswDescentBeam, kHnswDescentBeam};

// The beam a search keeps on layer 1 of an index under the inner product. There the lists hold
// few links between regions of the space (each fills with the rows of largest norm in its own
// direction), and a descent that keeps 2 nodes on layer 1 can end in a region with no way to the
// query's, which layer 0 does not leave even at ef_search 40: on 10,000 rows of 64 dimensions
// around 20 centres with norms over two orders of magnitude, recall@10 at ef_search 20 was
// 0.95-0.99 for a third of the level draws (five queries of 100 finding none of their rows), where
// pgvector's builds, with other draws, found nearly all. A beam of 16 on layer 1 found every row at
// every ef_search on all six draws of three such sets (8: 0.995-0.998; 16 on the layers above
// changed nothing), and took GloVe-100 under the inner product from 0.663 to 0.687 at ef_search 20,
// for 5-22% of the queries per second at ef_search 20-40 over two runs (4-8% at 80). Other
// metrics' layers do not have this shape; they keep HnswSearchBeams' defaults.
constexpr int kHnswInnerProductSearchBeam = 16;

// The descent beams of a search in an index of an operator class's metric.
HnswSearchBeams HnswSearchBeamsFor(Metric metric);

// A node (or any element the caller numbers) and its distance to some base vector.
struct HnswCandidate {
	float distance;
	std::uint32_t id;
};

// Orders candidates closest first, ties by id so that the order is deterministic.
inline bool HnswByDistanceThenId(const HnswCandidate &a, const HnswCandidate &b)
{
	return a.distance < b.distance || (a.distance == b.distance && a.id < b.id);
}

// The level multiplier mL = 1 / ln(m) of standard HNSW.
double HnswLevelMultiplier(int m);

// Level of a new node from a uniform draw u in [0, 1): floor(-ln(1 - u) * mL), capped at
// kHnswGraphMaxLevel.
int HnswLevelFromUniform(double uniform, int m);

// How strictly the heuristic prunes. A candidate counts as covered by a kept one only when it is
// closer to that one than to the base by the factor slack, measured on distance + shift (shift
// turns the negative inner product of normalised rows into 1 - cos, half the squared Euclidean
// distance). slack 1 is the plain heuristic of the HNSW paper; a little above 1 keeps some
// longer links that the plain rule drops as "covered" although they are barely shorter (the
// robust pruning of Vamana / DiskANN). Those links are what joins a tight cluster to the rest of
// the graph: with the plain rule, lists of a dense region give up their links to a new far node
// one by one, and regions whose only links in are dropped become islands that searches from
// elsewhere do not enter (in 15-40% of builds of well-separated clusters, 1-11% of the rows were
// not found by their own vector; none with slack 1.1 on squared distances). Measured over many
// level seeds (docs/benchmarks.md, "The pruning slack"): higher mean recall on GloVe-100 (l2 and
// cosine, and lifted 768-d rows) at a few percent of the speed; more queries that find none of
// their neighbors at low ef_search under l2, and on 60,000-row sets a few more rows not found by
// their own vector.
struct HnswPruneRule {
	float shift = 0.0f;
	float slack = 1.0f;
};

// The rule an index uses for its metric and the kind of row it stores (see StoredRowMetric):
// slack 1.1 on squared Euclidean and cosine distances, its square root 1.049 on L1, Hamming and
// Jaccard distances, which are not squared; the plain rule for the inner product, which has no
// scale to compare.
HnswPruneRule HnswPruneRuleFor(ElementKind kind, Metric metric);

// Whether a full list, when all its links are kept, spares the links whose targets count the
// list's node among their nearest (HnswLeftOutSparingNear) under an operator class's metric: yes,
// except for the inner product. Under it the rows of large norm are everyone's nearest, so the
// spared links were theirs and the links given up the ones that lead elsewhere: on rows of mixed
// scales (norms over four orders of magnitude, 20,000 rows, m 16) recall@10 at ef_search 40 was
// 0.954 at 32 dimensions and 0.681 at 100 with it, 0.962 and 0.771 without (pgvector 0.8.6 on
// such rows: 0.962 and 0.786); rows of one scale and 3-d rows: the same either way.
bool HnswSpareNearFor(Metric metric);

// The heuristic's test: whether a candidate at distance to_base from the base is covered by a kept
// candidate at distance other_to_base from the base and between from it (see HnswPruneRule; an
// exact duplicate of the kept one is always covered).
inline bool HnswCovered(float to_base, float other_to_base, float between, const HnswPruneRule &rule = {})
{
	if (between == to_base && other_to_base == to_base)
		return true;
	// The plain rule (shift 0, slack 1) gives exactly between < to_base.
	return (between + rule.shift) * rule.slack < to_base + rule.shift;
}

// Neighbor-selection heuristic of HNSW (Malkov & Yashunin, algorithm 4), as a pure function.
//
// candidates[0..count) must be sorted by distance to the base element, closest first, and must not
// contain the base itself. pair_distance(i, j) returns the distance between candidates[i] and
// candidates[j] (indices into the array). A candidate is kept if it is closer to the base than to
// every candidate kept before it; an exact duplicate of an already kept candidate (same distance to
// the base and to it) counts as closer to that one, so clusters of identical vectors do not crowd
// out the rest. With keep_pruned, free places are then filled with the closest pruned candidates.
// Writes the indices of at most max_selected kept candidates to selected, in increasing order
// (closest first), and returns how many.
template <typename PairDistance>
int HnswSelectNeighbors(const HnswCandidate *candidates, int count, int max_selected, bool keep_pruned,
                        PairDistance &&pair_distance, int *selected, const HnswPruneRule &rule = {})
{
	int kept = 0;
	int considered = 0;
	for (; considered < count && kept < max_selected; considered++) {
		const float to_base = candidates[considered].distance;
		bool good = true;
		for (int j = 0; j < kept; j++) {
			const int other = selected[j];
			if (HnswCovered(to_base, candidates[other].distance, pair_distance(considered, other), rule)) {
				good = false;
				break;
			}
		}
		if (good)
			selected[kept++] = considered;
	}
	if (!keep_pruned || kept >= max_selected || kept == count)
		return kept;

	// Fill up with the closest pruned candidates. The result is every index below some boundary
	// plus the kept ones above it: find the boundary, move that tail of selected, write the rest.
	const int limit = std::min(max_selected, count);
	int fill = limit - kept;
	int boundary = 0;
	int kept_before = 0;
	while (fill > 0) {
		if (kept_before < kept && selected[kept_before] == boundary)
			kept_before++;
		else
			fill--;
		boundary++;
	}
	std::copy_backward(selected + kept_before, selected + kept, selected + limit);
	for (int i = 0; i < boundary; i++)
		selected[i] = i;
	return limit;
}

// A full list taking one more candidate, with the pruned candidates kept (HnswSelectNeighbors
// with keep_pruned over the list plus the newcomer, max_selected = the list's length), without a
// distance per pair: the heuristic's verdict on each link is kept from the list's last change.
// candidates[0..total) are sorted as HnswSelectNeighbors wants them, the newcomer at position;
// verdict[i] is 1 (kept), 0 (pruned) or -1 (not known) for each, -1 for the newcomer; kept has room
// for total ints. Verdicts of candidates before the newcomer stand (the heuristic decides each from
// the kept ones before it); the newcomer is tested against the kept ones before it; after a kept
// newcomer a kept candidate is tested against the newcomer alone and a pruned one stays pruned,
// until a kept one falls: from there on every candidate is tested anew; unknown verdicts are
// computed. Leaves every verdict computed and returns the index of the candidate HnswSelectNeighbors
// leaves out: the farthest pruned one, or the farthest when none is pruned.
template <typename PairDistance>
int HnswFullListLeftOut(const HnswCandidate *candidates, int total, int position, int *verdict, int *kept,
                        PairDistance &&pair_distance, const HnswPruneRule &rule = {})
{
	int kept_count = 0;
	bool anew = false;
	for (int e = 0; e < total; e++) {
		if (anew || verdict[e] < 0 || e == position) {
			int good = 1;
			for (int j = 0; j < kept_count && good; j++) {
				if (HnswCovered(candidates[e].distance, candidates[kept[j]].distance,
				                pair_distance(e, kept[j]), rule))
					good = 0;
			}
			verdict[e] = good;
		} else if (e > position && verdict[position] == 1 && verdict[e] == 1 &&
		           HnswCovered(candidates[e].distance, candidates[position].distance,
		                       pair_distance(e, position), rule)) {
			verdict[e] = 0;
			anew = true; // candidates after this one may have been covered by it alone
		}
		if (verdict[e] == 1)
			kept[kept_count++] = e;
	}
	for (int e = total - 1; e >= 0; e--) {
		if (verdict[e] == 0)
			return e;
	}
	return total - 1;
}

// The link a full list gives up when the heuristic keeps all of them (HnswFullListLeftOut returned
// a kept candidate, so none is pruned): the farthest candidate of the farther half whose target
// does not hold the list's node among the nearest links of its own list (holds_near(e) false),
// else the farthest. A link to a row far from everything (a rare word among GloVe's common ones)
// is often the farthest entry of a dense row's list, and from one of the rows a search for that
// row ends at: with slack, lists are more often all kept, and giving up the farthest cut those
// links one by one. A target that counts the node among its nearest relies on that link to be
// found; one that does not is reached other ways. Giving up a link of the nearer half instead
// cost recall at small ef_search (0.005-0.015 on GloVe). Measured on GloVe rows in memory
// (docs/benchmarks.md, "Rows far from everything").
template <typename HoldsNear> int HnswLeftOutSparingNear(const int *verdict, int total, int out, HoldsNear &&holds_near)
{
	if (verdict[out] != 1)
		return out;
	for (int e = total - 1; e >= total - total / 2; e--) {
		if (!holds_near(e))
			return e;
	}
	return out;
}

// Build parameters.
struct HnswBuildParams {
	int dims = 0;
	// Metric of float rows: kL2, kInnerProduct (negative dot product) or kL1; for cosine, normalise
	// the vectors and use kInnerProduct (StoredRowMetric).
	Metric metric = Metric::kL2;
	int m = 16;                             // upper layers keep up to m neighbors, layer 0 up to 2 * m
	int ef_construction = 64;               // candidate list size while inserting
	int threads = 1;                        // threads InsertRange and Finish use (the caller's included)
	std::uint64_t seed = 0x5eed5eed5eedULL; // levels are drawn from it, independent of threads
	bool keep_pruned = false;               // fill neighbor lists with pruned candidates (see HnswSelectNeighbors)
	bool spare_near = true;                 // with keep_pruned: HnswLeftOutSparingNear (HnswSpareNearFor)
	HnswPruneRule prune;                    // the heuristic's rule (HnswPruneRuleFor); plain by default
	HnswSearchBeams search_beams;           // Search()'s descent (HnswSearchBeamsFor)
	int max_level = kHnswGraphMaxLevel;     // levels drawn above it are capped (page size limits)
	// Rows of another representation (half, bit, sparse vectors; see element_distance.h): when
	// distance is set, metric is ignored, row i of the data is row_bytes bytes at i * row_bytes,
	// or, with row offsets (see the constructor), of any size.
	ElementDistanceFn distance = nullptr;
	std::size_t row_bytes = 0;
	// Float rows (distance unset) of kL2, kInnerProduct or kL1: HnswBuilderStartGraph builds the
	// graph on binary16 copies when they rank neighbors as the floats do (hnsw_binary16_rows.h),
	// memory permitting; the appended rows stay floats (HnswBuilderRow), unless the caller has
	// them dropped (HnswBuilderStartGraph's drop_rows).
	bool binary16_graph = false;
	// When not null and non-zero, running calls stop early and throw HnswCancelled (the caller's
	// interrupt flag: workers only read it).
	const volatile int *cancel = nullptr;
};

// Thrown when HnswBuildParams::cancel was raised during a call.
struct HnswCancelled : std::exception {
	const char *what() const noexcept override
	{
		return "cancelled";
	}
};

// Reusable scratch of one searching thread (visited marks and heaps); see HnswGraph::Search.
class HnswSearchScratch
{
public:
	HnswSearchScratch() = default;

private:
	friend class HnswGraph;
	std::vector<std::uint16_t> visited_;
	std::uint16_t epoch_ = 0;
	std::vector<HnswCandidate> candidates_; // min-heap of nodes to expand
	std::vector<HnswCandidate> results_;    // max-heap of the ef best so far
	std::vector<HnswCandidate> work_;       // selection input, entry points
	std::vector<std::uint32_t> links_;      // copy of one neighbor list
	std::vector<std::uint32_t> pending_;    // unvisited neighbors of the node being expanded
	std::vector<int> selected_;
	std::vector<HnswCandidate> prune_; // a full list plus one, while shrinking it
	std::vector<int> prune_selected_;
	std::vector<int> kept_; // the kept candidates while a full list takes a new link
};

// An HNSW graph over a caller-owned array of n vectors. Layer 0 is one flat array of n blocks of
// (1 + 2m) uint32 (count, then neighbor ids); upper layers live in one pool where a node of
// level L has L blocks of (1 + m) uint32. Levels are drawn for all n nodes up front, so the
// memory is allocated once, in the constructor.
class HnswGraph
{
public:
	// Validates the parameters and allocates the graph for data[0 .. n * dims) (floats, or n rows
	// of params.row_bytes); inserts nothing. data must stay valid and unchanged for the life of
	// the graph.
	HnswGraph(const HnswBuildParams &params, const void *data, std::size_t n);
	// The same for rows of varying size (params.distance set): row i is data[offsets[i] ..
	// offsets[i + 1]); offsets has n + 1 entries and must outlive the graph like data.
	HnswGraph(const HnswBuildParams &params, const void *data, const std::uint64_t *offsets, std::size_t n);
	~HnswGraph();
	HnswGraph(const HnswGraph &) = delete;
	HnswGraph &operator=(const HnswGraph &) = delete;

	// Bytes a build of n vectors will hold at most, the caller's vector array (n * dims floats)
	// included, with threads searching threads; a conservative bound on the random levels.
	static std::size_t EstimateMemoryBytes(std::size_t n, int dims, int m, int threads = 1);
	// The same for rows of any representation taking data_bytes in all.
	static std::size_t EstimateMemoryBytesForData(std::size_t n, std::size_t data_bytes, int m, int threads = 1);
	// Bytes this graph holds (exact, vector array included).
	std::size_t MemoryBytes() const;

	// Inserts nodes [begin, end) with the configured threads. Ranges may come in any order and any
	// size but each node only once (std::invalid_argument otherwise). An exception in a worker
	// stops the others and is rethrown here; the nodes it did not finish are then left out.
	void InsertRange(std::size_t begin, std::size_t end);

	// Makes every inserted node reachable from the entry point at layer 0 and every node of
	// level L reachable at each layer 1..L, by adding links (to the nearest reachable node with a
	// free slot, else in place of a link whose target keeps another incoming link). Returns the
	// number of links added. Single-threaded; call after the last InsertRange.
	std::size_t EnsureConnected();
	// Links the copies of each row (nodes of identical bytes) in a ring on every layer, so that a
	// search that reaches one copy can reach all (see hnsw_graph_repair.cpp). Returns the links
	// added. Single-threaded; call after the last InsertRange, before EnsureConnected.
	std::size_t LinkCopies();
	// Sorts every neighbor list by distance to its node, closest first (uses the threads).
	void SortNeighborLists();
	// Fills every layer-0 list that the heuristic left short with the nearest nodes two hops away
	// (what keep_pruned does during insertion, at a fraction of its cost): denser lists give
	// more recall per visited node. Returns the links added.
	std::size_t FillNeighborLists();
	// EnsureConnected(), FillNeighborLists() (unless keep_pruned), SortNeighborLists(); returns the
	// links the repair added.
	std::size_t Finish();

	// Number of inserted nodes unreachable from the entry point at layer (nodes of level >= layer
	// only). For tests and integrity checks.
	std::size_t CountUnreachable(int layer) const;

	// The k nearest inserted nodes of query (dims floats, already normalised for cosine), closest
	// first, searching with a candidate list of max(ef, k). Not concurrent with InsertRange.
	std::vector<HnswCandidate> Search(const void *query, int k, int ef) const;
	std::vector<HnswCandidate> Search(const void *query, int k, int ef, HnswSearchScratch &scratch) const;

	// Accessors for the page writer.
	std::size_t size() const
	{
		return n_;
	}
	std::size_t InsertedCount() const
	{
		return inserted_count_;
	}
	bool IsInserted(std::uint32_t node) const
	{
		return inserted_[node] != 0;
	}
	int dims() const
	{
		return dims_;
	}
	int m() const
	{
		return m_;
	}
	Metric metric() const
	{
		return metric_;
	}
	// Entry point (kHnswNoNode while the graph is empty) and its level (-1 while empty).
	std::uint32_t EntryPoint() const
	{
		return static_cast<std::uint32_t>(entry_.load() & 0xFFFFFFFFu);
	}
	int MaxLevel() const
	{
		return static_cast<int>(static_cast<std::int32_t>(entry_.load() >> 32));
	}
	// Level of node (drawn in the constructor, valid before the node is inserted).
	int Level(std::uint32_t node) const
	{
		return levels_[node];
	}
	// Neighbors of node at layer (0 <= layer <= Level(node)); sorted closest first after Finish().
	std::span<const std::uint32_t> Neighbors(std::uint32_t node, int layer) const
	{
		const std::uint32_t *block = LinkBlock(node, layer);
		return {block + 1, block[0]};
	}
	// Capacity of a neighbor list at layer: 2m at layer 0, m above.
	int LayerCapacity(int layer) const
	{
		return layer == 0 ? 2 * m_ : m_;
	}
	// Distance between two stored nodes.
	float NodeDistance(std::uint32_t a, std::uint32_t b) const
	{
		return Distance(Vector(a), Vector(b));
	}
	// Distance between a query and a stored node.
	float Distance(const void *a, const void *b) const
	{
		return distance_(a, b, static_cast<std::size_t>(dims_));
	}
	// Row of node (dims floats unless rows of another representation were given).
	const void *Vector(std::uint32_t node) const
	{
		return offsets_ != nullptr ? data_ + offsets_[node]
		                           : data_ + static_cast<std::size_t>(node) * row_bytes_;
	}

private:
	// One thread's scratch.
	struct Worker {
		HnswSearchScratch scratch;
		// The node being inserted: its chosen neighbors per layer, linked back to it only after
		// all its own lists are written (see InsertNode).
		std::vector<std::vector<std::uint32_t>> chosen;
	};

	std::uint32_t *LinkBlock(std::uint32_t node, int layer) const;
	void InsertNode(std::uint32_t node, Worker &worker);
	void RunParallel(std::size_t begin, std::size_t end, std::size_t batch,
	                 const std::function<void(std::size_t, Worker &)> &body);
	void LockNode(std::uint32_t node) const;
	bool TryLockNode(std::uint32_t node) const;
	bool HoldsNear(std::uint32_t node, int layer, std::uint32_t other) const;
	void UnlockNode(std::uint32_t node) const;
	int CopyLinks(std::uint32_t node, int layer, std::uint32_t *out) const;
	void PrepareScratch(HnswSearchScratch &scratch) const;
	std::uint32_t Descend(const void *query, std::uint32_t entry, int from_layer, int to_layer,
	                      std::uint32_t exclude, HnswSearchBeams beams, HnswSearchScratch &scratch,
	                      float *entry_distance) const;
	void SearchLayer(const void *query, int ef, int layer, std::uint32_t exclude, HnswSearchScratch &scratch) const;
	int SelectFromResults(std::uint32_t base, int max_selected, HnswSearchScratch &scratch) const;
	void AddLinkLocked(std::uint32_t node, int layer, std::uint32_t target, HnswSearchScratch &scratch);
	void ReplaceInFullList(std::uint32_t node, int layer, std::uint32_t target, HnswSearchScratch &scratch);
	std::uint8_t *KeptBlock(std::uint32_t node, int layer) const;
	float *DistanceBlock(std::uint32_t node, int layer) const;
	void WriteOwnList(std::uint32_t node, int layer, int selected_count, HnswSearchScratch &scratch,
	                  std::vector<std::uint32_t> &chosen);
	void LinkBack(std::uint32_t node, int layer, const std::vector<std::uint32_t> &chosen,
	              HnswSearchScratch &scratch);
	std::size_t RepairLayer(int layer, HnswSearchScratch &scratch, std::vector<std::uint8_t> &gave_up);

	const std::uint8_t *data_;
	const std::uint64_t *offsets_; // row starts, for rows of varying size (else null)
	std::size_t row_bytes_;        // bytes of a row (a typical one for rows of varying size)
	ElementDistanceFn distance_;
	std::size_t data_bytes_; // bytes of all rows
	std::size_t n_;
	int dims_;
	Metric metric_;
	int m_;
	int ef_construction_;
	int threads_;
	bool keep_pruned_;
	bool spare_near_;
	HnswPruneRule prune_;
	HnswSearchBeams search_beams_;
	std::size_t block0_; // uint32 per layer-0 block: 1 + 2m
	std::size_t block_;  // uint32 per upper-layer block: 1 + m

	std::unique_ptr<std::uint8_t[]> levels_;
	std::unique_ptr<std::uint8_t[]> inserted_;
	std::unique_ptr<std::uint32_t[]> layer0_;
	std::unique_ptr<std::uint64_t[]> upper_offset_; // first upper block of each node, in uint32
	std::unique_ptr<std::uint32_t[]> upper_;
	std::size_t upper_size_ = 0;
	// With keep_pruned: the heuristic's verdict on each link, shaped like layer0_ and upper_
	// (see ReplaceInFullList).
	std::unique_ptr<std::uint8_t[]> kept0_;
	std::unique_ptr<std::uint8_t[]> kept_upper_;
	// With keep_pruned: each link's distance to the list's node, shaped the same way, valid where
	// the verdicts are known (a full list takes a new link without recomputing them).
	std::unique_ptr<float[]> dist0_;
	std::unique_ptr<float[]> dist_upper_;
	mutable std::unique_ptr<std::atomic<std::uint8_t>[]> locks_;
	bool concurrent_ = false; // lock neighbor lists (several threads are running)
	const volatile int *cancel_ = nullptr;

	// Entry point in the low 32 bits, its level in the high 32 (-1 and kHnswNoNode when empty).
	// Read without lock; changed under entry_mutex_, which an insert of a node above the current
	// top level holds for its whole insertion.
	std::atomic<std::uint64_t> entry_;
	std::mutex entry_mutex_;
	std::size_t inserted_count_ = 0;

	std::vector<std::unique_ptr<Worker>> workers_;
};

} // namespace vector_core
