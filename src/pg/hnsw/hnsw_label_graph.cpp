// Label graphs: a graph per value of the first filter column, for the values many rows share.
//
// A filtered walk of the whole graph (hnsw_scan.cpp) visits about 1 / share elements for each
// one that matches: at a share of 1/10 it reads ten times the elements of the rows it returns.
// When the first filter column of an index has values that many rows share (a category, a
// tenant), the build gives every element a label list (core/hnsw/hnsw_page_format.h): its
// neighbors among the elements of the same value, made by a graph built over those elements
// alone. The label directory in the metapage names, for each such value, a few elements of that
// graph to start from (its highest levels). A scan whose quals include `first column = value`
// for a value in the directory walks the label lists from those seeds: every element it visits
// matches, so it reads about what an unfiltered search of a table of that value's rows reads.
//
// Values get a graph when at least kHnswLabelMinRows rows have them, the kHnswMaxLabels most
// frequent ones; text values are hashes (the executor rechecks), array columns get none.
#include "pg/common/pg_headers.h"

#include <algorithm>

#include "core/hnsw/hnsw_builder.h"
#include "pg/hnsw/hnsw.h"
#include "pg/hnsw/hnsw_label_graph.h"

namespace
{

// A row's value of the first filter column, or false for NULL.
bool FirstColumnValue(const char *attrs, int filter_columns, int64 *value)
{
	if (static_cast<uint8>(attrs[0]) & 1)
		return false;
	memcpy(value, attrs + vector_core::FilterAttrBitmapBytes(filter_columns), sizeof(int64));
	return true;
}

struct KeyedRow {
	int64 key;
	uint32 row;
};

} // namespace

bool HnswAttrsLabel(const HnswIndexInfo *info, const char *attrs, int64 *key)
{
	return info->filter_columns >= 1 && FirstColumnValue(attrs, info->filter_columns, key);
}

bool HnswLabelGraphsPossible(Relation index, const HnswIndexInfo *info)
{
	if (info->filter_columns < 1 || info->fixed_bytes == 0)
		return false;
	const Oid type = TupleDescAttr(RelationGetDescr(index), 1)->atttypid;
	return !type_is_array(type);
}

bool HnswBuildLabelGraphs(vector_core::HnswBuilder *builder, const HnswIndexInfo *info, const char *attrs, Size rows,
                          Size available, HnswLabelBuild *out)
{
	memset(out, 0, sizeof(*out));
	if (rows < static_cast<Size>(kHnswLabelMinRows) || rows > PG_UINT32_MAX)
		return false;
	KeyedRow *keyed =
	    static_cast<KeyedRow *>(MemoryContextAllocHuge(CurrentMemoryContext, sizeof(KeyedRow) * rows));
	Size count = 0;
	for (Size r = 0; r < rows; r++) {
		int64 value;
		if (FirstColumnValue(attrs + r * info->attr_length, info->filter_columns, &value))
			keyed[count++] = {value, static_cast<uint32>(r)};
	}
	std::sort(keyed, keyed + count, [](const KeyedRow &a, const KeyedRow &b) {
		return a.key < b.key || (a.key == b.key && a.row < b.row);
	});
	// Runs of one value: (start, length), the largest kept.
	struct Run {
		Size start;
		Size length;
	};
	Run *runs = static_cast<Run *>(palloc(sizeof(Run) * (kHnswMaxLabels + 1)));
	int run_count = 0;
	for (Size begin = 0; begin < count;) {
		Size end = begin + 1;
		while (end < count && keyed[end].key == keyed[begin].key)
			end++;
		if (end - begin >= static_cast<Size>(kHnswLabelMinRows)) {
			runs[run_count++] = {begin, end - begin};
			std::sort(runs, runs + run_count,
			          [](const Run &a, const Run &b) { return a.length > b.length; });
			run_count = Min(run_count, kHnswMaxLabels);
		}
		begin = end;
	}
	if (run_count == 0) {
		pfree(runs);
		pfree(keyed);
		return false;
	}
	const int capacity = HnswLayerCapacity(info->m, kHnswLabelLayer);
	const Size stride = 1 + static_cast<Size>(capacity);
	// Room: every row's label list, and the largest value's graph (they are built one at a time).
	const Size needed = sizeof(uint32) * stride * rows + sizeof(uint32) * count +
	                    vector_core::HnswBuilderSubgraphBytes(builder, runs[0].length, capacity);
	if (needed > available) {
		ereport(NOTICE, (errmsg("hnsw index built without label graphs: they need %zu MB more of "
		                        "maintenance_work_mem",
		                        (needed - available + (1 << 20) - 1) >> 20),
		                 errhint("Increase maintenance_work_mem and REINDEX for faster searches by the "
		                         "first filter column's values.")));
		pfree(runs);
		pfree(keyed);
		return false;
	}
	out->stride = stride;
	out->lists =
	    static_cast<uint32 *>(MemoryContextAllocHuge(CurrentMemoryContext, sizeof(uint32) * stride * rows));
	for (Size r = 0; r < rows; r++)
		out->lists[r * stride] = 0;
	out->entries = static_cast<HnswLabelEntry *>(palloc0(sizeof(HnswLabelEntry) * run_count));
	out->seeds = static_cast<uint32 *>(palloc(sizeof(uint32) * vector_core::kHnswLabelSeeds * run_count));
	uint32 *nodes = static_cast<uint32 *>(MemoryContextAllocHuge(CurrentMemoryContext, sizeof(uint32) * count));
	uint32 *lists =
	    static_cast<uint32 *>(MemoryContextAllocHuge(CurrentMemoryContext, sizeof(uint32) * stride * count));
	for (int l = 0; l < run_count; l++) {
		const Run &run = runs[l];
		for (Size i = 0; i < run.length; i++)
			nodes[i] = keyed[run.start + i].row;
		int seed_count = 0;
		vector_core::Status status;
		while (!(status = vector_core::HnswBuilderSubgraph(builder, nodes, run.length, capacity, lists,
		                                                   out->seeds + l * vector_core::kHnswLabelSeeds,
		                                                   vector_core::kHnswLabelSeeds, &seed_count))
		            .ok()) {
			if (status.code() != vector_core::Status::Code::kCancelled)
				ereport(ERROR, (errcode(status.code() == vector_core::Status::Code::kOutOfMemory
				                            ? ERRCODE_OUT_OF_MEMORY
				                            : ERRCODE_INTERNAL_ERROR),
				                errmsg("hnsw build failed while building a label graph: %s",
				                       status.message())));
			CHECK_FOR_INTERRUPTS();
		}
		for (Size i = 0; i < run.length; i++)
			memcpy(out->lists + static_cast<Size>(nodes[i]) * stride, lists + i * stride,
			       sizeof(uint32) * stride);
		HnswLabelEntry &entry = out->entries[l];
		entry.key = keyed[run.start].key;
		entry.count = static_cast<uint32>(Min(run.length, static_cast<Size>(PG_UINT32_MAX)));
		entry.seed_count = static_cast<uint16>(seed_count);
		CHECK_FOR_INTERRUPTS();
	}
	out->count = run_count;
	pfree(lists);
	pfree(nodes);
	pfree(runs);
	pfree(keyed);
	return true;
}

void HnswWriteLabelDirectory(Page metapage, const HnswLabelEntry *entries, int count)
{
	char *contents = PageGetContents(metapage);
	char *directory = contents + vector_core::kHnswMetaLabelDirectoryOffset;
	memset(directory, 0, 8);
	const uint16 stored = static_cast<uint16>(count);
	memcpy(directory, &stored, sizeof(uint16));
	memcpy(directory + 8, entries, sizeof(HnswLabelEntry) * count);
	((PageHeader)metapage)->pd_lower = static_cast<LocationIndex>(directory + 8 + sizeof(HnswLabelEntry) * count -
	                                                              reinterpret_cast<char *>(metapage));
}

// The directory of a metapage (share or exclusive locked by the caller) into out (room for
// kHnswMaxLabels entries); returns its count: 0 without label lists, and never more entries than
// the page holds below pd_lower (a corrupt count or pd_lower reads nothing past the page).
static int ReadDirectory(Page page, HnswLabelEntry *out)
{
	if (PageIsNew(page) || HnswPageGetOpaque(page)->page_id != kHnswPageId ||
	    HnswPageGetMeta(page)->magic != kHnswMagic || !HnswMetaHasLabelLists(HnswPageGetMeta(page)))
		return 0;
	const char *directory = PageGetContents(page) + vector_core::kHnswMetaLabelDirectoryOffset;
	const long start = static_cast<long>(directory + 8 - reinterpret_cast<const char *>(page));
	const long lower = static_cast<long>(((PageHeader)page)->pd_lower);
	if (lower < start || lower > static_cast<long>(BLCKSZ))
		return 0;
	uint16 stored;
	memcpy(&stored, directory, sizeof(uint16));
	long count = Min(static_cast<long>(stored), (lower - start) / static_cast<long>(sizeof(HnswLabelEntry)));
	count = Min(count, static_cast<long>(kHnswMaxLabels));
	memcpy(out, directory + 8, sizeof(HnswLabelEntry) * count);
	for (long i = 0; i < count; i++)
		out[i].seed_count = Min(out[i].seed_count, static_cast<uint16>(vector_core::kHnswLabelSeeds));
	return static_cast<int>(count);
}

bool HnswFindLabel(Relation index, int64 key, HnswLabelEntry *out)
{
	HnswLabelEntry entries[kHnswMaxLabels];
	Buffer buffer = ReadBuffer(index, kHnswMetaBlock);
	LockBuffer(buffer, BUFFER_LOCK_SHARE);
	const int count = ReadDirectory(BufferGetPage(buffer), entries);
	UnlockReleaseBuffer(buffer);
	for (int i = 0; i < count; i++) {
		if (entries[i].key == key) {
			*out = entries[i];
			return true;
		}
	}
	return false;
}

void HnswAddFirstSeed(Relation index, int64 key, ItemPointer element)
{
	HnswLabelEntry entries[kHnswMaxLabels];
	Buffer buffer = ReadBuffer(index, kHnswMetaBlock);
	LockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
	const int count = ReadDirectory(BufferGetPage(buffer), entries);
	for (int i = 0; i < count; i++) {
		if (entries[i].key != key || entries[i].seed_count > 0)
			continue;
		entries[i].seeds[0] = *element;
		entries[i].seed_count = 1;
		GenericXLogState *xlog = GenericXLogStart(index);
		HnswWriteLabelDirectory(GenericXLogRegisterBuffer(xlog, buffer, 0), entries, count);
		GenericXLogFinish(xlog);
		break;
	}
	UnlockReleaseBuffer(buffer);
}

bool HnswFilterLabelKey(const IndexFilter *filter, int filter_columns, int64 *key)
{
	if (filter == nullptr)
		return false;
	const uint16 first = static_cast<uint16>(vector_core::FilterAttrBitmapBytes(filter_columns));
	for (int i = 0; i < filter->count; i++) {
		const IndexFilterKey &k = filter->keys[i];
		if (k.value_offset == first && k.strategy == BTEqualStrategyNumber) {
			*key = k.value;
			return true;
		}
	}
	return false;
}

IndexFilter *HnswLabelFilter(const HnswIndexInfo *info, int64 key)
{
	IndexFilter *filter = static_cast<IndexFilter *>(palloc0(offsetof(IndexFilter, keys) + sizeof(IndexFilterKey)));
	filter->count = 1;
	filter->keys[0].bitmap_byte = 0;
	filter->keys[0].bitmap_bit = 1;
	filter->keys[0].value_offset = static_cast<uint16>(vector_core::FilterAttrBitmapBytes(info->filter_columns));
	filter->keys[0].strategy = BTEqualStrategyNumber;
	filter->keys[0].value = key;
	return filter;
}

int HnswLabelCandidates(HnswReader *reader, const char *query, int64 key, ItemPointer skip,
                        const HnswCandidateOnDisk *near, int near_count, const HnswLabelEntry *known,
                        HnswCandidateOnDisk **out)
{
	const HnswIndexInfo *info = &reader->info;
	*out = nullptr;
	HnswLabelEntry label;
	if (known != nullptr)
		label = *known;
	else if (!HnswFindLabel(reader->index, key, &label))
		return 0;
	// The search's state in a context of its own (VACUUM repairs many lists in one context).
	MemoryContext caller = CurrentMemoryContext;
	MemoryContext scratch = AllocSetContextCreate(caller, "hnsw label search", ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(scratch);
	// Only elements of the value (a label list may lead elsewhere through a slot VACUUM freed
	// and an insert reused).
	const IndexFilter *saved = reader->filter;
	reader->filter = HnswLabelFilter(info, key);
	HnswSearchState state;
	HnswSearchStateInit(&state, info, false);
	state.walk_layer = kHnswLabelLayer;
	if (skip != nullptr)
		HnswVisitedAdd(&state.visited, skip);
	// From the elements of the value the caller found near the query (it read them with the label
	// filter: match), else from the seeds: from there a walk first crosses the value's graph, a
	// flat one with no layers above to descend through.
	int entry_count = 0;
	HnswCandidateOnDisk *entries = static_cast<HnswCandidateOnDisk *>(
	    palloc(sizeof(HnswCandidateOnDisk) * (Max(near_count, 0) + vector_core::kHnswLabelSeeds)));
	for (int i = 0; i < near_count; i++) {
		if (!near[i].match || (near[i].flags & kHnswElementDeleted) ||
		    (skip != nullptr && ItemPointerEquals(const_cast<ItemPointer>(&near[i].tid), skip)))
			continue;
		entries[entry_count] = near[i];
		entries[entry_count].list = -1; // (a slot of the caller's arena, if any)
		entry_count++;
	}
	if (entry_count == 0) {
		ItemPointerData seeds[vector_core::kHnswLabelSeeds];
		int seed_count = 0;
		for (int i = 0; i < label.seed_count; i++) {
			if (skip == nullptr || !ItemPointerEquals(&label.seeds[i], skip))
				seeds[seed_count++] = label.seeds[i];
		}
		entry_count = HnswVisitBatch(reader, query, seeds, seed_count, entries, get_float4_infinity(), &state);
	}
	HnswSearchLayer(reader, query, &state, kHnswLabelLayer, Max(info->ef_construction, 2 * info->m), entries,
	                entry_count);
	reader->filter = saved;
	HnswReaderRelease(reader);
	MemoryContextSwitchTo(caller);
	HnswCandidateOnDisk *sorted =
	    static_cast<HnswCandidateOnDisk *>(palloc(sizeof(HnswCandidateOnDisk) * Max(state.result_count, 1)));
	const int count = HnswTakeResultsSorted(&state, sorted);
	MemoryContextDelete(scratch);
	int kept = 0;
	for (int i = 0; i < count; i++) {
		if (sorted[i].match && !(sorted[i].flags & kHnswElementDeleted)) {
			sorted[kept] = sorted[i];
			sorted[kept++].list = -1; // (a slot of the arena just freed)
		}
	}
	*out = sorted;
	return kept;
}

int HnswSearchLabelNeighbors(HnswReader *reader, const char *query, const char *attrs, const HnswCandidateOnDisk *near,
                             int near_count, const HnswLabelEntry *known, ItemPointerData **out)
{
	const HnswIndexInfo *info = &reader->info;
	int64 key;
	if (!FirstColumnValue(attrs, info->filter_columns, &key))
		return 0;
	HnswCandidateOnDisk *candidates;
	const int kept = HnswLabelCandidates(reader, query, key, nullptr, near, near_count, known, &candidates);
	if (kept == 0)
		return 0;
	HnswSelectionInput input;
	HnswLoadCandidateVectors(reader, candidates, kept, &input);
	const int capacity = HnswLayerCapacity(info->m, kHnswLabelLayer);
	*out = static_cast<ItemPointerData *>(palloc(sizeof(ItemPointerData) * capacity));
	const int selected = HnswSelectNeighborsOnDisk(info, &input, capacity, *out);
	HnswReaderRelease(reader);
	return selected;
}

bool HnswElementLabel(HnswReader *reader, ItemPointer tid, int64 *key, uint8 *flags)
{
	const HnswIndexInfo &info = reader->info;
	if (info.filter_columns < 1)
		return false;
	// (Links lead to blocks of the index, which never shrinks: no size check, as HnswReadElement.)
	const BlockNumber block = ItemPointerGetBlockNumber(tid);
	if (block == kHnswMetaBlock || block == InvalidBlockNumber)
		return false;
	Buffer buffer = HnswReadBufferHinted(reader->index, block);
	LockBuffer(buffer, BUFFER_LOCK_SHARE);
	Size size = 0;
	const char *item = HnswItemOfKind(BufferGetPage(buffer), ItemPointerGetOffsetNumber(tid), kHnswElementTuple,
	                                  sizeof(HnswElementHeader), &size);
	const HnswElementHeader *header = reinterpret_cast<const HnswElementHeader *>(item);
	const bool found = item != nullptr && HnswElementHeaderValid(header, size) &&
	                   header->attr_length == info.attr_length &&
	                   FirstColumnValue(item + header->attr_offset, info.filter_columns, key);
	if (found && flags != nullptr)
		*flags = header->flags;
	UnlockReleaseBuffer(buffer);
	return found;
}

// Whether tid is a live element of key's value.
static bool LiveElementOf(HnswReader *reader, ItemPointer tid, int64 key)
{
	int64 value;
	uint8 flags = 0;
	return HnswElementLabel(reader, tid, &value, &flags) && value == key && !(flags & kHnswElementDeleted);
}

// Adds tid to entry's seeds unless it is one, or dead, or the seeds are full; returns whether.
static bool AddSeed(HnswLabelEntry *entry, ItemPointer tid, const HnswVisitedSet *dead)
{
	if (entry->seed_count >= vector_core::kHnswLabelSeeds || HnswVisitedContains(dead, tid))
		return false;
	for (int t = 0; t < entry->seed_count; t++) {
		if (ItemPointerEquals(&entry->seeds[t], tid))
			return false;
	}
	entry->seeds[entry->seed_count++] = *tid;
	return true;
}

HnswSeedSpares *HnswSeedSparesStart(Relation index, const HnswIndexInfo *info)
{
	if (!info->label_lists)
		return nullptr;
	HnswLabelEntry entries[kHnswMaxLabels];
	Buffer buffer = ReadBuffer(index, kHnswMetaBlock);
	LockBuffer(buffer, BUFFER_LOCK_SHARE);
	const int count = ReadDirectory(BufferGetPage(buffer), entries);
	UnlockReleaseBuffer(buffer);
	HnswSeedSpares *spares = static_cast<HnswSeedSpares *>(palloc0(sizeof(HnswSeedSpares)));
	spares->filter_columns = info->filter_columns;
	spares->attr_length = static_cast<uint16>(info->attr_length);
	for (int i = 0; i < count; i++)
		spares->keys[i] = entries[i].key;
	std::sort(spares->keys, spares->keys + count);
	spares->count = static_cast<int>(std::unique(spares->keys, spares->keys + count) - spares->keys);
	return spares;
}

void HnswSeedSparesSee(HnswSeedSpares *spares, const HnswElementHeader *header, ItemPointer tid)
{
	int64 key;
	if (spares == nullptr || header->attr_length != spares->attr_length ||
	    !FirstColumnValue(reinterpret_cast<const char *>(header) + header->attr_offset, spares->filter_columns,
	                      &key))
		return;
	const int64 *at = std::lower_bound(spares->keys, spares->keys + spares->count, key);
	if (at == spares->keys + spares->count || *at != key)
		return;
	const int i = static_cast<int>(at - spares->keys);
	if (spares->found[i] < vector_core::kHnswLabelSeeds)
		spares->tids[i][spares->found[i]++] = *tid;
}

void HnswReplaceDeadSeeds(HnswReader *reader, const HnswVisitedSet *dead, const HnswSeedSpares *spares)
{
	Relation index = reader->index;
	const HnswIndexInfo *info = &reader->info;
	if (!info->label_lists)
		return;
	HnswLabelEntry *entries = static_cast<HnswLabelEntry *>(palloc(sizeof(HnswLabelEntry) * kHnswMaxLabels));
	int count = 0;
	{
		Buffer buffer = ReadBuffer(index, kHnswMetaBlock);
		LockBuffer(buffer, BUFFER_LOCK_SHARE);
		count = ReadDirectory(BufferGetPage(buffer), entries);
		UnlockReleaseBuffer(buffer);
	}
	// Per entry, the seeds it will have: its live ones; for each dead one a live element of the
	// value that its label list links; then, while fewer than half, live elements of the value
	// VACUUM's pass over the live elements saw (spares). (Seeds are read without the metapage lock:
	// a data page is never locked while the metapage is.)
	const int capacity = HnswLayerCapacity(info->m, kHnswLabelLayer);
	ItemPointerData *links = static_cast<ItemPointerData *>(palloc(sizeof(ItemPointerData) * capacity));
	bool changed = false;
	for (int e = 0; e < count; e++) {
		HnswLabelEntry &entry = entries[e];
		const HnswLabelEntry before = entry;
		entry.seed_count = 0;
		for (int s = 0; s < before.seed_count; s++) {
			if (!HnswVisitedContains(dead, const_cast<ItemPointer>(&before.seeds[s])))
				AddSeed(&entry, const_cast<ItemPointer>(&before.seeds[s]), dead);
		}
		for (int s = 0; s < before.seed_count; s++) {
			ItemPointerData seed = before.seeds[s];
			if (!HnswVisitedContains(dead, &seed))
				continue;
			HnswElementRead read;
			int link_count = 0;
			if (!HnswReadElement(reader, &seed, nullptr, kHnswLabelLayer, &read, links, &link_count,
			                     nullptr))
				continue;
			for (int l = 0; l < link_count; l++) {
				if (!HnswVisitedContains(dead, &links[l]) &&
				    LiveElementOf(reader, &links[l], entry.key) && AddSeed(&entry, &links[l], dead))
					break; // (one replacement per dead seed)
			}
		}
		if (spares != nullptr && entry.seed_count < vector_core::kHnswLabelSeeds / 2) {
			const int64 *at = std::lower_bound(spares->keys, spares->keys + spares->count, entry.key);
			if (at != spares->keys + spares->count && *at == entry.key) {
				const int i = static_cast<int>(at - spares->keys);
				for (int t = 0;
				     t < spares->found[i] && entry.seed_count < vector_core::kHnswLabelSeeds / 2; t++)
					AddSeed(&entry, const_cast<ItemPointer>(&spares->tids[i][t]), dead);
			}
		}
		changed = changed || entry.seed_count != before.seed_count ||
		          memcmp(entry.seeds, before.seeds, sizeof(ItemPointerData) * entry.seed_count) != 0;
		CHECK_FOR_INTERRUPTS();
	}
	HnswReaderRelease(reader);
	if (changed) {
		// Under the lock, on the directory as it is now (an insert may have given a value with no
		// seed its first one meanwhile): each value gets the seeds worked out above, and keeps its
		// own live ones while there is room.
		HnswLabelEntry *current =
		    static_cast<HnswLabelEntry *>(palloc(sizeof(HnswLabelEntry) * kHnswMaxLabels));
		Buffer buffer = ReadBuffer(index, kHnswMetaBlock);
		LockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
		const int now = ReadDirectory(BufferGetPage(buffer), current);
		for (int c = 0; c < now; c++) {
			for (int e = 0; e < count; e++) {
				if (entries[e].key != current[c].key)
					continue;
				HnswLabelEntry merged = entries[e];
				for (int s = 0; s < current[c].seed_count; s++)
					AddSeed(&merged, &current[c].seeds[s], dead);
				current[c].seed_count = merged.seed_count;
				memcpy(current[c].seeds, merged.seeds, sizeof(merged.seeds));
			}
		}
		GenericXLogState *xlog = GenericXLogStart(index);
		HnswWriteLabelDirectory(GenericXLogRegisterBuffer(xlog, buffer, 0), current, now);
		GenericXLogFinish(xlog);
		UnlockReleaseBuffer(buffer);
		pfree(current);
	}
	pfree(links);
	pfree(entries);
}

double HnswLabelRowsFloor(Relation index)
{
	if (RelationGetNumberOfBlocks(index) == 0)
		return 0;
	HnswLabelEntry entries[kHnswMaxLabels];
	Buffer buffer = ReadBuffer(index, kHnswMetaBlock);
	LockBuffer(buffer, BUFFER_LOCK_SHARE);
	const int count = ReadDirectory(BufferGetPage(buffer), entries);
	UnlockReleaseBuffer(buffer);
	double floor = 0;
	bool any = false;
	for (int i = 0; i < count; i++) {
		if (entries[i].seed_count == 0)
			continue;
		floor = any ? Min(floor, static_cast<double>(entries[i].count)) : static_cast<double>(entries[i].count);
		any = true;
	}
	if (!any)
		return 0;
	// A full directory left out the values rarer than its rarest.
	return count < kHnswMaxLabels ? Min(floor, static_cast<double>(kHnswLabelMinRows)) : floor;
}
