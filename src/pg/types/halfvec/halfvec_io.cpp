// Text and binary input/output of the `halfvec` type, its type modifier, and the checks every
// constructor of a halfvec shares. Messages and SQLSTATEs are pgvector's.
#include "pg/common/pg_headers.h"

#include "core/types/vector_binary.h"
#include "core/types/vector_text.h"
#include "pg/types/halfvec/halfvec.h"

using vector_core::Half;
using vector_core::VectorTextStatus;

// palloc0 leaves unused and every element zero (+0.0).
HalfVector *InitHalfVector(int dim)
{
	Size size = HalfVectorSize(dim);
	HalfVector *result = static_cast<HalfVector *>(palloc0(size));
	SET_VARSIZE(result, size);
	result->dim = static_cast<int16>(dim);
	return result;
}

// pgvector's messages: 22000 below one dimension, 54000 above the limit.
void CheckHalfvecDim(int dim)
{
	if (dim < 1)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("halfvec must have at least 1 dimension")));
	if (dim > kHalfvecMaxDim)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("halfvec cannot have more than %d dimensions", kHalfvecMaxDim)));
}

// Operators need equal dimensions (22000 otherwise).
void CheckHalfvecSameDims(const HalfVector *a, const HalfVector *b)
{
	if (a->dim != b->dim)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
		                errmsg("different halfvec dimensions %d and %d", a->dim, b->dim)));
}

// NaN first, then infinity, like pgvector.
void CheckHalfvecElement(Half value)
{
	if (vector_core::HalfIsNaN(value))
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("NaN not allowed in halfvec")));
	if (vector_core::HalfIsInf(value))
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("infinite value not allowed in halfvec")));
}

// Rounds to nearest even; the error names the float in its shortest decimal form.
Half FloatToHalfChecked(float value)
{
	Half result = vector_core::FloatToHalf(value);
	// An infinite input stays infinite (CheckHalfvecElement reports it); a finite one must fit.
	if (vector_core::HalfIsInf(result) && !isinf(value)) {
		char buf[FLOAT_SHORTEST_DECIMAL_LEN];
		float_to_shortest_decimal_buf(value, buf);
		ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
		                errmsg("\"%s\" is out of range for type halfvec", buf)));
	}
	return result;
}

// Reports a failed parse of lit with pgvector's SQLSTATEs and messages.
static void ReportHalfvecTextError(const char *lit, const vector_core::VectorTextResult &r)
{
	switch (r.status) {
	case VectorTextStatus::kOk:
		return;
	case VectorTextStatus::kMissingOpenBracket:
		ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
		                errmsg("invalid input syntax for type halfvec: \"%s\"", lit),
		                errdetail("Vector contents must start with \"[\".")));
		break;
	case VectorTextStatus::kNoDimensions:
		CheckHalfvecDim(0);
		break;
	case VectorTextStatus::kTooManyDimensions:
		CheckHalfvecDim(kHalfvecMaxDim + 1);
		break;
	case VectorTextStatus::kOutOfRange:
		ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
		                errmsg("\"%s\" is out of range for type halfvec",
		                       pnstrdup(lit + r.token_begin, r.token_length))));
		break;
	case VectorTextStatus::kNaN:
		CheckHalfvecElement(0x7e00);
		break;
	case VectorTextStatus::kInfinite:
		CheckHalfvecElement(0x7c00);
		break;
	case VectorTextStatus::kJunkAfterClose:
		ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
		                errmsg("invalid input syntax for type halfvec: \"%s\"", lit),
		                errdetail("Junk after closing right brace.")));
		break;
	case VectorTextStatus::kInvalidSyntax:
		break;
	}
	ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
	                errmsg("invalid input syntax for type halfvec: \"%s\"", lit)));
}

// halfvec_in(cstring, oid, integer): parses the text form "[1,2,3]".
VECTOR_SQL_FUNCTION(halfvec_in)
{
	char *lit = PG_GETARG_CSTRING(0);
	int32 typmod = PG_GETARG_INT32(2);

	// One slot more than the limit lets the parser tell "too many" apart.
	int capacity = vector_core::CountVectorTextElements(lit, kHalfvecMaxDim + 1);
	Half *values = static_cast<Half *>(palloc(sizeof(Half) * capacity));
	vector_core::VectorTextResult r = vector_core::ParseHalfvecText(lit, values, kHalfvecMaxDim);
	ReportHalfvecTextError(lit, r);

	CheckHalfvecDim(r.dims);
	CheckExpectedDim(typmod, r.dims);
	HalfVector *result = InitHalfVector(r.dims);
	memcpy(result->x, values, sizeof(Half) * r.dims);
	pfree(values);
	PG_RETURN_POINTER(result);
}

// halfvec_out(halfvec): prints each element as the shortest text that reads back to the same
// float (every half is exactly a float), like pgvector.
VECTOR_SQL_FUNCTION(halfvec_out)
{
	HalfVector *vec = PG_GETARG_HALFVEC_P(0);
	int dim = vec->dim;
	char *buf = static_cast<char *>(palloc(static_cast<Size>(FLOAT_SHORTEST_DECIMAL_LEN) * (dim + 1) + 3));
	char *p = buf;

	*p++ = '[';
	for (int i = 0; i < dim; i++) {
		if (i > 0)
			*p++ = ',';
		p += float_to_shortest_decimal_bufn(vector_core::HalfToFloat(vec->x[i]), p);
	}
	*p++ = ']';
	*p = '\0';
	PG_FREE_IF_COPY(vec, 0);
	PG_RETURN_CSTRING(buf);
}

// halfvec_typmod_in(cstring[]): validates halfvec(n).
VECTOR_SQL_FUNCTION(halfvec_typmod_in)
{
	PG_RETURN_INT32(DimensionsTypmod(PG_GETARG_ARRAYTYPE_P(0), "halfvec", kHalfvecMaxDim));
}

// halfvec_recv(internal, oid, integer): reads the binary form (int16 dim, int16 unused, dim
// uint16 half bit patterns, network byte order).
VECTOR_SQL_FUNCTION(halfvec_recv)
{
	StringInfo buf = reinterpret_cast<StringInfo>(PG_GETARG_POINTER(0));
	int32 typmod = PG_GETARG_INT32(2);
	const unsigned char *data = reinterpret_cast<const unsigned char *>(buf->data + buf->cursor);
	const Size left = static_cast<Size>(buf->len - buf->cursor);
	int dim = 0;
	int unused = 0;
	if (vector_core::DecodeVectorBinaryHeader(data, left, &dim, &unused) != vector_core::VectorBinaryStatus::kOk)
		ereport(ERROR, (errcode(ERRCODE_PROTOCOL_VIOLATION), errmsg("insufficient data left in message")));
	buf->cursor += 4;

	CheckHalfvecDim(dim);
	CheckExpectedDim(typmod, dim);
	if (unused != 0)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("expected unused to be 0, not %d", unused)));
	// Refuse a short message before allocating for it.
	if (left - 4 < sizeof(Half) * static_cast<Size>(dim))
		ereport(ERROR, (errcode(ERRCODE_PROTOCOL_VIOLATION), errmsg("insufficient data left in message")));

	HalfVector *result = InitHalfVector(dim);
	size_t consumed = 0;
	vector_core::VectorBinaryStatus status =
	    vector_core::DecodeHalfvecBinaryValues(data + 4, left - 4, dim, result->x, &consumed);
	buf->cursor += static_cast<int>(consumed);
	if (status != vector_core::VectorBinaryStatus::kOk && consumed > 0)
		CheckHalfvecElement(result->x[consumed / sizeof(Half) - 1]);
	PG_RETURN_POINTER(result);
}

// halfvec_send(halfvec): writes the binary form read by halfvec_recv.
VECTOR_SQL_FUNCTION(halfvec_send)
{
	HalfVector *vec = PG_GETARG_HALFVEC_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint16(&buf, vec->dim);
	pq_sendint16(&buf, vec->unused);
	for (int i = 0; i < vec->dim; i++)
		pq_sendint16(&buf, vec->x[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

// halfvec(halfvec, integer, boolean): the length-coercion cast that enforces halfvec(n).
VECTOR_SQL_FUNCTION(halfvec)
{
	HalfVector *vec = PG_GETARG_HALFVEC_P(0);
	int32 typmod = PG_GETARG_INT32(1);

	CheckExpectedDim(typmod, vec->dim);
	PG_RETURN_POINTER(vec);
}
