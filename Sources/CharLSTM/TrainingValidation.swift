/// Range checks of training options and records. Both may come from a file (a
/// checkpoint's `training` metadata) as well as from the command line, so the
/// problems are worded with the options' property names, not with flags, and
/// every value a buffer size, a division or an integer conversion depends on is
/// checked here, before any of them happens.
extension TrainingOptions {
  /// Largest sequence length and batch size (each also bounded by the text).
  public static let maxSeqLength = 1 << 20, maxBatchSize = 1 << 20
  /// Most characters sampled at each evaluation.
  public static let maxSampleLength = 1 << 20

  /// The first unusable option as (property name, "batchSize 0; it must be at
  /// least 1"), or nil when all are usable.
  public var problem: (property: String, problem: String)? {
    if let p = modelConfig(1).problem {
      let names = [
        "hiddenSize": "rnnSize", "numLayers": "numLayers", "embeddingSize": "embeddingSize",
        "dropout": "dropout",
      ]
      return (names[p.property] ?? p.property, p.problem)
    }
    func outside(_ name: String, _ value: Any, _ range: String) -> (String, String) {
      (name, "\(name) \(value); it must be \(range)")
    }
    if !(1...Self.maxSeqLength).contains(seqLength) {
      return outside("seqLength", seqLength, "between 1 and \(Self.maxSeqLength)")
    }
    if !(1...Self.maxBatchSize).contains(batchSize) {
      return outside("batchSize", batchSize, "between 1 and \(Self.maxBatchSize)")
    }
    if !(learningRate.isFinite && learningRate > 0) {
      return outside("learningRate", learningRate, "positive and finite")
    }
    if !(decayRate >= 0 && decayRate < 1) { return outside("decayRate", decayRate, "at least 0 and below 1") }
    if !(lrDecay.isFinite && lrDecay > 0) { return outside("lrDecay", lrDecay, "positive and finite") }
    if gradClip.isNaN { return outside("gradClip", gradClip, "a number (0 or less turns clipping off)") }
    if !(maxEpochs >= 0) { return outside("maxEpochs", maxEpochs, "at least 0") }
    if let t = maxTime, t.isNaN { return outside("maxTime", t, "a number of seconds") }
    if !(trainFrac > 0 && valFrac >= 0 && trainFrac + valFrac <= 1) {
      return (
        "trainFrac",
        "trainFrac \(trainFrac) and valFrac \(valFrac); they must be > 0 and >= 0, together at most 1"
      )
    }
    if evalEvery < 1 { return outside("evalEvery", evalEvery, "at least 1") }
    if let c = checkpointEvery, c < 1 { return outside("checkpointEvery", c, "at least 1") }
    if let u = initUniform, !(u.isFinite && u >= 0) {
      return outside("initUniform", u, "at least 0 and finite")
    }
    if !forgetBias.isFinite { return outside("forgetBias", forgetBias, "finite") }
    if !(0...Self.maxSampleLength).contains(sampleLength) {
      return outside("sampleLength", sampleLength, "between 0 and \(Self.maxSampleLength)")
    }
    return nil
  }

  /// Checks every option.
  /// - Throws: `invalidTrainingOption` naming the property and what it must be.
  public func validate() throws {
    if let p = problem {
      throw CellscopeError.invalidTrainingOption(property: p.property, problem: p.problem)
    }
  }
}

extension TrainingRecord {
  /// What makes this record (read from a checkpoint) unusable with `config` and
  /// `vocabulary`, as the end of a sentence ("its training options say rnnSize
  /// 8 but its config has hidden size 16"), or nil.
  public func problem(config: ModelConfig, vocabulary: Vocabulary) -> String? {
    if let p = options.problem { return "its training options have \(p.problem)" }
    let pairs: [(String, String, String, String)] = [
      ("rnnSize", "\(options.rnnSize)", "hidden size", "\(config.hiddenSize)"),
      ("numLayers", "\(options.numLayers)", "layers", "\(config.numLayers)"),
      ("embeddingSize", "\(options.embeddingSize)", "embedding size", "\(config.embeddingSize)"),
      ("dropout", "\(options.dropout)", "dropout", "\(config.dropout)"),
    ]
    for (name, stored, configName, configValue) in pairs where stored != configValue {
      return "its training options say \(name) \(stored) but its config has \(configName) \(configValue)"
    }
    if options.bytes != (vocabulary.kind == .bytes) {
      return
        "its training options say bytes \(options.bytes) but its vocabulary is \(vocabulary.kind.rawValue)"
    }
    if step < 0 { return "its training step is \(step); it must be at least 0" }
    if batchesPerEpoch < 0 { return "its batches per epoch are \(batchesPerEpoch); they must be at least 0" }
    if textCharacters < 0 { return "its text length is \(textCharacters); it must be at least 0" }
    if !(learningRate.isFinite && learningRate >= 0) {
      return "its current learning rate is \(learningRate); it must be at least 0 and finite"
    }
    // Figures a report plots or writes as JSON must be finite; steps not negative.
    let figures =
      trainLoss.map(Double.init) + evaluations.flatMap { [$0.epoch, $0.valLoss, $0.learningRate] }
      + rateChanges.map(\.learningRate) + [bestValLoss, testLoss, finalTrainLoss].compactMap { $0 }
    if figures.contains(where: { !$0.isFinite }) {
      return "its training history holds NaN or infinite figures"
    }
    let steps = evaluations.map(\.step) + samples.map(\.step) + rateChanges.map(\.step)
    if let bad = steps.first(where: { $0 < 0 }) { return "its training history holds step \(bad)" }
    return nil
  }
}
