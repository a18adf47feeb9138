// Matrix products with bf16 operands and fp32 accumulation (issue 15): both
// operands are rounded to bf16 (round to nearest, ties to even), each pair of
// products is summed by one VDPBF16PS lane into an fp32 accumulator.
//
// Why: VDPBF16PS does 32 multiply-adds per instruction against FMA's 16, and
// the packed weight takes half the bytes, which is what a batch-1 step (the
// exact recorder) is bound by: it streams every weight through the cores.
//
// Layouts. k runs in pairs (kp = k / 2, K2 = ceil(K / 2) pairs, zero past K):
//   packed B: panels of 32 columns; panel p, pair kp, column j holds the two
//             bf16 B[2kp][32p + j], B[2kp + 1][32p + j] (low half first), so
//             one 64-byte load gives 16 columns' pairs;
//   A rows:   row r, pair kp is one 32-bit word (A[r][2kp] low, A[r][2kp+1]
//             high), broadcast to all lanes.
// The kernel mirrors PackedKernels.c's: blocks of MR rows by 32 columns, the
// accumulators in registers over all of K.

#include "PackedKernels.h"

#include <immintrin.h>
#include <string.h>

enum { NR = 32 };

int cs_bf16_supported(void) {
#if defined(__x86_64__)
  static int known = -1;  // benign race: every thread computes the same value
  if (known < 0) {
    __builtin_cpu_init();
    known = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                    __builtin_cpu_supports("avx512bf16")
                ? 1
                : 0;
  }
  return known;
#else
  return 0;
#endif
}

uint16_t cs_bf16_round(float x) {
  uint32_t bits;
  memcpy(&bits, &x, 4);
  if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)((bits >> 16) | 0x0040u);  // NaN stays NaN
  bits += 0x7FFFu + ((bits >> 16) & 1u);  // ties to even
  return (uint16_t)(bits >> 16);
}

size_t cs_bf16_packed_count(int K, int N) {
  return (size_t)((N + NR - 1) / NR) * NR * 2 * (size_t)((K + 1) / 2);
}

#if defined(__x86_64__)

#define TARGET __attribute__((target("avx512f,avx512bw,avx512bf16")))

// 32 floats at p (the first `count` of them; zero past) rounded to 32 bf16 in
// order: the same rounding as cs_bf16_round, except that subnormal inputs
// become zero, as VDPBF16PS would read them anyway.
TARGET static inline __m512i round32(const float *p, int count) {
  __mmask16 m0 = count >= 16 ? 0xFFFF : (__mmask16)((1u << count) - 1);
  __mmask16 m1 = count >= 32 ? 0xFFFF : count <= 16 ? 0 : (__mmask16)((1u << (count - 16)) - 1);
  __m512 lo = _mm512_maskz_loadu_ps(m0, p), hi = _mm512_maskz_loadu_ps(m1, p + 16);
  return (__m512i)_mm512_cvtne2ps_pbh(hi, lo);
}

// Two rows of 32 bf16, r0 and r1, as 32 pairs (r0[j], r1[j]) at out (64 values):
// word q of each half takes element q/2 of r0 (q even) or of r1 (q odd).
TARGET static inline void store_pairs(__m512i r0, __m512i r1, void *out) {
  static const uint16_t low[32] = {0,  32, 1,  33, 2,  34, 3,  35, 4,  36, 5,  37, 6,  38, 7,  39,
                                   8,  40, 9,  41, 10, 42, 11, 43, 12, 44, 13, 45, 14, 46, 15, 47};
  static const uint16_t high[32] = {16, 48, 17, 49, 18, 50, 19, 51, 20, 52, 21, 53, 22, 54, 23, 55,
                                    24, 56, 25, 57, 26, 58, 27, 59, 28, 60, 29, 61, 30, 62, 31, 63};
  _mm512_storeu_si512(out, _mm512_permutex2var_epi16(r0, _mm512_loadu_si512(low), r1));
  _mm512_storeu_si512((uint16_t *)out + 32, _mm512_permutex2var_epi16(r0, _mm512_loadu_si512(high), r1));
}

// Pack and row rounding vectorised: they run once per weight per pass (and once
// per product for the rows), about a tenth of a product's time if scalar.
TARGET static void pack_vector(const float *B, int ldb, int K, int N, int transposed, uint16_t *packed) {
  int panels = (N + NR - 1) / NR, K2 = (K + 1) / 2;
  for (int p = 0; p < panels; p++) {
    uint16_t *panel = packed + (size_t)p * K2 * NR * 2;
    int cols = N - p * NR < NR ? N - p * NR : NR;
    if (!transposed) {
      for (int kp = 0; kp < K2; kp++) {
        const float *row0 = B + (size_t)(2 * kp) * ldb + (size_t)p * NR;
        __m512i r0 = round32(row0, cols);
        __m512i r1 = 2 * kp + 1 < K ? round32(row0 + ldb, cols) : _mm512_setzero_si512();
        store_pairs(r0, r1, panel + (size_t)kp * NR * 2);
      }
    } else {
      uint32_t *words = (uint32_t *)panel;  // (K2, 32): pair kp of column j at kp * 32 + j
      for (int j = 0; j < NR; j++) {
        if (j >= cols) {
          for (int kp = 0; kp < K2; kp++) words[(size_t)kp * NR + j] = 0;
          continue;
        }
        const float *row = B + (size_t)(p * NR + j) * ldb;
        for (int k0 = 0; k0 < K; k0 += 32) {
          uint32_t pairs[16];
          _mm512_storeu_si512(pairs, round32(row + k0, K - k0 < 32 ? K - k0 : 32));
          int n = (K - k0 + 1) / 2 < 16 ? (K - k0 + 1) / 2 : 16;
          for (int q = 0; q < n; q++) words[(size_t)(k0 / 2 + q) * NR + j] = pairs[q];
        }
      }
    }
  }
}

TARGET static void pack_rows_vector(const float *A, int lda, int M, int K, int transposed, uint32_t *pairs) {
  int K2 = (K + 1) / 2;
  if (transposed) {  // A stored (K, M): rows 2kp and 2kp + 1 interleaved, 32 values of r at a time
    for (int kp = 0; kp < K2; kp++) {
      const float *row0 = A + (size_t)(2 * kp) * lda;
      for (int r0 = 0; r0 < M; r0 += 32) {
        int count = M - r0 < 32 ? M - r0 : 32;
        __m512i a0 = round32(row0 + r0, count);
        __m512i a1 = 2 * kp + 1 < K ? round32(row0 + lda + r0, count) : _mm512_setzero_si512();
        uint32_t words[32];
        store_pairs(a0, a1, words);
        for (int q = 0; q < count; q++) pairs[(size_t)(r0 + q) * K2 + kp] = words[q];
      }
    }
    return;
  }
  for (int r = 0; r < M; r++) {
    uint16_t *out = (uint16_t *)(pairs + (size_t)r * K2);
    const float *row = A + (size_t)r * lda;
    int k0 = 0;
    for (; k0 + 32 <= K; k0 += 32) _mm512_storeu_si512(out + k0, round32(row + k0, 32));
    if (k0 < K) {
      uint16_t tail[32];
      _mm512_storeu_si512(tail, round32(row + k0, K - k0));
      for (int q = 0; q < 2 * K2 - k0; q++) out[k0 + q] = tail[q];
    }
  }
}

#endif

void cs_bf16_pack(const float *B, int ldb, int K, int N, int transposed, uint16_t *packed) {
#if defined(__x86_64__)
  if (cs_bf16_supported()) {
    pack_vector(B, ldb, K, N, transposed, packed);
    return;
  }
#endif
  int panels = (N + NR - 1) / NR, K2 = (K + 1) / 2;
  for (int p = 0; p < panels; p++) {
    uint16_t *panel = packed + (size_t)p * K2 * NR * 2;
    for (int kp = 0; kp < K2; kp++) {
      for (int j = 0; j < NR; j++) {
        int n = p * NR + j;
        for (int e = 0; e < 2; e++) {
          int k = 2 * kp + e;
          float v = 0.f;
          if (n < N && k < K) v = transposed ? B[(size_t)n * ldb + k] : B[(size_t)k * ldb + n];
          panel[((size_t)kp * NR + j) * 2 + e] = cs_bf16_round(v);
        }
      }
    }
  }
}

void cs_bf16_pack_rows(const float *A, int lda, int M, int K, int transposed, uint32_t *pairs) {
#if defined(__x86_64__)
  if (cs_bf16_supported()) {
    pack_rows_vector(A, lda, M, K, transposed, pairs);
    return;
  }
#endif
  int K2 = (K + 1) / 2;
  for (int r = 0; r < M; r++) {
    for (int kp = 0; kp < K2; kp++) {
      int k0 = 2 * kp, k1 = 2 * kp + 1;
      float a0 = transposed ? A[(size_t)k0 * lda + r] : A[(size_t)r * lda + k0];
      float a1 = k1 < K ? (transposed ? A[(size_t)k1 * lda + r] : A[(size_t)r * lda + k1]) : 0.f;
      pairs[(size_t)r * K2 + kp] = (uint32_t)cs_bf16_round(a0) | ((uint32_t)cs_bf16_round(a1) << 16);
    }
  }
}

#if defined(__x86_64__)

// MR rows of C, one panel of 32 columns (masked to the columns that exist).
TARGET __attribute__((always_inline)) static inline void block(
    int MR, int K2, const uint32_t *A, const uint16_t *panel, float *C, int ldc, __mmask16 m0,
    __mmask16 m1) {
  __m512 acc0[12], acc1[12];
#pragma GCC unroll 12
  for (int r = 0; r < MR; r++) {
    acc0[r] = _mm512_maskz_loadu_ps(m0, C + (size_t)r * ldc);
    acc1[r] = _mm512_maskz_loadu_ps(m1, C + (size_t)r * ldc + 16);
  }
  for (int kp = 0; kp < K2; kp++) {
    __m512bh b0 = (__m512bh)_mm512_loadu_si512(panel + (size_t)kp * NR * 2);
    __m512bh b1 = (__m512bh)_mm512_loadu_si512(panel + (size_t)kp * NR * 2 + 32);
#pragma GCC unroll 12
    for (int r = 0; r < MR; r++) {
      __m512bh a = (__m512bh)_mm512_set1_epi32((int)A[(size_t)r * K2 + kp]);
      acc0[r] = _mm512_dpbf16_ps(acc0[r], a, b0);
      acc1[r] = _mm512_dpbf16_ps(acc1[r], a, b1);
    }
  }
#pragma GCC unroll 12
  for (int r = 0; r < MR; r++) {
    _mm512_mask_storeu_ps(C + (size_t)r * ldc, m0, acc0[r]);
    _mm512_mask_storeu_ps(C + (size_t)r * ldc + 16, m1, acc1[r]);
  }
}

// One row (a batch-1 step): four chains of pairs per column half, summed at
// the end, so that the loop is bound by the loads, not by the latency of one
// accumulator (a single chain would wait on every VDPBF16PS).
TARGET static void row1(int K2, const uint32_t *A, const uint16_t *panel, float *C, __mmask16 m0, __mmask16 m1) {
  __m512 acc0[4], acc1[4];
  for (int c = 0; c < 4; c++) acc0[c] = acc1[c] = _mm512_setzero_ps();
  int kp = 0;
  for (; kp + 4 <= K2; kp += 4) {
#pragma GCC unroll 4
    for (int c = 0; c < 4; c++) {
      __m512bh a = (__m512bh)_mm512_set1_epi32((int)A[kp + c]);
      acc0[c] = _mm512_dpbf16_ps(acc0[c], a, (__m512bh)_mm512_loadu_si512(panel + (size_t)(kp + c) * NR * 2));
      acc1[c] = _mm512_dpbf16_ps(acc1[c], a, (__m512bh)_mm512_loadu_si512(panel + (size_t)(kp + c) * NR * 2 + 32));
    }
  }
  for (; kp < K2; kp++) {
    __m512bh a = (__m512bh)_mm512_set1_epi32((int)A[kp]);
    acc0[0] = _mm512_dpbf16_ps(acc0[0], a, (__m512bh)_mm512_loadu_si512(panel + (size_t)kp * NR * 2));
    acc1[0] = _mm512_dpbf16_ps(acc1[0], a, (__m512bh)_mm512_loadu_si512(panel + (size_t)kp * NR * 2 + 32));
  }
  __m512 s0 = _mm512_add_ps(_mm512_add_ps(acc0[0], acc0[1]), _mm512_add_ps(acc0[2], acc0[3]));
  __m512 s1 = _mm512_add_ps(_mm512_add_ps(acc1[0], acc1[1]), _mm512_add_ps(acc1[2], acc1[3]));
  _mm512_mask_storeu_ps(C, m0, _mm512_add_ps(s0, _mm512_maskz_loadu_ps(m0, C)));
  _mm512_mask_storeu_ps(C + 16, m1, _mm512_add_ps(s1, _mm512_maskz_loadu_ps(m1, C + 16)));
}

#define BLOCK(MR)                                                                                  \
  TARGET static void block##MR(                                                                    \
      int K2, const uint32_t *A, const uint16_t *panel, float *C, int ldc, __mmask16 m0, __mmask16 m1) { \
    block(MR, K2, A, panel, C, ldc, m0, m1);                                                       \
  }
BLOCK(12)
BLOCK(8)
BLOCK(4)
BLOCK(2)

TARGET void cs_bf16_product(int M, int N, int K, const uint32_t *A, const uint16_t *packed, float *C, int ldc) {
  int K2 = (K + 1) / 2, panels = (N + NR - 1) / NR;
  for (int p = 0; p < panels; p++) {
    int cols = N - p * NR < NR ? N - p * NR : NR;
    __mmask16 m0 = cols >= 16 ? 0xFFFF : (__mmask16)((1u << cols) - 1);
    __mmask16 m1 = cols >= 32 ? 0xFFFF : cols <= 16 ? 0 : (__mmask16)((1u << (cols - 16)) - 1);
    const uint16_t *panel = packed + (size_t)p * K2 * NR * 2;
    float *Cp = C + (size_t)p * NR;
    int r = 0;
    for (; r + 12 <= M; r += 12) block12(K2, A + (size_t)r * K2, panel, Cp + (size_t)r * ldc, ldc, m0, m1);
    for (; r + 8 <= M; r += 8) block8(K2, A + (size_t)r * K2, panel, Cp + (size_t)r * ldc, ldc, m0, m1);
    for (; r + 4 <= M; r += 4) block4(K2, A + (size_t)r * K2, panel, Cp + (size_t)r * ldc, ldc, m0, m1);
    for (; r + 2 <= M; r += 2) block2(K2, A + (size_t)r * K2, panel, Cp + (size_t)r * ldc, ldc, m0, m1);
    for (; r < M; r++) row1(K2, A + (size_t)r * K2, panel, Cp + (size_t)r * ldc, m0, m1);
  }
}

#else

void cs_bf16_product(int M, int N, int K, const uint32_t *A, const uint16_t *packed, float *C, int ldc) {
  (void)M, (void)N, (void)K, (void)A, (void)packed, (void)C, (void)ldc;
}

#endif
