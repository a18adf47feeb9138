import Foundation

@testable import CharLSTM
@testable import Interpretability
@testable import Report

/// A small, hand-built report input: 2 layers of 3 cells, a 120-character excerpt
/// with quotes and markup, three features, and a short training record. Every
/// number is a deterministic function of the text, so the goldens are stable.
enum SampleSite {
  /// Exactly 120 characters: quotes, markup, brackets, two line breaks, a tab.
  static let text: String = {
    let base =
      "She said \"<script>x</script>\" & left.\n  (a = [1, 2]) {ok}\t'it''s' \"fine\"\nThe \"end\" of a <b>sample</b> text, 1 2 3!"
    let scalars = Array(base.unicodeScalars)
    var padded = String.UnicodeScalarView()
    for i in 0..<120 { padded.append(scalars[i % scalars.count]) }
    return String(padded)
  }()

  /// Payloads that would run if any corpus text reached a page unescaped: each
  /// sets the title to XSS-RAN or adds an element whose id is xss-ran.
  static let payloadText =
    "<script>document.title='XSS-RAN'</script> said \"<img src=x onerror=\"document.title='XSS-RAN'\">\" "
    + "\"><img src=x id=xss-ran onerror=alert(1)>' and </script><script>document.title=\"XSS-RAN\"</script>\n"
    + "<svg onload=alert(1) id=xss-ran></svg> \u{2028}tail\u{2029} <!-- --> ]]> `${x}` </title><b id=xss-ran>b</b>"

  static let featureIDs = ["in_double_quotes", "is_space", "line_position"]

  /// The site input for `text` (the sample text unless given), with or without a training record;
  /// with `evidence` (default: as `trained`) also a control, an ablation, probes and a description.
  static func input(text: String = SampleSite.text, trained: Bool = true, evidence: Bool? = nil) throws
    -> SiteInput
  {
    let vocabulary = try Vocabulary(text: text + "e")
    let symbols = text.unicodeScalars.map(\.value)
    let n = symbols.count
    let config = ModelConfig(vocabSize: vocabulary.count, hiddenSize: 3, numLayers: 2)
    let scalars = text.unicodeScalars.map { $0 }
    let features = featureIDs.map { TextFeatures.feature(id: $0)! }
    let featureValues = features.map { $0.values(in: scalars) }

    // Cell values: cell 0 of each layer tracks the quotes, the others are smooth waves.
    var cellOrder: [CellID] = []
    for layer in 0..<2 {
      for state in CellState.allCases {
        for index in 0..<3 { cellOrder.append(CellID(layer: layer, state: state, index: index)) }
      }
    }
    func value(_ u: Int, _ i: Int) -> Float {
      let id = cellOrder[u]
      if id.index == 0 {
        let inside = featureValues[0][i] > 0.5
        return (inside ? 0.9 : -0.6) * (id.state == .c ? 1 : 0.8) * (id.layer == 0 ? 1 : 0.7)
      }
      return Float(tanh(sin(Double(i) * 0.21 * Double(u + 1) + Double(u)) * 1.6))
    }
    let values = cellOrder.indices.map { u in (0..<n).map { value(u, $0) } }
    func quantize(_ v: Float) -> UInt8 { UInt8(max(0, min(255, ((v + 1) * 127.5).rounded()))) }

    func window(_ u: Int, at p: Int) -> Window {
      let lo = max(0, p - 12)
      let hi = min(n, p + 8)
      return Window(
        start: lo, focus: p - lo, symbols: Array(symbols[lo..<hi]), values: Array(values[u][lo..<hi]))
    }
    var cells: [CellReport] = []
    for (u, id) in cellOrder.enumerated() {
      let v = values[u].map(Double.init)
      let order = v.indices.sorted { (v[$0], $0) < (v[$1], $1) }
      let scores = featureIDs.enumerated().map { f, fid in
        let s = id.index == 0 && f == 0 ? 0.97 - 0.02 * Double(u) : 0.5 + 0.03 * Double((u + f) % 5)
        return FeatureScore(feature: fid, score: s, signed: s, gain: s - 0.6)
      }
      let best = scores.max { ($0.gain, $1.feature) < ($1.gain, $0.feature) }!
      var histogram = [Int](repeating: 0, count: 20)
      for x in v { histogram[min(19, Int((x + 1) / 2 * 20))] += 1 }
      let mean = v.reduce(0, +) / Double(n)
      let std = (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)).squareRoot()
      cells.append(
        CellReport(
          id: id, rank: 0, best: best, scores: scores,
          role: id.index == 0
            ? "inside double quotes, AUC \(String(format: "%.2f", best.score))" : "no clear role",
          interpretable: best.gain > 0.2, mean: mean, std: std, min: v.min()!, max: v.max()!,
          saturation: Double(v.filter { abs($0) > 0.9 }.count) / Double(n),
          selectivity: 0.1 * Double(u % 7), autocorrelation: 0.5 + 0.04 * Double(u),
          tags: id.index == 0 ? ["long memory"] : (u % 4 == 1 ? ["selective", "saturated"] : []),
          histogram: histogram, topWindows: [window(u, at: order[n - 1]), window(u, at: order[n - 30])],
          bottomWindows: [window(u, at: order[0])],
          bands: [
            QuantileBand(
              label: "top 10%", lower: v[order[n * 9 / 10]], upper: 1, windows: [window(u, at: order[n - 5])]),
            QuantileBand(
              label: "10-50%", lower: v[order[n / 10]], upper: v[order[n / 2]],
              windows: [window(u, at: order[n / 4])]),
          ]))
    }
    cells.sort { ($0.best!.gain, $1.id) > ($1.best!.gain, $0.id) }
    for i in cells.indices { cells[i].rank = i + 1 }

    let summaries = features.enumerated().map { f, feature in
      let fv = featureValues[f].map(Double.init)
      let mean = fv.reduce(0, +) / Double(n)
      return FeatureSummary(
        id: feature.id, name: feature.name, kind: feature.kind.rawValue, definition: feature.definition,
        mean: mean,
        std: 0.25 + 0.1 * Double(f), characterBaseline: 0.6 + 0.05 * Double(f),
        bestCells: cells.sorted { ($0.scores[f].score, $1.id) > ($1.scores[f].score, $0.id) }.prefix(4).map(
          \.id))
    }
    var gates: [GateSaturation] = []
    for layer in 0..<2 {
      for (g, gate) in ["i", "f", "o"].enumerated() {
        var left: [Double] = []
        var right: [Double] = []
        for j in 0..<3 {
          left.append(0.05 + 0.1 * Double((j + g + layer) % 4))
          right.append(0.8 - 0.2 * Double((j + g) % 3) - 0.1 * Double(layer))
        }
        gates.append(GateSaturation(layer: layer, gate: gate, left: left, right: right))
      }
    }
    var topSymbols: [[UInt32]] = []
    var topProbs: [[Float]] = []
    var loss: [Float] = []
    for i in 0..<n {
      var guesses: [UInt32] = []
      var probs: [Float] = []
      for k in 0..<5 {
        let other: UInt32 = vocabulary.symbols[(i * 7 + k * 3) % vocabulary.count]
        guesses.append(i + 1 < n && k == i % 3 ? symbols[i + 1] : other)
        let p: Double = (0.6 - 0.1 * Double(k)) * Double(1 + i % 3) / 3
        probs.append(Float(p))
      }
      topSymbols.append(guesses)
      topProbs.append(probs)
      let l: Double = 0.2 + Double((i * 13) % 17) * 0.3
      loss.append(i + 1 < n ? Float(l) : 0)
    }
    let excerpt = Excerpt(
      symbols: symbols, cellValues: values.map { $0.map(quantize) }, topSymbols: topSymbols,
      topProbs: topProbs,
      loss: loss, features: featureValues)
    let surprises = [40, 7, 99].map { p in
      Surprise(
        position: p, nats: Double(loss[p]),
        context: Window(
          start: max(0, p - 10), focus: p - max(0, p - 10),
          symbols: Array(symbols[max(0, p - 10)..<min(n, p + 6)]),
          values: [Float](repeating: 0, count: min(n, p + 6) - max(0, p - 10))))
    }
    var analysis = Analysis(
      config: config, vocabularyKind: "unicode", textName: "sample.txt", textCharacters: n, mode: "exact",
      streams: 1,
      warmup: 0, histogramBins: 20, interpretableThreshold: 0.2, interpretableFraction: 0.5,
      model: ModelSummary(
        characters: n - 1, natsPerChar: 1.25, bitsPerChar: 1.25 / log(2.0), top1Accuracy: 0.41,
        top5Accuracy: 0.77,
        surprises: surprises),
      features: summaries, cellOrder: cellOrder, cells: cells, gates: gates, excerpt: excerpt)
    if evidence ?? trained { addEvidence(&analysis) }

    let card = ModelCard(
      config: config, vocabularySize: vocabulary.count, vocabularyKind: vocabulary.kind,
      training: trained ? record() : nil)
    let samples = [
      TemperatureSample(
        label: "temperature 0.5", temperature: 0.5, text: "the \"quoted\" </script> text\nand more"),
      TemperatureSample(label: "argmax", temperature: nil, text: "the the the <i>the</i>"),
    ]
    return SiteInput(analysis: analysis, model: card, samples: samples)
  }

  /// Hand-set evidence: control scores 0.61, 0.63, 0.65; cell 0 of layer 0 ablated (Δ 0.125 nats);
  /// a probe of the quote feature (one cell), the others not probed; L1 h 0 described.
  static func addEvidence(_ analysis: inout Analysis) {
    analysis.control = ControlSummary(
      seed: 42, initialization: "uniform in ±0.08, forget-gate bias +1.0 (the trainer's initialisation)",
      characters: 120,
      features: featureIDs.enumerated().map { f, id in
        ControlFeature(
          feature: id, bestCell: CellID(layer: 1, state: .h, index: 2), score: 0.61 + 0.02 * Double(f),
          gain: 0.01)
      })
    analysis.ablation = AblationSummary(
      characters: 120, baselineNats: 1.25,
      cells: [
        AblationResult(
          layer: 0, index: 0, mean: -0.25, deltaNats: 0.125, deltaBits: 0.125 / log(2.0),
          feature: "in_double_quotes", deltaWhereOn: 0.5, positionsOn: 30, deltaAtSwitchOff: 2,
          positionsSwitchOff: 4)
      ])
    for i in analysis.cells.indices where analysis.cells[i].id.layer == 0 && analysis.cells[i].id.index == 0 {
      analysis.cells[i].ablationDelta = 0.125
    }
    analysis.probes = [
      ProbeResult(
        feature: "in_double_quotes", kind: "binary", fitPositions: 60, heldOutPositions: 60,
        steps: [
          ProbeStep(k: 1, allCells: false, cells: [0], score: 0.97),
          ProbeStep(k: 2, allCells: false, cells: [0, 7], score: 0.975),
          ProbeStep(k: 4, allCells: false, cells: [0, 7, 3, 11], score: 0.9625),
          ProbeStep(k: 12, allCells: true, cells: [], score: 0.98),
        ],
        cellsNeeded: 1, verdict: .oneCell,
        summary: "lives in one cell: the best cell alone reaches held-out AUC 0.97, all 12 cells 0.98")
    ]
    analysis.probeFailures = [
      "is_space":
        "feature is_space does not vary in the held-out part of the sampled positions, so no probe can be scored.",
      "line_position": "probe input feature line_position is not finite at index 3.",
    ]
    analysis.descriptionCharacters = 120
    if let i = analysis.cells.firstIndex(where: { $0.id == CellID(layer: 1, state: .h, index: 0) }) {
      analysis.cells[i].description = CellDescription(
        direction: "high", threshold: 0.25, fitPositions: 60, heldOutPositions: 60, heldOutActive: 9,
        patterns: [
          PatternScore(
            pattern: "␣\"", symbols: [32, 34], precision: 0.75, recall: 0.5, f1: 0.6, fitF1: 0.7,
            heldOutMatches: 6),
          PatternScore(
            pattern: "<", symbols: [60], precision: 0.2, recall: 0.1, f1: 0.125, fitF1: 0.3, heldOutMatches: 5
          ),
        ],
        sentence: "high after `␣\"` (F1 0.60)")
    }
  }

  /// A short training history: 60 steps, three evaluations, one rate change.
  static func record() -> TrainingRecord {
    var options = TrainingOptions()
    options.rnnSize = 3
    options.evalEvery = 20
    var r = TrainingRecord(
      options: options, textName: "sample.txt", textCharacters: 12_345,
      textSHA256: "3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b", learningRate: 1.94e-3,
      rngState: 7)
    r.step = 60
    r.batchesPerEpoch = 25
    func curve(_ step: Int) -> Double { 4.2 * exp(-Double(step) / 25) }
    r.trainLoss = (0..<60).map { (s: Int) -> Float in
      let wiggle: Double = 0.15 * sin(Double(s) * 1.7)
      return Float(curve(s) + 1.1 + wiggle)
    }
    r.evaluations = [20, 40, 60].map { (s: Int) in
      TrainingRecord.Evaluation(step: s, epoch: Double(s) / 25, valLoss: curve(s) + 1.3, learningRate: 2e-3)
    }
    r.rateChanges = [TrainingRecord.RateChange(step: 40, learningRate: 1.94e-3)]
    r.samples = [
      TrainingRecord.Sample(step: 20, text: "tte eh <b>th</b> \"a"),
      TrainingRecord.Sample(step: 40, text: "the \"end\" of </script>"),
    ]
    // The probe's history: the quote cell passes AUC 0.9 at step 40.
    r.emergence = [(20, 0.71, 0.31), (40, 0.93, 0.48), (60, 0.97, 0.62)].map { step, quote, line in
      EmergencePoint(
        step: step,
        features: [
          FeatureEmergence(
            feature: "in_double_quotes", kind: "binary", score: quote, signed: quote, layer: 1, state: "c",
            index: 0),
          FeatureEmergence(
            feature: "is_space", kind: "binary", score: 0.99, signed: 0.99, layer: 0, state: "h", index: 0),
          FeatureEmergence(
            feature: "line_position", kind: "graded", score: line, signed: -line, layer: 0, state: "c",
            index: 0),
        ])
    }
    r.bestValLoss = r.evaluations.map(\.valLoss).min()
    r.testLoss = 1.52
    r.finalTrainLoss = 1.31
    return r
  }

  /// The repository's Templates folder.
  static var templates: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Templates").path
  }

  /// The repository root.
  static var packageRoot: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().path
  }

  /// Options for test sites: four cell pages, the repository's templates.
  static var options: SiteOptions {
    var o = SiteOptions()
    o.topCells = 4
    o.templates = templates
    return o
  }

  /// Every file of the site for `input`, rendered in memory.
  static func files(_ input: SiteInput, options: SiteOptions = SampleSite.options) throws -> [(
    String, [UInt8]
  )] {
    let builder = SiteBuilder(input: input, options: options, templates: try TemplateSet(folder: templates))
    var files: [(String, [UInt8])] = []
    try builder.build { files.append(($0, $1)) }
    return files
  }

  /// A fresh temporary folder (removed by the caller).
  static func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "cellscope-report-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }
}
