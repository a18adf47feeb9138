/// Which training options a resumed run takes from the checkpoint and which
/// from the command line, and the merge itself.
///
/// The checkpoint fixes what defines the model's shape, the data split and the
/// optimisation trajectory: changing any of them mid-run would either not fit
/// the stored tensors or silently make a different run than the one resumed.
/// Stopping and bookkeeping options are the new run's to choose.
extension TrainingOptions {
  /// Property names taken from the checkpoint on resume; an explicitly given
  /// different value is refused (`resumeConflict`).
  public static let fixedOnResume = [
    "rnnSize", "numLayers", "embeddingSize", "dropout", "seqLength", "batchSize", "learningRate", "optimizer",
    "decayRate", "lrDecay", "lrDecayAfter", "gradClip", "trainFrac", "valFrac", "seed", "initUniform",
    "forgetBias", "bytes", "precision",
  ]
  /// Property names taken from the request (the command line) on resume.
  public static let chosenOnResume = [
    "maxEpochs", "maxSteps", "maxTime", "evalEvery", "checkpointEvery", "sampleLength",
  ]

  /// The options of a resumed run.
  ///
  /// - Parameters:
  ///   - stored: the checkpoint's options.
  ///   - requested: the options asked for now (defaults where not given).
  ///   - given: property names the user gave explicitly (e.g. `"rnnSize"`); an
  ///     option in `fixedOnResume` that is given with a value other than the
  ///     stored one is refused, one not given silently keeps the stored value.
  ///     Names that are not properties are ignored.
  /// - Returns: `stored` with every `chosenOnResume` option taken from `requested`.
  /// - Throws: `resumeConflict(option:stored:requested:)` for the first conflicting
  ///   option in `fixedOnResume` order.
  public static func resumed(
    from stored: TrainingOptions, requested: TrainingOptions, given: Set<String>
  ) throws -> TrainingOptions {
    for field in resumeFields where given.contains(field.name) && field.fixed {
      if !field.equal(stored, requested) {
        throw CellscopeError.resumeConflict(
          option: field.name, stored: field.show(stored), requested: field.show(requested))
      }
    }
    var merged = stored
    for field in resumeFields where !field.fixed { field.take(&merged, requested) }
    return merged
  }

  /// One option: its name, where it comes from on resume, and how to compare,
  /// show and copy it.
  struct ResumeField {
    let name: String
    let fixed: Bool
    let equal: (TrainingOptions, TrainingOptions) -> Bool
    let show: (TrainingOptions) -> String
    let take: (inout TrainingOptions, TrainingOptions) -> Void
  }

  static func field<V: Equatable>(_ name: String, _ path: WritableKeyPath<TrainingOptions, V>) -> ResumeField
  {
    ResumeField(
      name: name, fixed: fixedOnResume.contains(name),
      equal: { $0[keyPath: path] == $1[keyPath: path] },
      show: { describe($0[keyPath: path]) },
      take: { $0[keyPath: path] = $1[keyPath: path] })
  }

  /// Every option, in declaration order; a test checks it against the type's properties.
  static var resumeFields: [ResumeField] {
    [
      field("rnnSize", \.rnnSize), field("numLayers", \.numLayers), field("embeddingSize", \.embeddingSize),
      field("dropout", \.dropout), field("seqLength", \.seqLength), field("batchSize", \.batchSize),
      field("learningRate", \.learningRate), field("optimizer", \.optimizer), field("decayRate", \.decayRate),
      field("lrDecay", \.lrDecay), field("lrDecayAfter", \.lrDecayAfter), field("gradClip", \.gradClip),
      field("maxEpochs", \.maxEpochs), field("maxSteps", \.maxSteps), field("maxTime", \.maxTime),
      field("trainFrac", \.trainFrac), field("valFrac", \.valFrac), field("evalEvery", \.evalEvery),
      field("checkpointEvery", \.checkpointEvery), field("seed", \.seed), field("initUniform", \.initUniform),
      field("forgetBias", \.forgetBias), field("bytes", \.bytes), field("sampleLength", \.sampleLength),
      ResumeField(  // nil is fp32, shown by name
        name: "precision", fixed: fixedOnResume.contains("precision"),
        equal: { $0.precision == $1.precision },
        show: { ($0.precision ?? .fp32).rawValue }, take: { $0.precision = $1.precision }),
    ]
  }

  /// Names of the options `resumeFields` covers, for tests.
  static var resumeFieldNames: [String] { resumeFields.map(\.name) }
}

extension Checkpoint {
  /// Why this checkpoint cannot be resumed as it is, or nil. `Checkpoint.load`
  /// checks all of it already; a checkpoint built or changed in memory may not
  /// have been, and the trainer copies its arrays into buffers sized by the
  /// config, so every size is checked here against the config first.
  public func resumeProblem() -> String? {
    if let p = config.problem { return "its config has \(p.problem)" }
    guard let training else { return "it has no training state to resume" }
    if let p = training.problem(config: config, vocabulary: vocabulary) { return p }
    let layout = ParameterLayout(config)
    guard parameters.count == layout.count else {
      return "it has \(parameters.count) parameters but its config needs \(layout.count)"
    }
    for (name, values) in optimizerSlots where values.count != layout.count {
      return "its optimizer state \(name) has \(values.count) values but its config needs \(layout.count)"
    }
    if let s = carriedState {
      let n = config.numLayers * training.options.batchSize * config.hiddenSize
      guard s.h.count == n, s.c.count == n else { return "its carried training state has the wrong size" }
    }
    return nil
  }
}

/// A value as a user would type it: optionals without `Optional(...)`, nil as "none",
/// enums by their raw value.
private func describe(_ value: Any) -> String {
  let mirror = Mirror(reflecting: value)
  if mirror.displayStyle == .optional {
    guard let inner = mirror.children.first?.value else { return "none" }
    return describe(inner)
  }
  if let kind = value as? Optimizer.Kind { return kind.rawValue }
  return "\(value)"
}
