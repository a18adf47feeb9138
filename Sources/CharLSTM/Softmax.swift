import Foundation

/// Row-wise softmax in place over a (rows, V) block, shifted by each row's
/// maximum so that large logits do not overflow. Each row must hold V ≥ 1
/// finite values; afterwards each sums to 1 up to rounding.
@_specialize(exported:true,where S == Float)
public func softmaxRows<S: LSTMScalar>(_ x: UnsafeMutablePointer<S>, rows: Int, columns V: Int) {
  for r in 0..<rows {
    let row = x + r * V  // (V)
    var top = row[0]
    for v in 1..<V where row[v] > top { top = row[v] }
    var sum: S = 0
    for v in 0..<V {
      let weight = S.exp(row[v] - top)
      row[v] = weight
      sum += weight
    }
    let inv = 1 / sum
    for v in 0..<V { row[v] *= inv }
  }
}

/// ln Σ_v exp(row[v]) over a row of V ≥ 1 finite logits, shifted by the row's
/// maximum and summed in Double, so that −ln p = logSumExp − row[target] keeps
/// its precision for tiny probabilities.
public func logSumExp(_ row: UnsafePointer<Float>, count V: Int) -> Double {
  var top = row[0]
  for v in 1..<V where row[v] > top { top = row[v] }
  var sum = 0.0
  for v in 0..<V { sum += Foundation.exp(Double(row[v] - top)) }
  return Double(top) + Foundation.log(sum)
}
