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
    for j in 0..<parameters.count { net.params[j] = S(parameters[j]) }
    return net
  }

  // MARK: Writing

  public func serialized() -> [UInt8] {
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
    st.metadata["config"] = encodeJSON(config)
    st.metadata["vocabulary"] = encodeJSON(VocabularyJSON(kind: vocabulary.kind, symbols: vocabulary.symbols))
    if let training { st.metadata["training"] = encodeJSON(training) }
    return st.serialized()
  }

  /// Saves atomically (temporary file, fsync, rename).
  public func save(to path: String) throws { try writeAtomically(serialized(), to: path) }

  // MARK: Reading

  /// Loads and validates a checkpoint; every problem becomes one `corruptCheckpoint` sentence.
  public static func load(path: String) throws -> Checkpoint {
    let st = try SafeTensors.read(path: path)
    return try Checkpoint(st, name: path)
  }

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
    do { try config.validate() } catch { throw fail("its config is invalid: \(error)") }
    guard let vocabText = st.metadata["vocabulary"], let vj = decodeJSON(VocabularyJSON.self, vocabText)
    else {
      throw fail("its vocabulary metadata is missing or malformed")
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
      training = record
    }
    let layout = ParameterLayout(config)
    var params = [Float](repeating: 0, count: layout.count)
    var known = Set<String>()
    for e in layout.entries {
      guard let t = st.tensors[e.name] else { throw fail("tensor \(e.name) is missing") }
      guard t.shape == e.shape else {
        throw fail("tensor \(e.name) has shape \(t.shape), expected \(e.shape)")
      }
      guard t.values.allSatisfy({ $0.isFinite }) else {
        throw fail("tensor \(e.name) contains NaN or infinite values")
      }
      params.replaceSubrange(e.offset..<(e.offset + e.count), with: t.values)
      known.insert(e.name)
    }
    self.init(config: config, vocabulary: vocabulary, parameters: params, training: training)
    if let kind = training?.options.optimizer {
      for slot in Optimizer.slotNames(kind) {
        var values = [Float](repeating: 0, count: layout.count)
        var complete = true
        for e in layout.entries {
          let name = "optimizer.\(e.name).\(slot)"
          guard let t = st.tensors[name] else {
            complete = false
            continue
          }
          guard t.shape == e.shape else {
            throw fail("tensor \(name) has shape \(t.shape), expected \(e.shape)")
          }
          values.replaceSubrange(e.offset..<(e.offset + e.count), with: t.values)
          known.insert(name)
        }
        if complete { optimizerSlots[slot] = values }
      }
    }
    if let h = st.tensors["train.h"], let c = st.tensors["train.c"], let B = training?.options.batchSize {
      let shape = [config.numLayers, B, config.hiddenSize]
      guard h.shape == shape, c.shape == shape else {
        throw fail("its carried training state has the wrong shape")
      }
      carriedState = (h.values, c.values)
      known.formUnion(["train.h", "train.c"])
    }
    if let extra = st.tensors.keys.sorted().first(where: { !known.contains($0) }) {
      throw fail("it holds an unexpected tensor \(extra)")
    }
  }
}

struct VocabularyJSON: Codable {
  var kind: Vocabulary.Kind
  var symbols: [UInt32]
}

/// JSON with sorted keys, so the same value always gives the same bytes.
public func encodeJSON<T: Encodable>(_ value: T) -> String {
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
  return String(decoding: try! encoder.encode(value), as: UTF8.self)
}

public func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String) -> T? {
  try? JSONDecoder().decode(type, from: Data(text.utf8))
}
