// The in-memory HNSW graph after its inserts: connectivity repair, filling short lists and
// sorting them (HnswGraph::Finish). See hnsw_graph.h; insertion and search are in hnsw_graph.cpp.
//
// Connectivity
// ------------
// Concurrent inserts and the pruning of full lists can leave nodes without incoming links from
// the reachable part of the graph. EnsureConnected walks each layer from the entry point and
// links every unreached node from its nearest reached node that has a free slot (found by a
// search from the entry point, which only visits reached nodes), or else in place of a link whose
// target keeps another incoming link from a reached node; then it continues the walk from there.
//
// Copies of one row (the build groups identical rows into elements of a few heap TIDs, so 20,000
// equal rows make 2,000 nodes of identical bytes) are all ties to each other: every search for
// one finds the same first few of them, their full lists offer a newcomer no place it could win,
// and most copies end with no link in. LinkCopies gives each copy a link from the copy before it
// in node order, and the first from the last: a ring, so that reaching one copy reaches all.
// The ring link takes the place of a link to another copy (which keeps its own ring link), else
// of the farthest link whose target keeps another link in; EnsureConnected then links the ring
// from the rest of the graph if nothing did.
//
// Each list gives up at most one of its links to the repair (kRepairSlotsPerList). Under inner
// product most rows are nobody's nearest neighbour (the large-norm rows in each direction win
// every list), so an unlimited repair replaced links in nearly every list (8,800 of 10,000 on
// 3-d random data) and recall at ef_search 40 fell from 0.995 to 0.82; such rows are also never
// an inner-product answer near the top. Under L2 the unreached rows are few and one slot per list
// links them all.
#include "core/hnsw/hnsw_graph.h"

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace vector_core
{

namespace
{
constexpr std::uint8_t kRepairSlotsPerList = 1;
} // namespace

// Walks layer from the entry point; returns the nodes of level >= layer it does not reach.
std::size_t HnswGraph::CountUnreachable(int layer) const
{
	const std::uint32_t entry = EntryPoint();
	if (entry == kHnswNoNode || layer > MaxLevel())
		return 0;
	std::vector<std::uint8_t> reached(n_, 0);
	std::vector<std::uint32_t> queue;
	queue.push_back(entry);
	reached[entry] = 1;
	for (std::size_t head = 0; head < queue.size(); head++) {
		for (std::uint32_t next : Neighbors(queue[head], layer)) {
			if (!reached[next]) {
				reached[next] = 1;
				queue.push_back(next);
			}
		}
	}
	std::size_t unreachable = 0;
	for (std::size_t i = 0; i < n_; i++) {
		if (inserted_[i] && levels_[i] >= layer && !reached[i])
			unreachable++;
	}
	return unreachable;
}

// Links every unreached node of layer from the reached part (see the file comment); returns the
// links added.
std::size_t HnswGraph::RepairLayer(int layer, HnswSearchScratch &s, std::vector<std::uint8_t> &gave_up)
{
	const std::uint32_t entry = EntryPoint();
	const int top = MaxLevel();
	const int capacity = LayerCapacity(layer);
	std::vector<std::uint8_t> reached(n_, 0);
	std::vector<std::uint32_t> in_degree(n_, 0); // incoming links from reached nodes
	std::vector<std::uint32_t> queue;
	std::size_t head = 0;

	// Marks node reached and walks everything newly reachable from it.
	auto walk_from = [&](std::uint32_t start) {
		reached[start] = 1;
		queue.push_back(start);
		for (; head < queue.size(); head++) {
			for (std::uint32_t next : Neighbors(queue[head], layer)) {
				in_degree[next]++;
				if (!reached[next]) {
					reached[next] = 1;
					queue.push_back(next);
				}
			}
		}
	};
	walk_from(entry);

	std::size_t added = 0;
	const int ef = std::max(ef_construction_, capacity);
	for (std::size_t i = 0; i < n_; i++) {
		const std::uint32_t node = static_cast<std::uint32_t>(i);
		if (!inserted_[i] || levels_[i] < layer || reached[i])
			continue;

		// Nearest reached nodes: search from a reached start, which only visits reached nodes.
		const void *query = Vector(node);
		float distance = Distance(query, Vector(entry));
		std::uint32_t start = Descend(query, entry, top, layer, node, kHnswInsertBeams, s, &distance);
		if (!reached[start]) {
			start = entry;
			distance = Distance(query, Vector(entry));
		}
		s.work_.clear();
		s.work_.push_back({distance, start});
		SearchLayer(query, ef, layer, node, s);
		s.work_.assign(s.results_.begin(), s.results_.end());
		std::sort(s.work_.begin(), s.work_.end(), HnswByDistanceThenId);

		std::uint32_t from = kHnswNoNode;
		int replace_slot = -1;
		for (const HnswCandidate &c : s.work_) {
			if (LinkBlock(c.id, layer)[0] < static_cast<std::uint32_t>(capacity)) {
				from = c.id;
				break;
			}
		}
		if (from == kHnswNoNode) {
			// No free slot nearby: replace the farthest link of the nearest candidate whose target
			// has another incoming link.
			for (const HnswCandidate &c : s.work_) {
				if (gave_up[c.id] >= kRepairSlotsPerList)
					continue;
				const std::uint32_t *block = LinkBlock(c.id, layer);
				float worst = -std::numeric_limits<float>::infinity();
				for (std::uint32_t j = 0; j < block[0]; j++) {
					const std::uint32_t target = block[1 + j];
					if (in_degree[target] < 2)
						continue;
					const float d = NodeDistance(c.id, target);
					if (replace_slot < 0 || d > worst) {
						worst = d;
						replace_slot = static_cast<int>(j);
					}
				}
				if (replace_slot >= 0) {
					from = c.id;
					break;
				}
			}
		}
		if (from == kHnswNoNode) {
			// Last resort: the nearest reached node anywhere with a free slot.
			float best = std::numeric_limits<float>::infinity();
			for (std::uint32_t r : queue) {
				if (LinkBlock(r, layer)[0] >= static_cast<std::uint32_t>(capacity))
					continue;
				const float d = Distance(query, Vector(r));
				if (from == kHnswNoNode || d < best) {
					best = d;
					from = r;
				}
			}
			if (from == kHnswNoNode)
				continue; // every reached list is full and pinned; the caller's next round retries
		}

		std::uint32_t *block = LinkBlock(from, layer);
		if (replace_slot >= 0) {
			gave_up[from]++;
			in_degree[block[1 + replace_slot]]--;
			block[1 + replace_slot] = node;
		} else {
			block[1 + block[0]] = node;
			block[0]++;
		}
		if (keep_pruned_)
			KeptBlock(from, layer)[0] = 0; // the verdicts beside the list no longer hold
		in_degree[node]++;
		added++;
		walk_from(node);
	}
	return added;
}

// Repairs every layer, top first, until a check finds nothing unreachable (a replaced link can,
// rarely, cut off what it pointed to; the next round links that back).
std::size_t HnswGraph::EnsureConnected()
{
	if (EntryPoint() == kHnswNoNode)
		return 0;
	if (workers_.empty()) {
		workers_.push_back(std::make_unique<Worker>());
		PrepareScratch(workers_.back()->scratch);
	}
	HnswSearchScratch &s = workers_[0]->scratch;
	std::size_t added = 0;
	for (int layer = MaxLevel(); layer >= 0; layer--) {
		std::vector<std::uint8_t> gave_up(n_, 0); // links each list gave up to the repair
		for (int round = 0; round < 8; round++) {
			added += RepairLayer(layer, s, gave_up);
			if (CountUnreachable(layer) == 0)
				break;
		}
	}
	return added;
}

// Sorts each list by distance to its node, in parallel.
void HnswGraph::SortNeighborLists()
{
	RunParallel(0, n_, 256, [this](std::size_t i, Worker &worker) {
		if (!inserted_[i])
			return;
		const std::uint32_t node = static_cast<std::uint32_t>(i);
		auto &cands = worker.scratch.prune_;
		for (int layer = 0; layer <= levels_[i]; layer++) {
			std::uint32_t *block = LinkBlock(node, layer);
			cands.clear();
			for (std::uint32_t j = 0; j < block[0]; j++)
				cands.push_back({NodeDistance(node, block[1 + j]), block[1 + j]});
			std::sort(cands.begin(), cands.end(), HnswByDistanceThenId);
			for (std::uint32_t j = 0; j < block[0]; j++)
				block[1 + j] = cands[j].id;
		}
	});
}

// Appends to each short layer-0 list its nearest unlinked nodes among its neighbors' neighbors.
std::size_t HnswGraph::FillNeighborLists()
{
	std::atomic<std::size_t> added{0};
	const std::uint32_t capacity = static_cast<std::uint32_t>(LayerCapacity(0));
	RunParallel(0, n_, 64, [this, capacity, &added](std::size_t i, Worker &worker) {
		if (!inserted_[i])
			return;
		HnswSearchScratch &s = worker.scratch;
		const std::uint32_t node = static_cast<std::uint32_t>(i);
		std::uint32_t *own = s.pending_.data();
		const int own_count = CopyLinks(node, 0, own);
		if (static_cast<std::uint32_t>(own_count) >= capacity || own_count == 0)
			return;
		if (++s.epoch_ == 0) {
			std::fill(s.visited_.begin(), s.visited_.end(), 0);
			s.epoch_ = 1;
		}
		const std::uint16_t epoch = s.epoch_;
		s.visited_[node] = epoch;
		for (int j = 0; j < own_count; j++)
			s.visited_[own[j]] = epoch;
		auto &cands = s.prune_;
		cands.clear();
		const void *base = Vector(node);
		// The first links are the heuristic's picks, closest first: their lists hold the best
		// candidates, and looking further costs memory traffic for little gain.
		const int hops = std::min(own_count, 16);
		for (int j = 0; j < hops; j++) {
			const int count = CopyLinks(own[j], 0, s.links_.data());
			for (int k = 0; k < count; k++) {
				const std::uint32_t next = s.links_[k];
				if (s.visited_[next] == epoch)
					continue;
				s.visited_[next] = epoch;
				cands.push_back({Distance(base, Vector(next)), next});
			}
		}
		const std::size_t want = std::min<std::size_t>(capacity - own_count, cands.size());
		if (want == 0)
			return;
		std::partial_sort(cands.begin(), cands.begin() + static_cast<std::ptrdiff_t>(want), cands.end(),
		                  HnswByDistanceThenId);
		std::uint32_t *block = LinkBlock(node, 0);
		LockNode(node);
		std::size_t appended = 0;
		for (std::size_t j = 0; j < want && block[0] < capacity; j++) {
			bool present = false;
			for (std::uint32_t k = 0; k < block[0] && !present; k++)
				present = block[1 + k] == cands[j].id;
			if (!present) {
				block[1 + block[0]] = cands[j].id;
				block[0]++;
				appended++;
			}
		}
		UnlockNode(node);
		added.fetch_add(appended, std::memory_order_relaxed);
	});
	return added.load();
}

std::size_t HnswGraph::LinkCopies()
{
	if (EntryPoint() == kHnswNoNode)
		return 0;
	auto row_size = [this](std::uint32_t node) {
		return offsets_ != nullptr ? static_cast<std::size_t>(offsets_[node + 1] - offsets_[node]) : row_bytes_;
	};
	auto row_hash = [this, &row_size](std::uint32_t node) {
		const std::uint8_t *row = static_cast<const std::uint8_t *>(Vector(node));
		const std::size_t size = row_size(node);
		// Eight bytes at a time (a few milliseconds for 60,000 rows of 768 binary16 values).
		std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ size;
		std::size_t i = 0;
		for (; i + 8 <= size; i += 8) {
			std::uint64_t word;
			std::memcpy(&word, row + i, 8);
			h = (h ^ word) * 0xBF58476D1CE4E5B9ULL;
			h ^= h >> 31;
		}
		for (; i < size; i++)
			h = (h ^ row[i]) * 0x100000001b3ULL;
		return h;
	};
	auto same_row = [this, &row_size](std::uint32_t a, std::uint32_t b) {
		const std::size_t size = row_size(a);
		return size == row_size(b) && std::memcmp(Vector(a), Vector(b), size) == 0;
	};
	std::vector<std::pair<std::uint64_t, std::uint32_t>> order;
	for (std::size_t i = 0; i < n_; i++)
		if (inserted_[i])
			order.push_back({row_hash(static_cast<std::uint32_t>(i)), static_cast<std::uint32_t>(i)});
	std::sort(order.begin(), order.end());
	// Groups of copies, each in node order: starts into members.
	std::vector<std::uint32_t> members;
	std::vector<std::size_t> starts;
	for (std::size_t start = 0; start < order.size();) {
		std::size_t end = start + 1;
		while (end < order.size() && order[end].first == order[start].first)
			end++;
		// The nodes of this hash that are copies of its first (another row of the same hash, a
		// collision, is left alone).
		const std::size_t first = members.size();
		for (std::size_t k = start; k < end; k++)
			if (same_row(order[start].second, order[k].second))
				members.push_back(order[k].second);
		if (members.size() - first < 2)
			members.resize(first);
		else
			starts.push_back(first);
		start = end;
	}
	if (starts.empty())
		return 0;
	starts.push_back(members.size());

	std::size_t added = 0;
	std::vector<std::uint32_t> in_links(n_);
	std::vector<std::uint32_t> ring;
	for (int layer = 0; layer <= MaxLevel(); layer++) {
		// Links in at this layer, to tell which link a list can give up.
		std::fill(in_links.begin(), in_links.end(), 0);
		for (std::size_t i = 0; i < n_; i++) {
			if (!inserted_[i] || levels_[i] < layer)
				continue;
			const std::uint32_t *block = LinkBlock(static_cast<std::uint32_t>(i), layer);
			for (std::uint32_t j = 0; j < block[0]; j++)
				in_links[block[1 + j]]++;
		}
		const std::uint32_t capacity = static_cast<std::uint32_t>(LayerCapacity(layer));
		for (std::size_t g = 0; g + 1 < starts.size(); g++) {
			ring.clear();
			for (std::size_t k = starts[g]; k < starts[g + 1]; k++)
				if (levels_[members[k]] >= layer)
					ring.push_back(members[k]);
			if (ring.size() < 2)
				continue;
			for (std::size_t k = 0; k < ring.size(); k++) {
				const std::uint32_t from = ring[k];
				const std::uint32_t to = ring[(k + 1) % ring.size()];
				std::uint32_t *block = LinkBlock(from, layer);
				const std::uint32_t count = block[0];
				bool linked = false;
				for (std::uint32_t j = 0; j < count && !linked; j++)
					linked = block[1 + j] == to;
				if (linked)
					continue;
				if (count < capacity) {
					block[1 + count] = to;
					block[0] = count + 1;
				} else {
					// A link to another copy (which has or will have its own ring link), else the
					// farthest whose target keeps another link in.
					int replace = -1;
					float farthest = -std::numeric_limits<float>::infinity();
					for (std::uint32_t j = 0; j < count; j++) {
						const std::uint32_t target = block[1 + j];
						if (same_row(target, from)) {
							replace = static_cast<int>(j);
							break;
						}
						if (in_links[target] > 1) {
							const float d = NodeDistance(from, target);
							if (d > farthest) {
								farthest = d;
								replace = static_cast<int>(j);
							}
						}
					}
					if (replace < 0)
						continue; // EnsureConnected links to from's successor if it must
					in_links[block[1 + replace]]--;
					block[1 + replace] = to;
				}
				in_links[to]++;
				added++;
				if (keep_pruned_)
					KeptBlock(from, layer)[0] = 0; // the list changed: verdicts to compute anew
			}
		}
	}
	return added;
}

// Links the copies, repairs, fills, then sorts.
std::size_t HnswGraph::Finish()
{
	const std::size_t added = LinkCopies() + EnsureConnected();
	if (!keep_pruned_)
		FillNeighborLists();
	SortNeighborLists();
	return added;
}

} // namespace vector_core
