// Filter columns of multicolumn vector indexes (hnsw and the IVF access methods):
// CREATE INDEX ... USING hnsw (embedding vector_l2_ops, category_id, tenant_id), and the same
// with ivfflat / ivf.
//
// The first column is the vector column, with a distance operator class; the columns after it
// are filter columns, of the fixed-width types smallint, integer, bigint, boolean, date,
// timestamp and timestamp with time zone, with the operator classes int2_filter_ops ..
// timestamptz_filter_ops of each access method (= < <= > >=, btree's strategy numbers; the
// integers form one family with their cross-type operators). Every index entry stores the values
// of its row's filter columns in an attribute area (core/common/filter_attrs.h: a null bitmap,
// then each value widened to int64, which is also how every one of these types compares).
//
// A scan gets the quals on the filter columns as scan keys (IndexFilterFromScanKeys) and
// evaluates them on the attribute area of every entry it reads (IndexFilterMatch), without the
// heap. The comparison is exact: the executor does not recheck. A NULL never matches (the
// operators are strict); a NULL comparison value matches nothing. What an entry that fails does
// (an hnsw stepping stone, an IVF entry skipped before its distance) is the access method's.
#pragma once

#include "pg/common/pg_headers.h"

#include <cstring>

#include "core/common/filter_attrs.h"

// Whether a filter column may have this type (fixed-width, compared as int64).
bool FilterTypeSupported(Oid type);
// Errors unless the first column is not a filter type and the others are filter columns (at most
// vector_core::kMaxFilterColumns); am names the access method in the messages.
void FilterCheckIndexColumns(Relation index, const char *am);
// The number of filter columns of the index's definition (its key columns after the vector).
int FilterColumnCount(Relation index);
// Writes the attribute area (FilterAttrAreaLength(FilterColumnCount(index)) bytes) of a row's
// filter columns: values[1..], isnull[1..].
void FilterFormAttrs(Relation index, const Datum *values, const bool *isnull, char *out);

// One qual on a filter column: the stored value <strategy> value (btree's strategy numbers).
struct IndexFilterKey {
	uint16 bitmap_byte;
	uint16 value_offset; // in the attribute area
	uint8 bitmap_bit;
	uint8 strategy;
	int64 value;
};
// The quals of a scan on the filter columns.
struct IndexFilter {
	bool never; // a qual compares with NULL: nothing matches
	int count;
	IndexFilterKey keys[FLEXIBLE_ARRAY_MEMBER];
};
// The filter of a scan's keys on an index of filter_columns filter columns (palloc'd), or null
// when it has none.
IndexFilter *IndexFilterFromScanKeys(Relation index, int filter_columns, ScanKey keys, int nkeys);

// Whether the attribute area attrs passes every qual of filter.
inline bool IndexFilterMatch(const IndexFilter *filter, const char *attrs)
{
	if (filter->never)
		return false;
	for (int i = 0; i < filter->count; i++) {
		const IndexFilterKey &key = filter->keys[i];
		if (static_cast<uint8>(attrs[key.bitmap_byte]) & key.bitmap_bit)
			return false; // NULL
		int64 value;
		memcpy(&value, attrs + key.value_offset, sizeof(int64));
		bool pass;
		switch (key.strategy) {
		case BTLessStrategyNumber:
			pass = value < key.value;
			break;
		case BTLessEqualStrategyNumber:
			pass = value <= key.value;
			break;
		case BTEqualStrategyNumber:
			pass = value == key.value;
			break;
		case BTGreaterEqualStrategyNumber:
			pass = value >= key.value;
			break;
		default:
			pass = value > key.value;
			break;
		}
		if (!pass)
			return false;
	}
	return true;
}
