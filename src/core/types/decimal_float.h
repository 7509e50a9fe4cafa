// Reading a float from decimal text, as std::strtof does, faster for the common forms.
#pragma once

namespace vector_core
{

// Exactly std::strtof(p, end) (value, *end and errno, in the C locale), with a fast path for
// plain decimal numbers: an optional sign, at most 19 significant digits with an optional point,
// an optional exponent, whose value lies in float's normal range. Vectors arrive as text in most
// clients' queries; strtof was 6% of a 768-dimension hnsw query's time.
float StrToFloat(const char *p, char **end) noexcept;

// The fast path alone: true with *value and *end set when p starts with a plain decimal number
// whose correctly rounded float it can compute exactly (see decimal_float.cpp), else false.
bool ParsePlainDecimalFloat(const char *p, float *value, const char **end) noexcept;

} // namespace vector_core
