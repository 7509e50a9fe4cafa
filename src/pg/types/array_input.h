// Reading the elements of a numeric array for the array-to-vector casts of every vector type
// (array_to_vector, array_to_halfvec, array_to_sparsevec): one place for the checks and the
// conversions they share.
#pragma once

#include "pg/common/pg_headers.h"

// The elements of a 1-D int4/float4/float8/numeric array, deconstructed (palloc'd), their type in
// *elemtype and their number in *count. Errors (22000 / 22004) for a multi-dimensional array, a
// NULL element or another element type.
Datum *ArrayInputElements(ArrayType *array, Oid *elemtype, int *count);

// An element of ArrayInputElements as a float (numeric through numeric_float4, which errors on
// overflow).
float ArrayInputElementToFloat(Oid elemtype, Datum value);
