import CharLSTM
import Foundation
import Interpretability
import Testing

// `cellscope record`'s export, checked against a plain LSTM written out below in
// Double and read back with a safetensors parser written here from the format's
// definition (the project's reader reads float tensors only).

/// A safetensors file parsed from its definition: 8-byte LE header length, JSON header, data.
struct ParsedSafeTensors {
  struct Entry {
    var dtype: String
    var shape: [Int]
    var begin: Int, end: Int  // within the data section
  }
  let bytes: [UInt8]
  let dataStart: Int
  var entries: [String: Entry] = [:]
  var metadata: [String: String] = [:]

  init(path: String) throws {
    bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    var n = 0
    for i in 0..<8 { n |= Int(bytes[i]) << (8 * i) }
    dataStart = 8 + n
    let json = try JSONSerialization.jsonObject(with: Data(bytes[8..<dataStart])) as! [String: Any]
    for (key, value) in json {
      if key == "__metadata__" {
        metadata = value as! [String: String]
        continue
      }
      let e = value as! [String: Any]
      let offsets = e["data_offsets"] as! [Int]
      entries[key] = Entry(
        dtype: e["dtype"] as! String, shape: e["shape"] as! [Int], begin: offsets[0], end: offsets[1])
    }
  }

  func floats(_ name: String) -> [Double] {
    let e = entries[name]!
    let base = dataStart + e.begin
    switch e.dtype {
    case "F32":
      return (0..<((e.end - e.begin) / 4)).map { i in
        Double(
          Float(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[base + 4 * i + $1]) << (8 * $1) }))
      }
    case "F16":
      return (0..<((e.end - e.begin) / 2)).map { i in
        Double(Float16(bitPattern: UInt16(bytes[base + 2 * i]) | UInt16(bytes[base + 2 * i + 1]) << 8))
      }
    default: fatalError("not a float tensor: \(e.dtype)")
    }
  }

  func ints(_ name: String) -> [Int] {
    let e = entries[name]!
    let base = dataStart + e.begin
    if e.dtype == "I64" {
      return (0..<((e.end - e.begin) / 8)).map { i in
        Int(
          Int64(bitPattern: (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[base + 8 * i + $1]) << (8 * $1) }))
      }
    }
    precondition(e.dtype == "I32")
    return (0..<((e.end - e.begin) / 4)).map { i in
      Int(Int32(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[base + 4 * i + $1]) << (8 * $1) }))
    }
  }
}

/// Every value of the export for one stream from a zero state, from the
/// checkpoint's PyTorch-named tensors, one plain LSTM step at a time in Double.
struct NaiveStream {
  var states: [String: [Double]] = [:]  // name → (T, L, H)
  var probs: [[Double]] = []  // (T, V)

  init(checkpoint: Checkpoint, text: String) throws {
    let st = try SafeTensors.parse(checkpoint.serialized(), name: "model")
    func w(_ name: String) -> [Double] { st.tensors[name]!.values.map(Double.init) }
    let config = checkpoint.config, L = config.numLayers, H = config.hiddenSize, V = config.vocabSize
    precondition(config.embeddingSize == 0)
    let x = try checkpoint.vocabulary.encode(text)
    var h = [[Double]](repeating: [Double](repeating: 0, count: H), count: L), c = h
    func sigma(_ z: Double) -> Double { 1 / (1 + exp(-z)) }
    for name in ["c", "h", "i", "f", "g", "o"] { states[name] = [] }
    for token in x {
      var input = [Double](repeating: 0, count: V)
      input[Int(token)] = 1
      for k in 0..<L {
        let wih = w("lstm.weight_ih_l\(k)"), whh = w("lstm.weight_hh_l\(k)")
        let bih = w("lstm.bias_ih_l\(k)"), bhh = w("lstm.bias_hh_l\(k)"), D = input.count
        var z = [Double](repeating: 0, count: 4 * H)
        for r in 0..<(4 * H) {
          z[r] = bih[r] + bhh[r]
          for d in 0..<D { z[r] += wih[r * D + d] * input[d] }
          for j in 0..<H { z[r] += whh[r * H + j] * h[k][j] }
        }
        // PyTorch's gate order: i, f, g, o.
        let i = (0..<H).map { sigma(z[$0]) }, f = (0..<H).map { sigma(z[H + $0]) }
        let g = (0..<H).map { tanh(z[2 * H + $0]) }, o = (0..<H).map { sigma(z[3 * H + $0]) }
        for j in 0..<H {
          c[k][j] = f[j] * c[k][j] + i[j] * g[j]
          h[k][j] = o[j] * tanh(c[k][j])
        }
        states["c"]! += c[k]
        states["h"]! += h[k]
        states["i"]! += i
        states["f"]! += f
        states["g"]! += g
        states["o"]! += o
        input = h[k]
      }
      let wd = w("decoder.weight"), bd = w("decoder.bias")
      let logits = (0..<V).map { v in bd[v] + (0..<H).map { wd[v * H + $0] * h[L - 1][$0] }.reduce(0, +) }
      let e = logits.map { exp($0) }, s = e.reduce(0, +)
      probs.append(e.map { $0 / s })
    }
  }
}

@Suite struct ActivationExportTests {
  /// 2 layers of 5 cells, weights large enough that |c| passes 1 (so c and tanh(c)
  /// differ), dropout 0.3 in the config (the export must not apply it).
  static func model(text: String) throws -> Checkpoint {
    let vocabulary = try Vocabulary(text: text)
    let config = ModelConfig(vocabSize: vocabulary.count, hiddenSize: 5, numLayers: 2, dropout: 0.3)
    let net = LSTMNetwork<Float>(config: config)
    net.initialize(seed: 5, uniformScale: 1.0, forgetBias: 2)
    return Checkpoint(config: config, vocabulary: vocabulary, parameters: net.params.array)
  }

  static let text = Fixtures.quotedText(characters: 300, seed: 3) + "é✓"

  static func folder() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("record-\(UUID().uuidString)")
      .path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
  }

  static func export(
    _ checkpoint: Checkpoint, to path: String,
    states: [ActivationExportOptions.State] = ActivationExportOptions
      .State.allCases, dtype: SafeTensorsDType = .f32, steps: Int = 64
  ) throws -> ActivationExportOutcome {
    var options = ActivationExportOptions()
    options.states = states
    options.dtype = dtype
    options.steps = steps
    return try ActivationExporter(checkpoint: checkpoint, options: options).export(text: text, to: path)
  }

  @Test func valuesEqualANaiveDoubleRecomputation() throws {
    let checkpoint = try Self.model(text: Self.text)
    let dir = try Self.folder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/acts.safetensors"
    // 64 steps per call over 302 characters: four full chunks and a partial one.
    let outcome = try Self.export(checkpoint, to: path)
    let file = try ParsedSafeTensors(path: path)
    let naive = try NaiveStream(checkpoint: checkpoint, text: Self.text)
    let T = Self.text.unicodeScalars.count, V = checkpoint.config.vocabSize
    #expect(outcome == .completed(characters: T, bytes: file.bytes.count))
    for name in ["c", "h", "i", "f", "g", "o"] {
      let got = file.floats(name), want = naive.states[name]!
      #expect(got.count == want.count && got.count == T * 2 * 5)
      let worst = zip(got, want).map { abs($0 - $1) }.max()!
      #expect(worst < 1e-4, "\(name): largest difference \(worst)")
    }
    #expect(naive.states["c"]!.contains { abs($0) > 1.5 }, "the test must tell c from tanh(c)")
    let codes = Self.text.unicodeScalars.map { Int($0.value) }
    #expect(file.ints("text") == codes)
    #expect(file.ints("targets") == Array(codes.dropFirst()) + [-1])
    #expect(file.ints("vocabulary") == checkpoint.vocabulary.symbols.map(Int.init))
    let loss = file.floats("loss"), symbols = checkpoint.vocabulary.symbols.map(Int.init)
    for t in 0..<(T - 1) {
      let y = symbols.firstIndex(of: codes[t + 1])!
      #expect(abs(loss[t] - -log(naive.probs[t][y])) < 1e-4)
    }
    #expect(loss[T - 1].isNaN)
    let topIndex = file.ints("top5_index"), topProb = file.floats("top5_prob")
    #expect(file.entries["top5_index"]!.shape == [T, 5])
    for t in 0..<T {
      let order = (0..<V).sorted { naive.probs[t][$0] > naive.probs[t][$1] }.prefix(5)
      #expect(Array(topIndex[(t * 5)..<(t * 5 + 5)]) == order.map { symbols[$0] })
      for (j, v) in order.enumerated() { #expect(abs(topProb[t * 5 + j] - naive.probs[t][v]) < 1e-4) }
    }
  }

  @Test func fileLayoutFollowsTheSafetensorsFormat() throws {
    let checkpoint = try Self.model(text: Self.text)
    let dir = try Self.folder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    _ = try Self.export(checkpoint, to: dir + "/a.safetensors", dtype: .f16)
    _ = try Self.export(checkpoint, to: dir + "/b.safetensors", dtype: .f16, steps: 7)
    let file = try ParsedSafeTensors(path: dir + "/a.safetensors")
    let T = Self.text.unicodeScalars.count, V = checkpoint.config.vocabSize
    let expected: [String: (String, [Int])] = [
      "c": ("F16", [T, 2, 5]), "h": ("F16", [T, 2, 5]), "i": ("F16", [T, 2, 5]), "f": ("F16", [T, 2, 5]),
      "g": ("F16", [T, 2, 5]), "o": ("F16", [T, 2, 5]), "text": ("I32", [T]), "targets": ("I32", [T]),
      "loss": ("F32", [T]), "top5_index": ("I32", [T, 5]), "top5_prob": ("F32", [T, 5]),
      "vocabulary": ("I32", [V]),
    ]
    #expect(Set(file.entries.keys) == Set(expected.keys))
    for (name, (dtype, shape)) in expected {
      #expect(file.entries[name]?.dtype == dtype && file.entries[name]?.shape == shape, "\(name)")
    }
    // Data regions: sized by shape, contiguous from 0 to the end of the file, each aligned to its width.
    let regions = file.entries.values.sorted { $0.begin < $1.begin }
    var offset = 0
    for e in regions {
      let width = e.dtype == "F16" ? 2 : 4
      #expect(e.begin == offset && e.end - e.begin == e.shape.reduce(1, *) * width)
      #expect((file.dataStart + e.begin) % width == 0)
      offset = e.end
    }
    #expect(file.dataStart + offset == file.bytes.count)
    #expect(file.dataStart % 8 == 0 && file.bytes[8] == UInt8(ascii: "{"))
    #expect(file.metadata["format"] == "cellscope-activations-1" && file.metadata["dtype"] == "F16")
    #expect(!String(decoding: file.bytes[8..<file.dataStart], as: UTF8.self).contains(dir), "no paths")
    // Deterministic, and the chunk size changes nothing.
    #expect(file.bytes == (try ParsedSafeTensors(path: dir + "/b.safetensors")).bytes)
  }

  @Test func halfPrecisionRoundsEachValueAsFloat16Does() throws {
    let checkpoint = try Self.model(text: Self.text)
    let dir = try Self.folder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    _ = try Self.export(checkpoint, to: dir + "/32.safetensors")
    _ = try Self.export(checkpoint, to: dir + "/16.safetensors", dtype: .f16)
    let full = try ParsedSafeTensors(path: dir + "/32.safetensors")
    let half = try ParsedSafeTensors(path: dir + "/16.safetensors")
    let naive = try NaiveStream(checkpoint: checkpoint, text: Self.text)
    for name in ["c", "h", "i", "f", "g", "o"] {
      for ((h, f), n) in zip(zip(half.floats(name), full.floats(name)), naive.states[name]!) {
        #expect(h == Double(Float16(Float(f))))
        #expect(abs(h - n) <= abs(n) * 0x1p-11 + 1e-4)
      }
    }
    #expect(half.ints("top5_index") == full.ints("top5_index"))
  }

  /// The hand-written conversion against Swift's `Float16(_:)` on edge cases,
  /// every rounding boundary near 1 and in the subnormals, and random bit patterns.
  @Test func halfConversionMatchesFloat16() {
    var cases: [Float] = [
      0, -0, 1, -1, 65504, 65519.99, 65520, -65520, 1e9, .infinity, -.infinity, .leastNonzeroMagnitude,
      0x1p-24, 0x1p-25, 0x1.8p-25, 0x1p-26, 0x1p-14, 0x1.ff8p-15, 0x1.ffcp-15, 6.1e-5, 1 + 0x1p-11,
      1 + 0x1p-11 + 0x1p-23, 1 + 3 * 0x1p-11, 2049, 2051, -0x1.004p-20,
    ]
    // Rounding boundaries near 1, then in the half's subnormal range.
    for k in 0..<4096 { cases.append(Float(bitPattern: 0x3F80_0000 + UInt32(k) << 11)) }
    for k in 0..<4096 { cases.append(Float(bitPattern: 0x3300_0000 + UInt32(k) << 10)) }
    var rng = SeededGenerator(seed: 9)
    for _ in 0..<200_000 { cases.append(Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))) }
    var mismatches = 0
    for x in cases {
      let mine = floatToHalfBits(x), reference = Float16(x).bitPattern
      if x.isNaN {
        if !Float16(bitPattern: mine).isNaN { mismatches += 1 }
      } else if mine != reference {
        mismatches += 1
      }
    }
    #expect(mismatches == 0)
  }

  @Test func statesSubsetWritesOnlyThoseWithTheSameValues() throws {
    let checkpoint = try Self.model(text: Self.text)
    let dir = try Self.folder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let states = try ActivationExportOptions.parseStates("h,c")
    #expect(states == [.h, .c])
    _ = try Self.export(checkpoint, to: dir + "/all.safetensors")
    _ = try Self.export(checkpoint, to: dir + "/hc.safetensors", states: states)
    let all = try ParsedSafeTensors(path: dir + "/all.safetensors")
    let hc = try ParsedSafeTensors(path: dir + "/hc.safetensors")
    #expect(
      Set(hc.entries.keys) == ["c", "h", "text", "targets", "loss", "top5_index", "top5_prob", "vocabulary"])
    for name in ["c", "h", "loss", "top5_prob"] {
      #expect(hc.floats(name).elementsEqual(all.floats(name)) { $0 == $1 || ($0.isNaN && $1.isNaN) })
    }
    #expect(hc.metadata["states"] == "h,c")
    for bad in ["c,x", "c,c", "", "c,"] {
      #expect(throws: CellscopeError.self) { try ActivationExportOptions.parseStates(bad) }
    }
    #expect(throws: CellscopeError.self) { try ActivationExportOptions.parseDType("f64") }
  }

  /// Leftovers of an export other than the files named.
  static func strays(in dir: String, keeping: Set<String>) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: dir).filter { !keeping.contains($0) }
  }

  @Test func cancelledOrFailingExportLeavesThePreviousFileAndNoTemporaryFile() throws {
    let checkpoint = try Self.model(text: Self.text)
    let dir = try Self.folder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/acts.safetensors"
    let previous = [UInt8]("an earlier export".utf8)
    try Data(previous).write(to: URL(fileURLWithPath: path))
    var options = ActivationExportOptions()
    options.steps = 16
    // Cancelled after two chunks, once the temporary file holds data.
    var calls: [Int] = []
    let outcome = try ActivationExporter(checkpoint: checkpoint, options: options).export(
      text: Self.text, to: path, progress: { done, _ in calls.append(done) }, shouldStop: { calls.count >= 2 }
    )
    #expect(outcome == .interrupted && calls == [16, 32])
    #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) == previous)
    #expect(try Self.strays(in: dir, keeping: ["acts.safetensors"]).isEmpty)
    // A character the model does not know, and a write that does not fit, fail without a trace.
    #expect(throws: CellscopeError.self) {
      try ActivationExporter(checkpoint: checkpoint).export(text: Self.text + "Ω", to: path)
    }
    let writer = try SafeTensorsStreamWriter(path: path, tensors: [.init("x", .f32, [4])])
    #expect(try Self.strays(in: dir, keeping: ["acts.safetensors"]).count == 1)
    #expect(throws: CellscopeError.self) {
      try [Float](repeating: 1, count: 5).withUnsafeBufferPointer { try writer.write("x", at: 0, $0) }
    }
    #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) == previous)
    #expect(try Self.strays(in: dir, keeping: ["acts.safetensors"]).isEmpty)
    // An output that is a folder is refused before any work.
    #expect(throws: CellscopeError.self) { try Self.export(checkpoint, to: dir) }
    // A completed export replaces the file and leaves nothing else.
    _ = try Self.export(checkpoint, to: path)
    #expect(ActivationExporter.isExport(path: path))
    #expect(try Self.strays(in: dir, keeping: ["acts.safetensors"]).isEmpty)
  }

  /// The writer alone: pieces written out of order land where their offsets say;
  /// the I64 tensor comes first (widest), F16 last, each aligned.
  @Test func streamWriterPlacesPiecesByOffset() throws {
    let dir = try Self.folder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/w.safetensors"
    let writer = try SafeTensorsStreamWriter(
      path: path, tensors: [.init("b", .f16, [3]), .init("a", .f32, [2, 2]), .init("z", .i64, [3])],
      metadata: ["k": "v \"quoted\""])
    #expect(writer.entries.map(\.name) == ["z", "a", "b"])
    try [Float(3), 4].withUnsafeBufferPointer { try writer.write("a", at: 2, $0) }
    try [Float(1), 2].withUnsafeBufferPointer { try writer.write("a", at: 0, $0) }
    try [Int32(-7), Int32.max].withUnsafeBufferPointer { try writer.write("z", at: 1, $0) }
    try [Int32(5)].withUnsafeBufferPointer { try writer.write("z", at: 0, $0) }
    try [Float(0.5), -2, 1e-8].withUnsafeBufferPointer { try writer.write("b", at: 0, $0) }
    #expect(!FileManager.default.fileExists(atPath: path), "nothing at the target before commit")
    try writer.commit()
    let file = try ParsedSafeTensors(path: path)
    #expect(file.floats("a") == [1, 2, 3, 4] && file.ints("z") == [5, -7, Int(Int32.max)])
    #expect(file.floats("b") == [0.5, -2, Double(Float16(Float(1e-8)))])
    #expect(file.metadata == ["k": "v \"quoted\""])
    #expect(file.entries["z"]!.begin == 0 && file.entries["a"]!.begin == 24 && file.entries["b"]!.begin == 40)
    #expect(file.dataStart + 46 == file.bytes.count && !ActivationExporter.isExport(path: path))
  }

  @Test func progressCountsUpToTheTextLength() throws {
    let checkpoint = try Self.model(text: Self.text)
    let dir = try Self.folder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var options = ActivationExportOptions()
    options.steps = 100
    var seen: [(Int, Int)] = []
    _ = try ActivationExporter(checkpoint: checkpoint, options: options).export(
      text: Self.text, to: dir + "/p.safetensors", progress: { seen.append(($0, $1)) })
    let T = Self.text.unicodeScalars.count
    #expect(seen.map(\.0) == [100, 200, 300, T] && seen.allSatisfy { $0.1 == T })
    #expect(throws: CellscopeError.self) {
      try ActivationExporter(checkpoint: checkpoint).export(text: "", to: dir + "/e.safetensors")
    }
    #expect(!FileManager.default.fileExists(atPath: dir + "/e.safetensors"))
  }
}
