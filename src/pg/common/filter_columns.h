// Filter columns of multicolumn vector indexes (hnsw and the IVF access methods):
// CREATE INDEX ... USING hnsw (embedding vector_l2_ops, category_id, tenant_id, tags), and the
// same with ivfflat / ivf.
//
// The first column is the vector column, with a distance operator class; the columns after it
// are filter columns. Every index entry stores one 8-byte value per filter column in an attribute
// area (core/common/filter_attrs.h: a null bitmap, then the values):
// - smallint, integer, bigint, boolean, date, timestamp and timestamp with time zone
//   (int2_filter_ops .. timestamptz_filter_ops: = < <= > >=, btree's strategy numbers; the
//   integers form one family with their cross-type operators): the value widened to int64, which
//   is how every one of these types compares. Exact: the executor does not recheck.
// - text (and varchar; text_filter_ops: = only, strategy 3): a 64-bit hash of the value under the
//   column's collation (hashtextextended, so that strings equal under a nondeterministic collation
//   hash alike). Lossy: a hash can collide, so the executor rechecks the qual on the table row.
// - arrays of smallint, integer or bigint (int_array_filter_ops: && 6, @> 7, <@ 8, = 3), e.g.
//   tags: a 64-bit signature, one bit per element value (FilterArraySignature). Lossy the same way:
//   the signature test never rejects a row the operator accepts, and the executor rechecks.
//
// A scan gets the quals on the filter columns as scan keys (IndexFilterFromScanKeys) and
// evaluates them on the attribute area of every entry it reads (IndexFilterMatch), without the
// heap; when a qual is lossy (IndexFilter::lossy) the scan asks the executor to recheck its rows.
// A NULL never matches (the operators are strict); a NULL comparison value matches nothing. What
// an entry that fails does (an hnsw stepping stone, an IVF entry skipped before its distance) is
// the access method's.
#pragma once

#include "pg/common/pg_headers.h"

#include <cstring>

#include "core/common/filter_attrs.h"

// Strategy numbers of the array operators (after btree's 1-5; = is 3 for arrays too).
constexpr uint8 kFilterOverlapStrategy = 6;     // &&
constexpr uint8 kFilterContainsStrategy = 7;    // @>
constexpr uint8 kFilterContainedByStrategy = 8; // <@

// Whether a filter column may have this type: the opclass input type (an array column's is
// anyarray) and the column's own type.
bool FilterTypeSupported(Oid opclass_type, Oid column_type);
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
	bool lossy; // a qual on a hashed value (text, arrays): the executor rechecks the rows
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
		const uint64 bits = static_cast<uint64>(value);
		const uint64 wanted = static_cast<uint64>(key.value);
		bool pass;
		switch (key.strategy) {
		case kFilterOverlapStrategy:
			pass = (bits & wanted) != 0;
			break;
		case kFilterContainsStrategy:
			pass = (wanted & ~bits) == 0;
			break;
		case kFilterContainedByStrategy:
			pass = (bits & ~wanted) == 0;
			break;
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
