import CharLSTM
import DemoCorpus
import Foundation

@testable import Interpretability

// Shared helpers for the engine's tests: texts with quotations, small models, and a
// reference recording made independently of the engine (one Double-precision forward
// pass over the whole text at B = 1) with naive statistics computed from it.

enum Fixtures {
  static let words = [
    "the", "a", "old", "river", "walked", "into", "night", "house", "small", "we", "never", "saw", "light",
    "over", "hills", "and", "then", "quiet", "morning", "stone", "road", "it", "was", "far", "from", "home",
  ]

  /// Lower-case words joined by spaces until at least `length` characters.
  static func prose(_ length: Int, _ rng: inout SeededGenerator) -> String {
    var s = ""
    while s.count < length {
      if !s.isEmpty { s += " " }
      s += words[rng.below(words.count)]
    }
    return s
  }

  /// Prose with quotations: narration of 10-120 characters, then a quotation whose
  /// inside (between the marks) is `quote` characters long, drawn from the range.
  static func quotedText(
    characters: Int, quote: ClosedRange<Int> = 5...80, seed: UInt64
  ) -> String {
    var rng = SeededGenerator(seed: seed)
    var s = ""
    while s.count < characters {
      s += prose(10 + rng.below(110), &rng)
      s += rng.below(4) == 0 ? ".\n" : " "
      let length = quote.lowerBound + rng.below(quote.count)
      s += "\"" + String(prose(length, &rng).prefix(length)) + "\""
      s += rng.below(3) == 0 ? ".\n" : " "
    }
    return s
  }

  /// A prefix of the demo corpus: quotes, brackets, URLs, upper case, digits and code.
  static func demoText(_ characters: Int, seed: UInt64 = 7) -> String {
    String(DemoCorpus.generate(seed: seed, targetCharacters: characters + 4000).prefix(characters))
  }

  /// A one-hot model with every parameter uniform in ±scale, for `text`'s vocabulary;
  /// `forgetBias` is added to the forget gates' biases (3: f ≈ 0.95, a memory of tens of characters).
  static func randomCheckpoint(
    text: String, hidden: Int, layers: Int, scale: Double = 0.5, forgetBias: Double = 0, seed: UInt64 = 11
  ) throws -> Checkpoint {
    let vocabulary = try Vocabulary(text: text)
    let config = ModelConfig(vocabSize: vocabulary.count, hiddenSize: hidden, numLayers: layers)
    let net = LSTMNetwork<Float>(config: config)
    net.initialize(seed: seed, uniformScale: scale, forgetBias: forgetBias)
    return Checkpoint(config: config, vocabulary: vocabulary, parameters: net.params.array)
  }

  static func exact() -> RecorderOptions {
    var o = RecorderOptions()
    o.mode = .exact
    return o
  }

  static func fast(streams: Int, warmup: Int) -> RecorderOptions {
    var o = RecorderOptions()
    o.mode = .fast
    o.streams = streams
    o.warmup = warmup
    return o
  }
}

/// Every value the analysis observes, computed by one forward pass of
/// `LSTMNetwork<Double>` over the whole text (B = 1, T = n), stored in full.
struct Reference {
  let n: Int, L: Int, H: Int, V: Int
  let tokens: [Int32]
  /// (U, n) in `Analysis.cellOrder` order: per layer, tanh(c) of cells 0..<H then h.
  let values: [[Double]]
  /// (L, 4, H, n): gates i, f, g, o after their nonlinearities.
  let gates: [[[[Double]]]]
  /// (n, V) next-character distribution after each character.
  let probs: [[Double]]

  init(checkpoint: Checkpoint, text: String) throws {
    let tokens = try checkpoint.vocabulary.encode(text)
    let config = checkpoint.config
    let n = tokens.count, L = config.numLayers, H = config.hiddenSize, V = config.vocabSize
    self.tokens = tokens
    self.n = n
    self.L = L
    self.H = H
    self.V = V
    let net: LSTMNetwork<Double> = checkpoint.network(Double.self)
    let ws = LSTMWorkspace<Double>(config: config, batch: 1, steps: n)
    let state = LSTMState<Double>(for: net, batch: 1)
    net.forward(tokens: tokens, state: state, workspace: ws)
    var values: [[Double]] = []
    var gates: [[[[Double]]]] = []
    for k in 0..<L {
      let cache = ws.layers[k]
      for j in 0..<H { values.append((0..<n).map { cache.tanhC[$0 * H + j] }) }
      for j in 0..<H { values.append((0..<n).map { cache.h[($0 + 1) * H + j] }) }
      gates.append(
        (0..<4).map { g in (0..<H).map { j in (0..<n).map { cache.gates[$0 * 4 * H + g * H + j] } } })
    }
    self.values = values
    self.gates = gates
    var probs: [[Double]] = []
    for t in 0..<n {
      let row = (0..<V).map { ws.logits[t * V + $0] }
      let top = row.max()!
      let e = row.map { Foundation.exp($0 - top) }
      let s = e.reduce(0, +)
      probs.append(e.map { $0 / s })
    }
    self.probs = probs
  }

  var units: Int { values.count }

  /// Loss in nats of the true next character after position t (t < n - 1).
  func nats(_ t: Int) -> Double { -Foundation.log(probs[t][Int(tokens[t + 1])]) }
}

/// Statistics written out from their textbook definitions, for comparison.
enum Naive {
  static func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(x.count) }

  /// Population standard deviation.
  static func std(_ x: [Double]) -> Double {
    let m = mean(x)
    return (x.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(x.count)).squareRoot()
  }

  static func pearson(_ x: [Double], _ y: [Double]) -> Double {
    let mx = mean(x), my = mean(y)
    var sxy = 0.0, sxx = 0.0, syy = 0.0
    for (a, b) in zip(x, y) {
      sxy += (a - mx) * (b - my)
      sxx += (a - mx) * (a - mx)
      syy += (b - my) * (b - my)
    }
    return sxx > 0 && syy > 0 ? sxy / (sxx * syy).squareRoot() : 0
  }

  /// ROC AUC of `scores` ranking the positions where `labels` is true above the
  /// others, by counting every (positive, negative) pair; ties count half.
  static func pairwiseAUC(_ scores: [Double], _ labels: [Bool]) -> Double {
    let pos = zip(scores, labels).filter { $0.1 }.map(\.0)
    let neg = zip(scores, labels).filter { !$0.1 }.map(\.0)
    guard !pos.isEmpty, !neg.isEmpty else { return 0.5 }
    var wins = 0.0
    for p in pos {
      for q in neg {
        if p > q { wins += 1 } else if p == q { wins += 0.5 }
      }
    }
    return wins / Double(pos.count * neg.count)
  }

  /// The same AUC from average ranks (Mann-Whitney U), for long inputs.
  static func rankAUC(_ scores: [Double], _ labels: [Bool]) -> Double {
    let order = scores.indices.sorted { scores[$0] < scores[$1] }
    var rank = [Double](repeating: 0, count: scores.count)
    var i = 0
    while i < order.count {
      var j = i
      while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
      let average = Double(i + j) / 2 + 1
      for k in i...j { rank[order[k]] = average }
      i = j + 1
    }
    let P = Double(labels.filter { $0 }.count), N = Double(labels.count) - P
    guard P > 0, N > 0 else { return 0.5 }
    let rankSum = zip(rank, labels).filter { $0.1 }.map(\.0).reduce(0, +)
    return (rankSum - P * (P + 1) / 2) / (P * N)
  }

  /// Lag-1 autocorrelation as the correlation of the series with itself shifted by one.
  static func lagCorrelation(_ x: [Double]) -> Double { pearson(Array(x.dropLast()), Array(x.dropFirst())) }

  /// The best AUC any function of the current character reaches: score every
  /// position by its character's rate of the feature being on.
  static func characterAUC(tokens: [Int32], labels: [Bool]) -> Double {
    var on: [Int32: Double] = [:], all: [Int32: Double] = [:]
    for (t, l) in zip(tokens, labels) {
      all[t, default: 0] += 1
      if l { on[t, default: 0] += 1 }
    }
    return rankAUC(tokens.map { (on[$0] ?? 0) / all[$0]! }, labels)
  }

  /// The correlation ratio: |r| between the feature and its mean given the character.
  static func correlationRatio(tokens: [Int32], values: [Double]) -> Double {
    var sum: [Int32: Double] = [:], count: [Int32: Double] = [:]
    for (t, y) in zip(tokens, values) {
      sum[t, default: 0] += y
      count[t, default: 0] += 1
    }
    return abs(pearson(tokens.map { sum[$0]! / count[$0]! }, values))
  }

  /// The error bound of an AUC computed from counts in the engine's documented bins
  /// (400 bins equally spaced in atanh(v) over [-5, 5], the ends open): half the
  /// fraction of (positive, negative) pairs that share a bin.
  static func binnedAUCBound(_ scores: [Double], _ labels: [Bool]) -> Double {
    func bin(_ v: Double) -> Int {
      let u = Foundation.atanh(min(max(v, -0.99999), 0.99999))
      return min(399, max(0, Int(((u + 5) / 10 * 400).rounded(.down))))
    }
    var pos = [Double](repeating: 0, count: 400), neg = pos
    for (v, l) in zip(scores, labels) {
      if l { pos[bin(v)] += 1 } else { neg[bin(v)] += 1 }
    }
    let P = pos.reduce(0, +), N = neg.reduce(0, +)
    return 0.5 * zip(pos, neg).map { $0 * $1 }.reduce(0, +) / (P * N)
  }
}

/// A minimal CSV reader (RFC 4180 quoting) for checking the export.
func parseCSV(_ text: String) -> [[String]] {
  var rows: [[String]] = [], row: [String] = [], field = ""
  var quoted = false
  var chars = Array(text)[...]
  while let c = chars.popFirst() {
    if quoted {
      if c == "\"" {
        if chars.first == "\"" {
          field.append("\"")
          chars.removeFirst()
        } else {
          quoted = false
        }
      } else {
        field.append(c)
      }
    } else if c == "\"" {
      quoted = true
    } else if c == "," {
      row.append(field)
      field = ""
    } else if c == "\n" {
      row.append(field)
      rows.append(row)
      row = []
      field = ""
    } else {
      field.append(c)
    }
  }
  if !field.isEmpty || !row.isEmpty {
    row.append(field)
    rows.append(row)
  }
  return rows
}
