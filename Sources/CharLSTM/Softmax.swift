/// Row-wise softmax in place over a (rows, columns) block, shifted by each row's
/// maximum so that large logits do not overflow.
@_specialize(exported:true,where S == Float)
public func softmaxRows<S: LSTMScalar>(_ x: UnsafeMutablePointer<S>, rows: Int, columns V: Int) {
  for r in 0..<rows {
    let row = x + r * V
    var top = row[0]
    for v in 1..<V where row[v] > top { top = row[v] }
    var sum: S = 0
    for v in 0..<V {
      let e = S.exp(row[v] - top)
      row[v] = e
      sum += e
    }
    let inv = 1 / sum
    for v in 0..<V { row[v] *= inv }
  }
}
