import Foundation

/// A text cut the char-rnn way: into B contiguous streams, each read T characters
/// at a time, so that the state at the end of one batch is the right state for
/// the start of the next (truncated BPTT).
///
/// Batches are numbered along the streams; the first `trainFrac` of them train,
/// the next `valFrac` validate, the rest test. Every split is therefore made of
/// B contiguous pieces of the text, one per stream.
public struct Dataset: Sendable {
  public let B: Int, T: Int
  /// The encoded text, trimmed to a multiple of B·T (+1 for the last target).
  public let data: [Int32]
  public let batchCount: Int
  public let trainBatches: Range<Int>, valBatches: Range<Int>, testBatches: Range<Int>

  /// Throws when the text cannot fill one training batch and one validation batch.
  public init(indices: [Int32], batch B: Int, steps T: Int, trainFrac: Double, valFrac: Double) throws {
    guard B >= 1, T >= 1 else {
      throw CellscopeError.invalidOption("--batch-size and --seq-length must be at least 1.")
    }
    guard trainFrac > 0, valFrac >= 0, trainFrac + valFrac <= 1 else {
      throw CellscopeError.invalidOption("--train-frac must be > 0, --val-frac >= 0, and together at most 1.")
    }
    // Overflow-checked: B and T come from the command line or a checkpoint, and
    // B·T beyond the text is simply "too short", never a trap.
    let (bt, overflow) = B.multipliedReportingOverflow(by: T)
    let (twice, overflow2) = bt.multipliedReportingOverflow(by: valFrac > 0 ? 2 : 1)
    let needed = overflow || overflow2 || twice == .max ? Int.max : twice + 1
    guard !overflow, bt < indices.count else {
      throw CellscopeError.textTooShort("the training text", needed: needed, got: indices.count)
    }
    let n = (indices.count - 1) / bt * bt
    let nb = n / bt
    // At least one validation batch whenever validation is asked for, so that
    // short texts still train (char-rnn would refuse them).
    let nval = valFrac > 0 ? max(1, Int(Double(nb) * valFrac)) : 0
    let ntrain = min(Int(Double(nb) * trainFrac), nb - nval)
    guard ntrain >= 1 else {
      throw CellscopeError.textTooShort("the training text", needed: needed, got: indices.count)
    }
    self.B = B
    self.T = T
    data = Array(indices[0..<(n + 1)])
    batchCount = nb
    trainBatches = 0..<ntrain
    valBatches = ntrain..<(ntrain + nval)
    testBatches = (ntrain + nval)..<nb
  }

  /// Characters per stream.
  public var streamLength: Int { batchCount * T }

  /// Fills `inputs` and `targets`, each (T, B) time-major, with batch `i`.
  public func batch(_ i: Int, inputs: UnsafeMutablePointer<Int32>, targets: UnsafeMutablePointer<Int32>) {
    let stride = streamLength
    for b in 0..<B {
      let start = b * stride + i * T
      for t in 0..<T {
        inputs[t * B + b] = data[start + t]
        targets[t * B + b] = data[start + t + 1]
      }
    }
  }

  /// The held-out characters (validation and test batches) of every stream, in
  /// stream order: the text a report on "unseen" data should read.
  public func heldOut() -> [Int32] { heldOutRanges().flatMap { data[$0] } }

  /// The index ranges of `data` that ``heldOut()`` reads, in its order (one per stream).
  public func heldOutRanges() -> [Range<Int>] {
    let first = valBatches.lowerBound
    guard first < batchCount else { return [] }
    return (0..<B).map { b in (b * streamLength + first * T)..<((b + 1) * streamLength) }
  }
}

/// Reads a text file for training or analysis, refusing what is not text.
/// `-` reads standard input; pipes and process substitution read to their end.
///
/// - Throws: `unreadableFile`, `emptyText`, `binaryText` (NUL bytes), or
///   `invalidUTF8` (unless `bytes` is set, when any bytes are accepted).
public func readText(path: String, bytes: Bool = false) throws -> String {
  let data = Data(try readFileBytes(path: path))
  let shown = path == "-" ? "standard input" : path
  guard !data.isEmpty else { throw CellscopeError.emptyText(shown) }
  if bytes { return String(decoding: data, as: UTF8.self) }
  if data.contains(0) { throw CellscopeError.binaryText(shown) }
  guard let text = String(validatingUTF8Data: data) else {
    throw CellscopeError.invalidUTF8(shown, byteOffset: firstInvalidUTF8Offset(data))
  }
  return text
}

extension String {
  init?(validatingUTF8Data data: Data) {
    var valid = true
    var it = data.makeIterator()
    var decoder = UTF8()
    var scalars = String.UnicodeScalarView()
    loop: while true {
      switch decoder.decode(&it) {
      case .scalarValue(let s): scalars.append(s)
      case .emptyInput: break loop
      case .error:
        valid = false
        break loop
      }
    }
    guard valid else { return nil }
    self = String(scalars)
  }
}

/// The offset of the first byte that does not start or continue valid UTF-8.
func firstInvalidUTF8Offset(_ data: Data) -> Int {
  let bytes = [UInt8](data)
  var i = 0
  while i < bytes.count {
    let b = bytes[i]
    let len = b < 0x80 ? 1 : (b >> 5 == 0b110 ? 2 : (b >> 4 == 0b1110 ? 3 : (b >> 3 == 0b11110 ? 4 : 0)))
    guard len > 0, i + len <= bytes.count else { return i }
    let chunk = Array(bytes[i..<(i + len)])
    if String(validating: chunk, as: UTF8.self) == nil { return i }
    i += len
  }
  return bytes.count
}
