import CharLSTM

/// Which state vector a cell belongs to: the cell state c (shown as tanh(c), as
/// in Karpathy's pictures) or the hidden state h.
public enum CellState: String, Codable, Sendable, CaseIterable { case c, h }

/// One cell: layer k (0-based), state c or h, index j (0-based, the row of the
/// cell in PyTorch's weight layout, within each gate block).
public struct CellID: Hashable, Codable, Sendable, Comparable, CustomStringConvertible {
  public var layer: Int
  public var state: CellState
  public var index: Int
  public init(layer: Int, state: CellState, index: Int) {
    self.layer = layer
    self.state = state
    self.index = index
  }
  /// "L0 c 42": layer and index 0-based, as in PyTorch's `weight_ih_l0` and cells.csv.
  public var description: String { "L\(layer) \(state.rawValue) \(index)" }
  /// A stable file-name stem: "l0-c-42".
  public var slug: String { "l\(layer)-\(state.rawValue)-\(index)" }
  public static func < (a: CellID, b: CellID) -> Bool {
    (a.layer, a.state == .c ? 0 : 1, a.index) < (b.layer, b.state == .c ? 0 : 1, b.index)
  }
}

/// How well one cell tracks one feature.
public struct FeatureScore: Codable, Sendable, Equatable {
  public var feature: String  // feature id
  /// Binary features: orientation-free ROC AUC, max(AUC, 1 - AUC), in [0.5, 1].
  /// Graded features: |Pearson r| in [0, 1].
  public var score: Double
  /// The signed figure: raw AUC (< 0.5 means the cell is low when the feature is on) or r.
  public var signed: Double
  /// score minus what the current character alone achieves (best char-only AUC,
  /// or the correlation ratio for graded features). Negative: the cell adds nothing.
  public var gain: Double
}

/// A stretch of text around a position, with one cell's value at every character.
public struct Window: Codable, Sendable, Equatable {
  public var start: Int  // position of the first character in the analysed text
  public var focus: Int  // offset within the window of the character that chose it
  public var symbols: [UInt32]  // Unicode scalars (or bytes) of the window
  public var values: [Float]  // the cell's value at each character, in [-1, 1]
}

/// Samples of windows whose focus value lies in a quantile band of the cell's distribution.
public struct QuantileBand: Codable, Sendable, Equatable {
  public var label: String  // e.g. "top 1%", "50-90%"
  public var lower: Double, upper: Double  // value range of the band
  public var windows: [Window]
}

public struct CellReport: Codable, Sendable {
  public var id: CellID
  public var rank: Int  // 1 = most interpretable
  public var best: FeatureScore?  // the feature this cell tracks best (by gain), if any
  public var scores: [FeatureScore]  // against every feature, in `Analysis.features` order
  public var role: String  // "inside double quotes, AUC 0.97, +0.31 over the current character"
  public var interpretable: Bool
  public var mean: Double, std: Double, min: Double, max: Double
  public var saturation: Double  // fraction of steps with |value| > 0.9
  public var selectivity: Double  // 1 - fraction of steps far (> 0.5) from the cell's median; 0 if never far
  public var autocorrelation: Double  // lag-1 autocorrelation: near 1 = long memory
  public var tags: [String]  // "long memory", "selective", "saturated"
  public var histogram: [Int]  // counts in `Analysis.histogramBins` equal bins over [-1, 1]
  public var topWindows: [Window]  // max-activating, non-overlapping
  public var bottomWindows: [Window]  // min-activating, non-overlapping
  public var bands: [QuantileBand]
  /// Mean ablation: what the model loses, in nats per character, when this cell's c (and so its h)
  /// is held at its mean (nil: not ablated). See `Analysis.ablation` for the details.
  public var ablationDelta: Double?
  /// For a shown cell whose best gain is below `Analysis.interpretableThreshold`: the short patterns
  /// of preceding characters that predict when it is active, scored on held-out text (nil: not
  /// described, because it is interpretable, not shown, or descriptions were off).
  public var description: CellDescription?
}

/// Gate saturation of one layer's gate (i, f or o): per cell, the fraction of
/// steps below 0.1 and above 0.9 (Karpathy et al. 2015, figure 3).
public struct GateSaturation: Codable, Sendable {
  public var layer: Int
  public var gate: String
  public var left: [Double]  // (H) fraction < 0.1
  public var right: [Double]  // (H) fraction > 0.9
}

public struct FeatureSummary: Codable, Sendable {
  public var id: String
  public var name: String
  public var kind: String  // "binary" or "graded"
  public var definition: String
  public var mean: Double  // binary: fraction of positions on
  public var std: Double
  /// What the current character alone achieves (best AUC, or correlation ratio).
  public var characterBaseline: Double
  public var bestCells: [CellID]  // up to 10, by score then gain
}

public struct Surprise: Codable, Sendable {
  public var position: Int
  public var nats: Double
  public var context: Window  // values: 0; symbols around the position
}

public struct ModelSummary: Codable, Sendable {
  public var characters: Int  // predictions made
  public var natsPerChar: Double
  public var bitsPerChar: Double
  public var top1Accuracy: Double
  public var top5Accuracy: Double
  public var surprises: [Surprise]  // highest-loss positions
}

/// The first characters of the text with everything the pages colour them by.
public struct Excerpt: Codable, Sendable {
  public var symbols: [UInt32]  // (n)
  /// Cell values quantised to 0...255 for [-1, 1] (v ≈ q / 127.5 - 1), one array
  /// per cell in `Analysis.cells` order... indexed by `Analysis.cellOrder`.
  public var cellValues: [[UInt8]]  // (cells, n)
  public var topSymbols: [[UInt32]]  // (n, 5) next-character guesses after reading each character
  public var topProbs: [[Float]]  // (n, 5)
  public var loss: [Float]  // (n) loss of the true next character (0 for the last)
  public var features: [[Float]]  // (features, n)
}

/// Everything the report renders and the exports contain.
public struct Analysis: Codable, Sendable {
  public var config: ModelConfig
  public var vocabularyKind: String
  public var textName: String
  public var textCharacters: Int
  public var mode: String  // "exact", "stitched" or "fast" (see RecorderOptions.Mode)
  public var streams: Int
  public var warmup: Int  // characters each fast-mode stream reads before recording
  /// Stitched mode: the tolerance and the largest boundary difference measured (nil otherwise).
  public var stitching: StitchingSummary?
  /// The same recording and scoring on an untrained network of this shape (nil: not run).
  public var control: ControlSummary?
  /// Mean ablations of the cells on show (nil: not run).
  public var ablation: AblationSummary?
  /// Sparse probes, one per feature that could be probed, in `features` order (nil: not run).
  public var probes: [ProbeResult]?
  /// Features that could not be probed (e.g. constant on the sampled positions), by id: the reason
  /// in one sentence (nil: probes not run).
  public var probeFailures: [String: String]?
  /// Characters at the start of the text the cell descriptions read (nil: descriptions not run).
  public var descriptionCharacters: Int?
  public var histogramBins: Int
  public var interpretableThreshold: Double  // on gain over the current character
  public var interpretableFraction: Double
  public var model: ModelSummary
  public var features: [FeatureSummary]
  public var cellOrder: [CellID]  // every cell in (layer, state, index) order; excerpt rows follow it
  public var cells: [CellReport]  // every cell, by rank
  public var gates: [GateSaturation]
  public var excerpt: Excerpt
}
