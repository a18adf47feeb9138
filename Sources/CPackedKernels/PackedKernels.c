// The recurrent product of an LSTM, z += h · W_hhᵀ (forward) and dh = dz · W_hh
// (backward), with the weight packed once and reused at every time step.
//
// Why not BLAS: at the few rows a step has (a shard of 16 to 50 sequences),
// OpenBLAS 0.3.21 repacks the whole weight on every call and its kernel is
// tuned for large products; measured on this machine's Zen 4, one thread,
// H = 512: 63 GFLOP/s at 16 rows, 79 at 32, 90 at 64, against 107-112 here.
//
// The kernel: blocks of MR rows by 32 columns (two 16-float registers per row)
// accumulate in registers over all of K, one broadcast of A and two loads of
// the packed panel per k. MR = 12 uses 24 accumulators of the 32 registers.

#include "PackedKernels.h"

#include <immintrin.h>

enum { NR = 32 };

int cs_packed_supported(void) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") ? 1 : 0;
#else
  return 0;
#endif
}

size_t cs_packed_count(int K, int N) { return (size_t)((N + NR - 1) / NR) * NR * (size_t)K; }

void cs_pack(const float *B, int ldb, int K, int N, int transposed, float *packed) {
  int panels = (N + NR - 1) / NR;
  for (int p = 0; p < panels; p++) {
    float *panel = packed + (size_t)p * K * NR;
    for (int k = 0; k < K; k++) {
      for (int j = 0; j < NR; j++) {
        int n = p * NR + j;
        float v = 0.f;
        if (n < N) v = transposed ? B[(size_t)n * ldb + k] : B[(size_t)k * ldb + n];
        panel[(size_t)k * NR + j] = v;
      }
    }
  }
}

#if defined(__x86_64__)

// MR rows of C, one panel of 32 columns (masked to the columns that exist).
__attribute__((target("avx512f"), always_inline)) static inline void block(
    int MR, int K, const float *A, int lda, const float *panel, float *C, int ldc, __mmask16 m0,
    __mmask16 m1) {
  __m512 acc0[12], acc1[12];
#pragma GCC unroll 12
  for (int r = 0; r < MR; r++) {
    acc0[r] = _mm512_maskz_loadu_ps(m0, C + (size_t)r * ldc);
    acc1[r] = _mm512_maskz_loadu_ps(m1, C + (size_t)r * ldc + 16);
  }
  for (int k = 0; k < K; k++) {
    __m512 b0 = _mm512_loadu_ps(panel + (size_t)k * NR);
    __m512 b1 = _mm512_loadu_ps(panel + (size_t)k * NR + 16);
#pragma GCC unroll 12
    for (int r = 0; r < MR; r++) {
      __m512 a = _mm512_set1_ps(A[(size_t)r * lda + k]);
      acc0[r] = _mm512_fmadd_ps(a, b0, acc0[r]);
      acc1[r] = _mm512_fmadd_ps(a, b1, acc1[r]);
    }
  }
#pragma GCC unroll 12
  for (int r = 0; r < MR; r++) {
    _mm512_mask_storeu_ps(C + (size_t)r * ldc, m0, acc0[r]);
    _mm512_mask_storeu_ps(C + (size_t)r * ldc + 16, m1, acc1[r]);
  }
}

// One function per block height, so that each is compiled with its MR constant
// (the accumulators then live in registers).
#define BLOCK(MR)                                                                                  \
  __attribute__((target("avx512f"))) static void block##MR(                                      \
      int K, const float *A, int lda, const float *panel, float *C, int ldc, __mmask16 m0,         \
      __mmask16 m1) {                                                                              \
    block(MR, K, A, lda, panel, C, ldc, m0, m1);                                                   \
  }
BLOCK(12)
BLOCK(8)
BLOCK(4)
BLOCK(2)
BLOCK(1)

__attribute__((target("avx512f"))) void cs_packed_product(
    int M, int N, int K, const float *A, int lda, const float *packed, float *C, int ldc) {
  int panels = (N + NR - 1) / NR;
  for (int p = 0; p < panels; p++) {
    int cols = N - p * NR < NR ? N - p * NR : NR;
    __mmask16 m0 = cols >= 16 ? 0xFFFF : (__mmask16)((1u << cols) - 1);
    __mmask16 m1 = cols >= 32 ? 0xFFFF : cols <= 16 ? 0 : (__mmask16)((1u << (cols - 16)) - 1);
    const float *panel = packed + (size_t)p * K * NR;
    float *Cp = C + (size_t)p * NR;
    int r = 0;
    for (; r + 12 <= M; r += 12) block12(K, A + (size_t)r * lda, lda, panel, Cp + (size_t)r * ldc, ldc, m0, m1);
    for (; r + 8 <= M; r += 8) block8(K, A + (size_t)r * lda, lda, panel, Cp + (size_t)r * ldc, ldc, m0, m1);
    for (; r + 4 <= M; r += 4) block4(K, A + (size_t)r * lda, lda, panel, Cp + (size_t)r * ldc, ldc, m0, m1);
    for (; r + 2 <= M; r += 2) block2(K, A + (size_t)r * lda, lda, panel, Cp + (size_t)r * ldc, ldc, m0, m1);
    for (; r < M; r++) block1(K, A + (size_t)r * lda, lda, panel, Cp + (size_t)r * ldc, ldc, m0, m1);
  }
}

#else

void cs_packed_product(int M, int N, int K, const float *A, int lda, const float *packed, float *C, int ldc) {
  (void)M, (void)N, (void)K, (void)A, (void)lda, (void)packed, (void)C, (void)ldc;
}

#endif
