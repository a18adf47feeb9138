import Dispatch
import Foundation

// What the Analyzer keeps for the probes and the cell descriptions (issue 14, items 4 and 5).
//
// Probes read every cell at a sample of positions: runs of 500 consecutive characters with evenly
// spaced starts, so that the probes' alternating blocks of 500 fall on whole runs and no two
// neighbouring characters land in different parts. Pass 1 observes positions in stream-interleaved
// order (fast and stitched modes), so each observation is put in its row by its position.

/// The probes' sample: (N, U) cell values and (N, F) feature values, rows in text order.
final class ProbeSampler {
  /// Consecutive positions per run; equal to the probes' block size.
  static let runLength = 500
  /// At most this many runs: N ≤ 10,000 positions. Measured on 2x128 (512 units, 20 features, debug
  /// build, loaded machine): the probes take 7.4 s at N = 10,000 against 13.9 s at 20,000, where a
  /// 300,000-character analysis takes about 50 s; 5,000 held-out positions still score an AUC well.
  static let maxRuns = 20

  let units: Int, features: Int
  /// Start of each run in the text, ascending; one run of the whole text when it is short.
  let starts: [Int]
  let length: Int  // positions per run
  var positions: Int { starts.count * length }
  private(set) var values: [Float]  // (N, U)
  private(set) var targets: [Float]  // (N, F)

  /// A sampler for a text of `n` characters: every position when n ≤ 500·runs (10,000 by default);
  /// otherwise `runs` runs of 500, run r starting at r·(n − 500)/(runs − 1) (the first at 0, the last
  /// ending at the text's end).
  init(textLength n: Int, units: Int, features: Int, runs: Int = ProbeSampler.maxRuns) {
    self.units = units
    self.features = features
    let runs = max(2, runs)
    if n <= Self.runLength * runs {
      starts = [0]
      length = n
    } else {
      starts = (0..<runs).map { $0 * (n - Self.runLength) / (runs - 1) }
      length = Self.runLength
    }
    values = [Float](repeating: 0, count: starts.count * length * units)
    targets = [Float](repeating: 0, count: starts.count * length * features)
  }

  /// The sample row of text position `p`, or nil when it is not sampled.
  func row(of p: Int) -> Int? {
    // The last run starting at or before p.
    var lo = 0, hi = starts.count
    while hi - lo > 1 {
      let mid = (lo + hi) / 2
      if starts[mid] <= p { lo = mid } else { hi = mid }
    }
    let offset = p - starts[lo]
    return offset >= 0 && offset < length ? lo * length + offset : nil
  }

  /// Keeps position `p`'s cell values (U) and feature values (F) if it is sampled.
  func observe(position p: Int, values v: UnsafePointer<Float>, features f: UnsafePointer<Float>) {
    guard let r = row(of: p) else { return }
    for u in 0..<units { values[r * units + u] = v[u] }
    for k in 0..<features { targets[r * features + k] = f[k] }
  }

  /// Feature k's value at every sampled position, in row order.
  func target(_ k: Int) -> [Float] {
    (0..<positions).map { targets[$0 * features + k] }
  }
}

extension Analyzer {
  /// Characters at the start of the text whose values the cell descriptions read (fewer if the text
  /// is shorter): enough for patterns seen at least 5 times, at about 0.06 s per described cell.
  public static let descriptionCharacters = 30_000

  /// Fits the probes on the sample: one `ProbeResult` per feature that can be probed, and for the
  /// others the reason in one sentence (a feature constant on one part is not a failure of the run).
  func runProbes(_ sampler: ProbeSampler) -> (results: [ProbeResult], failures: [String: String]) {
    var failures: [String: String] = [:]
    let probes: CellProbes
    do {
      probes = try CellProbes(values: sampler.values, positions: sampler.positions, cells: sampler.units)
    } catch {
      let reason = (error as? ProbeError)?.description ?? "\(error)"
      for f in features { failures[f.id] = reason }
      return ([], failures)
    }
    // One feature per task on both cores: the features' probes share only read-only data, and each
    // result lands in its feature's slot, so the output does not depend on which thread ran what.
    let targets = features.indices.map { sampler.target($0) }
    let outcomes = ProbeOutcomes(count: features.count)
    let features = features
    DispatchQueue.concurrentPerform(iterations: features.count) { k in
      let feature = features[k]
      do {
        outcomes.slots[k] = .success(
          try probes.probe(feature: feature.id, kind: feature.kind, target: targets[k]))
      } catch {
        outcomes.slots[k] = .failure((error as? ProbeError)?.description ?? "\(error)")
      }
    }
    var results: [ProbeResult] = []
    for (k, feature) in features.enumerated() {
      switch outcomes.slots[k] {
      case .success(let result): results.append(result)
      case .failure(let reason): failures[feature.id] = reason
      case nil: break
      }
    }
    return (results, failures)
  }

  /// Describes each cell in `cells` whose best gain is below the interpretable threshold, from its
  /// values over the first characters of the text, and appends the description to its role when
  /// its held-out F1 is at least ``describedF1``.
  ///
  /// - values: per entry of `units`, the cell's values over `symbols` (same length).
  func describe(
    cells: inout [CellReport], units: [CellID], values: [[Float]], symbols: [UInt32]
  ) {
    for (d, id) in units.enumerated() {
      guard let i = cells.firstIndex(where: { $0.id == id }),
        (cells[i].best?.gain ?? 0) < CellScoring.gainThreshold
      else { continue }
      guard
        let description = try? CellDescriptions.describe(
          symbols: symbols, values: values[d], maximum: cells[i].max, minimum: cells[i].min)
      else { continue }
      cells[i].description = description
      if let first = description.patterns.first, first.f1 >= Self.describedF1 {
        cells[i].role =
          cells[i].role == "no clear role"
          ? description.sentence : cells[i].role + "; " + description.sentence
      }
    }
  }

  /// A description joins the role when its best pattern's held-out F1 reaches this (issue 14).
  public static let describedF1 = 0.5
}

/// Each feature's probe outcome, written by the task that probed it (one slot per task, never resized).
private final class ProbeOutcomes: @unchecked Sendable {
  enum Outcome { case success(ProbeResult), failure(String) }
  let slots: UnsafeMutableBufferPointer<Outcome?>
  init(count: Int) { slots = .allocate(capacity: count); slots.initialize(repeating: nil) }
  deinit {
    slots.deinitialize()
    slots.deallocate()
  }
}
