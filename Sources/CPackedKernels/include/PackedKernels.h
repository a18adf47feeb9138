#ifndef CELLSCOPE_PACKED_KERNELS_H
#define CELLSCOPE_PACKED_KERNELS_H

#include <stddef.h>

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

#endif
