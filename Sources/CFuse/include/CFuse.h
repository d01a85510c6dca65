#ifndef LORAD_CFUSE_H
#define LORAD_CFUSE_H

#include <stddef.h>

/// Inner loops of the fuse kernel that need the CPU's vector units beyond the
/// x86-64 baseline Swift compiles for. Each entry point picks, once, an AVX2+FMA
/// version when the CPU has them and a portable one otherwise; all versions give
/// results within the documented accuracy (the order of additions may differ).

/// The dot product of `count` F32 values, accumulated in F64: every product is
/// exact in F64 (24 + 24 significand bits), only the additions round. Pointers
/// need no alignment; `count` may be 0.
double cfuse_dot_f32_in_f64(const float *x, const float *y, size_t count);

/// Rounds `count` F32 values to BF16 (nearest, ties to even; NaN quieted) into
/// `out` and lists in `failed` (capacity `count`) the indices where the rounding
/// is not certified, returning how many. Element j is certified when
/// |v - x| + bound_j is below half the gap from x = round(v) to its nearest
/// rounding boundary (less 2^-20 of it), with
/// bound_j = gamma * |W_j| + slack + sum_t row_scales[t] * column_norms[t][j]
/// and W_j the BF16 `weights[j]`. Zero, subnormal, infinite and NaN results are
/// never certified. `weights` and `out` need no alignment.
size_t cfuse_round_bf16_certified(const float *values, const void *weights,
                                  const float *row_scales, const float *const *column_norms, size_t terms,
                                  float gamma, float slack, size_t count, void *out, size_t *failed);

/// The portable versions of the functions above, whatever the CPU (for tests
/// that compare them with the vector versions).
double cfuse_dot_f32_in_f64_portable(const float *x, const float *y, size_t count);
size_t cfuse_round_bf16_certified_portable(const float *values, const void *weights,
                                           const float *row_scales, const float *const *column_norms, size_t terms,
                                           float gamma, float slack, size_t count, void *out, size_t *failed);

#endif
