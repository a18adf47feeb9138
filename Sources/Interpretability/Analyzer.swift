import CharLSTM
import Foundation

/// Records a model over a text and analyses every cell: the interpretability
/// engine. The first pass over the text streams the statistics and chooses the
/// windows' foci; the window pass reads the characters around the foci of the
/// cells the report shows (in exact mode those alone, from states the first pass
/// kept; in the other modes the whole text again) and cuts the windows out.
public struct Analyzer {
  public let checkpoint: Checkpoint
  public var options: RecorderOptions
  public var features: [TextFeature]
  /// How errors name the model (e.g. its file name).
  public var modelName = "the model"
  /// Fit sparse probes per feature (`Analysis.probes`); costs a sample of N ≤ 10,000 positions × every
  /// cell in memory and some seconds after pass 1. A scores-only analysis (`displayCells: 0`, as the
  /// control and the training-time emergence probe run it) skips them whatever this says.
  public var probes = true
  /// Describe shown cells no feature explains by patterns of preceding characters (`CellReport.description`).
  public var descriptions = true

  public init(
    checkpoint: Checkpoint, options: RecorderOptions = RecorderOptions(),
    features: [TextFeature] = TextFeatures.all
  ) {
    self.checkpoint = checkpoint
    self.options = options
    self.features = features
  }

  /// Analyses `text`.
  ///
  /// - Parameters:
  ///   - displayCells: how many of the best-ranked cells get windows and band
  ///     samples (nil: every cell).
  ///   - progress: called with (characters done, total) now and then, per pass.
  ///   - shouldStop: polled between blocks of characters in both passes.
  /// - Throws: `characterNotInVocabulary` for a character the model does not know,
  ///   `textTooShort` for fewer than 2 characters, `nonFinite` (naming
  ///   `modelName`) when the model's activations or predictions are NaN or infinite,
  ///   `AnalysisInterrupted` when `shouldStop` fired.
  public func analyze(
    text: String, textName: String, displayCells: Int? = nil, progress: ((String, Int, Int) -> Void)? = nil,
    shouldStop: () -> Bool = { false }
  ) throws -> Analysis {
    let vocabulary = checkpoint.vocabulary
    let tokens = try vocabulary.encode(text)
    guard tokens.count >= 2 else {
      throw CellscopeError.textTooShort("the text to analyse", needed: 2, got: tokens.count)
    }
    let symbols = tokens.map { vocabulary.symbols[Int($0)] }
    let scalars = symbols.map { Unicode.Scalar($0) ?? "\u{FFFD}" }
    let network: LSTMNetwork<Float> = checkpoint.network()
    network.precision = options.precision
    network.weightsAreFixed = true  // read only: bf16 packs each weight once
    let config = checkpoint.config, H = config.hiddenSize, L = config.numLayers, V = config.vocabSize
    let streams = options.effectiveStreams(textLength: tokens.count)
    let recorder = Recorder(network: network, options: options)
    let U = recorder.units, F = features.count
    let stats = CellStatistics(
      config: config, features: features, streams: streams, topK: options.topK, gap: 2 * options.context + 1,
      threads: options.statisticsThreads)

    // Pass 1: statistics, extremes, excerpt.
    let n = tokens.count, excerptCount = min(options.excerpt, n)
    var excerpt = Excerpt(
      symbols: Array(symbols.prefix(excerptCount)),
      cellValues: .init(repeating: .init(repeating: 0, count: excerptCount), count: U),
      topSymbols: .init(repeating: [], count: excerptCount),
      topProbs: .init(repeating: [], count: excerptCount),
      loss: .init(repeating: 0, count: excerptCount),
      features: .init(repeating: .init(repeating: 0, count: excerptCount), count: F))
    var scanners = features.map { $0.makeScanner() }
    var done = 0
    // The statistics bin every value (an integer conversion that traps on NaN), so
    // a non-finite position stops the work there; the error follows the pass.
    var nonFinite: String?
    let sampler = probes && displayCells != 0 ? ProbeSampler(textLength: n, units: U, features: F) : nil
    let bandSampler = displayCells != 0 ? BandSampler(textLength: n, units: U) : nil
    func firstPass() -> Bool {
      recorder.run(
        tokens: tokens,
        segmentStarted: { range in stats.startSegment(range, text: scalars, scanners: &scanners) },
        observe: { o in
          if nonFinite != nil { return }
          if let what = Self.nonFiniteValue(o, units: U, vocabulary: V) {
            nonFinite = "\(what) at character \(o.position)"
            return
          }
          stats.observe(o, symbol: Int(tokens[o.position]))
          let p = o.position
          bandSampler?.observe(position: p, values: o.values)
          if let sampler {
            stats.segmentValues.withUnsafeBufferPointer { f in
              sampler.observe(
                position: p, values: o.values, features: f.baseAddress! + (p - stats.segment.lowerBound) * F)
            }
          }
          if p < excerptCount {
            for u in 0..<U { excerpt.cellValues[u][p] = quantize(o.values[u]) }
            let order = (0..<V).sorted {
              o.probs[$0] > o.probs[$1] || (o.probs[$0] == o.probs[$1] && $0 < $1)
            }
            .prefix(5)
            excerpt.topSymbols[p] = order.map { vocabulary.symbols[$0] }
            excerpt.topProbs[p] = order.map { o.probs[$0] }
            excerpt.loss[p] = o.next.map { -Foundation.log(max(o.probs[Int($0)], 1e-30)) } ?? 0
            for f in 0..<F {
              excerpt.features[f][p] = stats.segmentValues[(p - stats.segment.lowerBound) * F + f]
            }
          }
          done += 1
          if done % 8192 == 0 { progress?("recording", done, n) }
        }, shouldStop: { nonFinite == nil && shouldStop() }, keepingStates: true)
    }
    // A single stream's products below `threadedProductsFromHidden` are too small for OpenBLAS to
    // split, yet its idle worker spins (sched_yield) on the core the statistics run on.
    let read =
      streams == 1 && H < options.threadedProductsFromHidden
      ? withSingleThreadedProducts(firstPass) : firstPass()
    if !read { throw AnalysisInterrupted() }
    if let nonFinite { throw CellscopeError.nonFinite(modelName, what: nonFinite) }
    stats.flush()
    let probed = sampler.map { runProbes($0) }

    // Scores, roles, ranking.
    let featureSummaries = summarizeFeatures(stats)
    var cells = (0..<U).map { u in
      cellReport(u, stats: stats, baselines: featureSummaries.map(\.characterBaseline))
    }
    cells.sort { rankKey($0) > rankKey($1) || (rankKey($0) == rankKey($1) && $0.id < $1.id) }
    for i in cells.indices { cells[i].rank = i + 1 }
    let cellOrder = (0..<U).map { unitID($0) }

    // The window pass: windows for the cells on show.
    let shown = Array(cells.prefix(displayCells ?? U))
    let shownUnits = shown.map { unitIndex($0.id) }
    let C = options.context
    let topFoci = shownUnits.map { u in stats.top[u].items.map(\.1) }
    let bottomFoci = shownUnits.enumerated().map { d, u in
      // A position among the top too (a constant cell) is shown once, as a top window.
      stats.bottom[u].items.map(\.1).filter { !topFoci[d].contains($0) }
    }
    let bands = shownUnits.map { quantileBands(stats, unit: $0) }
    var rng = SeededGenerator(seed: BandSampler.seed)
    let bandFoci = zip(shownUnits, bands).map { u, cellBands in
      bandSampler?.foci(unit: u, bands: cellBands, count: options.samplesPerBand, rng: &rng)
        ?? cellBands.map { _ in [] }
    }
    // The described cells' values over the first characters, read in the window pass.
    let describedCount = descriptions ? min(n, Self.descriptionCharacters) : 0
    let described = shown.filter { (($0.best?.gain) ?? 0) < CellScoring.gainThreshold }.map(\.id)
    let describedUnits = describedCount > 0 ? described.map { unitIndex($0) } : []
    let windowValues = WindowValues(
      units: shownUnits,
      cellRanges: shownUnits.indices.map { d in
        WindowValues.ranges(
          foci: topFoci[d] + bottomFoci[d] + bandFoci[d].flatMap { $0 }, context: C,
          prefix: describedUnits.contains(shownUnits[d]) ? describedCount : 0, textLength: n)
      })
    if !shownUnits.isEmpty {
      done = 0
      let replaying = recorder.canReplay(textLength: n)
      let total = replaying ? recorder.replayLength(ranges: windowValues.ranges, textLength: n) : n
      let observe = { (o: Observation) in
        windowValues.observe(o)
        done += 1
        if done % 8192 == 0 { progress?("windows", done, total) }
      }
      // Exact mode reads only the stretches holding the windows, from the first pass's states; the
      // other modes read the whole text again as the first pass did (their values at a position
      // depend on where its stream started).
      let read =
        replaying
        ? recorder.replay(
          tokens: tokens, ranges: windowValues.ranges, observe: observe, shouldStop: shouldStop)
        : recorder.run(tokens: tokens, segmentStarted: { _ in }, observe: observe, shouldStop: shouldStop)
      if !read { throw AnalysisInterrupted() }
    }
    for (d, u) in shownUnits.enumerated() {
      let i = cells.firstIndex { $0.id == unitID(u) }!
      func window(_ p: Int) -> Window { windowValues.window(d, focus: p, context: C, symbols: symbols) }
      // By the focus value, ties in text order.
      func key(_ w: Window) -> (Float, Int) { (w.values[w.focus], w.start) }
      cells[i].topWindows = topFoci[d].map(window).sorted {
        (-key($0).0, key($0).1) < (-key($1).0, key($1).1)
      }
      cells[i].bottomWindows = bottomFoci[d].map(window).sorted { key($0) < key($1) }
      cells[i].bands = zip(bands[d], bandFoci[d]).map { band, foci in
        QuantileBand(
          label: band.label, lower: Double(band.lower), upper: Double(band.upper), windows: foci.map(window))
      }
    }
    let describedValues = describedUnits.map { u in
      let d = shownUnits.firstIndex(of: u)!
      return (0..<describedCount).map { windowValues.value(d, at: $0) }
    }

    if !describedUnits.isEmpty {
      describe(
        cells: &cells, units: described, values: describedValues,
        symbols: Array(symbols.prefix(describedCount)))
    }

    var summaries = featureSummaries
    for f in 0..<F {
      let id = features[f].id
      summaries[f].bestCells = cells.sorted {
        let a = $0.scores[f], b = $1.scores[f]
        return (a.score, a.gain) > (b.score, b.gain)
          || ((a.score, a.gain) == (b.score, b.gain) && $0.id < $1.id)
      }.prefix(10).map(\.id)
      _ = id
    }

    let gates = (0..<L).flatMap { k in
      ["i", "f", "o"].enumerated().map { slot, name in
        GateSaturation(
          layer: k, gate: name,
          left: (0..<H).map {
            Double(stats.gateLowCount[(k * 3 + slot) * H + $0]) / Double(max(stats.count, 1))
          },
          right: (0..<H).map {
            Double(stats.gateHighCount[(k * 3 + slot) * H + $0]) / Double(max(stats.count, 1))
          }
        )
      }
    }
    let predictions = Double(max(stats.predictions, 1))
    let model = ModelSummary(
      characters: stats.predictions, natsPerChar: stats.lossSum / predictions,
      bitsPerChar: stats.lossSum / predictions / Foundation.log(2.0),
      top1Accuracy: Double(stats.top1) / predictions,
      top5Accuracy: Double(stats.top5) / predictions,
      surprises: stats.surprises.map { nats, p in
        let a = max(0, p - 30), b = min(n - 1, p + 1)
        return Surprise(
          position: p + 1, nats: nats,
          context: Window(
            start: a, focus: p + 1 - a, symbols: Array(symbols[a...b]),
            values: .init(repeating: 0, count: b - a + 1)))
      })
    var analysis = Analysis(
      config: config, vocabularyKind: vocabulary.kind.rawValue, textName: textName, textCharacters: n,
      mode: streams == 1 ? RecorderOptions.Mode.exact.rawValue : options.mode.rawValue, streams: streams,
      warmup: options.mode == .fast ? options.warmup : 0, stitching: recorder.stitching,
      histogramBins: CellStatistics.displayBins, interpretableThreshold: CellScoring.gainThreshold,
      interpretableFraction: Double(cells.filter(\.interpretable).count) / Double(max(U, 1)), model: model,
      features: summaries, cellOrder: cellOrder, cells: cells, gates: gates, excerpt: excerpt)
    analysis.probes = probed?.results
    analysis.probeFailures = probed?.failures
    analysis.descriptionCharacters = describedUnits.isEmpty ? nil : describedCount
    return analysis
  }

  /// What is NaN or infinite at this position, or nil: the cells (a NaN
  /// activation) or the prediction (logits overflowing to infinity).
  static func nonFiniteValue(_ o: Observation, units U: Int, vocabulary V: Int) -> String? {
    var sum: Float = 0
    for u in 0..<U { sum += o.values[u] * 0 }  // NaN or ±infinity make the product NaN
    if !sum.isFinite { return "a cell's activation" }
    var total: Float = 0
    for v in 0..<V { total += o.probs[v] }
    return total.isFinite ? nil : "the next-character probabilities"
  }

  // MARK: Units

  /// Unit u ↔ cell: u = (layer·2 + state)·H + index, state 0 = c, 1 = h.
  func unitID(_ u: Int) -> CellID {
    let H = checkpoint.config.hiddenSize
    return CellID(layer: u / (2 * H), state: (u / H) % 2 == 0 ? .c : .h, index: u % H)
  }

  func unitIndex(_ id: CellID) -> Int {
    let H = checkpoint.config.hiddenSize
    return (id.layer * 2 + (id.state == .c ? 0 : 1)) * H + id.index
  }

  private func rankKey(_ c: CellReport) -> (Int, Double, Double) {
    (c.interpretable ? 1 : 0, c.best?.gain ?? -1, c.best?.score ?? 0)
  }

  // MARK: Finishing

  private func summarizeFeatures(_ s: CellStatistics) -> [FeatureSummary] {
    let F = features.count, V = s.V, n = Double(max(s.count, 1))
    return features.enumerated().map { f, feature in
      let mean = s.featureSum[f] / n
      let std = max(0, s.featureSumSq[f] / n - mean * mean).squareRoot()
      let baseline: Double
      switch feature.kind {
      case .binary:
        baseline = CellScoring.characterAUC(
          counts: (0..<V).map { (s.charFeatureSum[$0 * F + f], s.charCount[$0]) })
      case .graded:
        baseline = CellScoring.correlationRatio(
          count: s.charCount, sum: (0..<V).map { s.charFeatureSum[$0 * F + f] }, total: Double(s.count),
          totalSum: s.featureSum[f], totalSumSq: s.featureSumSq[f])
      }
      return FeatureSummary(
        id: feature.id, name: feature.name, kind: feature.kind.rawValue, definition: feature.definition,
        mean: mean,
        std: std, characterBaseline: baseline, bestCells: [])
    }
  }

  private func cellReport(_ u: Int, stats s: CellStatistics, baselines: [Double]) -> CellReport {
    let n = Double(max(s.count, 1)), NB = CellStatistics.fineBins
    let mean = s.sum[u] / n, variance = max(0, s.sumSq[u] / n - mean * mean)
    let all = s.allCounts(u)
    var scores: [FeatureScore] = []
    for (f, feature) in features.enumerated() {
      switch feature.kind {
      case .binary:
        let bi = s.binary.firstIndex(of: f)!
        let pos = s.positiveCounts(u, binary: bi)
        let auc = CellScoring.auc(positive: pos, all: all).auc
        let score = max(auc, 1 - auc)
        scores.append(
          FeatureScore(feature: feature.id, score: score, signed: auc, gain: score - baselines[f]))
      case .graded:
        let gi = s.graded.firstIndex(of: f)!
        let r = CellScoring.pearson(
          n: Double(s.count), sx: s.sum[u], sxx: s.sumSq[u], sy: s.featureSum[f], syy: s.featureSumSq[f],
          sxy: s.sumVY[u * s.graded.count + gi])
        scores.append(
          FeatureScore(feature: feature.id, score: abs(r), signed: r, gain: abs(r) - baselines[f]))
      }
    }
    // The best feature is chosen among those that vary on this text: a feature that is
    // never on (no wiki links in prose) scores 0.5 with gain 0, which would otherwise
    // beat every real feature of a cell whose gains are all negative.
    let varies = features.indices.map { f in
      let m = s.featureSum[f] / n
      return s.featureSumSq[f] / n - m * m > 1e-12
    }
    let bestIndex = scores.indices.filter { varies[$0] }.max {
      (scores[$0].gain, scores[$0].score) < (scores[$1].gain, scores[$1].score)
    }
    let best = bestIndex.map { scores[$0] }
    let interpretable =
      bestIndex.map { CellScoring.isInterpretable(scores[$0], kind: features[$0].kind) } ?? false
    // Selectivity: how rarely the cell strays far (> 0.5) from its median.
    let median = quantile(all, 0.5, lowest: Double(s.minV[u]), highest: Double(s.maxV[u]))
    var far = 0
    for b in 0..<NB {
      let (lo, hi) = CellStatistics.fineBinRange(b)
      if (lo + hi) / 2 > median + 0.5 || (lo + hi) / 2 < median - 0.5 { far += Int(all[all.startIndex + b]) }
    }
    let farFraction = Double(far) / n
    let selectivity = far == 0 ? 0 : 1 - farFraction
    // Lag-1 autocorrelation: the correlation of the (x_{t-1}, x_t) pairs.
    let autocorrelation = min(
      1,
      max(
        -1,
        CellScoring.pearson(
          n: Double(s.lagCount), sx: s.lagPrevSum[u], sxx: s.lagPrevSumSq[u], sy: s.lagNextSum[u],
          syy: s.lagNextSumSq[u], sxy: s.lagSum[u])))
    let saturation = Double(s.saturated[u]) / n
    var tags: [String] = []
    if autocorrelation > 0.98 && variance.squareRoot() > 0.1 { tags.append("long memory") }
    if farFraction > 0.001 && farFraction < 0.05 { tags.append("selective") }
    if saturation > 0.5 { tags.append("saturated") }
    let role: String
    if let b = bestIndex, interpretable || scores[b].gain > 0 {
      role = CellScoring.role(scores[b], feature: features[b])
    } else {
      role = tags.isEmpty ? "no clear role" : tags.joined(separator: ", ")
    }
    return CellReport(
      id: unitID(u), rank: 0, best: best, scores: scores, role: role, interpretable: interpretable,
      mean: mean,
      std: variance.squareRoot(), min: Double(s.minV[u]), max: Double(s.maxV[u]), saturation: saturation,
      selectivity: selectivity, autocorrelation: autocorrelation, tags: tags,
      histogram: Array(
        UnsafeBufferPointer(
          start: s.display + u * CellStatistics.displayBins, count: CellStatistics.displayBins)),
      topWindows: [], bottomWindows: [], bands: [])
  }

  /// The value below which a fraction q of the cell's values lie, interpolated
  /// linearly within its fine bin narrowed to the cell's range [lowest, highest] (a
  /// bin midpoint would make neighbouring quantiles of a narrow cell coincide, or lie
  /// beyond its extremes, and leave its quantile bands empty).
  private func quantile(_ hist: ArraySlice<UInt32>, _ q: Double, lowest: Double, highest: Double) -> Double {
    let total = hist.reduce(0) { $0 + Double($1) }
    var acc = 0.0
    for (b, c) in hist.enumerated() where c > 0 {
      let before = acc
      acc += Double(c)
      if acc >= q * total {
        var (lo, hi) = CellStatistics.fineBinRange(b)
        lo = min(max(lo, lowest), highest)
        hi = max(min(hi, highest), lo)
        return lo + (hi - lo) * min(1, max(0, (q * total - before) / Double(c)))
      }
    }
    return highest
  }

  private func quantileBands(_ s: CellStatistics, unit u: Int) -> [Band] {
    let all = s.allCounts(u)
    let lowest = Double(s.minV[u]), highest = Double(s.maxV[u])
    let cuts: [(String, Double, Double)] = [
      ("top 1%", 0.99, 1), ("90–99%", 0.9, 0.99), ("50–90%", 0.5, 0.9), ("10–50%", 0.1, 0.5),
      ("bottom 10%", 0, 0.1),
    ]
    return cuts.map { label, lo, hi in
      Band(
        label: label, lower: lo == 0 ? -1 : Float(quantile(all, lo, lowest: lowest, highest: highest)),
        upper: hi == 1 ? 1 : Float(quantile(all, hi, lowest: lowest, highest: highest)))
    }
  }
}

/// The analysis was abandoned because its caller asked it to stop (`shouldStop`).
public struct AnalysisInterrupted: Error, Equatable {
  public init() {}
}

/// [-1, 1] → 0...255.
@inline(__always)
func quantize(_ v: Float) -> UInt8 {
  UInt8(max(0, min(255, ((v + 1) * 127.5).rounded())))
}
