import CharLSTM
import Foundation

/// What `cellscope record` writes, and how.
public struct ActivationExportOptions: Sendable, Equatable {
  /// The per-layer quantities that can be exported, each as a (T, L, H) tensor.
  public enum State: String, Sendable, CaseIterable {
    /// The raw cell state c_t (not tanh(c_t), which the site shows); unbounded.
    case c
    /// The hidden state h_t = o ⊙ tanh(c_t), in (-1, 1); the layer's output.
    case h
    /// Input gate σ(z_i), in (0, 1).
    case i
    /// Forget gate σ(z_f), in (0, 1).
    case f
    /// Candidate tanh(z_g), in (-1, 1).
    case g
    /// Output gate σ(z_o), in (0, 1).
    case o
  }

  /// Which states to write, in any order (each at most once).
  public var states: [State] = State.allCases
  /// Element type of the state tensors: `.f32`, or `.f16` for half the size
  /// (relative error ≤ 2⁻¹¹; |c| beyond 65504 becomes infinity).
  public var dtype: SafeTensorsDType = .f32
  /// Characters per forward call. The state is carried across calls, so the
  /// values do not depend on it; it bounds the memory used (O(steps·L·H + steps·V)).
  public var steps = 64
  /// Next characters kept per position (fewer when the vocabulary is smaller).
  public var topK = 5
  /// The matrix products' precision (bf16 runs as fp32 on a CPU without AVX512-BF16).
  public var precision = Precision.fp32

  public init() {}

  /// Parses `--states`: a comma-separated subset of c, h, i, f, g, o.
  ///
  /// - Throws: `invalidOption` naming an unknown or repeated state, or an empty list.
  public static func parseStates(_ list: String) throws -> [State] {
    var states: [State] = []
    for part in list.split(separator: ",", omittingEmptySubsequences: false) {
      let name = part.trimmingCharacters(in: .whitespaces)
      guard let s = State(rawValue: name) else {
        throw CellscopeError.invalidOption(
          "--states takes a comma-separated list of c, h, i, f, g, o; \"\(name)\" is not one of them.")
      }
      guard !states.contains(s) else {
        throw CellscopeError.invalidOption("--states names \(name) twice.")
      }
      states.append(s)
    }
    return states
  }

  /// Parses `--dtype`: f32 or f16.
  public static func parseDType(_ name: String) throws -> SafeTensorsDType {
    switch name.lowercased() {
    case "f32", "float32": return .f32
    case "f16", "float16": return .f16
    default: throw CellscopeError.invalidOption("--dtype must be f32 or f16, not \"\(name)\".")
    }
  }
}

/// How an export ended.
public enum ActivationExportOutcome: Sendable, Equatable {
  /// The file is in place: `characters` positions, `bytes` bytes.
  case completed(characters: Int, bytes: Int)
  /// Stopped by the cancellation closure; nothing was written, any previous file is intact.
  case interrupted
}

/// Runs a model over a text as one stream (batch 1, from a zero state, no
/// dropout: the exact recording) and writes every position's states, gates and
/// next-character predictions to a safetensors file that
/// `safetensors.numpy.load_file` reads. Letters: T characters, L layers, H cells,
/// V vocabulary size, K = min(topK, V).
///
/// Tensors (all C-order, little-endian):
/// - `c`, `h`, `i`, `f`, `g`, `o` (T, L, H), F32 or F16, the ones chosen: the value
///   after reading character t in layer l. `c` is the raw cell state, not tanh(c).
/// - `text` (T) I32: the code points read (byte values for a byte-level model).
/// - `targets` (T) I32: the next code point, -1 at the last position.
/// - `loss` (T) F32: −ln p(targets[t]) in nats, computed from the logits in Double;
///   NaN at the last position, which has no next character (`np.nanmean` skips it).
/// - `top5_index` (T, K) I32: code points of the K most likely next characters,
///   most likely first (ties: lower code point first); `top5_prob` (T, K) F32 their
///   probabilities. The names keep "5" whatever `topK` is.
/// - `vocabulary` (V) I32: the model's code points in index order.
///
/// `__metadata__` holds `format` ("cellscope-activations-1"), `states`, `dtype`,
/// `layers`, `hidden` and the model's `config` JSON; no path or time, so the same
/// model, text and options give the same bytes.
///
/// Memory does not grow with T beyond the text and its encoding (about 12 bytes
/// per character): each chunk of `steps` positions is written to its place in the
/// file as soon as it is computed.
public struct ActivationExporter {
  public let checkpoint: Checkpoint
  public let options: ActivationExportOptions
  public static let format = "cellscope-activations-1"

  public init(checkpoint: Checkpoint, options: ActivationExportOptions = .init()) {
    self.checkpoint = checkpoint
    self.options = options
  }

  /// Whether the file at `path` is a cellscope activation export (its header's
  /// metadata carries ``format``); false for anything unreadable or too short.
  public static func isExport(path: String) -> Bool {
    guard let handle = FileHandle(forReadingAtPath: path) else { return false }
    defer { try? handle.close() }
    guard let prefix = try? handle.read(upToCount: 8), prefix.count == 8 else { return false }
    let n = prefix.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    guard n <= 1 << 20, let header = try? handle.read(upToCount: Int(n)) else { return false }
    return String(decoding: header, as: UTF8.self).contains("\"format\":\"\(format)\"")
  }

  /// Writes the export of `text` to `path`, atomically (see ``SafeTensorsStreamWriter``).
  ///
  /// - Parameters:
  ///   - progress: called after each chunk with (characters done, total).
  ///   - shouldStop: polled before each chunk; returning true stops the export,
  ///     removes the temporary file and returns `.interrupted`.
  /// - Throws: `emptyText`, `characterNotInVocabulary`, `invalidOption` (no states,
  ///   or a dtype other than f32/f16), `unwritableOutput`; the target is then untouched.
  public func export(
    text: String, to path: String, progress: ((Int, Int) -> Void)? = nil, shouldStop: () -> Bool = { false }
  ) throws -> ActivationExportOutcome {
    guard !options.states.isEmpty, Set(options.states).count == options.states.count else {
      throw CellscopeError.invalidOption("--states must name at least one of c, h, i, f, g, o, each once.")
    }
    guard options.dtype == .f32 || options.dtype == .f16 else {
      throw CellscopeError.invalidOption("--dtype must be f32 or f16.")
    }
    let tokens = try checkpoint.vocabulary.encode(text)
    guard !tokens.isEmpty else { throw CellscopeError.emptyText("the text to record") }
    let config = checkpoint.config
    let T = tokens.count, L = config.numLayers, H = config.hiddenSize, V = config.vocabSize
    let K = min(max(1, options.topK), V), symbols = checkpoint.vocabulary.symbols
    var entries = options.states.map { SafeTensorsStreamWriter.Entry($0.rawValue, options.dtype, [T, L, H]) }
    entries += [
      .init("text", .i32, [T]), .init("targets", .i32, [T]), .init("loss", .f32, [T]),
      .init("top5_index", .i32, [T, K]), .init("top5_prob", .f32, [T, K]), .init("vocabulary", .i32, [V]),
    ]
    let metadata = [
      "format": ActivationExporter.format, "states": options.states.map(\.rawValue).joined(separator: ","),
      "dtype": options.dtype.rawValue, "layers": "\(L)", "hidden": "\(H)", "config": try encodeJSON(config),
    ]
    if shouldStop() { return .interrupted }
    let writer = try SafeTensorsStreamWriter(path: path, tensors: entries, metadata: metadata)
    do {
      try symbols.map { Int32(bitPattern: $0) }.withUnsafeBufferPointer {
        try writer.write("vocabulary", at: 0, $0)
      }
      let network = checkpoint.readingNetwork(precision: options.precision)
      let state = LSTMState<Float>(for: network, batch: 1)
      let chunk = max(1, options.steps)
      var ws = LSTMWorkspace<Float>(config: config, batch: 1, steps: min(chunk, T))
      var values = [Float](repeating: 0, count: chunk * L * H)  // (steps, L, H) one state's chunk
      var codes = [Int32](repeating: 0, count: chunk * max(K, 2))  // (steps, K) or (steps, 2)
      var floats = [Float](repeating: 0, count: chunk * K)  // (steps, K) or (steps)
      var start = 0
      while start < T {
        if shouldStop() {
          writer.abandon()
          return .interrupted
        }
        let n = min(chunk, T - start)
        if n != ws.T { ws = LSTMWorkspace(config: config, batch: 1, steps: n) }
        tokens.withUnsafeBufferPointer {
          network.forward(tokens: $0.baseAddress! + start, state: state, workspace: ws)
        }
        // States: gather (n, L, H) from the per-layer caches (t, B = 1, ·).
        for s in options.states {
          for k in 0..<L {
            let cache = ws.layers[k]
            for t in 0..<n {
              let source: UnsafeMutablePointer<Float>
              switch s {
              case .c: source = cache.c.p + (t + 1) * H  // slot 0 is the state carried in
              case .h: source = cache.h.p + (t + 1) * H
              case .i: source = cache.gates.p + t * 4 * H
              case .f: source = cache.gates.p + t * 4 * H + H
              case .g: source = cache.gates.p + t * 4 * H + 2 * H
              case .o: source = cache.gates.p + t * 4 * H + 3 * H
              }
              values.withUnsafeMutableBufferPointer { v in
                (v.baseAddress! + (t * L + k) * H).update(from: source, count: H)
              }
            }
          }
          try values.withUnsafeBufferPointer {
            try writer.write(
              s.rawValue, at: start * L * H, UnsafeBufferPointer(rebasing: $0[0..<(n * L * H)]))
          }
        }
        // Text and targets, (n) each.
        for t in 0..<n {
          let p = start + t
          codes[t] = Int32(bitPattern: symbols[Int(tokens[p])])
          codes[n + t] = p + 1 < T ? Int32(bitPattern: symbols[Int(tokens[p + 1])]) : -1
        }
        try codes.withUnsafeBufferPointer { c in
          try writer.write("text", at: start, UnsafeBufferPointer(rebasing: c[0..<n]))
          try writer.write("targets", at: start, UnsafeBufferPointer(rebasing: c[n..<(2 * n)]))
        }
        // Loss (n), from the log-sum-exp of the logits so that tiny probabilities keep their precision.
        var lse = [Double](repeating: 0, count: n)
        for t in 0..<n {
          let row = ws.logits.p + t * V
          lse[t] = logSumExp(row, count: V)
          let p = start + t
          floats[t] = p + 1 < T ? Float(lse[t] - Double(row[Int(tokens[p + 1])])) : .nan
        }
        try floats.withUnsafeBufferPointer {
          try writer.write("loss", at: start, UnsafeBufferPointer(rebasing: $0[0..<n]))
        }
        // Top K (n, K): the largest logits, lower index (code point) first on ties.
        for t in 0..<n {
          let row = ws.logits.p + t * V
          var best = [Int](repeating: -1, count: K)
          for v in 0..<V {
            var slot = K
            while slot > 0 && (best[slot - 1] < 0 || row[v] > row[best[slot - 1]]) { slot -= 1 }
            guard slot < K else { continue }
            for j in stride(from: K - 1, to: slot, by: -1) { best[j] = best[j - 1] }
            best[slot] = v
          }
          for j in 0..<K {
            codes[t * K + j] = Int32(bitPattern: symbols[best[j]])
            floats[t * K + j] = Float(Foundation.exp(Double(row[best[j]]) - lse[t]))
          }
        }
        try codes.withUnsafeBufferPointer {
          try writer.write("top5_index", at: start * K, UnsafeBufferPointer(rebasing: $0[0..<(n * K)]))
        }
        try floats.withUnsafeBufferPointer {
          try writer.write("top5_prob", at: start * K, UnsafeBufferPointer(rebasing: $0[0..<(n * K)]))
        }
        start += n
        progress?(start, T)
      }
      try writer.commit()
      return .completed(characters: T, bytes: writer.fileSize)
    } catch {
      writer.abandon()
      throw error
    }
  }
}
