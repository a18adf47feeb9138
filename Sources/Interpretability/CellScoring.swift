import CharLSTM
import Foundation

/// Turns streaming sums into scores: AUC from histograms, Pearson r, the
/// current-character baselines, roles in words, and the ranking.
enum CellScoring {
  /// A cell is called interpretable when its best feature beats the current
  /// character alone by at least this much (AUC points, or r minus the
  /// correlation ratio) and its score is at least `minimumBinaryScore` (AUC) or
  /// `minimumGradedScore` (|r|).
  static let gainThreshold = 0.1
  static let minimumBinaryScore = 0.85
  static let minimumGradedScore = 0.5

  /// ROC AUC of "value ranks positives above negatives", ties counting half, from
  /// per-bin counts of positives and of all positions. Returns the AUC and the
  /// largest error the binning can cause (half the within-bin pairs).
  static func auc(positive: ArraySlice<UInt32>, all: ArraySlice<UInt32>) -> (auc: Double, bound: Double) {
    var P = 0.0, N = 0.0
    for (p, a) in zip(positive, all) {
      P += Double(p)
      N += Double(a - p)
    }
    guard P > 0, N > 0 else { return (0.5, 0) }
    var negBelow = 0.0, wins = 0.0, ties = 0.0
    for (p, a) in zip(positive, all) {
      let pos = Double(p), neg = Double(a - p)
      wins += pos * (negBelow + 0.5 * neg)
      ties += pos * neg
      negBelow += neg
    }
    return (wins / (P * N), 0.5 * ties / (P * N))
  }

  /// The best AUC any function of the current character reaches: order
  /// characters by their rate of the feature being on, ties within a character.
  static func characterAUC(counts: [(positives: Double, total: Double)]) -> Double {
    let groups = counts.filter { $0.total > 0 }.sorted {
      $0.positives / $0.total < $1.positives / $1.total
    }
    var P = 0.0, N = 0.0
    for g in groups {
      P += g.positives
      N += g.total - g.positives
    }
    guard P > 0, N > 0 else { return 0.5 }
    var negBelow = 0.0, wins = 0.0
    var i = 0
    // Characters with equal rates are indistinguishable: merge them as one tie group.
    while i < groups.count {
      var pos = 0.0, neg = 0.0
      let rate = groups[i].positives / groups[i].total
      while i < groups.count && groups[i].positives / groups[i].total == rate {
        pos += groups[i].positives
        neg += groups[i].total - groups[i].positives
        i += 1
      }
      wins += pos * (negBelow + 0.5 * neg)
      negBelow += neg
    }
    return wins / (P * N)
  }

  /// Correlation ratio η of a graded feature given the current character: the
  /// best |r| any function of the character can reach.
  static func correlationRatio(
    count: [Double], sum: [Double], total: Double, totalSum: Double, totalSumSq: Double
  ) -> Double {
    guard total > 0 else { return 0 }
    let mean = totalSum / total
    let variance = totalSumSq / total - mean * mean
    guard variance > 1e-12 else { return 0 }
    var between = 0.0
    for (n, s) in zip(count, sum) where n > 0 {
      let m = s / n
      between += n * (m - mean) * (m - mean)
    }
    return min(1, (between / total / variance).squareRoot())
  }

  static func pearson(n: Double, sx: Double, sxx: Double, sy: Double, syy: Double, sxy: Double) -> Double {
    let vx = n * sxx - sx * sx, vy = n * syy - sy * sy
    guard vx > 1e-9 * n * n, vy > 1e-9 * n * n else { return 0 }
    return (n * sxy - sx * sy) / (vx * vy).squareRoot()
  }

  static func format(_ x: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", x) }

  /// "inside double quotes, AUC 0.97, +0.31 over the current character"
  static func role(_ s: FeatureScore, feature: TextFeature) -> String {
    let gain = (s.gain >= 0 ? "+" : "−") + format(abs(s.gain))
    switch feature.kind {
    case .binary:
      let direction = s.signed >= 0.5 ? "" : " (off inside)"
      return "\(feature.name)\(direction), AUC \(format(s.score)), \(gain) over the current character"
    case .graded:
      let r = (s.signed >= 0 ? "+" : "−") + format(abs(s.signed))
      return "\(feature.name), r = \(r), \(gain) over the current character"
    }
  }

  static func isInterpretable(_ s: FeatureScore, kind: FeatureKind) -> Bool {
    s.gain >= gainThreshold && s.score >= (kind == .binary ? minimumBinaryScore : minimumGradedScore)
  }
}
