import Foundation

/// What the trainer reports as it goes; the command line turns these into a live
/// progress line on a terminal or plain log lines otherwise.
public enum TrainingEvent: Sendable {
  case started(totalSteps: Int, batchesPerEpoch: Int, vocabulary: Int, parameters: Int)
  case step(step: Int, totalSteps: Int, epoch: Double, loss: Double, charsPerSecond: Double, eta: Double)
  case evaluated(step: Int, valLoss: Double)
  case saved(path: String)
  case warning(String)
  case finished(TrainingRecord)
}

/// Trains a char-LSTM the char-rnn way: B contiguous streams, truncated BPTT with
/// the state carried between batches, element-wise gradient clipping, RMSProp or
/// Adam, learning-rate decay per epoch, periodic validation and checkpoints.
public final class Trainer {
  public let options: TrainingOptions
  public let vocabulary: Vocabulary
  public let dataset: Dataset
  public let network: LSTMNetwork<Float>
  public private(set) var optimizer: Optimizer
  public private(set) var record: TrainingRecord
  let state: LSTMState<Float>  // (L, B, H) carried between training batches
  var rng: SeededGenerator  // dropout masks
  /// Called after each validation with the current weights and the first
  /// `probeCharacters` of the validation split; its result is appended to
  /// `record.emergence` (an empty result is skipped). nil (the default) leaves the
  /// record, and so the checkpoint bytes, as they were without it. Not called
  /// when the split has no validation batches.
  public var evaluationProbe: (@Sendable (ProbeInput) -> [FeatureEmergence])?
  /// Characters of the validation split the probe reads (at most the whole split).
  public var probeCharacters = 10_000

  /// - Parameters:
  ///   - resume: a checkpoint to continue from. Its options win for everything in
  ///     `TrainingOptions.fixedOnResume` (shape, data split, optimisation); the
  ///     stopping and bookkeeping options (`chosenOnResume`) come from `options`.
  ///   - given: the property names of `options` the user gave explicitly; a given
  ///     value in `fixedOnResume` that differs from the checkpoint's is refused.
  ///     Empty (the default) keeps the checkpoint's values without a word.
  /// - Throws: `vocabularyMismatch` when resuming on a text with other characters,
  ///   `resumeConflict`, `textTooShort`, `invalidTrainingOption`,
  ///   `invalidModelConfig`, `corruptCheckpoint` for an in-memory checkpoint whose
  ///   parts disagree.
  public init(
    text: String, textName: String, options requested: TrainingOptions, resume: Checkpoint? = nil,
    given: Set<String> = []
  )
    throws
  {
    var options = requested
    if let old = resume?.training?.options {
      if let problem = resume?.resumeProblem() {
        throw CellscopeError.corruptCheckpoint("the checkpoint", reason: problem)
      }
      options = try TrainingOptions.resumed(from: old, requested: requested, given: given)
    } else if resume != nil {
      throw CellscopeError.invalidOption(
        "the checkpoint has no training state to resume (it was not trained by cellscope)")
    }
    try options.validate()
    self.options = options
    let kind: Vocabulary.Kind = options.bytes ? .bytes : .unicode
    let textVocabulary = try Vocabulary(text: text, kind: kind)
    if let resume {
      guard resume.vocabulary.kind == kind else {
        throw CellscopeError.vocabularyMismatch(
          "the checkpoint is a \(resume.vocabulary.kind.rawValue) model but the text was read as \(kind.rawValue)"
        )
      }
      let missing = textVocabulary.symbols.filter { resume.vocabulary.index(of: $0) == nil }
      guard missing.isEmpty else {
        let shown = missing.prefix(5).map { resume.vocabulary.describe($0) }.joined(separator: " ")
        throw CellscopeError.vocabularyMismatch(
          "the text has \(missing.count) character(s) the checkpoint's vocabulary lacks (\(shown)); resume on the same text"
        )
      }
      vocabulary = resume.vocabulary
    } else {
      vocabulary = textVocabulary
    }
    let config = options.modelConfig(vocabulary.count)
    try config.validate()
    if let resume, resume.config != config {
      throw CellscopeError.corruptCheckpoint(
        "the checkpoint", reason: "its config does not match its training options")
    }
    let indices = try vocabulary.encode(text)
    dataset = try Dataset(
      indices: indices, batch: options.batchSize, steps: options.seqLength, trainFrac: options.trainFrac,
      valFrac: options.valFrac)
    network = LSTMNetwork(config: config)
    network.precision = options.precision ?? .fp32
    optimizer = Optimizer(kind: options.optimizer, parameterCount: network.layout.count)
    optimizer.decay = options.decayRate
    state = LSTMState(for: network, batch: options.batchSize)
    let hash = SHA256.hex(text.utf8)
    if let resume, let old = resume.training {
      // Sizes were checked above; the preconditions bound the raw copies anyway.
      precondition(resume.parameters.count == network.params.count)
      for j in 0..<resume.parameters.count { network.params[j] = resume.parameters[j] }
      guard Optimizer.slotNames(options.optimizer).allSatisfy({ resume.optimizerSlots[$0] != nil }) else {
        throw CellscopeError.corruptCheckpoint(
          "the checkpoint", reason: "it has no \(options.optimizer.rawValue) optimizer state to resume from")
      }
      try optimizer.restore(slots: resume.optimizerSlots, step: old.step)
      if let carried = resume.carriedState {
        precondition(carried.h.count == state.h.count && carried.c.count == state.c.count)
        for j in 0..<carried.h.count {
          state.h[j] = carried.h[j]
          state.c[j] = carried.c[j]
        }
      }
      record = old
      rng = SeededGenerator(seed: old.rngState)
      if old.textSHA256 != hash {
        pendingWarnings.append("the text differs from the one this checkpoint was trained on.")
      }
    } else {
      network.initialize(
        seed: options.seed, uniformScale: options.initUniform, forgetBias: options.forgetBias)
      rng = SeededGenerator(seed: options.seed ^ 0xD509_0A7E)
      record = TrainingRecord(
        options: options, textName: textName, textCharacters: indices.count, textSHA256: hash,
        batchesPerEpoch: dataset.trainBatches.count, learningRate: options.learningRate, rngState: rng.state)
    }
  }

  private var pendingWarnings: [String] = []

  /// The step count this run stops at (before a time limit or interruption).
  public var totalSteps: Int {
    let perEpoch = dataset.trainBatches.count
    // Saturating: maxEpochs may be huge (or infinite) and Int(_:) would trap.
    let epochSteps = (options.maxEpochs * Double(perEpoch)).rounded(.up)
    let byEpochs = epochSteps < Double(Int.max) ? Int(epochSteps) : Int.max
    return Swift.min(options.maxSteps ?? Int.max, byEpochs)
  }

  /// Trains until `totalSteps`, `maxTime`, or `shouldStop()` returns true (an
  /// interrupt), validating and saving along the way; returns the final checkpoint.
  ///
  /// - Parameter outPath: where checkpoints go (written atomically); the best by
  ///   validation loss goes beside it as `NAME.best.safetensors`. nil saves nothing.
  /// - Throws: `diverged` when the loss becomes NaN or explodes; the last good
  ///   checkpoint on disk is left as it was.
  @discardableResult
  public func run(
    outPath: String?, shouldStop: () -> Bool = { false }, progress: (TrainingEvent) -> Void = { _ in }
  )
    throws -> Checkpoint
  {
    let B = options.batchSize, T = options.seqLength, N = dataset.trainBatches.count
    // Two halves of the batch on two cores (see ShardedStep for why).
    let ws = ShardedStep(network: network, batch: B, steps: T)
    var inputs = [Int32](repeating: 0, count: T * B), targets = inputs  // (T, B)
    let total = totalSteps
    let explode = Swift.max(3 * Foundation.log(Double(vocabulary.count)), 10)
    for w in pendingWarnings { progress(.warning(w)) }
    progress(
      .started(
        totalSteps: total, batchesPerEpoch: N, vocabulary: vocabulary.count, parameters: network.layout.count)
    )
    let clock = ContinuousClock(), start = clock.now
    var stepsThisRun = 0
    var lastSaved: String?
    while record.step < total {
      let elapsed = seconds(clock.now - start)
      if shouldStop() || (options.maxTime.map { elapsed >= $0 } ?? false) { break }
      let i = record.step % N
      if i == 0 {
        state.reset()
        if Double(record.step) / Double(N) >= Double(options.lrDecayAfter) && record.step > 0 {
          record.learningRate *= options.lrDecay
          record.rateChanges.append(.init(step: record.step, learningRate: record.learningRate))
        }
      }
      dataset.batch(dataset.trainBatches.lowerBound + i, inputs: &inputs, targets: &targets)
      let loss = ws.run(
        tokens: inputs, targets: targets, state: state, train: true, dropout: &rng)
      guard loss.isFinite, loss < explode else {
        throw CellscopeError.diverged(
          step: record.step + 1, loss: loss, kept: lastSaved ?? "(none written yet)")
      }
      optimizer.update(
        params: network.params, grads: network.grads, learningRate: record.learningRate,
        clip: options.gradClip)
      record.step += 1
      record.trainLoss.append(Float(loss))
      record.rngState = rng.state
      stepsThisRun += 1
      let now = seconds(clock.now - start)
      let rate = Double(stepsThisRun * B * T) / Swift.max(now, 1e-9)
      let eta = Double(total - record.step) * now / Double(stepsThisRun)
      progress(
        .step(
          step: record.step, totalSteps: total, epoch: record.epoch, loss: loss, charsPerSecond: rate,
          eta: eta))
      let evalDue = record.step % options.evalEvery == 0
      if evalDue && record.step < total {
        try evaluate(outPath, ws: ws, progress: progress, saved: &lastSaved)
      } else if let every = options.checkpointEvery, record.step % every == 0, let outPath {
        try checkpoint().save(to: outPath)
        lastSaved = outPath
        progress(.saved(path: outPath))
      }
    }
    let recent = record.trainLoss.suffix(N)
    record.finalTrainLoss =
      recent.isEmpty ? nil : recent.reduce(0.0) { $0 + Double($1) } / Double(recent.count)
    try evaluate(outPath, ws: ws, progress: progress, saved: &lastSaved, final: true)
    progress(.finished(record))
    return checkpoint()
  }

  /// Validation loss, a sample for the history, the best checkpoint, and a save.
  private func evaluate(
    _ outPath: String?, ws: ShardedStep, progress: (TrainingEvent) -> Void, saved: inout String?,
    final: Bool = false
  ) throws {
    if !dataset.valBatches.isEmpty {
      let val = evaluateLoss(dataset.valBatches, ws: ws)
      record.evaluations.append(
        .init(step: record.step, epoch: record.epoch, valLoss: val, learningRate: record.learningRate))
      progress(.evaluated(step: record.step, valLoss: val))
      if let probe = evaluationProbe {
        let input = ProbeInput(
          network: network, vocabulary: vocabulary, tokens: validationSlice(probeCharacters),
          step: record.step)
        let scores = probe(input)
        if !scores.isEmpty {
          record.emergence = (record.emergence ?? []) + [EmergencePoint(step: record.step, features: scores)]
        }
      }
      if val < (record.bestValLoss ?? .infinity) {
        record.bestValLoss = val
        if let outPath {
          try checkpoint().save(to: Trainer.bestPath(for: outPath))
        }
      }
    }
    let sampler = Sampler(network: network, vocabulary: vocabulary)
    if let text = try? sampler.sample(
      length: options.sampleLength, temperature: 1, seed: options.seed &+ UInt64(record.step))
    {
      record.samples.append(.init(step: record.step, text: text))
    }
    if final && !dataset.testBatches.isEmpty { record.testLoss = evaluateLoss(dataset.testBatches, ws: ws) }
    if let outPath {
      try checkpoint().save(to: outPath)
      saved = outPath
      progress(.saved(path: outPath))
    }
  }

  /// Mean loss over some batches, from a zero state carried across them, no dropout.
  public func evaluateLoss(_ batches: Range<Int>, ws: ShardedStep) -> Double {
    let B = options.batchSize, T = options.seqLength
    let evalState = LSTMState<Float>(for: network, batch: B)
    var inputs = [Int32](repeating: 0, count: T * B), targets = inputs
    var sum = 0.0
    for i in batches {
      dataset.batch(i, inputs: &inputs, targets: &targets)
      sum += ws.run(
        tokens: inputs, targets: targets, state: evalState, train: false, dropout: nil)
    }
    return sum / Double(Swift.max(batches.count, 1))
  }

  /// The first `limit` characters of the validation split: stream 0's validation
  /// part, then stream 1's, and so on (each stream's part is contiguous text).
  public func validationSlice(_ limit: Int) -> [Int32] {
    let first = dataset.valBatches.lowerBound, count = dataset.valBatches.count
    guard count > 0, limit > 0 else { return [] }
    var out: [Int32] = []
    out.reserveCapacity(limit)
    for b in 0..<dataset.B where out.count < limit {
      let start = b * dataset.streamLength + first * dataset.T
      let end = Swift.min(start + count * dataset.T, start + limit - out.count)
      out.append(contentsOf: dataset.data[start..<end])
    }
    return out
  }

  /// The current model, optimizer and position as a checkpoint.
  public func checkpoint() -> Checkpoint {
    var c = Checkpoint(
      config: network.config, vocabulary: vocabulary, parameters: network.params.array, training: record)
    c.optimizerSlots = optimizer.slots
    c.carriedState = (state.h.array, state.c.array)
    return c
  }

  /// `model.safetensors` → `model.best.safetensors`.
  public static func bestPath(for path: String) -> String {
    path.hasSuffix(".safetensors") ? String(path.dropLast(12)) + ".best.safetensors" : path + ".best"
  }
}

/// A duration in seconds, as a Double.
public func seconds(_ d: Duration) -> Double {
  Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}
