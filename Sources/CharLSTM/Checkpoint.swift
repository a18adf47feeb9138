import Foundation

/// A trained model on disk: a `.safetensors` file whose tensors carry PyTorch's
/// names (`lstm.weight_ih_l0`, ..., `decoder.weight`) and whose `__metadata__`
/// carries `format`, `config`, `vocabulary` and, for models cellscope trained,
/// `training` (options, history, text hash, position). Optimizer state sits
/// under `optimizer.<tensor>.<slot>`, the carried BPTT state under `train.h` and
/// `train.c` (L, B, H); a model exported from PyTorch needs neither.
public struct Checkpoint: Sendable {
  public static let format = "cellscope-1"

  public var config: ModelConfig
  public var vocabulary: Vocabulary
  /// All parameters in `ParameterLayout(config)` order.
  public var parameters: [Float]
  public var training: TrainingRecord?
  /// Optimizer slot name → values in layout order.
  public var optimizerSlots: [String: [Float]] = [:]
  /// The state carried between training batches: h and c, each (L, B, H).
  public var carriedState: (h: [Float], c: [Float])?

  public init(
    config: ModelConfig, vocabulary: Vocabulary, parameters: [Float], training: TrainingRecord? = nil
  ) {
    self.config = config
    self.vocabulary = vocabulary
    self.parameters = parameters
    self.training = training
  }

  /// A network holding these weights, in the scalar type asked for.
  public func network<S: LSTMScalar>(_: S.Type = Float.self) -> LSTMNetwork<S> {
    let net = LSTMNetwork<S>(config: config)
    // The buffer is sized by the config; never write past it whatever `parameters` holds.
    precondition(parameters.count == net.params.count, "parameters do not match the config's layout")
    for j in 0..<parameters.count { net.params[j] = S(parameters[j]) }
    return net
  }

  /// The network for reading texts only (recording, scoring, ablation), its
  /// products in `precision`: its weights never change, so that the bf16
  /// products round and pack each of them once (``LSTMNetwork/weightsAreFixed``).
  public func readingNetwork(precision: Precision) -> LSTMNetwork<Float> {
    let net: LSTMNetwork<Float> = network()
    net.precision = precision
    net.weightsAreFixed = true
    return net
  }

  // MARK: Writing

  /// The file's bytes (deterministic: the same checkpoint gives the same bytes).
  /// - Throws: `nonFinite` when the training record holds NaN or infinite figures.
  public func serialized() throws -> [UInt8] {
    var st = SafeTensors()
    let layout = ParameterLayout(config)
    for e in layout.entries {
      st.tensors[e.name] = .init(shape: e.shape, values: Array(parameters[e.offset..<(e.offset + e.count)]))
      for (slot, values) in optimizerSlots {
        st.tensors["optimizer.\(e.name).\(slot)"] = .init(
          shape: e.shape, values: Array(values[e.offset..<(e.offset + e.count)]))
      }
    }
    if let s = carriedState, let B = training?.options.batchSize {
      let shape = [config.numLayers, B, config.hiddenSize]
      st.tensors["train.h"] = .init(shape: shape, values: s.h)
      st.tensors["train.c"] = .init(shape: shape, values: s.c)
    }
    st.metadata["format"] = Checkpoint.format
    st.metadata["config"] = try encodeJSON(config, describing: "the model")
    st.metadata["vocabulary"] = try encodeJSON(
      VocabularyJSON(kind: vocabulary.kind, symbols: vocabulary.symbols), describing: "the model")
    if let training { st.metadata["training"] = try encodeJSON(training, describing: "the training record") }
    return st.serialized()
  }

  /// Saves atomically (temporary file, fsync, rename).
  public func save(to path: String) throws { try writeAtomically(try serialized(), to: path) }

  // MARK: Reading

  /// Largest magnitude accepted in weights, optimizer state and carried state.
  /// Trained weights stay far below it; above it a forward pass can overflow
  /// Float (W·x sums up to 8192 terms) into infinities and NaN.
  public static let maxMagnitude: Float = 1e6

  /// Loads and validates a checkpoint; `-` reads standard input. Every problem
  /// becomes one `corruptCheckpoint` sentence.
  public static func load(path: String) throws -> Checkpoint {
    let st = try SafeTensors.read(path: path)
    return try Checkpoint(st, name: path == "-" ? "standard input" : path)
  }

  /// Parses and validates a checkpoint held in memory; `name` is used in errors.
  public init(bytes: [UInt8], name: String) throws {
    try self.init(SafeTensors.parse(bytes, name: name), name: name)
  }

  /// Validates every field against every other before sizing anything from them:
  /// config ranges, vocabulary against config, training options against config
  /// and vocabulary, tensor shapes against the config, values finite and below
  /// `maxMagnitude`, optimizer and carried state complete and of the right shapes.
  /// Nothing large is allocated from a claimed size: every buffer made here is
  /// only made once the tensors that fill it (read from the file) are in hand.
  public init(_ st: SafeTensors, name: String) throws {
    func fail(_ reason: String) -> CellscopeError { .corruptCheckpoint(name, reason: reason) }
    guard let format = st.metadata["format"], format.hasPrefix("cellscope-") else {
      throw fail(
        "its metadata has no cellscope format tag (is it a plain PyTorch file? export it with scripts/torch_interop.py)"
      )
    }
    guard format == Checkpoint.format else {
      throw fail("format \(format) is newer than this cellscope reads (\(Checkpoint.format))")
    }
    guard let configText = st.metadata["config"], let config = decodeJSON(ModelConfig.self, configText) else {
      throw fail("its config metadata is missing or malformed")
    }
    if let p = config.problem { throw fail("its config has \(p.problem)") }
    guard let vocabText = st.metadata["vocabulary"], let vj = decodeJSON(VocabularyJSON.self, vocabText)
    else {
      throw fail("its vocabulary metadata is missing or malformed")
    }
    guard vj.symbols.count == config.vocabSize else {
      throw fail("its vocabulary has \(vj.symbols.count) characters but its config says \(config.vocabSize)")
    }
    let vocabulary: Vocabulary
    do { vocabulary = try Vocabulary(kind: vj.kind, symbols: vj.symbols) } catch { throw fail("\(error)") }
    guard vocabulary.count == config.vocabSize else {
      throw fail("its vocabulary has \(vocabulary.count) characters but its config says \(config.vocabSize)")
    }
    var training: TrainingRecord?
    if let t = st.metadata["training"] {
      guard let record = decodeJSON(TrainingRecord.self, t) else {
        throw fail("its training metadata is malformed")
      }
      if let problem = record.problem(config: config, vocabulary: vocabulary) { throw fail(problem) }
      training = record
    }
    let layout = ParameterLayout(config)
    var known = Set<String>()
    // Shapes and values first: only then is the parameter buffer sized.
    for e in layout.entries {
      guard let t = st.tensors[e.name] else { throw fail("tensor \(e.name) is missing") }
      try Self.check(t, named: e.name, shape: e.shape, fail)
      known.insert(e.name)
    }
    var params = [Float](repeating: 0, count: layout.count)
    for e in layout.entries {
      params.replaceSubrange(e.offset..<(e.offset + e.count), with: st.tensors[e.name]!.values)
    }
    self.init(config: config, vocabulary: vocabulary, parameters: params, training: training)
    if let kind = training?.options.optimizer {
      for slot in Optimizer.slotNames(kind) {
        let names = layout.entries.map { "optimizer.\($0.name).\(slot)" }
        let present = names.filter { st.tensors[$0] != nil }
        if present.isEmpty { continue }
        if let missing = names.first(where: { st.tensors[$0] == nil }) {
          throw fail("its optimizer state is incomplete (tensor \(missing) is missing)")
        }
        for (e, name) in zip(layout.entries, names) {
          try Self.check(st.tensors[name]!, named: name, shape: e.shape, fail)
        }
        var values = [Float](repeating: 0, count: layout.count)
        for (e, name) in zip(layout.entries, names) {
          values.replaceSubrange(e.offset..<(e.offset + e.count), with: st.tensors[name]!.values)
          known.insert(name)
        }
        optimizerSlots[slot] = values
      }
    }
    let h = st.tensors["train.h"], c = st.tensors["train.c"]
    if h != nil || c != nil {
      guard let h, let c, let B = training?.options.batchSize else {
        throw fail(
          "its carried training state is incomplete (train.h and train.c go together with training metadata)")
      }
      let shape = [config.numLayers, B, config.hiddenSize]
      try Self.check(h, named: "train.h", shape: shape, fail)
      try Self.check(c, named: "train.c", shape: shape, fail)
      carriedState = (h.values, c.values)
      known.formUnion(["train.h", "train.c"])
    }
    if let extra = st.tensors.keys.sorted().first(where: { !known.contains($0) }) {
      throw fail("it holds an unexpected tensor \(extra)")
    }
  }

  /// Shape as expected; values finite and within `maxMagnitude`.
  private static func check(
    _ t: SafeTensors.Tensor, named name: String, shape: [Int], _ fail: (String) -> CellscopeError
  ) throws {
    guard t.shape == shape else { throw fail("tensor \(name) has shape \(t.shape), expected \(shape)") }
    guard t.values.count == shape.reduce(1, *) else {
      throw fail("tensor \(name) has the wrong number of values")
    }
    guard t.values.allSatisfy({ $0.isFinite }) else {
      throw fail("tensor \(name) contains NaN or infinite values")
    }
    if let big = t.values.first(where: { abs($0) > maxMagnitude }) {
      throw fail("tensor \(name) holds \(big), beyond the largest magnitude accepted (\(Int(maxMagnitude)))")
    }
  }
}

struct VocabularyJSON: Codable {
  var kind: Vocabulary.Kind
  var symbols: [UInt32]
}

/// JSON with sorted keys, so the same value always gives the same bytes.
/// - Throws: `nonFinite` naming `name` when a figure is NaN or infinite (JSON has
///   no such numbers); never traps.
public func encodeJSON<T: Encodable>(_ value: T, describing name: String = "the data") throws -> String {
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
  do {
    return String(decoding: try encoder.encode(value), as: UTF8.self)
  } catch let EncodingError.invalidValue(_, context) {
    let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(
      separator: ".")
    throw CellscopeError.nonFinite(name, what: path.isEmpty ? "a figure" : "at \(path)")
  } catch {
    throw CellscopeError.nonFinite(name, what: "\(error)")
  }
}

public func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String) -> T? {
  try? JSONDecoder().decode(type, from: Data(text.utf8))
}
