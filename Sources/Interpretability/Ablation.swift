import CharLSTM
import Dispatch
import Foundation

// Causal evidence: mean ablation.
//
// A cell can track quotes perfectly and matter not at all to the predictions. To ask whether the
// model uses cell k of layer l, hold it at its mean: at every step, after the layer computes c_t,
// replace c_t[k] by m_k (the mean of that cell's c over the same text without ablation), set
// h_t[k] = o_t[k]·tanh(m_k), and carry both on, to the next step and to the layer above. Then
//
//   Δ_k = mean over predicted characters of (−ln p(next) with the ablation − the same without),
//
// in nats per character. Several ablated copies of the network run side by side as rows of one
// batch (row 0 unablated), each reading the text from its first character: exact-mode semantics,
// one batched pass for all the cells.

/// What the model loses when one cell is held at its mean.
public struct AblationResult: Codable, Sendable, Equatable {
  /// The cell: layer and index (its c and h are ablated together).
  public var layer: Int, index: Int
  /// m_k: the mean of the cell's c over the ablation text, unablated.
  public var mean: Double
  /// Δ in nats per predicted character over the whole ablation text.
  public var deltaNats: Double
  /// The same in bits per character.
  public var deltaBits: Double
  /// The feature the deltas below are about (the best feature of the shown cell), if any.
  public var feature: String?
  /// Binary feature: Δ over the predictions made while the feature is on (nil if never on).
  public var deltaWhereOn: Double?
  /// How many predictions that is.
  public var positionsOn: Int
  /// Binary feature: Δ over the predictions of the character that switches it off (a closing quote).
  public var deltaAtSwitchOff: Double?
  /// How many predictions that is.
  public var positionsSwitchOff: Int
}

/// The ablations of one analysis.
public struct AblationSummary: Codable, Sendable, Equatable {
  /// Characters of the analysed text the ablations read (the first ones).
  public var characters: Int
  /// The unablated model's loss over them, nats per predicted character.
  public var baselineNats: Double
  /// One entry per ablated cell, in the order asked.
  public var cells: [AblationResult]

  /// The entry for cell (layer, index), if it was ablated.
  public func result(layer: Int, index: Int) -> AblationResult? {
    cells.first { $0.layer == layer && $0.index == index }
  }
}

/// One cell to ablate, with the binary feature its deltas are also reported on.
public struct AblationRequest: Sendable {
  public var layer: Int, index: Int
  public var feature: String?
  /// The feature's value after reading each character of the ablation text (nil: overall only).
  public var featureValues: [Float]?
  public init(layer: Int, index: Int, feature: String? = nil, featureValues: [Float]? = nil) {
    self.layer = layer
    self.index = index
    self.feature = feature
    self.featureValues = featureValues
  }
}

public enum Ablation {
  /// The most characters a default ablation reads (`--ablation-chars` sets any number).
  public static let defaultCharacters = 50_000
  /// The fewest characters a default ablation reads, unless the text is shorter.
  public static let minimumCharacters = 10_000

  /// The characters a default ablation of `cells` cells reads from a text of `n` characters (issue
  /// 15: the causal evidence is budgeted, not left to double the analysis). The budget is one
  /// batch-row per character of the text: (cells + 1) rows × characters ≤ n, kept within
  /// [``minimumCharacters``, ``defaultCharacters``] and never more than n. A batched row-step costs
  /// a fraction of the exact recording's single-stream step (measured in the README), so the
  /// ablations cost less than the first pass.
  public static func budgetedCharacters(textLength n: Int, cells: Int) -> Int {
    min(max(0, n), max(minimumCharacters, min(defaultCharacters, n / (max(0, cells) + 1))))
  }
  /// Ablated copies per batched pass; more cells take several passes.
  public static let rowsPerPass = 32

  /// Mean-ablates each requested cell over `tokens` and measures the loss it costs.
  ///
  /// - Parameters:
  ///   - tokens: the text as vocabulary indices (n ≥ 2); every request's feature values have n entries.
  ///   - shouldStop: polled between chunks; true abandons the work (the result is then nil).
  ///   - progress: (characters done, total) over all passes.
  public static func run(
    network: LSTMNetwork<Float>, tokens: [Int32], requests: [AblationRequest],
    shouldStop: () -> Bool = { false }, progress: (Int, Int) -> Void = { _, _ in }
  ) -> AblationSummary? {
    let n = tokens.count, H = network.config.hiddenSize, L = network.config.numLayers
    precondition(n >= 2, "ablation needs a prediction")
    guard let means = meanCellStates(network: network, tokens: tokens, shouldStop: shouldStop) else {
      return nil
    }
    var results: [AblationResult] = []
    var baseline = 0.0
    let passes = stride(from: 0, to: max(requests.count, 1), by: rowsPerPass).map {
      Array(requests[$0..<min(requests.count, $0 + rowsPerPass)])
    }
    for (pass, batch) in passes.enumerated() {
      let clamps = (0..<L).map { k in
        batch.enumerated().compactMap { r, q in
          q.layer == k ? CellClamp(row: r + 1, unit: q.index, value: Double(means[k * H + q.index])) : nil
        }
      }
      guard
        let losses = rowLosses(
          network: network, tokens: tokens, rows: batch.count + 1, clamps: clamps, shouldStop: shouldStop,
          progress: { progress(pass * n + $0, passes.count * n) })
      else { return nil }
      baseline = mean(losses[0])
      for (r, q) in batch.enumerated() {
        let d = zip(losses[r + 1], losses[0]).map { $0 - $1 }  // (n − 1)
        var result = AblationResult(
          layer: q.layer, index: q.index, mean: Double(means[q.layer * H + q.index]), deltaNats: mean(d),
          deltaBits: mean(d) / Foundation.log(2.0), feature: q.feature, deltaWhereOn: nil, positionsOn: 0,
          deltaAtSwitchOff: nil, positionsSwitchOff: 0)
        if let v = q.featureValues {
          precondition(v.count == n, "one feature value per character")
          // Prediction t (of character t + 1) is made in the state after reading t.
          let on = (0..<(n - 1)).filter { v[$0] > 0 }
          let off = (0..<(n - 1)).filter { v[$0] > 0 && v[$0 + 1] <= 0 }
          result.positionsOn = on.count
          result.positionsSwitchOff = off.count
          result.deltaWhereOn = on.isEmpty ? nil : mean(on.map { d[$0] })
          result.deltaAtSwitchOff = off.isEmpty ? nil : mean(off.map { d[$0] })
        }
        results.append(result)
      }
    }
    return AblationSummary(characters: n, baselineNats: baseline, cells: results)
  }

  /// m: the mean of every cell's c over the text, unablated, one stream from the first character.
  static func meanCellStates(network: LSTMNetwork<Float>, tokens: [Int32], shouldStop: () -> Bool) -> [Float]?
  {
    let H = network.config.hiddenSize, L = network.config.numLayers, n = tokens.count, T = 64
    let ws = LSTMWorkspace<Float>(config: network.config, batch: 1, steps: T)
    let state = LSTMState<Float>(for: network, batch: 1)
    var sums = [Double](repeating: 0, count: L * H)  // (L, H)
    var t0 = 0
    while t0 < n {
      if shouldStop() { return nil }
      let steps = min(T, n - t0)
      let chunk = steps == T ? ws : LSTMWorkspace<Float>(config: network.config, batch: 1, steps: steps)
      Array(tokens[t0..<(t0 + steps)]).withUnsafeBufferPointer {
        network.forward(tokens: $0.baseAddress!, state: state, workspace: chunk)
      }
      for k in 0..<L {
        let c = chunk.layers[k].c.p + H  // (T+1, 1, H): slots 1...T
        for t in 0..<steps {
          for j in 0..<H { sums[k * H + j] += Double(c[t * H + j]) }
        }
      }
      t0 += steps
    }
    return sums.map { Float($0 / Double(n)) }
  }

  /// −ln p(next) at every prediction t < n − 1, for each of `rows` copies of the text run side by
  /// side with `clamps` (per layer): (rows, n − 1).
  ///
  /// The rows are cut in two halves run at once, one per core (each row is its own copy of the text,
  /// so the halves never meet; a row's losses are the same bits whichever half runs it, as products
  /// are row by row). `progress` and `shouldStop` are called from the first half's thread only; the
  /// second half stops when the first has stopped.
  static func rowLosses(
    network: LSTMNetwork<Float>, tokens: [Int32], rows B: Int, clamps: [[CellClamp]], shouldStop: () -> Bool,
    progress: (Int) -> Void
  ) -> [[Double]]? {
    guard B >= 2 && matrixThreads >= 2 else {
      return halfLosses(
        network: network, tokens: tokens, rows: 0..<B, clamps: clamps, shouldStop: shouldStop,
        progress: progress)
    }
    let halves = [0..<((B + 1) / 2), ((B + 1) / 2)..<B]
    let results = HalfResults()
    let networks = halves.map { _ in LSTMNetwork(sharingParametersOf: network, gradients: false) }
    withoutActuallyEscaping(shouldStop) { shouldStop in
      withoutActuallyEscaping(progress) { progress in
        let calls = UncheckedCalls(shouldStop: shouldStop, progress: progress)
        withSingleThreadedProducts {
          DispatchQueue.concurrentPerform(iterations: 2) { half in
            let losses = halfLosses(
              network: networks[half], tokens: tokens, rows: halves[half], clamps: clamps,
              shouldStop: { half == 0 ? calls.shouldStop() : results.stopped },
              progress: { if half == 0 { calls.progress($0) } })
            results.set(half, losses)
          }
        }
      }
    }
    guard let first = results.losses[0], let second = results.losses[1] else { return nil }
    return first + second
  }

  /// `rowLosses` for the rows `rows` of the whole batch (clamps name rows of the whole batch).
  private static func halfLosses(
    network: LSTMNetwork<Float>, tokens: [Int32], rows: Range<Int>, clamps: [[CellClamp]],
    shouldStop: () -> Bool, progress: (Int) -> Void
  ) -> [[Double]]? {
    let B = rows.count
    let clamps = clamps.map { list in
      list.filter { rows.contains($0.row) }.map {
        CellClamp(row: $0.row - rows.lowerBound, unit: $0.unit, value: $0.value)
      }
    }
    let n = tokens.count, V = network.config.vocabSize, T = 32
    let state = LSTMState<Float>(for: network, batch: B)
    var losses = [[Double]](repeating: [], count: B)
    var x = [Int32](repeating: 0, count: T * B)  // (T, B)
    var t0 = 0
    var full: LSTMWorkspace<Float>?
    while t0 < n - 1 {
      if shouldStop() { return nil }
      let steps = min(T, n - 1 - t0)
      let ws: LSTMWorkspace<Float>
      if steps == T, let f = full {
        ws = f
      } else {
        ws = LSTMWorkspace<Float>(config: network.config, batch: B, steps: steps)
        ws.clamps = clamps
        if steps == T { full = ws }
      }
      for t in 0..<steps {
        for b in 0..<B { x[t * B + b] = tokens[t0 + t] }
      }
      x.withUnsafeBufferPointer { network.forward(tokens: $0.baseAddress!, state: state, workspace: ws) }
      let Y = ws.logits.p  // (T, B, V)
      for t in 0..<steps {
        let target = Int(tokens[t0 + t + 1])
        for b in 0..<B {
          let row = Y + (t * B + b) * V
          losses[b].append(logSumExp(row, count: V) - Double(row[target]))
        }
      }
      t0 += steps
      progress(t0)
    }
    return losses
  }

  private static func mean(_ x: [Double]) -> Double { x.isEmpty ? 0 : x.reduce(0, +) / Double(x.count) }
}

extension Analyzer {
  /// Mean-ablates the cells of `analysis` at ranks 1...`top` (nil: every cell), over the first
  /// `maxCharacters` of `text` (0: all of it; nil: ``Ablation/budgetedCharacters(textLength:cells:)``
  /// for the cells ablated), and stores what each costs: `analysis.ablation`, and
  /// `ablationDelta` on every cell whose (layer, index) was ablated (c and h share it).
  ///
  /// Each cell's deltas where its best feature is on and at its switch-off are measured when that
  /// feature is binary.
  /// - Returns: false if `shouldStop` asked to stop (the analysis is then unchanged).
  public func ablate(
    _ analysis: inout Analysis, text: String, top: Int?, maxCharacters: Int? = nil,
    shouldStop: () -> Bool = { false }, progress: (Int, Int) -> Void = { _, _ in }
  ) throws -> Bool {
    let shown = analysis.cells.prefix(top ?? analysis.cells.count)
    let cellCount = Set(shown.map { [$0.id.layer, $0.id.index] }).count  // c and h share an ablation
    let slice = text.prefix(
      scalars: maxCharacters
        ?? Ablation.budgetedCharacters(textLength: text.unicodeScalars.count, cells: cellCount))
    let tokens = try checkpoint.vocabulary.encode(slice)
    guard tokens.count >= 2 else { return true }
    let scalars = tokens.map { Unicode.Scalar(checkpoint.vocabulary.symbols[Int($0)]) ?? "\u{FFFD}" }
    var featureValues: [String: [Float]] = [:]
    var requests: [AblationRequest] = []
    var seen = Set<[Int]>()
    for cell in shown {
      guard seen.insert([cell.id.layer, cell.id.index]).inserted else { continue }
      var request = AblationRequest(layer: cell.id.layer, index: cell.id.index)
      if let best = cell.best, let feature = features.first(where: { $0.id == best.feature }),
        feature.kind == .binary
      {
        if featureValues[feature.id] == nil { featureValues[feature.id] = feature.values(in: scalars) }
        request.feature = feature.id
        request.featureValues = featureValues[feature.id]
      }
      requests.append(request)
    }
    guard
      let summary = Ablation.run(
        network: checkpoint.readingNetwork(precision: options.precision), tokens: tokens,
        requests: requests, shouldStop: shouldStop, progress: progress)
    else { return false }
    analysis.ablation = summary
    for i in analysis.cells.indices {
      let id = analysis.cells[i].id
      analysis.cells[i].ablationDelta = summary.result(layer: id.layer, index: id.index)?.deltaNats
    }
    return true
  }
}

/// The two halves' losses of `Ablation.rowLosses`, each written once by its own task.
private final class HalfResults: @unchecked Sendable {
  private let lock = NSLock()
  private var slots: [[[Double]]?] = [nil, nil]
  private var stop = false
  var losses: [[[Double]]?] { lock.withLock { slots } }
  /// True once a half has given up (the user asked to stop): the other half stops too.
  var stopped: Bool { lock.withLock { stop } }
  func set(_ half: Int, _ losses: [[Double]]?) {
    lock.withLock {
      slots[half] = losses
      if losses == nil { stop = true }
    }
  }
}

/// The caller's callbacks, handed to the first half's thread while the caller waits for both halves.
private struct UncheckedCalls: @unchecked Sendable {
  let shouldStop: () -> Bool
  let progress: (Int) -> Void
}
