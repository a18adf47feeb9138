#ifndef CELLSCOPE_PACKED_KERNELS_H
#define CELLSCOPE_PACKED_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU can run the AVX-512 kernel of cs_packed_product, else 0
/// (then the caller uses BLAS).
int cs_packed_supported(void);

/// Floats a packed (K, N) matrix occupies: N rounded up to panels of 32 columns.
size_t cs_packed_count(int K, int N);

/// Packs B, read as a (K, N) matrix, into panels of 32 columns: panel p holds
/// B[k][32p ... 32p + 31] for k = 0 ... K-1, contiguous, zero past column N.
/// B is stored row-major (K, N) with row stride ldb, or, when `transposed` is
/// non-zero, (N, K) with row stride ldb (the product then reads its transpose).
void cs_pack(const float *B, int ldb, int K, int N, int transposed, float *packed);

/// C (M, N, row stride ldc) += A (M, K, row stride lda) · B, with B packed by
/// cs_pack. Single-threaded. Call only when cs_packed_supported() is 1.
void cs_packed_product(int M, int N, int K, const float *A, int lda, const float *packed, float *C, int ldc);

// bf16 products with fp32 accumulation (BF16Kernels.c).

/// 1 when this CPU runs cs_bf16_product (AVX-512 with AVX512-BF16), else 0.
int cs_bf16_supported(void);

/// x rounded to bf16 (the upper 16 bits of a float), to nearest, ties to even;
/// a NaN stays a NaN, infinities and zeros keep their sign.
uint16_t cs_bf16_round(float x);

/// bf16 values a packed (K, N) matrix occupies: N rounded up to panels of 32
/// columns, K rounded up to pairs.
size_t cs_bf16_packed_count(int K, int N);

/// Packs B, read as a (K, N) matrix (stored as for cs_pack), rounded to bf16,
/// into panels of 32 columns of k-pairs: panel p, pair kp, column j holds
/// B[2kp][32p + j] then B[2kp + 1][32p + j]; zero past K and past N.
void cs_bf16_pack(const float *B, int ldb, int K, int N, int transposed, uint16_t *packed);

/// Rounds A, read as an (M, K) matrix, to bf16 pairs: word r * ceil(K/2) + kp
/// holds A[r][2kp] (low half) and A[r][2kp + 1] (high half, zero past K).
/// A is stored (M, K) with row stride lda, or, when `transposed` is non-zero,
/// (K, M) with row stride lda.
void cs_bf16_pack_rows(const float *A, int lda, int M, int K, int transposed, uint32_t *pairs);

/// C (M, N, row stride ldc) += A · B, with A from cs_bf16_pack_rows and B
/// from cs_bf16_pack; every product in bf16, every sum in fp32.
/// Single-threaded. Call only when cs_bf16_supported() is 1.
void cs_bf16_product(int M, int N, int K, const uint32_t *A, const uint16_t *packed, float *C, int ldc);

#endif
