// Hamming and Jaccard distance between `bit` strings (the <~> and <%> operators), on top of
// the popcount kernels of core/distance/bit_distance.h. Both strings must have the same length in
// bits, as in pgvector.
#include "pg/common/pg_headers.h"

#include "core/distance/bit_distance.h"
#include "pg/common/sql_function.h"

// Errors when two bit strings have different lengths (pgvector's message).
static void CheckSameBitLength(VarBit *a, VarBit *b)
{
	if (VARBITLEN(a) != VARBITLEN(b))
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
		                errmsg("different bit lengths %u and %u", VARBITLEN(a), VARBITLEN(b))));
}

// hamming_distance(bit, bit): number of differing bits, the <~> operator.
VECTOR_SQL_FUNCTION(hamming_distance)
{
	VarBit *a = PG_GETARG_VARBIT_P(0);
	VarBit *b = PG_GETARG_VARBIT_P(1);
	CheckSameBitLength(a, b);
	// PostgreSQL keeps the padding bits of the last byte zero, so whole bytes can be compared.
	PG_RETURN_FLOAT8(static_cast<double>(vector_core::HammingDistance(VARBITS(a), VARBITS(b), VARBITBYTES(a))));
}

// jaccard_distance(bit, bit): 1 - |a & b| / |a | b| (1 when no bit is shared), the <%> operator.
VECTOR_SQL_FUNCTION(jaccard_distance)
{
	VarBit *a = PG_GETARG_VARBIT_P(0);
	VarBit *b = PG_GETARG_VARBIT_P(1);
	CheckSameBitLength(a, b);
	PG_RETURN_FLOAT8(vector_core::JaccardDistance(VARBITS(a), VARBITS(b), VARBITBYTES(a)));
}
