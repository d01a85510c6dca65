#include "CFuse.h"
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx2,fma")))
static double dot_avx2(const float *x, const float *y, size_t count) {
    __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
    __m256d s2 = _mm256_setzero_pd(), s3 = _mm256_setzero_pd();
    size_t k = 0;
    for (; k + 16 <= count; k += 16) {
        __m256 xa = _mm256_loadu_ps(x + k), ya = _mm256_loadu_ps(y + k);
        __m256 xb = _mm256_loadu_ps(x + k + 8), yb = _mm256_loadu_ps(y + k + 8);
        s0 = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(xa)), _mm256_cvtps_pd(_mm256_castps256_ps128(ya)), s0);
        s1 = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(xa, 1)), _mm256_cvtps_pd(_mm256_extractf128_ps(ya, 1)), s1);
        s2 = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(xb)), _mm256_cvtps_pd(_mm256_castps256_ps128(yb)), s2);
        s3 = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(xb, 1)), _mm256_cvtps_pd(_mm256_extractf128_ps(yb, 1)), s3);
    }
    __m256d s = _mm256_add_pd(_mm256_add_pd(s0, s1), _mm256_add_pd(s2, s3));
    __m128d half = _mm_add_pd(_mm256_castpd256_pd128(s), _mm256_extractf128_pd(s, 1));
    double sum = _mm_cvtsd_f64(_mm_add_sd(half, _mm_unpackhi_pd(half, half)));
    for (; k < count; k++) sum += (double)x[k] * (double)y[k];
    return sum;
}
#endif

static double dot_portable(const float *x, const float *y, size_t count) {
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t k = 0;
    for (; k + 4 <= count; k += 4) {
        s0 += (double)x[k] * (double)y[k];
        s1 += (double)x[k + 1] * (double)y[k + 1];
        s2 += (double)x[k + 2] * (double)y[k + 2];
        s3 += (double)x[k + 3] * (double)y[k + 3];
    }
    double sum = (s0 + s1) + (s2 + s3);
    for (; k < count; k++) sum += (double)x[k] * (double)y[k];
    return sum;
}

/* Whether the CPU has AVX2 and FMA, asked once. */
static int use_avx2(void) {
#if defined(__x86_64__)
    static int cached = -1;
    int known = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (known < 0) {
        __builtin_cpu_init();
        known = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        __atomic_store_n(&cached, known, __ATOMIC_RELAXED);
    }
    return known;
#else
    return 0;
#endif
}

double cfuse_dot_f32_in_f64(const float *x, const float *y, size_t count) {
#if defined(__x86_64__)
    if (use_avx2()) return dot_avx2(x, y, count);
#endif
    return dot_portable(x, y, count);
}

/* Certified BF16 rounding: one element at a time (portable) or eight (AVX2). */

static inline float bits_to_float(uint32_t bits) { float f; memcpy(&f, &bits, 4); return f; }
static inline uint32_t float_to_bits(float f) { uint32_t b; memcpy(&b, &f, 4); return b; }

static inline uint16_t round_bf16(float value) {
    uint32_t x = float_to_bits(value);
    if ((x & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)((x >> 16) | 0x40);
    return (uint16_t)((x + 0x7FFFu + ((x >> 16) & 1u)) >> 16);
}

static inline float half_gap_bf16(uint16_t bits) {
    int32_t exponent = (bits >> 7) & 0xFF;
    int32_t gap_exponent = exponent - ((bits & 0x7F) == 0 ? 9 : 8);
    if (exponent == 0xFF || gap_exponent < 1) return 0.0f;
    return bits_to_float((uint32_t)gap_exponent << 23);
}

/* Elements first..<count; failures are appended at failed[failures]. */
static size_t round_bf16_portable(const float *values, const void *weights,
                                  const float *row_scales, const float *const *column_norms, size_t terms,
                                  float gamma, float slack, size_t first, size_t count, void *out,
                                  size_t *failed, size_t failures) {
    const unsigned char *w = weights;
    unsigned char *o = out;
    for (size_t j = first; j < count; j++) {
        uint16_t weight;
        memcpy(&weight, w + 2 * j, 2);
        float bound = gamma * bits_to_float((uint32_t)(weight & 0x7FFF) << 16) + slack;
        for (size_t t = 0; t < terms; t++) bound += row_scales[t] * column_norms[t][j];
        float value = values[j];
        uint16_t bits = round_bf16(value);
        float rounded = bits_to_float((uint32_t)bits << 16);
        float distance = value > rounded ? value - rounded : rounded - value;
        memcpy(o + 2 * j, &bits, 2);
        if (!(distance + bound < half_gap_bf16(bits) * (1.0f - 0x1p-20f))) failed[failures++] = j;
    }
    return failures;
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma")))
static size_t round_bf16_avx2(const float *values, const void *weights,
                              const float *row_scales, const float *const *column_norms, size_t terms,
                              float gamma, float slack, size_t count, void *out, size_t *failed) {
    const unsigned char *w = weights;
    unsigned char *o = out;
    size_t failures = 0, j = 0;
    const __m256i magnitude_mask = _mm256_set1_epi32(0x7FFFFFFF);
    const __m256i infinity = _mm256_set1_epi32(0x7F800000);
    const __m256i round_bias = _mm256_set1_epi32(0x7FFF);
    const __m256i one = _mm256_set1_epi32(1);
    const __m256i quiet = _mm256_set1_epi32(0x40);
    const __m256i exponent_mask = _mm256_set1_epi32(0xFF);
    const __m256i mantissa_mask = _mm256_set1_epi32(0x7F);
    const __m256 gamma_v = _mm256_set1_ps(gamma), slack_v = _mm256_set1_ps(slack);
    const __m256 shrink = _mm256_set1_ps(1.0f - 0x1p-20f);
    const __m256 sign_mask = _mm256_castsi256_ps(magnitude_mask);
    for (; j + 8 <= count; j += 8) {
        __m256 value = _mm256_loadu_ps(values + j);
        __m256i x = _mm256_castps_si256(value);
        __m256i is_nan = _mm256_cmpgt_epi32(_mm256_and_si256(x, magnitude_mask), infinity);
        __m256i rounded = _mm256_srli_epi32(
            _mm256_add_epi32(_mm256_add_epi32(x, round_bias), _mm256_and_si256(_mm256_srli_epi32(x, 16), one)), 16);
        __m256i bits = _mm256_blendv_epi8(rounded, _mm256_or_si256(_mm256_srli_epi32(x, 16), quiet), is_nan);
        __m256 rounded_value = _mm256_castsi256_ps(_mm256_slli_epi32(bits, 16));
        __m256 distance = _mm256_and_ps(_mm256_sub_ps(value, rounded_value), sign_mask);
        __m256i exponent = _mm256_and_si256(_mm256_srli_epi32(bits, 7), exponent_mask);
        __m256i mantissa_zero = _mm256_cmpeq_epi32(_mm256_and_si256(bits, mantissa_mask), _mm256_setzero_si256());
        __m256i gap_exponent = _mm256_sub_epi32(exponent, _mm256_sub_epi32(_mm256_set1_epi32(8), mantissa_zero));
        __m256i usable = _mm256_andnot_si256(_mm256_cmpeq_epi32(exponent, exponent_mask),
                                             _mm256_cmpgt_epi32(gap_exponent, _mm256_setzero_si256()));
        __m256 half_gap = _mm256_castsi256_ps(_mm256_and_si256(_mm256_slli_epi32(gap_exponent, 23), usable));
        __m128i weight16 = _mm_loadu_si128((const __m128i *)(w + 2 * j));
        __m256 weight = _mm256_castsi256_ps(_mm256_and_si256(
            _mm256_slli_epi32(_mm256_cvtepu16_epi32(weight16), 16), magnitude_mask));
        __m256 bound = _mm256_fmadd_ps(gamma_v, weight, slack_v);
        for (size_t t = 0; t < terms; t++)
            bound = _mm256_fmadd_ps(_mm256_set1_ps(row_scales[t]), _mm256_loadu_ps(column_norms[t] + j), bound);
        __m256 certain = _mm256_cmp_ps(_mm256_add_ps(distance, bound), _mm256_mul_ps(half_gap, shrink), _CMP_LT_OQ);
        __m256i packed = _mm256_permute4x64_epi64(_mm256_packus_epi32(bits, bits), 0xD8);
        _mm_storeu_si128((__m128i *)(o + 2 * j), _mm256_castsi256_si128(packed));
        unsigned mask = ~(unsigned)_mm256_movemask_ps(certain) & 0xFFu;
        while (mask) {
            failed[failures++] = j + (size_t)__builtin_ctz(mask);
            mask &= mask - 1;
        }
    }
    return round_bf16_portable(values, weights, row_scales, column_norms, terms, gamma, slack,
                               j, count, out, failed, failures);
}
#endif

size_t cfuse_round_bf16_certified(const float *values, const void *weights,
                                  const float *row_scales, const float *const *column_norms, size_t terms,
                                  float gamma, float slack, size_t count, void *out, size_t *failed) {
#if defined(__x86_64__)
    if (use_avx2())
        return round_bf16_avx2(values, weights, row_scales, column_norms, terms, gamma, slack, count, out, failed);
#endif
    return round_bf16_portable(values, weights, row_scales, column_norms, terms, gamma, slack, 0, count, out, failed, 0);
}

double cfuse_dot_f32_in_f64_portable(const float *x, const float *y, size_t count) {
    return dot_portable(x, y, count);
}

size_t cfuse_round_bf16_certified_portable(const float *values, const void *weights,
                                           const float *row_scales, const float *const *column_norms, size_t terms,
                                           float gamma, float slack, size_t count, void *out, size_t *failed) {
    return round_bf16_portable(values, weights, row_scales, column_norms, terms, gamma, slack, 0, count, out, failed, 0);
}
