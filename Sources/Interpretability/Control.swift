import CharLSTM

// Controls: what an untrained network of the same shape already shows.
//
// An untrained LSTM's cells are random functions of the recent characters, so they correlate with
// the current character and with short-range features too. A trained cell's score means something
// only beside the best score any untrained cell reaches on the same feature and text: the control.

/// The best score an untrained network of the model's shape reaches on one feature.
public struct ControlFeature: Codable, Sendable, Equatable {
  /// The feature id.
  public var feature: String
  /// The untrained cell with the highest score on this feature (nil if the feature never varies).
  public var bestCell: CellID?
  /// Its score (AUC or |r|, as for trained cells).
  public var score: Double
  /// Its gain over the current character.
  public var gain: Double
}

/// The control analysis: the same recording and scoring on an untrained network.
public struct ControlSummary: Codable, Sendable, Equatable {
  /// The seed of the untrained weights.
  public var seed: UInt64
  /// How the weights were drawn, in words: the trainer's initialisation when the model records it.
  public var initialization: String
  /// Characters of the text the control analysed (the first ones; at most the analysed text).
  public var characters: Int
  /// One entry per feature, in `Analysis.features` order.
  public var features: [ControlFeature]

  /// The control's entry for a feature, if any.
  public func feature(_ id: String) -> ControlFeature? { features.first { $0.feature == id } }
}

extension Analyzer {
  /// How many characters the control reads by default: enough for stable AUCs and correlations, a
  /// bounded cost on long texts.
  public static let controlCharacters = 100_000

  /// Records and scores `text` (its first `maxCharacters`) on an untrained network of this model's
  /// shape, initialised as the trainer initialises (char-rnn's uniform ±scale and forget bias, from
  /// the training record), or as PyTorch does for a model trained elsewhere, with `seed`.
  ///
  /// The reading: `mode`, or when nil the analysis's own mode, except that an exact analysis's
  /// control reads in fast mode. An untrained network forgets within tens of characters (its forget
  /// gates sit near σ(b_f), 0.5 to 0.73, so a state fades as 0.73^t), so a batched stream warmed up
  /// on the `warmup` (256) characters before it starts from the exact state to float precision:
  /// the same scores as an exact reading (ControlTests compares them), at the batched recorder's
  /// speed (measured on War and Peace 2 x 512, 100,000 characters: see the README).
  ///
  /// - Returns: the best untrained score and gain per feature.
  /// - Throws: as `analyze`, `AnalysisInterrupted` when `shouldStop` fired.
  public func control(
    text: String, seed: UInt64, maxCharacters: Int = Analyzer.controlCharacters,
    mode: RecorderOptions.Mode? = nil,
    progress: ((String, Int, Int) -> Void)? = nil, shouldStop: () -> Bool = { false }
  ) throws -> ControlSummary {
    var reading = self.options
    reading.mode = mode ?? (options.mode == .exact ? .fast : options.mode)
    let options = checkpoint.training?.options
    let scale = options?.initUniform
    let forgetBias = options?.forgetBias ?? 0
    let net = LSTMNetwork<Float>(config: checkpoint.config)
    net.initialize(seed: seed, uniformScale: scale, forgetBias: forgetBias)
    let untrained = Checkpoint(
      config: checkpoint.config, vocabulary: checkpoint.vocabulary, parameters: net.params.array)
    let slice = text.prefix(scalars: maxCharacters)
    let analysis = try Analyzer(checkpoint: untrained, options: reading, features: features)
      .analyze(text: slice, textName: "control", displayCells: 0, progress: progress, shouldStop: shouldStop)
    let entries = analysis.features.enumerated().map { f, summary in
      var best: (CellID, FeatureScore)?
      for cell in analysis.cells {
        let s = cell.scores[f]
        if best == nil || s.score > best!.1.score { best = (cell.id, s) }
      }
      return ControlFeature(
        feature: summary.id, bestCell: summary.std > 0 ? best?.0 : nil, score: best?.1.score ?? 0,
        gain: best?.1.gain ?? 0)
    }
    let how =
      scale.map { "uniform in ±\($0), forget-gate bias +\(forgetBias) (the trainer's initialisation)" }
      ?? "PyTorch's initialisation (uniform in ±1/√H), forget-gate bias +\(forgetBias)"
    return ControlSummary(
      seed: seed, initialization: how, characters: slice.unicodeScalars.count, features: entries)
  }
}

extension Analysis {
  /// A trained score within this margin of the control's is "reached by an untrained network".
  public static let controlMargin = 0.02

  /// Attaches the control, and says in the role of every cell whose best feature an untrained
  /// network tracks about as well (within ``controlMargin``).
  public mutating func attach(control: ControlSummary) {
    self.control = control
    for i in cells.indices {
      guard let best = cells[i].best, let c = control.feature(best.feature) else { continue }
      if c.score >= best.score - Analysis.controlMargin {
        cells[i].role += String(
          format: "; an untrained network reaches %@ %.2f on this feature", scoreName(best.feature), c.score)
      }
    }
  }

  private func scoreName(_ feature: String) -> String {
    features.first { $0.id == feature }?.kind == "binary" ? "AUC" : "|r|"
  }
}
