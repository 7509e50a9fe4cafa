// Text and binary input/output of the `vector` type, its type modifier, and the
// checks every constructor of a vector shares.
#include "pg/common/pg_headers.h"

#include "core/types/vector_binary.h"
#include "core/types/vector_text.h"
#include "pg/types/vector/vector.h"

using vector_core::VectorTextStatus;

Vector *InitVector(int dim)
{
	Size size = VectorSize(dim);
	Vector *result = static_cast<Vector *>(palloc0(size));
	SET_VARSIZE(result, size);
	result->dim = static_cast<int16>(dim);
	return result;
}

void CheckVectorDim(int dim)
{
	if (dim < 1)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("vector must have at least 1 dimension")));
	if (dim > kVectorMaxDim)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("vector cannot have more than %d dimensions", kVectorMaxDim)));
}

void CheckExpectedDim(int32 typmod, int dim)
{
	if (typmod != -1 && typmod != dim)
		ereport(ERROR,
		        (errcode(ERRCODE_DATA_EXCEPTION), errmsg("expected %d dimensions, not %d", typmod, dim)));
}

void CheckSameDims(const Vector *a, const Vector *b)
{
	if (a->dim != b->dim)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
		                errmsg("different vector dimensions %d and %d", a->dim, b->dim)));
}

void CheckVectorElement(float value)
{
	if (isnan(value))
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("NaN not allowed in vector")));
	if (isinf(value))
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("infinite value not allowed in vector")));
}

void CheckNoOverflow(const float *x, int dim)
{
	for (int i = 0; i < dim; i++)
		if (isinf(x[i]))
			float_overflow_error();
}

// Reports a failed parse of lit with pgvector's SQLSTATEs and messages.
static void ReportVectorTextError(const char *lit, const vector_core::VectorTextResult &r)
{
	switch (r.status) {
	case VectorTextStatus::kOk:
		return;
	case VectorTextStatus::kMissingOpenBracket:
		ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
		                errmsg("invalid input syntax for type vector: \"%s\"", lit),
		                errdetail("Vector contents must start with \"[\".")));
		break;
	case VectorTextStatus::kNoDimensions:
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("vector must have at least 1 dimension")));
		break;
	case VectorTextStatus::kTooManyDimensions:
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("vector cannot have more than %d dimensions", kVectorMaxDim)));
		break;
	case VectorTextStatus::kOutOfRange:
		ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
		                errmsg("\"%s\" is out of range for type vector",
		                       pnstrdup(lit + r.token_begin, r.token_length))));
		break;
	case VectorTextStatus::kNaN:
		CheckVectorElement(NAN);
		break;
	case VectorTextStatus::kInfinite:
		CheckVectorElement(INFINITY);
		break;
	case VectorTextStatus::kJunkAfterClose:
		ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
		                errmsg("invalid input syntax for type vector: \"%s\"", lit),
		                errdetail("Junk after closing right brace.")));
		break;
	case VectorTextStatus::kInvalidSyntax:
		break;
	}
	ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
	                errmsg("invalid input syntax for type vector: \"%s\"", lit)));
}

// vector_in(cstring, oid, integer): parses the text form.
VECTOR_SQL_FUNCTION(vector_in)
{
	char *lit = PG_GETARG_CSTRING(0);
	int32 typmod = PG_GETARG_INT32(2);

	// One slot more than the limit lets the parser tell "too many" apart.
	int capacity = vector_core::CountVectorTextElements(lit, kVectorMaxDim + 1);
	float *values = static_cast<float *>(palloc(sizeof(float) * capacity));
	vector_core::VectorTextResult r = vector_core::ParseVectorText(lit, values, kVectorMaxDim);
	ReportVectorTextError(lit, r);

	CheckVectorDim(r.dims);
	CheckExpectedDim(typmod, r.dims);
	Vector *result = InitVector(r.dims);
	memcpy(result->x, values, sizeof(float) * r.dims);
	pfree(values);
	PG_RETURN_POINTER(result);
}

// vector_out(vector): prints the shortest text that reads back to the same floats.
VECTOR_SQL_FUNCTION(vector_out)
{
	Vector *vec = PG_GETARG_VECTOR_P(0);
	int dim = vec->dim;
	// Each float takes at most FLOAT_SHORTEST_DECIMAL_LEN - 1 characters, plus a
	// separator; then '[', ']' and the terminator.
	char *buf = static_cast<char *>(palloc(static_cast<Size>(FLOAT_SHORTEST_DECIMAL_LEN) * (dim + 1) + 3));
	char *p = buf;

	*p++ = '[';
	for (int i = 0; i < dim; i++) {
		if (i > 0)
			*p++ = ',';
		p += float_to_shortest_decimal_bufn(vec->x[i], p);
	}
	*p++ = ']';
	*p = '\0';
	PG_FREE_IF_COPY(vec, 0);
	PG_RETURN_CSTRING(buf);
}

// vector_typmod_in(cstring[]): validates vector(n).
VECTOR_SQL_FUNCTION(vector_typmod_in)
{
	PG_RETURN_INT32(DimensionsTypmod(PG_GETARG_ARRAYTYPE_P(0), "vector", kVectorMaxDim));
}

int32 DimensionsTypmod(ArrayType *typmods, const char *type_name, int max_dims)
{
	int n;
	int32 *tl = ArrayGetIntegerTypmods(typmods, &n);
	if (n != 1)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("invalid type modifier")));
	if (*tl < 1)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("dimensions for type %s must be at least 1", type_name)));
	if (*tl > max_dims)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("dimensions for type %s cannot exceed %d", type_name, max_dims)));
	return *tl;
}

// vector_recv(internal, oid, integer): reads the binary form (int16 dim, int16
// unused, dim float4, network byte order).
VECTOR_SQL_FUNCTION(vector_recv)
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

	CheckVectorDim(dim);
	CheckExpectedDim(typmod, dim);
	if (unused != 0)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("expected unused to be 0, not %d", unused)));
	// Refuse a short message before allocating for it.
	if (left - 4 < sizeof(float) * static_cast<Size>(dim))
		ereport(ERROR, (errcode(ERRCODE_PROTOCOL_VIOLATION), errmsg("insufficient data left in message")));

	Vector *result = InitVector(dim);
	size_t consumed = 0;
	vector_core::VectorBinaryStatus status =
	    vector_core::DecodeVectorBinaryValues(data + 4, left - 4, dim, result->x, &consumed);
	buf->cursor += static_cast<int>(consumed);
	if (status == vector_core::VectorBinaryStatus::kNaN)
		CheckVectorElement(NAN);
	else if (status == vector_core::VectorBinaryStatus::kInfinite)
		CheckVectorElement(INFINITY);
	PG_RETURN_POINTER(result);
}

// vector_send(vector): writes the binary form read by vector_recv.
VECTOR_SQL_FUNCTION(vector_send)
{
	Vector *vec = PG_GETARG_VECTOR_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint16(&buf, vec->dim);
	pq_sendint16(&buf, vec->unused);
	for (int i = 0; i < vec->dim; i++)
		pq_sendfloat4(&buf, vec->x[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

// vector(vector, integer, boolean): the length-coercion cast that enforces vector(n).
VECTOR_SQL_FUNCTION(vector)
{
	Vector *vec = PG_GETARG_VECTOR_P(0);
	int32 typmod = PG_GETARG_INT32(1);

	CheckExpectedDim(typmod, vec->dim);
	PG_RETURN_POINTER(vec);
}
