// Label graphs (hnsw_label_graph.cpp): a graph per frequent value of the first filter column.
#pragma once

#include "pg/common/pg_headers.h"

#include "core/hnsw/hnsw_builder.h"
#include "pg/hnsw/hnsw.h"

// Rows a value of the first filter column needs for a graph of its own.
constexpr int kHnswLabelMinRows = 1000;
// Values that get a graph at most (the directory fills part of the metapage).
constexpr int kHnswMaxLabels = vector_core::kHnswMaxLabels;

// What a build made: per value an entry of the directory (its seeds still row numbers in seeds),
// and per row its label list as row numbers (lists[row * stride]: the count, the rows follow).
struct HnswLabelBuild {
	int count;
	HnswLabelEntry *entries;
	uint32 *seeds; // kHnswLabelSeeds per entry
	uint32 *lists;
	Size stride;
};

// The value of the first filter column in an attribute area (false: NULL, or no filter column).
bool HnswAttrsLabel(const HnswIndexInfo *info, const char *attrs, int64 *key);
// Whether an index may have label lists: a first filter column of a scalar type, rows of a fixed size.
bool HnswLabelGraphsPossible(Relation index, const HnswIndexInfo *info);
// Builds the graphs of the values of the first filter column that rows[0..rows) share
// (attrs: their attribute areas) over the builder's finished graph, within available bytes of
// memory; false (nothing made) when no value has enough rows, or, with a NOTICE, when they need
// more memory.
bool HnswBuildLabelGraphs(vector_core::HnswBuilder *builder, const HnswIndexInfo *info, const char *attrs, Size rows,
                          Size available, HnswLabelBuild *out);
// Writes the directory into a metapage (and covers it by pd_lower).
void HnswWriteLabelDirectory(Page metapage, const HnswLabelEntry *entries, int count);
// The directory entry of key (false when the index has no graph for it).
bool HnswFindLabel(Relation index, int64 key, HnswLabelEntry *out);
// The value of an equality qual on the first filter column, if the filter has one.
bool HnswFilterLabelKey(const IndexFilter *filter, int filter_columns, int64 *key);
// Searches the graph of the value of attrs' first filter column (when it has one) for the label
// list of a new element whose row the graph is searched with as query, from the elements of near
// that match the value (read with HnswLabelFilter; else from the value's seeds; known: its
// directory entry, when the caller has it): writes its links
// to *out (palloc'd) and returns their count (0: the value has no graph).
int HnswSearchLabelNeighbors(HnswReader *reader, const char *query, const char *attrs, const HnswCandidateOnDisk *near,
                             int near_count, const HnswLabelEntry *known, ItemPointerData **out);
// The live elements of key's value that a walk of its graph finds nearest to query, from the
// elements of near that match (with HnswLabelFilter's filter), else from the value's seeds (known:
// its directory entry when the caller has it, else read) (ef_construction of them at
// most, never skip), closest first, palloc'd into *out; returns their count (0 when the value has no graph).
int HnswLabelCandidates(HnswReader *reader, const char *query, int64 key, ItemPointer skip,
                        const HnswCandidateOnDisk *near, int near_count, const HnswLabelEntry *known,
                        HnswCandidateOnDisk **out);
// The value of the first filter column of element tid (false when it is not an element, or NULL),
// and its flags into *flags when flags is not null.
bool HnswElementLabel(HnswReader *reader, ItemPointer tid, int64 *key, uint8 *flags = nullptr);
// A filter of one qual: first filter column = key (palloc'd).
IndexFilter *HnswLabelFilter(const HnswIndexInfo *info, int64 key);
// Live elements of each value of the directory that VACUUM's pass over the live elements saw (the
// first kHnswLabelSeeds in block order): seeds for values that lost theirs.
struct HnswSeedSpares {
	int count; // values, keys sorted
	int filter_columns;
	uint16 attr_length;
	int64 keys[kHnswMaxLabels];
	uint8 found[kHnswMaxLabels];
	ItemPointerData tids[kHnswMaxLabels][vector_core::kHnswLabelSeeds];
};
// Spares of the directory's values (null without label lists), reading the metapage.
HnswSeedSpares *HnswSeedSparesStart(Relation index, const HnswIndexInfo *info);
// Notes tid, a live element whose item is header, among the spares of its value (memory only: the
// caller may hold the element's page lock). spares may be null.
void HnswSeedSparesSee(HnswSeedSpares *spares, const HnswElementHeader *header, ItemPointer tid);
// VACUUM, after marking the dead elements (dead) and before repairing lists: replaces each seed
// of the directory that is dead by a live element of its value that its label list links, and
// tops a value left with fewer than half up from spares, WAL-logged.
void HnswReplaceDeadSeeds(HnswReader *reader, const HnswVisitedSet *dead, const HnswSeedSpares *spares);
// An insert of element, of key's value, which found that value in the directory with no seed:
// makes element its first seed (unless one was added meanwhile), WAL-logged.
void HnswAddFirstSeed(Relation index, int64 key, ItemPointer element);
// For the planner: the rows a value of the first filter column must have to have a graph it can
// walk (kHnswLabelMinRows, or the rarest value's rows when the directory is full), 0 when the
// index has none (reads the metapage).
double HnswLabelRowsFloor(Relation index);
