// The in-memory HNSW graph: parallel insertion and search. See hnsw_graph.h; connectivity repair
// and the final passes over the lists are in hnsw_graph_repair.cpp.
//
// Insertion (Malkov & Yashunin, algorithm 1)
// ------------------------------------------
// A node of level L descends from the entry point through the layers above L with a beam of
// kHnswDescentBeam nodes (not greedily: see hnsw_graph.h), then on each layer L..0 searches with
// ef_construction starting from the previous layer's
// results, selects up to the layer's capacity (2m on layer 0, m above, as pgvector does) with
// the heuristic, writes its own list and adds itself to each selected neighbor's list; a full list
// is shrunk with the same heuristic over its old entries plus the new node.
//
// Concurrency
// -----------
// Each node has a one-byte spinlock guarding all its neighbor lists; readers copy a list under
// it, writers change it under it, and nobody waits for one while holding another (a full list
// asking its targets whether they rely on their link only tries their locks), so there is no
// deadlock. The entry point and top level sit in one atomic word. A node whose level is above
// the top level takes entry_mutex_ and holds it for its whole insertion, then publishes itself as
// the entry point (rare: about n / m^top nodes). A node is found by others only through links,
// and it writes all its own lists (top layer first) before it links any neighbor back to it, so a
// search that reaches it finds its lists complete on every layer. (Publishing layer by layer let a search
// that came down on a node still inserting meet an empty list, take it for a local minimum and
// give its own node neighbors from that one spot: in 1 of 30 threaded builds of clustered data
// a cluster split into two islands and 14-23 of its rows were not found by their own vector.)
// Should another thread still have linked to it first, the node merges those links.
//
// The threads are those of core/common/thread_pool.h: the caller plus threads - 1 std::threads
// started per call with every signal blocked; they take batches of nodes from an atomic counter
// (dynamic schedule). An exception in one stops the others and is rethrown on the caller after
// all have joined.
//
// Search
// ------
// Visited marks are uint16 epochs in a flat per-thread array (cleared only when the epoch wraps);
// the candidate and result heaps are preallocated vectors. Expanding a node first collects its
// unvisited neighbors and prefetches their vectors, then computes the distances.
#include "core/hnsw/hnsw_graph.h"

#include <cmath>
#include <cstring>
#include <exception>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>

#include "core/common/thread_pool.h"
#include "core/distance/float_distance.h"

namespace vector_core
{

namespace
{

constexpr std::uint64_t kEmptyEntry = (static_cast<std::uint64_t>(0xFFFFFFFFu) << 32) | kHnswNoNode;

// Packs an entry point and its level into the atomic word.
inline std::uint64_t PackEntry(std::uint32_t node, int level)
{
	return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(level)) << 32) | node;
}

// Orders a max-heap of results by distance (the worst on top).
inline bool CloserFirst(const HnswCandidate &a, const HnswCandidate &b)
{
	return a.distance < b.distance;
}

// Orders a min-heap of candidates by distance (the best on top).
inline bool FartherFirst(const HnswCandidate &a, const HnswCandidate &b)
{
	return a.distance > b.distance;
}

// Hint to the CPU that we are spinning.
inline void CpuRelax()
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

} // namespace

// mL = 1 / ln(m).
double HnswLevelMultiplier(int m)
{
	return 1.0 / std::log(static_cast<double>(m));
}

// floor(-ln(1 - u) * mL), capped.
int HnswLevelFromUniform(double uniform, int m)
{
	double level = std::floor(-std::log(1.0 - uniform) * HnswLevelMultiplier(m));
	if (!(level < kHnswGraphMaxLevel))
		return kHnswGraphMaxLevel;
	return level < 0 ? 0 : static_cast<int>(level);
}

// Squared or cosine distances take the slack 1.1, distances that are not squared its square
// root; the inner product keeps the plain rule.
HnswPruneRule HnswPruneRuleFor(ElementKind kind, Metric metric)
{
	switch (metric) {
	case Metric::kL2:
		return {0.0f, 1.1f};
	case Metric::kCosine:
		// Half rows store 1 - cos; the others compare normalised rows by negative inner product.
		return {kind == ElementKind::kHalf ? 0.0f : 1.0f, 1.1f};
	case Metric::kL1:
	case Metric::kHamming:
	case Metric::kJaccard:
		return {0.0f, 1.0488088f};
	case Metric::kInnerProduct:
		break;
	}
	return {};
}

bool HnswSpareNearFor(Metric metric)
{
	return metric != Metric::kInnerProduct;
}

HnswSearchBeams HnswSearchBeamsFor(Metric metric)
{
	if (metric == Metric::kInnerProduct)
		return {kHnswDescentBeam, kHnswInnerProductSearchBeam};
	return {};
}

// Validates, draws every level, and allocates the layers.
HnswGraph::HnswGraph(const HnswBuildParams &params, const void *data, std::size_t n)
    : HnswGraph(params, data, nullptr, n)
{
}

HnswGraph::HnswGraph(const HnswBuildParams &params, const void *data, const std::uint64_t *offsets, std::size_t n)
    : data_(static_cast<const std::uint8_t *>(data)), offsets_(offsets), row_bytes_(0), distance_(params.distance),
      data_bytes_(0), n_(n), dims_(params.dims), metric_(params.metric), m_(params.m),
      ef_construction_(params.ef_construction), threads_(params.threads), keep_pruned_(params.keep_pruned),
      spare_near_(params.spare_near), prune_(params.prune), search_beams_(params.search_beams), cancel_(params.cancel),
      entry_(kEmptyEntry)
{
	if (params.dims < 1 || params.dims > (1 << 20))
		throw std::invalid_argument("hnsw graph: dims must be between 1 and 1048576");
	if (params.m < 2 || params.m > 1000)
		throw std::invalid_argument("hnsw graph: m must be between 2 and 1000");
	if (params.ef_construction < 1 || params.ef_construction > 100000)
		throw std::invalid_argument("hnsw graph: ef_construction must be between 1 and 100000");
	if (params.threads < 1 || params.threads > 1024)
		throw std::invalid_argument("hnsw graph: threads must be between 1 and 1024");
	if (distance_ == nullptr) {
		switch (params.metric) {
		case Metric::kL2:
			distance_ = ElementDistance(ElementKind::kFloat, Metric::kL2);
			break;
		case Metric::kInnerProduct:
			distance_ = ElementDistance(ElementKind::kFloat, Metric::kInnerProduct);
			break;
		case Metric::kL1:
			distance_ = ElementDistance(ElementKind::kFloat, Metric::kL1);
			break;
		default:
			throw std::invalid_argument("hnsw graph: unknown metric");
		}
		if (offsets != nullptr)
			throw std::invalid_argument("hnsw graph: float rows have no offsets");
		row_bytes_ = static_cast<std::size_t>(params.dims) * sizeof(float);
	} else if (offsets == nullptr) {
		if (params.row_bytes == 0)
			throw std::invalid_argument("hnsw graph: row_bytes must be set");
		row_bytes_ = params.row_bytes;
	} else {
		// Prefetch a typical row's worth.
		row_bytes_ = n > 0 ? static_cast<std::size_t>(offsets[n] - offsets[0]) / n : 0;
	}
	data_bytes_ = offsets != nullptr ? (n > 0 ? static_cast<std::size_t>(offsets[n]) : 0) : n * row_bytes_;
	if (n >= kHnswNoNode)
		throw std::invalid_argument("hnsw graph: too many vectors");
	if (n > 0 && data == nullptr)
		throw std::invalid_argument("hnsw graph: no data");
	if (params.max_level < 0 || params.max_level > kHnswGraphMaxLevel)
		throw std::invalid_argument("hnsw graph: max_level out of range");

	block0_ = 1 + 2 * static_cast<std::size_t>(m_);
	block_ = 1 + static_cast<std::size_t>(m_);

	levels_.reset(new std::uint8_t[n]);
	inserted_.reset(new std::uint8_t[n]());
	upper_offset_.reset(new std::uint64_t[n]);
	std::mt19937_64 rng(params.seed);
	std::uniform_real_distribution<double> uniform(0.0, 1.0);
	std::size_t upper_blocks = 0;
	for (std::size_t i = 0; i < n; i++) {
		int level = std::min(HnswLevelFromUniform(uniform(rng), m_), params.max_level);
		levels_[i] = static_cast<std::uint8_t>(level);
		upper_offset_[i] = upper_blocks * block_;
		upper_blocks += static_cast<std::size_t>(level);
	}
	upper_size_ = upper_blocks * block_;
	layer0_.reset(new std::uint32_t[n * block0_]());
	upper_.reset(new std::uint32_t[upper_size_]());
	if (keep_pruned_) {
		kept0_.reset(new std::uint8_t[n * block0_]());
		kept_upper_.reset(new std::uint8_t[upper_size_]());
		dist0_.reset(new float[n * block0_]());
		dist_upper_.reset(new float[upper_size_]());
	}
	locks_.reset(new std::atomic<std::uint8_t>[n]());
}

HnswGraph::~HnswGraph() = default;

// Vectors, layers, per-node arrays, per-thread visited arrays and the repair's arrays.
std::size_t HnswGraph::EstimateMemoryBytes(std::size_t n, int dims, int m, int threads)
{
	return EstimateMemoryBytesForData(n, n * static_cast<std::size_t>(std::max(dims, 0)) * sizeof(float), m,
	                                  threads);
}

// The same over rows of any representation.
std::size_t HnswGraph::EstimateMemoryBytesForData(std::size_t n, std::size_t data_bytes, int m, int threads)
{
	const std::size_t mm = static_cast<std::size_t>(std::max(m, 2));
	const std::size_t vectors = data_bytes;
	const std::size_t layer0 = n * (1 + 2 * mm) * sizeof(std::uint32_t);
	// Expected upper levels per node are 1 / (m - 1); allow twice that plus one full tower.
	const std::size_t upper_blocks = 2 * n / (mm - 1) + 2 * kHnswGraphMaxLevel;
	const std::size_t upper = upper_blocks * (1 + mm) * sizeof(std::uint32_t);
	const std::size_t per_node = n * (1 + 1 + 1 + sizeof(std::uint64_t)); // level, inserted, lock, offset
	const std::size_t scratch =
	    static_cast<std::size_t>(std::max(threads, 1)) * (n * sizeof(std::uint16_t) + 65536);
	const std::size_t repair = n * (1 + 2 * sizeof(std::uint32_t));
	// With keep_pruned: a verdict byte and a float distance per link slot.
	const std::size_t verdicts = (layer0 + upper) / sizeof(std::uint32_t) * (1 + sizeof(float));
	return vectors + layer0 + upper + per_node + scratch + repair + verdicts + sizeof(HnswGraph);
}

// Exact bytes held now (plus the repair arrays EnsureConnected will take).
std::size_t HnswGraph::MemoryBytes() const
{
	std::size_t bytes = data_bytes_ + (offsets_ != nullptr ? (n_ + 1) * sizeof(std::uint64_t) : 0);
	bytes += n_ * block0_ * sizeof(std::uint32_t) + upper_size_ * sizeof(std::uint32_t);
	bytes += n_ * (1 + 1 + 1 + sizeof(std::uint64_t));
	if (keep_pruned_)
		bytes += (n_ * block0_ + upper_size_) * (1 + sizeof(float));
	for (const auto &worker : workers_) {
		const HnswSearchScratch &s = worker->scratch;
		bytes += s.visited_.capacity() * sizeof(std::uint16_t);
		bytes += (s.candidates_.capacity() + s.results_.capacity() + s.work_.capacity() + s.prune_.capacity()) *
		         sizeof(HnswCandidate);
		bytes += (s.links_.capacity() + s.pending_.capacity()) * sizeof(std::uint32_t);
		bytes += (s.selected_.capacity() + s.prune_selected_.capacity()) * sizeof(int);
	}
	return bytes + sizeof(HnswGraph);
}

// The block (count, then ids) of node's list at layer.
std::uint32_t *HnswGraph::LinkBlock(std::uint32_t node, int layer) const
{
	if (layer == 0)
		return layer0_.get() + static_cast<std::size_t>(node) * block0_;
	return upper_.get() + upper_offset_[node] + static_cast<std::size_t>(layer - 1) * block_;
}

// The heuristic's verdicts beside node's list at layer (keep_pruned only): byte 0 is 1 when they
// are known (and the list sorted closest first), then 2 (kept) or 1 (pruned) per link.
std::uint8_t *HnswGraph::KeptBlock(std::uint32_t node, int layer) const
{
	if (layer == 0)
		return kept0_.get() + static_cast<std::size_t>(node) * block0_;
	return kept_upper_.get() + upper_offset_[node] + static_cast<std::size_t>(layer - 1) * block_;
}

// The distances beside node's list at layer (keep_pruned only): slot 1 + i holds link i's distance
// to node, valid while KeptBlock(node, layer)[0] is 1.
float *HnswGraph::DistanceBlock(std::uint32_t node, int layer) const
{
	if (layer == 0)
		return dist0_.get() + static_cast<std::size_t>(node) * block0_;
	return dist_upper_.get() + upper_offset_[node] + static_cast<std::size_t>(layer - 1) * block_;
}

// Takes node's spinlock when several threads run.
void HnswGraph::LockNode(std::uint32_t node) const
{
	if (!concurrent_)
		return;
	std::atomic<std::uint8_t> &lock = locks_[node];
	while (lock.exchange(1, std::memory_order_acquire) != 0) {
		while (lock.load(std::memory_order_relaxed) != 0)
			CpuRelax();
	}
}

// Takes node's spinlock if it is free (while holding another: see HoldsNear).
bool HnswGraph::TryLockNode(std::uint32_t node) const
{
	if (!concurrent_)
		return true;
	return locks_[node].exchange(1, std::memory_order_acquire) == 0;
}

// Whether other is among the first m / 2 links of node's list at layer (lists are kept closest
// first, but for links appended before the list is full). Called with another node's lock held:
// only tries node's lock, and a busy one counts as no (the full list then gives up its farthest,
// as without this test).
bool HnswGraph::HoldsNear(std::uint32_t node, int layer, std::uint32_t other) const
{
	if (!TryLockNode(node))
		return false;
	const std::uint32_t *block = LinkBlock(node, layer);
	const std::uint32_t near = std::min<std::uint32_t>(block[0], static_cast<std::uint32_t>(std::max(1, m_ / 2)));
	bool holds = false;
	for (std::uint32_t i = 0; i < near && !holds; i++)
		holds = block[1 + i] == other;
	UnlockNode(node);
	return holds;
}

// Releases node's spinlock.
void HnswGraph::UnlockNode(std::uint32_t node) const
{
	if (concurrent_)
		locks_[node].store(0, std::memory_order_release);
}

// Copies node's list at layer to out (room for the layer's capacity); returns its length.
int HnswGraph::CopyLinks(std::uint32_t node, int layer, std::uint32_t *out) const
{
	const std::uint32_t *block = LinkBlock(node, layer);
	LockNode(node);
	const std::uint32_t count = block[0];
	std::memcpy(out, block + 1, count * sizeof(std::uint32_t));
	UnlockNode(node);
	return static_cast<int>(count);
}

// Sizes scratch for this graph (no-op when already done).
void HnswGraph::PrepareScratch(HnswSearchScratch &s) const
{
	if (s.visited_.size() != n_) {
		s.visited_.assign(n_, 0);
		s.epoch_ = 0;
	}
	const std::size_t ef = static_cast<std::size_t>(std::max(ef_construction_, 2 * m_)) + 1;
	const std::size_t links = block0_;
	if (s.results_.capacity() < ef) {
		s.results_.reserve(ef);
		s.work_.reserve(ef);
		s.selected_.reserve(ef);
		s.candidates_.reserve(ef * 4);
	}
	if (s.links_.size() < links) {
		s.links_.resize(links);
		s.pending_.resize(links);
		s.prune_.reserve(links + 1);
		s.prune_selected_.resize(links + 1);
		s.kept_.resize(links + 1);
	}
}

// Descent from entry through layers from_layer .. to_layer + 1, a beam search of
// kHnswDescentBeam nodes on each (last_beam on the last), going down from the closest found;
// returns it and its distance in *entry_distance (which holds entry's on input). Uses s.work_ and
// s.results_.
std::uint32_t HnswGraph::Descend(const void *query, std::uint32_t entry, int from_layer, int to_layer,
                                 std::uint32_t exclude, HnswSearchBeams beams, HnswSearchScratch &s,
                                 float *entry_distance) const
{
	HnswCandidate current = {*entry_distance, entry};
	for (int layer = from_layer; layer > to_layer; layer--) {
		s.work_.clear();
		s.work_.push_back(current);
		SearchLayer(query, layer == to_layer + 1 ? beams.last : beams.upper, layer, exclude, s);
		for (const HnswCandidate &c : s.results_) {
			if (HnswByDistanceThenId(c, current))
				current = c;
		}
	}
	*entry_distance = current.distance;
	return current.id;
}

// Beam search on layer from the entry points in s.work_ (with distances); leaves the ef closest
// nodes found in s.results_ as a max-heap. exclude (or kHnswNoNode) is never visited.
void HnswGraph::SearchLayer(const void *query, int ef, int layer, std::uint32_t exclude, HnswSearchScratch &s) const
{
	if (++s.epoch_ == 0) {
		std::fill(s.visited_.begin(), s.visited_.end(), 0);
		s.epoch_ = 1;
	}
	const std::uint16_t epoch = s.epoch_;
	std::uint16_t *visited = s.visited_.data();
	if (exclude != kHnswNoNode)
		visited[exclude] = epoch;

	auto &candidates = s.candidates_;
	auto &results = s.results_;
	candidates.clear();
	results.clear();
	const std::size_t limit = static_cast<std::size_t>(ef);
	for (const HnswCandidate &entry : s.work_) {
		if (visited[entry.id] == epoch)
			continue;
		visited[entry.id] = epoch;
		candidates.push_back(entry);
		std::push_heap(candidates.begin(), candidates.end(), FartherFirst);
		results.push_back(entry);
		std::push_heap(results.begin(), results.end(), CloserFirst);
		if (results.size() > limit) {
			std::pop_heap(results.begin(), results.end(), CloserFirst);
			results.pop_back();
		}
	}

	const std::size_t vector_bytes = row_bytes_;
	std::uint32_t *links = s.links_.data();
	std::uint32_t *pending = s.pending_.data();
	while (!candidates.empty()) {
		const HnswCandidate best = candidates.front();
		if (results.size() >= limit && best.distance > results.front().distance)
			break;
		std::pop_heap(candidates.begin(), candidates.end(), FartherFirst);
		candidates.pop_back();

		const int count = CopyLinks(best.id, layer, links);
		int unvisited = 0;
		for (int i = 0; i < count; i++) {
			const std::uint32_t id = links[i];
			if (visited[id] == epoch)
				continue;
			visited[id] = epoch;
			pending[unvisited++] = id;
			const char *v = reinterpret_cast<const char *>(Vector(id));
			__builtin_prefetch(v);
			if (vector_bytes > 64)
				__builtin_prefetch(v + 64);
		}
		for (int i = 0; i < unvisited; i++) {
			const std::uint32_t id = pending[i];
			if (i + 1 < unvisited) {
				const char *v = reinterpret_cast<const char *>(Vector(pending[i + 1]));
				for (std::size_t off = 128; off < vector_bytes; off += 64)
					__builtin_prefetch(v + off);
			}
			const float d = Distance(query, Vector(id));
			if (results.size() < limit || d < results.front().distance) {
				candidates.push_back({d, id});
				std::push_heap(candidates.begin(), candidates.end(), FartherFirst);
				results.push_back({d, id});
				std::push_heap(results.begin(), results.end(), CloserFirst);
				if (results.size() > limit) {
					std::pop_heap(results.begin(), results.end(), CloserFirst);
					results.pop_back();
				}
			}
		}
	}
}

// Sorts s.results_ into s.work_ (closest first) and selects up to max_selected of them as
// neighbors of base into s.selected_ (indices into s.work_); returns how many.
int HnswGraph::SelectFromResults(std::uint32_t base, int max_selected, HnswSearchScratch &s) const
{
	(void)base;
	s.work_.assign(s.results_.begin(), s.results_.end());
	std::sort(s.work_.begin(), s.work_.end(), HnswByDistanceThenId);
	s.selected_.resize(s.work_.size());
	const HnswCandidate *cands = s.work_.data();
	return HnswSelectNeighbors(
	    cands, static_cast<int>(s.work_.size()), max_selected, keep_pruned_,
	    [this, cands](int i, int j) { return NodeDistance(cands[i].id, cands[j].id); }, s.selected_.data(), prune_);
}

// Adds target to node's list at layer (node's lock held); a full list keeps the heuristic's
// choice among its entries and target.
void HnswGraph::AddLinkLocked(std::uint32_t node, int layer, std::uint32_t target, HnswSearchScratch &s)
{
	std::uint32_t *block = LinkBlock(node, layer);
	const std::uint32_t count = block[0];
	for (std::uint32_t i = 0; i < count; i++) {
		if (block[1 + i] == target)
			return;
	}
	const int capacity = LayerCapacity(layer);
	if (count < static_cast<std::uint32_t>(capacity)) {
		block[1 + count] = target;
		block[0] = count + 1;
		if (keep_pruned_)
			KeptBlock(node, layer)[0] = 0;
		return;
	}
	if (keep_pruned_) {
		ReplaceInFullList(node, layer, target, s);
		return;
	}

	const void *base = Vector(node);
	auto &cands = s.prune_;
	cands.clear();
	for (std::uint32_t i = 0; i < count; i++)
		cands.push_back({Distance(base, Vector(block[1 + i])), block[1 + i]});
	cands.push_back({Distance(base, Vector(target)), target});
	std::sort(cands.begin(), cands.end(), HnswByDistanceThenId);
	const HnswCandidate *c = cands.data();
	const int kept = HnswSelectNeighbors(
	    c, static_cast<int>(cands.size()), capacity, false,
	    [this, c](int i, int j) { return NodeDistance(c[i].id, c[j].id); }, s.prune_selected_.data(), prune_);
	for (int i = 0; i < kept; i++)
		block[1 + i] = c[s.prune_selected_[i]].id;
	block[0] = static_cast<std::uint32_t>(kept);
}

// A full list (node's lock held) with the pruned candidates kept takes target, or not: the one
// candidate HnswSelectNeighbors(keep_pruned) would leave out gives way, found by
// HnswFullListLeftOut from the verdicts kept beside the list (KeptBlock; computed anew when the
// list changed otherwise), unless all are kept and that one's target counts node among its
// nearest (HnswLeftOutSparingNear). The list stays sorted closest first.
void HnswGraph::ReplaceInFullList(std::uint32_t node, int layer, std::uint32_t target, HnswSearchScratch &s)
{
	std::uint32_t *block = LinkBlock(node, layer);
	std::uint8_t *kept_block = KeptBlock(node, layer);
	float *distance_block = DistanceBlock(node, layer);
	const int count = static_cast<int>(block[0]);
	const bool known = kept_block[0] != 0;
	const void *base = Vector(node);
	auto &cands = s.prune_;
	cands.clear();
	// The members' distances were stored with the verdicts: recomputing them (33 distances per
	// back-link at m = 16) was about half of a build's distance work at 768 dimensions.
	for (int i = 0; i < count; i++)
		cands.push_back({known ? distance_block[1 + i] : Distance(base, Vector(block[1 + i])), block[1 + i]});
	const HnswCandidate added = {Distance(base, Vector(target)), target};
	int *verdict = s.prune_selected_.data();
	if (!known)
		std::sort(cands.begin(), cands.end(), HnswByDistanceThenId);
	int position = 0;
	while (position < count && HnswByDistanceThenId(cands[static_cast<std::size_t>(position)], added))
		position++;
	for (int i = 0; i < count; i++)
		verdict[i] = known ? kept_block[1 + i] - 1 : -1; // -1: not computed
	cands.insert(cands.begin() + position, added);
	std::memmove(verdict + position + 1, verdict + position,
	             sizeof(int) * static_cast<std::size_t>(count - position));
	verdict[position] = -1;

	const HnswCandidate *c = cands.data();
	const int total = count + 1;
	int out = HnswFullListLeftOut(
	    c, total, position, verdict, s.kept_.data(),
	    [this, c](int i, int j) { return NodeDistance(c[i].id, c[j].id); }, prune_);
	if (spare_near_)
		out = HnswLeftOutSparingNear(verdict, total, out,
		                             [this, c, node, layer](int e) { return HoldsNear(c[e].id, layer, node); });
	int written = 0;
	for (int e = 0; e < total; e++) {
		if (e == out)
			continue;
		block[1 + written] = c[e].id;
		kept_block[1 + written] = static_cast<std::uint8_t>(verdict[e] + 1);
		distance_block[1 + written] = c[e].distance;
		written++;
	}
	block[0] = static_cast<std::uint32_t>(written);
	kept_block[0] = 1;
}

// Writes node's list at layer from the selection in s.selected_ / s.work_ (merging links other
// threads added meanwhile) and records the selection in chosen for LinkBack.
void HnswGraph::WriteOwnList(std::uint32_t node, int layer, int selected_count, HnswSearchScratch &s,
                             std::vector<std::uint32_t> &chosen)
{
	chosen.clear();
	for (int i = 0; i < selected_count; i++)
		chosen.push_back(s.work_[s.selected_[i]].id);
	std::uint32_t *block = LinkBlock(node, layer);
	LockNode(node);
	if (keep_pruned_)
		KeptBlock(node, layer)[0] = 0;
	const std::uint32_t early = block[0];
	if (early == 0) {
		for (int i = 0; i < selected_count; i++)
			block[1 + i] = chosen[static_cast<std::size_t>(i)];
		block[0] = static_cast<std::uint32_t>(selected_count);
	} else {
		// Another thread linked to node here first: keep its links too, as far as they fit.
		std::uint32_t *old = s.pending_.data();
		std::memcpy(old, block + 1, early * sizeof(std::uint32_t));
		for (int i = 0; i < selected_count; i++)
			block[1 + i] = chosen[static_cast<std::size_t>(i)];
		block[0] = static_cast<std::uint32_t>(selected_count);
		for (std::uint32_t i = 0; i < early; i++)
			AddLinkLocked(node, layer, old[i], s);
	}
	UnlockNode(node);
}

// Links each chosen neighbor at layer back to node.
void HnswGraph::LinkBack(std::uint32_t node, int layer, const std::vector<std::uint32_t> &chosen, HnswSearchScratch &s)
{
	for (const std::uint32_t neighbor : chosen) {
		LockNode(neighbor);
		AddLinkLocked(neighbor, layer, node, s);
		UnlockNode(neighbor);
	}
}

// Inserts one node (see the file comment). Its own lists are all written before any other node
// links to it, so a search that reaches it never finds an empty list below the layer it came in
// on (a thread that did would take that dead end for a local minimum and give its own node
// neighbors from one small region only, which splits clusters into islands).
void HnswGraph::InsertNode(std::uint32_t node, Worker &worker)
{
	HnswSearchScratch &s = worker.scratch;
	const int level = levels_[node];
	std::uint64_t entry = entry_.load(std::memory_order_acquire);
	std::unique_lock<std::mutex> top_lock;
	if (level > static_cast<std::int32_t>(entry >> 32)) {
		top_lock = std::unique_lock<std::mutex>(entry_mutex_);
		entry = entry_.load(std::memory_order_acquire);
		if (level <= static_cast<std::int32_t>(entry >> 32))
			top_lock.unlock();
	}
	const std::uint32_t entry_node = static_cast<std::uint32_t>(entry & 0xFFFFFFFFu);
	const int top = static_cast<std::int32_t>(entry >> 32);
	if (entry_node == kHnswNoNode) {
		entry_.store(PackEntry(node, level), std::memory_order_release);
		inserted_[node] = 1;
		return;
	}

	const void *query = Vector(node);
	float distance = Distance(query, Vector(entry_node));
	const std::uint32_t start = Descend(query, entry_node, top, level, node, kHnswInsertBeams, s, &distance);
	s.work_.clear();
	s.work_.push_back({distance, start});
	const int highest = std::min(level, top);
	if (worker.chosen.size() < static_cast<std::size_t>(highest) + 1)
		worker.chosen.resize(static_cast<std::size_t>(highest) + 1);
	for (int layer = highest; layer >= 0; layer--) {
		SearchLayer(query, ef_construction_, layer, node, s);
		const int selected = SelectFromResults(node, LayerCapacity(layer), s);
		WriteOwnList(node, layer, selected, s, worker.chosen[static_cast<std::size_t>(layer)]);
	}
	for (int layer = highest; layer >= 0; layer--)
		LinkBack(node, layer, worker.chosen[static_cast<std::size_t>(layer)], s);
	if (level > top)
		entry_.store(PackEntry(node, level), std::memory_order_release);
	inserted_[node] = 1;
}

// Runs body(i, worker) for i in [begin, end) on the configured threads, in batches taken in
// order from a shared counter; rethrows the first exception after every thread has stopped.
void HnswGraph::RunParallel(std::size_t begin, std::size_t end, std::size_t batch,
                            const std::function<void(std::size_t, Worker &)> &body)
{
	if (begin >= end)
		return;
	const std::size_t count = end - begin;
	int threads =
	    static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(threads_), (count + batch - 1) / batch));
	threads = std::max(threads, 1);
	while (workers_.size() < static_cast<std::size_t>(threads)) {
		workers_.push_back(std::make_unique<Worker>());
		PrepareScratch(workers_.back()->scratch);
	}

	// Several threads change neighbor lists: lock them (LockNode) while they run.
	concurrent_ = threads > 1;
	try {
		RunInBatches(
		    threads, begin, end, batch,
		    [this, &body](std::size_t i, int thread) { body(i, *workers_[static_cast<std::size_t>(thread)]); },
		    [this] {
			    if (cancel_ != nullptr && *cancel_ != 0)
				    throw HnswCancelled();
		    });
	} catch (...) {
		concurrent_ = false;
		throw;
	}
	concurrent_ = false;
}

// Checks the range, inserts the first node alone if the graph is empty, then the rest in parallel.
void HnswGraph::InsertRange(std::size_t begin, std::size_t end)
{
	if (begin > end || end > n_)
		throw std::invalid_argument("hnsw graph: insert range out of bounds");
	for (std::size_t i = begin; i < end; i++) {
		if (inserted_[i])
			throw std::invalid_argument("hnsw graph: node " + std::to_string(i) + " inserted twice");
	}
	if (begin == end)
		return;
	if (workers_.empty()) {
		workers_.push_back(std::make_unique<Worker>());
		PrepareScratch(workers_.back()->scratch);
	}
	if (EntryPoint() == kHnswNoNode) {
		InsertNode(static_cast<std::uint32_t>(begin), *workers_[0]);
		inserted_count_++;
		begin++;
	}
	std::atomic<std::size_t> done{0};
	try {
		RunParallel(begin, end, 16, [this, &done](std::size_t i, Worker &worker) {
			InsertNode(static_cast<std::uint32_t>(i), worker);
			done.fetch_add(1, std::memory_order_relaxed);
		});
	} catch (...) {
		inserted_count_ += done.load();
		throw;
	}
	inserted_count_ += done.load();
}

// Search with a scratch of its own.
std::vector<HnswCandidate> HnswGraph::Search(const void *query, int k, int ef) const
{
	HnswSearchScratch scratch;
	return Search(query, k, ef, scratch);
}

// Descent to layer 1 (Descend), beam search on layer 0, the k best.
std::vector<HnswCandidate> HnswGraph::Search(const void *query, int k, int ef, HnswSearchScratch &scratch) const
{
	std::vector<HnswCandidate> out;
	const std::uint32_t entry = EntryPoint();
	if (entry == kHnswNoNode || k <= 0)
		return out;
	PrepareScratch(scratch);
	float distance = Distance(query, Vector(entry));
	const std::uint32_t start =
	    Descend(query, entry, MaxLevel(), 0, kHnswNoNode, search_beams_, scratch, &distance);
	scratch.work_.clear();
	scratch.work_.push_back({distance, start});
	SearchLayer(query, std::max(ef, k), 0, kHnswNoNode, scratch);
	out.assign(scratch.results_.begin(), scratch.results_.end());
	std::sort(out.begin(), out.end(), HnswByDistanceThenId);
	if (out.size() > static_cast<std::size_t>(k))
		out.resize(static_cast<std::size_t>(k));
	return out;
}

} // namespace vector_core
