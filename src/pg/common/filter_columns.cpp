// Filter columns of multicolumn vector indexes: see filter_columns.h.
#include "pg/common/pg_headers.h"

#include "pg/common/filter_columns.h"

bool FilterTypeSupported(Oid type)
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
		elog(ERROR, "unsupported filter type %u", type);
	}
	return 0;
}

void FilterCheckIndexColumns(Relation index, const char *am)
{
	const int columns = IndexRelationGetNumberOfKeyAttributes(index);
	if (FilterTypeSupported(index->rd_opcintype[0]))
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
		                errmsg("the first column of %s index \"%s\" must be the vector column", am,
		                       RelationGetRelationName(index)),
		                errdetail("Column \"%s\" of type %s is a filter column.",
		                          NameStr(TupleDescAttr(index->rd_att, 0)->attname),
		                          format_type_be(index->rd_opcintype[0])),
		                errhint("Put the vector column first and the filter columns after it.")));
	if (columns - 1 > vector_core::kMaxFilterColumns)
		ereport(ERROR,
		        (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		         errmsg("%s index can have at most %d filter columns", am, vector_core::kMaxFilterColumns)));
	for (int c = 1; c < columns; c++) {
		const Oid type = index->rd_opcintype[c];
		if (!FilterTypeSupported(type))
			ereport(ERROR,
			        (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			         errmsg("column %d (\"%s\") of %s index \"%s\" cannot be a filter column of type %s",
			                c + 1, NameStr(TupleDescAttr(index->rd_att, c)->attname), am,
			                RelationGetRelationName(index), format_type_be(type)),
			         errdetail("Only the first column of an %s index is searched by distance.", am),
			         errhint("Filter columns have type smallint, integer, bigint, boolean, date, timestamp "
			                 "or timestamp with time zone.")));
	}
}

int FilterColumnCount(Relation index)
{
	return IndexRelationGetNumberOfKeyAttributes(index) - 1;
}

void FilterFormAttrs(Relation index, const Datum *values, const bool *isnull, char *out)
{
	const int columns = FilterColumnCount(index);
	memset(out, 0, vector_core::FilterAttrAreaLength(columns));
	unsigned char *bitmap = reinterpret_cast<unsigned char *>(out);
	char *slots = out + vector_core::FilterAttrBitmapBytes(columns);
	for (int c = 0; c < columns; c++) {
		if (isnull[c + 1]) {
			bitmap[c / 8] |= static_cast<unsigned char>(1u << (c % 8));
			continue;
		}
		const int64 value = FilterValue(index->rd_opcintype[c + 1], values[c + 1]);
		memcpy(slots + 8 * static_cast<Size>(c), &value, sizeof(int64));
	}
}

IndexFilter *IndexFilterFromScanKeys(Relation index, int filter_columns, ScanKey keys, int nkeys)
{
	if (nkeys <= 0 || filter_columns == 0)
		return nullptr;
	IndexFilter *filter =
	    static_cast<IndexFilter *>(palloc0(offsetof(IndexFilter, keys) + sizeof(IndexFilterKey) * nkeys));
	const Size bitmap_bytes = vector_core::FilterAttrBitmapBytes(filter_columns);
	for (int i = 0; i < nkeys; i++) {
		const ScanKey key = &keys[i];
		const int column = key->sk_attno - 2; // 0-based filter column
		if (column < 0 || column >= filter_columns)
			elog(ERROR, "scan key on column %d, which is not a filter column", key->sk_attno);
		if (key->sk_strategy < BTLessStrategyNumber || key->sk_strategy > BTGreaterStrategyNumber)
			elog(ERROR, "unsupported filter strategy %d", key->sk_strategy);
		if (key->sk_flags & SK_ISNULL) {
			filter->never = true; // column <op> NULL is never true
			continue;
		}
		IndexFilterKey &out = filter->keys[filter->count++];
		out.bitmap_byte = static_cast<uint16>(column / 8);
		out.bitmap_bit = static_cast<uint8>(1u << (column % 8));
		out.strategy = static_cast<uint8>(key->sk_strategy);
		out.value_offset = static_cast<uint16>(bitmap_bytes + 8 * static_cast<Size>(column));
		const Oid type = OidIsValid(key->sk_subtype) ? key->sk_subtype : index->rd_opcintype[column + 1];
		out.value = FilterValue(type, key->sk_argument);
	}
	return filter;
}
