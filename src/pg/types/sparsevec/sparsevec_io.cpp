// Text and binary input/output of the `sparsevec` type, its type modifier, and the checks
// every constructor of a sparsevec shares. Messages and SQLSTATEs are pgvector's.
#include "pg/common/pg_headers.h"

#include "core/types/sparsevec_text.h"
#include "core/types/vector_binary.h"
#include "pg/types/sparsevec/sparsevec.h"

using vector_core::SparseElement;
using vector_core::SparseIndexStatus;
using vector_core::SparsevecTextStatus;

// palloc0 leaves unused, indices and values zero for the caller to fill.
SparseVector *InitSparseVector(int dim, int nnz)
{
	Size size = SparseVectorSize(nnz);
	SparseVector *result = static_cast<SparseVector *>(palloc0(size));
	SET_VARSIZE(result, size);
	result->dim = dim;
	result->nnz = nnz;
	return result;
}

// pgvector's messages: 22000 below one dimension, 54000 above the limit.
void CheckSparsevecDim(int64 dim)
{
	if (dim < 1)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("sparsevec must have at least 1 dimension")));
	if (dim > kSparsevecMaxDim)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("sparsevec cannot have more than %d dimensions", kSparsevecMaxDim)));
}

// Negative, beyond the non-zero limit, or more elements than dimensions (pgvector's order).
void CheckSparsevecNnz(int nnz, int dim)
{
	if (nnz < 0)
		ereport(ERROR,
		        (errcode(ERRCODE_DATA_EXCEPTION), errmsg("sparsevec cannot have negative number of elements")));
	if (nnz > kSparsevecMaxNnz)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("sparsevec cannot have more than %d non-zero elements", kSparsevecMaxNnz)));
	if (nnz > dim)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("sparsevec cannot have more elements than dimensions")));
}

// Operators need equal dimensions (22000 otherwise).
void CheckSparsevecSameDims(const SparseVector *a, const SparseVector *b)
{
	if (a->dim != b->dim)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
		                errmsg("different sparsevec dimensions %d and %d", a->dim, b->dim)));
}

// NaN first, then infinity, like pgvector.
void CheckSparsevecElement(float value)
{
	if (isnan(value))
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("NaN not allowed in sparsevec")));
	if (isinf(value))
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("infinite value not allowed in sparsevec")));
}

// Maps the core check's verdict to pgvector's messages.
void CheckSparsevecIndices(const int32 *indices, int nnz, int64 dim)
{
	switch (vector_core::CheckSparseIndices(indices, nnz, dim)) {
	case SparseIndexStatus::kOk:
		return;
	case SparseIndexStatus::kOutOfBounds:
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("sparsevec index out of bounds")));
		break;
	case SparseIndexStatus::kNotAscending:
		ereport(ERROR,
		        (errcode(ERRCODE_DATA_EXCEPTION), errmsg("sparsevec indices must be in ascending order")));
		break;
	case SparseIndexStatus::kDuplicate:
		ereport(ERROR,
		        (errcode(ERRCODE_DATA_EXCEPTION), errmsg("sparsevec indices must not contain duplicates")));
		break;
	}
}

// Reports a failed parse of lit with pgvector's SQLSTATEs and messages.
static void ReportSparsevecTextError(const char *lit, const vector_core::SparsevecTextResult &r)
{
	switch (r.status) {
	case SparsevecTextStatus::kOk:
		return;
	case SparsevecTextStatus::kMissingOpenBrace:
		ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
		                errmsg("invalid input syntax for type sparsevec: \"%s\"", lit),
		                errdetail("Vector contents must start with \"{\".")));
		break;
	case SparsevecTextStatus::kTooManyElements:
		CheckSparsevecNnz(kSparsevecMaxNnz + 1, kSparsevecMaxDim);
		break;
	case SparsevecTextStatus::kOutOfRange:
		ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
		                errmsg("\"%s\" is out of range for type sparsevec",
		                       pnstrdup(lit + r.token_begin, r.token_length))));
		break;
	case SparsevecTextStatus::kNaN:
		CheckSparsevecElement(NAN);
		break;
	case SparsevecTextStatus::kInfinite:
		CheckSparsevecElement(INFINITY);
		break;
	case SparsevecTextStatus::kUnexpectedEnd:
		ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
		                errmsg("invalid input syntax for type sparsevec: \"%s\"", lit),
		                errdetail("Unexpected end of input.")));
		break;
	case SparsevecTextStatus::kJunkAfterClose:
		ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
		                errmsg("invalid input syntax for type sparsevec: \"%s\"", lit),
		                errdetail("Junk after closing.")));
		break;
	case SparsevecTextStatus::kInvalidSyntax:
		break;
	}
	ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
	                errmsg("invalid input syntax for type sparsevec: \"%s\"", lit)));
}

// sparsevec_in(cstring, oid, integer): parses "{1:0.5,3:2}/5"; indices may come in any order
// (they are sorted), zeros are dropped, duplicates and indices beyond dim are errors.
VECTOR_SQL_FUNCTION(sparsevec_in)
{
	char *lit = PG_GETARG_CSTRING(0);
	int32 typmod = PG_GETARG_INT32(2);

	// Like pgvector, the limit applies to the pairs written (zeros included), before parsing.
	int capacity = vector_core::CountSparsevecTextElements(lit, kSparsevecMaxNnz);
	if (capacity > kSparsevecMaxNnz)
		CheckSparsevecNnz(capacity, kSparsevecMaxDim);
	SparseElement *elements = static_cast<SparseElement *>(palloc(sizeof(SparseElement) * capacity));
	vector_core::SparsevecTextResult r = vector_core::ParseSparsevecText(lit, elements, capacity);
	ReportSparsevecTextError(lit, r);

	CheckSparsevecDim(r.dim);
	CheckExpectedDim(typmod, static_cast<int>(r.dim));
	vector_core::SortSparseElements(elements, r.nnz);
	SparseVector *result = InitSparseVector(static_cast<int>(r.dim), r.nnz);
	float *values = SparseVectorValues(result);
	for (int i = 0; i < r.nnz; i++) {
		result->indices[i] = elements[i].index;
		values[i] = elements[i].value;
	}
	pfree(elements);
	CheckSparsevecIndices(result->indices, result->nnz, result->dim);
	PG_RETURN_POINTER(result);
}

// sparsevec_out(sparsevec): "{index:value,...}/dim" with 1-based indices and the shortest
// text that reads back to the same floats.
VECTOR_SQL_FUNCTION(sparsevec_out)
{
	SparseVector *vec = PG_GETARG_SPARSEVEC_P(0);
	const float *values = SparseVectorValues(vec);
	// Per element: up to 11 characters of index, ':', a float, ','; then "{}/", the dimension
	// and the terminator.
	char *buf = static_cast<char *>(palloc(static_cast<Size>(13 + FLOAT_SHORTEST_DECIMAL_LEN) * vec->nnz + 16));
	char *p = buf;

	*p++ = '{';
	for (int i = 0; i < vec->nnz; i++) {
		if (i > 0)
			*p++ = ',';
		p += pg_ltoa(vec->indices[i] + 1, p);
		*p++ = ':';
		p += float_to_shortest_decimal_bufn(values[i], p);
	}
	*p++ = '}';
	*p++ = '/';
	p += pg_ltoa(vec->dim, p);
	*p = '\0';
	PG_FREE_IF_COPY(vec, 0);
	PG_RETURN_CSTRING(buf);
}

// sparsevec_typmod_in(cstring[]): validates sparsevec(n).
VECTOR_SQL_FUNCTION(sparsevec_typmod_in)
{
	PG_RETURN_INT32(DimensionsTypmod(PG_GETARG_ARRAYTYPE_P(0), "sparsevec", kSparsevecMaxDim));
}

// sparsevec_recv(internal, oid, integer): reads the binary form (int32 dim, nnz, unused, nnz
// 0-based int32 indices, nnz float4 values, network byte order). Unlike text input, indices
// must already be sorted and values non-zero.
VECTOR_SQL_FUNCTION(sparsevec_recv)
{
	StringInfo buf = reinterpret_cast<StringInfo>(PG_GETARG_POINTER(0));
	int32 typmod = PG_GETARG_INT32(2);
	const unsigned char *data = reinterpret_cast<const unsigned char *>(buf->data + buf->cursor);
	const Size left = static_cast<Size>(buf->len - buf->cursor);
	int32 dim = 0;
	int32 nnz = 0;
	int32 unused = 0;
	if (vector_core::DecodeSparsevecBinaryHeader(data, left, &dim, &nnz, &unused) !=
	    vector_core::VectorBinaryStatus::kOk)
		ereport(ERROR, (errcode(ERRCODE_PROTOCOL_VIOLATION), errmsg("insufficient data left in message")));
	buf->cursor += 12;

	CheckSparsevecDim(dim);
	CheckSparsevecNnz(nnz, dim);
	CheckExpectedDim(typmod, dim);
	if (unused != 0)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("expected unused to be 0, not %d", unused)));
	// Refuse a short message before allocating for it.
	if (left - 12 < (sizeof(int32) + sizeof(float)) * static_cast<Size>(nnz))
		ereport(ERROR, (errcode(ERRCODE_PROTOCOL_VIOLATION), errmsg("insufficient data left in message")));

	SparseVector *result = InitSparseVector(dim, nnz);
	float *values = SparseVectorValues(result);
	size_t consumed = 0;
	(void)vector_core::DecodeInt32BinaryValues(data + 12, left - 12, nnz, result->indices, &consumed);
	buf->cursor += static_cast<int>(consumed);
	CheckSparsevecIndices(result->indices, nnz, dim);
	const size_t values_at = 12 + consumed;
	vector_core::VectorBinaryStatus status =
	    vector_core::DecodeSparsevecBinaryValues(data + values_at, left - values_at, nnz, values, &consumed);
	buf->cursor += static_cast<int>(consumed);
	if (status != vector_core::VectorBinaryStatus::kOk && consumed > 0) {
		const float bad = values[consumed / sizeof(float) - 1];
		CheckSparsevecElement(bad);
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
		                errmsg("binary representation of sparsevec cannot contain zero values")));
	}
	PG_RETURN_POINTER(result);
}

// sparsevec_send(sparsevec): writes the binary form read by sparsevec_recv.
VECTOR_SQL_FUNCTION(sparsevec_send)
{
	SparseVector *vec = PG_GETARG_SPARSEVEC_P(0);
	const float *values = SparseVectorValues(vec);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint32(&buf, vec->dim);
	pq_sendint32(&buf, vec->nnz);
	pq_sendint32(&buf, vec->unused);
	for (int i = 0; i < vec->nnz; i++)
		pq_sendint32(&buf, vec->indices[i]);
	for (int i = 0; i < vec->nnz; i++)
		pq_sendfloat4(&buf, values[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

// sparsevec(sparsevec, integer, boolean): the length-coercion cast that enforces sparsevec(n).
VECTOR_SQL_FUNCTION(sparsevec)
{
	SparseVector *vec = PG_GETARG_SPARSEVEC_P(0);
	int32 typmod = PG_GETARG_INT32(1);

	CheckExpectedDim(typmod, vec->dim);
	PG_RETURN_POINTER(vec);
}
