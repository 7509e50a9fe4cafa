// Filter columns of multicolumn vector indexes: see filter_columns.h.
#include "pg/common/pg_headers.h"

#include "pg/common/filter_columns.h"

// Whether an array column's elements are integers.
static bool IntegerArray(Oid column_type)
{
	const Oid element = get_element_type(column_type);
	return element == INT2OID || element == INT4OID || element == INT8OID;
}

bool FilterTypeSupported(Oid opclass_type, Oid column_type)
{
	switch (opclass_type) {
	case INT2OID:
	case INT4OID:
	case INT8OID:
	case BOOLOID:
	case DATEOID:
	case TIMESTAMPOID:
	case TIMESTAMPTZOID:
	case TEXTOID:
		return true;
	case ANYARRAYOID:
		return IntegerArray(column_type);
	default:
		return false;
	}
}

// The type of filter column c (1-based index column) as the opclass sees it, and its own type.
static Oid OpclassType(Relation index, int c)
{
	return index->rd_opcintype[c];
}
static Oid ColumnType(Relation index, int c)
{
	return TupleDescAttr(index->rd_att, c)->atttypid;
}

// A 64-bit mix of an integer (the finalizer of splitmix64): the signature bit of an array element.
// Part of the stored format: changing it needs a new index format version.
static inline uint64 MixInteger(uint64 x)
{
	x ^= x >> 30;
	x *= UINT64CONST(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64CONST(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

// The signature of an integer array: bit (mix(value) mod 64) set for every non-NULL element. Two
// arrays that share an element share its bit, so a test on signatures never rejects what &&, @>,
// <@ or = accept on the arrays themselves (NULL elements match nothing under those operators).
static int64 FilterArraySignature(Datum value)
{
	ArrayType *array = DatumGetArrayTypeP(value);
	const Oid element = ARR_ELEMTYPE(array);
	// The storage of the three element types, known without a catalog lookup per row.
	int16 typlen;
	char typalign;
	switch (element) {
	case INT2OID:
		typlen = sizeof(int16);
		typalign = TYPALIGN_SHORT;
		break;
	case INT4OID:
		typlen = sizeof(int32);
		typalign = TYPALIGN_INT;
		break;
	case INT8OID:
		typlen = sizeof(int64);
		typalign = TYPALIGN_DOUBLE;
		break;
	default:
		elog(ERROR, "unsupported filter array element type %u", element);
	}
	Datum *items;
	bool *nulls;
	int count;
	deconstruct_array(array, element, typlen, element != INT8OID || FLOAT8PASSBYVAL, typalign, &items, &nulls,
	                  &count);
	uint64 signature = 0;
	for (int i = 0; i < count; i++) {
		if (nulls[i])
			continue;
		const int64 item = element == INT2OID   ? DatumGetInt16(items[i])
		                   : element == INT4OID ? DatumGetInt32(items[i])
		                                        : DatumGetInt64(items[i]);
		signature |= UINT64CONST(1) << (MixInteger(static_cast<uint64>(item)) & 63);
	}
	pfree(items);
	pfree(nulls);
	// A detoasted (or short-header) copy: freed here, as builds and the checker call this once per
	// row in a context that lives for the whole table scan.
	if (reinterpret_cast<Pointer>(array) != DatumGetPointer(value))
		pfree(array);
	return static_cast<int64>(signature);
}

// A filter column's value (or a comparison value of type type) as stored: widened to int64, the
// form in which values of every fixed-width type compare as they do in SQL; the hash of a text
// under collation; the signature of an integer array (type anyarray).
static int64 FilterValue(Oid type, Oid collation, Datum value)
{
	switch (type) {
	case TEXTOID:
		// (The index column's collation: a text column always has one.)
		return DatumGetInt64(DirectFunctionCall2Coll(hashtextextended, collation, value, Int64GetDatum(0)));
	case ANYARRAYOID:
		return FilterArraySignature(value);
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
	if (FilterTypeSupported(OpclassType(index, 0), ColumnType(index, 0)))
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
		                errmsg("the first column of %s index \"%s\" must be the vector column", am,
		                       RelationGetRelationName(index)),
		                errdetail("Column \"%s\" of type %s is a filter column.",
		                          NameStr(TupleDescAttr(index->rd_att, 0)->attname),
		                          format_type_be(ColumnType(index, 0))),
		                errhint("Put the vector column first and the filter columns after it.")));
	if (columns - 1 > vector_core::kMaxFilterColumns)
		ereport(ERROR,
		        (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		         errmsg("%s index can have at most %d filter columns", am, vector_core::kMaxFilterColumns)));
	for (int c = 1; c < columns; c++) {
		const Oid type = ColumnType(index, c);
		if (!FilterTypeSupported(OpclassType(index, c), type))
			ereport(
			    ERROR,
			    (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			     errmsg("column %d (\"%s\") of %s index \"%s\" cannot be a filter column of type %s", c + 1,
			            NameStr(TupleDescAttr(index->rd_att, c)->attname), am,
			            RelationGetRelationName(index), format_type_be(type)),
			     errdetail("Only the first column of an %s index is searched by distance.", am),
			     errhint("Filter columns have type smallint, integer, bigint, boolean, date, timestamp, "
			             "timestamp with time zone, text, or an array of smallint, integer or bigint.")));
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
		const int64 value =
		    FilterValue(OpclassType(index, c + 1), index->rd_indcollation[c + 1], values[c + 1]);
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
		const Oid column_type = OpclassType(index, column + 1);
		const bool hashed = column_type == TEXTOID || column_type == ANYARRAYOID;
		const bool valid = column_type == ANYARRAYOID ? (key->sk_strategy == BTEqualStrategyNumber ||
		                                                 (key->sk_strategy >= kFilterOverlapStrategy &&
		                                                  key->sk_strategy <= kFilterContainedByStrategy))
		                   : column_type == TEXTOID   ? key->sk_strategy == BTEqualStrategyNumber
		                                              : (key->sk_strategy >= BTLessStrategyNumber &&
                                                               key->sk_strategy <= BTGreaterStrategyNumber);
		if (!valid)
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
		// (A hashed column compares values of its own type: its operators are not cross-type.)
		const Oid type = hashed || !OidIsValid(key->sk_subtype) ? column_type : key->sk_subtype;
		out.value = FilterValue(type, index->rd_indcollation[column + 1], key->sk_argument);
		filter->lossy |= hashed;
	}
	return filter;
}
