// The per-cell statistics of a block of positions (see CellStatisticsKernel.h), 16 cells per pass.
//
// Why lanes across cells and not across positions: each cell's Double sums must be added in text
// order to stay the same bits as the position-by-position reference (CellStatisticsKernelTests), and
// lanes across cells keep that order while every cell of the 16 advances at once. The values are
// buffered position-major, as they arrive, so a position's 16 cells are one contiguous load.
//
// Measured on War and Peace 2 x 128 (512 cells), 300,000 characters: the Swift loop this
// replaces took 68 ns per cell and position (a logf per value for its fine bin, a histogram
// increment waiting on the one before it); see Benchmarks/NOTES.md for this kernel's figures.

#pragma STDC FP_CONTRACT OFF

#include "CellStatisticsKernel.h"
#include "PackedKernels.h"

#include <stdlib.h>

enum { W = 16 };

// The fine bin of x: the largest b with x >= edges[b] (b = 0 when there is none), by a branch-free
// binary search over the 512 edges (those past the last bin are +infinity).
__attribute__((always_inline)) static inline long fine_bin(const float *edges, float x) {
  long b = 0;
  for (long step = 256; step > 0; step >>= 1) b += (x >= edges[b + step]) ? step : 0;
  return b;
}

// Cells [g0, g0 + w), w <= 16, over every position of the block.
__attribute__((always_inline)) static inline void group(const cs_cell_block *blk, const cs_cell_accumulators *a,
                                                        long g0, long w, uint16_t *candidates,
                                                        long candidateStride, uint16_t *fine, uint8_t *shown) {
  const long N = blk->positions, U = blk->units, G = blk->gradedCount;
  const long NB = a->fineBins, slots = a->slots, DB = a->displayBins;
  double s[W], ss[W], lxy[W], lpx[W], lpxx[W], lny[W], lnyy[W];
  float lo[W], hi[W], top[W], bottom[W];
  long sat[W];
  double vy[G > 0 ? G : 1][W];
  for (long l = 0; l < W; l++) {
    int on = l < w;
    s[l] = on ? a->sum[g0 + l] : 0;
    ss[l] = on ? a->sumSq[g0 + l] : 0;
    lo[l] = on ? a->minV[g0 + l] : 0;
    hi[l] = on ? a->maxV[g0 + l] : 0;
    sat[l] = on ? a->saturated[g0 + l] : 0;
    lxy[l] = on ? a->lagSum[g0 + l] : 0;
    lpx[l] = on ? a->lagPrevSum[g0 + l] : 0;
    lpxx[l] = on ? a->lagPrevSumSq[g0 + l] : 0;
    lny[l] = on ? a->lagNextSum[g0 + l] : 0;
    lnyy[l] = on ? a->lagNextSumSq[g0 + l] : 0;
    top[l] = on ? a->topFloor[g0 + l] : __builtin_inff();
    bottom[l] = on ? a->bottomCeiling[g0 + l] : -__builtin_inff();
    for (long g = 0; g < G; g++) vy[g][l] = on ? a->sumVY[(g0 + l) * G + g] : 0;
  }
  for (long i = 0; i < N; i++) {
    const float *x = blk->values + i * U + g0;
    float *prev = a->prev + (long)blk->stream[i] * U + g0;
    double xd[W];
    uint16_t beyond = 0;
    for (long l = 0; l < W; l++) {
      float v = x[l];
      xd[l] = (double)v;
      s[l] += xd[l];
      ss[l] += xd[l] * xd[l];
      lo[l] = v < lo[l] ? v : lo[l];
      hi[l] = v > hi[l] ? v : hi[l];
      sat[l] += __builtin_fabsf(v) > 0.9f ? 1 : 0;
      beyond |= (uint16_t)((v > top[l] || v < bottom[l]) ? 1u << l : 0);
    }
    if (blk->consecutive[i]) {
      for (long l = 0; l < W; l++) {
        double p = (double)prev[l];
        lxy[l] += xd[l] * p;
        lpx[l] += p;
        lpxx[l] += p * p;
        lny[l] += xd[l];
        lnyy[l] += xd[l] * xd[l];
      }
    }
    for (long l = 0; l < w; l++) prev[l] = x[l];
    for (long g = 0; g < G; g++) {
      double y = blk->graded[i * G + g];
      for (long l = 0; l < W; l++) vy[g][l] += xd[l] * y;
    }
    // The bins, for the counting below (each cell's counts are then one cell's, in cache).
    for (long l = 0; l < W; l++) {
      float v = x[l];
      long d = (long)((v + 1.0f) / 2.0f * (float)DB);
      fine[l * N + i] = (uint16_t)fine_bin(a->edges, v);
      shown[l * N + i] = (uint8_t)(d < 0 ? 0 : (d > DB - 1 ? DB - 1 : d));
    }
    candidates[i * candidateStride] = (uint16_t)(beyond & (uint16_t)((1u << w) - 1));
  }
  // Counting, cell by cell: a cell's histogram (fineBins x slots counts) stays in the first-level
  // cache for all N positions, where 16 cells' histograms at once would not.
  for (long l = 0; l < w; l++) {
    uint32_t *histogram = a->histograms + (g0 + l) * NB * slots;
    long *display = a->display + (g0 + l) * DB;
    const uint16_t *bins = fine + l * N;
    const uint8_t *displayBins = shown + l * N;
    for (long i = 0; i < N; i++) {
      uint32_t *cell = histogram + (long)bins[i] * slots;
      cell[0] += 1;
      for (uint64_t m = blk->active[i]; m != 0; m &= m - 1) cell[1 + __builtin_ctzll(m)] += 1;
      display[displayBins[i]] += 1;
    }
  }
  for (long l = 0; l < w; l++) {
    a->sum[g0 + l] = s[l];
    a->sumSq[g0 + l] = ss[l];
    a->minV[g0 + l] = lo[l];
    a->maxV[g0 + l] = hi[l];
    a->saturated[g0 + l] = sat[l];
    a->lagSum[g0 + l] = lxy[l];
    a->lagPrevSum[g0 + l] = lpx[l];
    a->lagPrevSumSq[g0 + l] = lpxx[l];
    a->lagNextSum[g0 + l] = lny[l];
    a->lagNextSumSq[g0 + l] = lnyy[l];
    for (long g = 0; g < G; g++) a->sumVY[(g0 + l) * G + g] = vy[g][l];
  }
}

__attribute__((always_inline)) static inline void statistics(const cs_cell_block *blk,
                                                             const cs_cell_accumulators *a, long u0, long u1,
                                                             uint16_t *candidates) {
  const long groups = (u1 - u0 + W - 1) / W, N = blk->positions;
  // (16, N) fine and display bins of the group's cells.
  uint16_t *fine = malloc(sizeof(uint16_t) * W * (size_t)(N > 0 ? N : 1));
  uint8_t *shown = malloc(sizeof(uint8_t) * W * (size_t)(N > 0 ? N : 1));
  if (!fine || !shown) abort();  // 96 KB at the default block of 2,048 positions
  for (long k = 0; k < groups; k++) {
    long g0 = u0 + k * W, w = u1 - g0 < W ? u1 - g0 : W;
    if (w == W) {
      group(blk, a, g0, W, candidates + k, groups, fine, shown);
    } else {
      group(blk, a, g0, w, candidates + k, groups, fine, shown);
    }
  }
  free(fine);
  free(shown);
}

#if defined(__x86_64__)
__attribute__((target("avx512f"))) static void statistics_avx512(
    const cs_cell_block *blk, const cs_cell_accumulators *a, long u0, long u1, uint16_t *candidates) {
  statistics(blk, a, u0, u1, candidates);
}
#endif

static void statistics_generic(const cs_cell_block *blk, const cs_cell_accumulators *a, long u0, long u1,
                               uint16_t *candidates) {
  statistics(blk, a, u0, u1, candidates);
}

void cs_cell_statistics(const cs_cell_block *blk, const cs_cell_accumulators *a, long u0, long u1,
                        uint16_t *candidates) {
#if defined(__x86_64__)
  if (cs_packed_supported()) {  // AVX-512 F, as the packed kernel
    statistics_avx512(blk, a, u0, u1, candidates);
    return;
  }
#endif
  statistics_generic(blk, a, u0, u1, candidates);
}

void cs_count_gates(const float *gates, long N, long R, long r0, long r1, long *low, long *high) {
  for (long i = 0; i < N; i++) {
    const float *g = gates + i * R;
    for (long r = r0; r < r1; r++) {
      low[r] += g[r] < 0.1f ? 1 : 0;
      high[r] += g[r] > 0.9f ? 1 : 0;
    }
  }
}
