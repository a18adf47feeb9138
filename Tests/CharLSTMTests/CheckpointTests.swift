import CharLSTM
import Foundation
import Testing

struct CheckpointTests {
  static func tempDir() -> String {
    let dir = NSTemporaryDirectory() + "cellscope-tests-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
  }

  static func smallCheckpoint(embedding: Int = 0) throws -> Checkpoint {
    let vocab = try Vocabulary(text: "hello, wörld\n")
    let config = ModelConfig(vocabSize: vocab.count, hiddenSize: 3, numLayers: 2, embeddingSize: embedding)
    let net = LSTMNetwork<Float>(config: config)
    net.initialize(seed: 4, uniformScale: 0.08, forgetBias: 1)
    return Checkpoint(config: config, vocabulary: vocab, parameters: net.params.array)
  }

  @Test(arguments: [0, 4])
  func roundTripKeepsEverything(embedding: Int) throws {
    let dir = Self.tempDir(), path = dir + "/m.safetensors"
    let original = try Self.smallCheckpoint(embedding: embedding)
    try original.save(to: path)
    let loaded = try Checkpoint.load(path: path)
    #expect(loaded.config == original.config)
    #expect(loaded.vocabulary == original.vocabulary)
    #expect(loaded.parameters == original.parameters)
    // Saving what was loaded gives the same bytes.
    #expect(try loaded.serialized() == original.serialized())
  }

  @Test func headerFollowsTheSafetensorsLayout() throws {
    let bytes = try Self.smallCheckpoint().serialized()
    var n = 0
    for i in 0..<8 { n |= Int(bytes[i]) << (8 * i) }
    #expect(n % 8 == 0)
    let header = try #require(
      try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + n)])) as? [String: Any])
    let entry = try #require(header["lstm.weight_ih_l0"] as? [String: Any])
    #expect(entry["dtype"] as? String == "F32")
    // V = 11 distinct scalars in "hello, wörld\n", so (4H, V) = (12, 11).
    #expect(entry["shape"] as? [Int] == [12, 11])
    #expect(bytes.count == 8 + n + ParameterLayout(try Self.smallCheckpoint().config).count * 4)
  }

  /// Each corruption must give `corruptCheckpoint` (never a crash), naming the problem.
  @Test func corruptFilesAreRejectedWithAReason() throws {
    let good = try Self.smallCheckpoint().serialized()
    var n = 0
    for i in 0..<8 { n |= Int(good[i]) << (8 * i) }
    let header = String(decoding: good[8..<(8 + n)], as: UTF8.self)
    func withHeader(_ h: String) -> [UInt8] {
      var b = Array(h.utf8)
      while b.count % 8 != 0 { b.append(0x20) }
      var out: [UInt8] = []
      withUnsafeBytes(of: UInt64(b.count).littleEndian) { out.append(contentsOf: $0) }
      return out + b + good[(8 + n)...]
    }
    let cases: [(String, [UInt8], String)] = [
      ("empty", [], "truncated"),
      ("truncated data", Array(good.dropLast(5)), "outside the file"),
      ("truncated header", Array(good.prefix(20)), "header length"),
      ("huge header length", [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F] + good[8...], "header length"),
      ("not JSON", withHeader("{not json" + String(repeating: " ", count: header.count - 9)), "not a JSON"),
      ("wrong dtype", withHeader(header.replacingOccurrences(of: "\"F32\"", with: "\"I64\"")), "dtype"),
      (
        "wrong format", withHeader(header.replacingOccurrences(of: "cellscope-1", with: "somebody-9")),
        "format"
      ),
      ("wrong shape", withHeader(header.replacingOccurrences(of: "[12,11]", with: "[11,12]")), "shape"),
    ]
    let dir = Self.tempDir()
    for (name, bytes, reason) in cases {
      let path = dir + "/bad.safetensors"
      #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
      do {
        _ = try Checkpoint.load(path: path)
        Issue.record("\(name): loaded a corrupt file")
      } catch let error as CellscopeError {
        guard case .corruptCheckpoint(_, let why) = error else {
          Issue.record("\(name): wrong error \(error)")
          continue
        }
        #expect(why.contains(reason), "\(name): \(why)")
      }
    }
  }

  @Test func overlappingTensorsAreRejected() throws {
    let json =
      #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
    var h = Array(json.utf8)
    while h.count % 8 != 0 { h.append(0x20) }
    var bytes: [UInt8] = []
    withUnsafeBytes(of: UInt64(h.count).littleEndian) { bytes.append(contentsOf: $0) }
    bytes += h + [UInt8](repeating: 0, count: 12)
    #expect(throws: CellscopeError.self) { try SafeTensors.parse(bytes, name: "x") }
    do { _ = try SafeTensors.parse(bytes, name: "x") } catch { #expect("\(error)".contains("overlap")) }
  }

  @Test func missingFileAndFolderGiveClearErrors() {
    #expect(throws: CellscopeError.unreadableFile("/nonexistent/m.safetensors", reason: "no such file")) {
      try Checkpoint.load(path: "/nonexistent/m.safetensors")
    }
  }

  @Test func sha256MatchesTheStandardsVectors() {
    #expect(
      SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(SHA256.hex([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(
      SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
        == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
  }
}
