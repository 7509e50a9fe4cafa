// The operator class lookup shared by the access methods; see opclass.h.
#include "pg/common/pg_headers.h"

#include <cstring>
#include <initializer_list>

#include "pg/common/opclass.h"

namespace
{

// The representation of a type other than bit, by its name.
bool KindOfTypeName(const char *name, vector_core::ElementKind *kind)
{
	if (strcmp(name, "vector") == 0)
		*kind = vector_core::ElementKind::kFloat;
	else if (strcmp(name, "halfvec") == 0)
		*kind = vector_core::ElementKind::kHalf;
	else if (strcmp(name, "sparsevec") == 0)
		*kind = vector_core::ElementKind::kSparse;
	else
		return false;
	return true;
}

// The metric of a distance function by its name (type prefix stripped); has_norm makes the
// negative inner product cosine.
bool MetricOfFunctionName(const char *name, bool has_norm, vector_core::Metric *metric)
{
	const char *base = name;
	for (const char *prefix : {"vector_", "halfvec_", "sparsevec_"}) {
		if (strncmp(base, prefix, strlen(prefix)) == 0) {
			base += strlen(prefix);
			break;
		}
	}
	if (strcmp(base, "l2_squared_distance") == 0)
		*metric = vector_core::Metric::kL2;
	else if (strcmp(base, "negative_inner_product") == 0)
		*metric = has_norm ? vector_core::Metric::kCosine : vector_core::Metric::kInnerProduct;
	else if (strcmp(base, "cosine_distance") == 0)
		*metric = vector_core::Metric::kCosine;
	else if (strcmp(base, "l1_distance") == 0)
		*metric = vector_core::Metric::kL1;
	else if (strcmp(base, "hamming_distance") == 0)
		*metric = vector_core::Metric::kHamming;
	else if (strcmp(base, "jaccard_distance") == 0)
		*metric = vector_core::Metric::kJaccard;
	else
		return false;
	return true;
}

} // namespace

void LookupOpclassMetric(Relation index, OpclassMetric *out)
{
	out->type = index->rd_opcintype[0];
	out->type_name = nullptr;
	out->kind = vector_core::ElementKind::kFloat;
	if (out->type == BITOID || out->type == VARBITOID) {
		out->kind_known = true;
		out->kind = vector_core::ElementKind::kBit;
	} else {
		HeapTuple tuple = SearchSysCache1(TYPEOID, ObjectIdGetDatum(out->type));
		if (!HeapTupleIsValid(tuple))
			elog(ERROR, "cache lookup failed for type %u", out->type);
		out->type_name = pstrdup(NameStr(reinterpret_cast<Form_pg_type>(GETSTRUCT(tuple))->typname));
		ReleaseSysCache(tuple);
		out->kind_known = KindOfTypeName(out->type_name, &out->kind);
	}

	out->distance_proc = index_getprocid(index, 1, 1);
	const char *name = OidIsValid(out->distance_proc) ? get_func_name(out->distance_proc) : nullptr;
	out->distance_name = name != nullptr ? name : "";
	const bool has_norm = OidIsValid(index_getprocid(index, 1, 2));
	out->metric = vector_core::Metric::kL2;
	out->metric_known = MetricOfFunctionName(out->distance_name, has_norm, &out->metric);
	const bool bit_type = out->kind_known && out->kind == vector_core::ElementKind::kBit;
	const bool bit_metric =
	    out->metric == vector_core::Metric::kHamming || out->metric == vector_core::Metric::kJaccard;
	if (out->metric_known && bit_type != bit_metric)
		out->metric_known = false;
}
