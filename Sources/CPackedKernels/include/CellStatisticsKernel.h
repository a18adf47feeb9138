#ifndef CELLSCOPE_CELL_STATISTICS_KERNEL_H
#define CELLSCOPE_CELL_STATISTICS_KERNEL_H

#include <stdint.h>

// The per-cell statistics of the analysis's first pass (CellStatistics.swift) over a block of
// buffered positions, 16 cells at a time: each SIMD lane is one cell, walking the positions in
// order, so every cell's sums are added in the same order, with the same roundings, as one cell
// at a time would add them (no contraction into fused multiply-adds in this file).

/// One block of buffered positions. Every row is `units` long; rows are read 16 floats at a time,
/// so the values buffer must hold 16 floats more than N·U.
typedef struct {
  long positions;              ///< N
  long units;                  ///< U: cells per position, and the row length of `prev`
  const float *values;         ///< (N, U) every cell at each position
  const int32_t *stream;       ///< (N) the stream that read the position
  const uint8_t *consecutive;  ///< (N) 1 when the position follows its stream's previous one
  const uint64_t *active;      ///< (N) bit b set when binary feature b is on
  const double *graded;        ///< (N, G) the graded features' values
  long gradedCount;            ///< G
} cs_cell_block;

/// The accumulators, all (U) unless said otherwise; the kernel reads and updates them.
typedef struct {
  const float *edges;          ///< (512) fine bin b holds x with edges[b] <= x < edges[b + 1];
                               ///< edges[0] is never read, edges past the last bin are +infinity
  long fineBins, slots, displayBins;
  double *sum, *sumSq;
  float *minV, *maxV;
  long *saturated;             ///< positions with |x| > 0.9
  double *lagSum, *lagPrevSum, *lagPrevSumSq, *lagNextSum, *lagNextSumSq;
  float *prev;                 ///< (streams, U) each stream's previous values
  uint32_t *histograms;        ///< (U, fineBins, slots): slot 0 all positions, 1 + b feature b on
  long *display;               ///< (U, displayBins) uniform over [-1, 1]
  double *sumVY;               ///< (U, G)
  const float *topFloor;       ///< a value above it may enter the cell's largest values
  const float *bottomCeiling;  ///< a value below it may enter the cell's smallest values
} cs_cell_accumulators;

/// Updates cells [u0, u1) for every position of the block, in order. `candidates` (N, groups),
/// groups = ceil((u1 - u0) / 16), gets bit l of [i][g] set when cell u0 + 16g + l at position i
/// lies beyond its topFloor or bottomCeiling as they were on entry (a superset of the extremes,
/// which the caller inserts in order).
void cs_cell_statistics(const cs_cell_block *block, const cs_cell_accumulators *acc, long u0, long u1,
                        uint16_t *candidates);

/// Gate rows [r0, r1) of (N, R) gates: low[r] += positions below 0.1, high[r] += above 0.9.
void cs_count_gates(const float *gates, long N, long R, long r0, long r1, long *low, long *high);

#endif
