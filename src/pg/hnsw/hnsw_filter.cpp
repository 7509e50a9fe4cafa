// Filter columns of hnsw indexes: CREATE INDEX ... USING hnsw (embedding vector_l2_ops,
// category_id, tenant_id).
//
// The first column is the vector column, with a distance operator class; the columns after it
// are filter columns, of the fixed-width types smallint, integer, bigint, boolean, date,
// timestamp and timestamp with time zone, with the operator classes int2_filter_ops ..
// timestamptz_filter_ops (= < <= > >=, btree's strategy numbers; the integers form one family
// with their cross-type operators). Every element stores the values of its row's filter columns
// in its attribute area (core/hnsw/hnsw_page_format.h: a null bitmap, then each value widened to
// int64, which is also how every one of these types compares). Rows with identical vectors share
// an element only when their filter values are identical too.
//
// A scan gets the quals on the filter columns as scan keys and evaluates them on the attribute
// area of every element it visits, without reading the heap (HnswElementMatches): an element
// that does not match is walked through as any other (its neighbors are expanded, it holds its
// place in the ef_search window) but never returned, and the rounds go on until the executor has
// its rows. So the walk is that of a one-column index whose rows the executor filters, minus a
// table row read and a qual per rejected element. (A walk that keeps ef_search *matching*
// elements in its window, non-matching ones as stepping stones only, finds more of the true
// neighbors per round but visits 1 / selectivity times more elements before its first row:
// measured on 20,000 3-d rows, LIMIT 10, it took twice the time of the executor-filtered
// one-column scan at selectivities 1/2 to 1/1000, so it is not what this slice does.)
// The comparison is exact: the executor does not recheck.
// A NULL never matches (the operators are strict); a NULL comparison value matches nothing.
#include "pg/common/pg_headers.h"

#include <cstring>

#include "pg/hnsw/hnsw.h"

bool HnswFilterTypeSupported(Oid type)
{
	switch (type) {
	case INT2OID:
	case INT4OID:
	case INT8OID:
	case BOOLOID:
	case DATEOID:
	case TIMESTAMPOID:
	case TIMESTAMPTZOID:
		return true;
	default:
		return false;
	}
}

// A filter column's value (or a comparison value of type type) widened to int64, the form in
// which values of every supported type compare as they do in SQL.
static int64 FilterValue(Oid type, Datum value)
{
	switch (type) {
	case INT2OID:
		return DatumGetInt16(value);
	case INT4OID:
		return DatumGetInt32(value);
	case INT8OID:
		return DatumGetInt64(value);
	case BOOLOID:
		return DatumGetBool(value) ? 1 : 0;
	case DATEOID:
		return DatumGetInt32(value); // DateADT
	case TIMESTAMPOID:
	case TIMESTAMPTZOID:
		return DatumGetInt64(value); // Timestamp, TimestampTz
	default:
		elog(ERROR, "hnsw: unsupported filter type %u", type);
	}
	return 0;
}

void HnswCheckIndexColumns(Relation index)
{
	const int columns = IndexRelationGetNumberOfKeyAttributes(index);
	if (HnswFilterTypeSupported(index->rd_opcintype[0]))
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
		                errmsg("the first column of hnsw index \"%s\" must be the vector column",
		                       RelationGetRelationName(index)),
		                errdetail("Column \"%s\" of type %s is a filter column.",
		                          NameStr(TupleDescAttr(index->rd_att, 0)->attname),
		                          format_type_be(index->rd_opcintype[0])),
		                errhint("Put the vector column first and the filter columns after it.")));
	if (columns - 1 > vector_core::kHnswMaxFilterColumns)
		ereport(ERROR,
		        (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		         errmsg("hnsw index can have at most %d filter columns", vector_core::kHnswMaxFilterColumns)));
	for (int c = 1; c < columns; c++) {
		const Oid type = index->rd_opcintype[c];
		if (!HnswFilterTypeSupported(type))
			ereport(ERROR,
			        (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			         errmsg("column %d (\"%s\") of hnsw index \"%s\" cannot be a filter column of type %s",
			                c + 1, NameStr(TupleDescAttr(index->rd_att, c)->attname),
			                RelationGetRelationName(index), format_type_be(type)),
			         errdetail("Only the first column of an hnsw index is searched by distance."),
			         errhint("Filter columns have type smallint, integer, bigint, boolean, date, timestamp "
			                 "or timestamp with time zone.")));
	}
}

int HnswFilterColumnCount(Relation index)
{
	return IndexRelationGetNumberOfKeyAttributes(index) - 1;
}

void HnswSetFilterTypes(Relation index, HnswIndexInfo *info)
{
	for (int c = 0; c < info->filter_columns; c++)
		info->filter_types[c] = index->rd_opcintype[c + 1];
}

void HnswFormAttrs(Relation index, const HnswIndexInfo *info, const Datum *values, const bool *isnull, char *out)
{
	const int columns = info->filter_columns;
	memset(out, 0, info->attr_length);
	unsigned char *bitmap = reinterpret_cast<unsigned char *>(out);
	char *slots = out + vector_core::HnswAttrBitmapBytes(columns);
	for (int c = 0; c < columns; c++) {
		if (isnull[c + 1]) {
			bitmap[c / 8] |= static_cast<unsigned char>(1u << (c % 8));
			continue;
		}
		const int64 value = FilterValue(index->rd_opcintype[c + 1], values[c + 1]);
		memcpy(slots + 8 * static_cast<Size>(c), &value, sizeof(int64));
	}
}

HnswFilter *HnswFilterFromScanKeys(const HnswIndexInfo *info, ScanKey keys, int nkeys)
{
	if (nkeys <= 0 || info->filter_columns == 0)
		return nullptr;
	HnswFilter *filter =
	    static_cast<HnswFilter *>(palloc0(offsetof(HnswFilter, keys) + sizeof(HnswFilterKey) * nkeys));
	const Size bitmap_bytes = vector_core::HnswAttrBitmapBytes(info->filter_columns);
	for (int i = 0; i < nkeys; i++) {
		const ScanKey key = &keys[i];
		const int column = key->sk_attno - 2; // 0-based filter column
		if (column < 0 || column >= info->filter_columns)
			elog(ERROR, "hnsw: scan key on column %d, which is not a filter column", key->sk_attno);
		if (key->sk_strategy < BTLessStrategyNumber || key->sk_strategy > BTGreaterStrategyNumber)
			elog(ERROR, "hnsw: unsupported filter strategy %d", key->sk_strategy);
		if (key->sk_flags & SK_ISNULL) {
			filter->never = true; // column <op> NULL is never true
			continue;
		}
		HnswFilterKey &out = filter->keys[filter->count++];
		out.bitmap_byte = static_cast<uint16>(column / 8);
		out.bitmap_bit = static_cast<uint8>(1u << (column % 8));
		out.strategy = static_cast<uint8>(key->sk_strategy);
		out.value_offset = static_cast<uint16>(bitmap_bytes + 8 * static_cast<Size>(column));
		const Oid type = OidIsValid(key->sk_subtype) ? key->sk_subtype : info->filter_types[column];
		out.value = FilterValue(type, key->sk_argument);
	}
	return filter;
}
