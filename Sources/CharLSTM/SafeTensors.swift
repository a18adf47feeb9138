import Foundation

/// The safetensors container: an 8-byte little-endian header length N, N bytes of
/// JSON header (tensor name → dtype, shape, data offsets; plus `__metadata__`,
/// string → string), then the raw little-endian tensor bytes.
///
/// Writing is deterministic: tensors are stored in ascending name order, header
/// keys sorted, the header padded with spaces to a multiple of 8. Reading checks
/// everything a corrupt or hostile file could get wrong and throws
/// `corruptCheckpoint` naming the problem; it never traps.
public struct SafeTensors: Sendable {
  public struct Tensor: Sendable, Equatable {
    public var shape: [Int]
    public var values: [Float]
    public init(shape: [Int], values: [Float]) {
      self.shape = shape
      self.values = values
    }
  }

  public var metadata: [String: String] = [:]
  public var tensors: [String: Tensor] = [:]

  public init() {}

  /// Largest header accepted, as the reference implementation does (100 MB).
  static let maxHeaderBytes = 100_000_000

  // MARK: Writing

  public func serialized() -> [UInt8] {
    let names = tensors.keys.sorted()
    var header = "{"
    var parts: [String] = []
    if !metadata.isEmpty {
      let items = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
      parts.append("\"__metadata__\":{" + items.joined(separator: ",") + "}")
    }
    var offset = 0
    for name in names {
      let t = tensors[name]!
      let bytes = t.values.count * 4
      let shape = t.shape.map(String.init).joined(separator: ",")
      parts.append(
        "\(jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + bytes)]}"
      )
      offset += bytes
    }
    header += parts.joined(separator: ",") + "}"
    var headerBytes = Array(header.utf8)
    while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
    var out: [UInt8] = []
    out.reserveCapacity(8 + headerBytes.count + offset)
    withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { out.append(contentsOf: $0) }
    out.append(contentsOf: headerBytes)
    for name in names {
      for v in tensors[name]!.values {
        withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) }
      }
    }
    return out
  }

  // MARK: Reading

  /// Reads and parses a file; `-` reads standard input. Pipes and process
  /// substitution (`/dev/fd/63`) work: the stream is read to its end.
  public static func read(path: String) throws -> SafeTensors {
    try parse(readFileBytes(path: path), name: path)
  }

  public static func parse(_ bytes: [UInt8], name: String) throws -> SafeTensors {
    func fail(_ reason: String) -> CellscopeError { .corruptCheckpoint(name, reason: reason) }
    guard bytes.count >= 8 else { throw fail("the file is only \(bytes.count) bytes long (truncated?)") }
    var n: UInt64 = 0
    for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
    guard n <= UInt64(maxHeaderBytes), n <= UInt64(bytes.count - 8) else {
      throw fail(
        "its header length (\(n) bytes) runs past the end of the file (truncated, or not a safetensors file)")
    }
    let headerEnd = 8 + Int(n)
    // Every tensor is then decoded, so the values allocated stay within twice the
    // file's size (F16/BF16 widen to F32); nothing is sized from a claimed shape.
    guard let object = try? JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd])),
      let header = object as? [String: Any]
    else { throw fail("its header is not a JSON object") }
    var result = SafeTensors()
    let dataSize = bytes.count - headerEnd
    var ranges: [(Int, Int, String)] = []
    for (key, value) in header {
      if key == "__metadata__" {
        guard let meta = value as? [String: Any] else { throw fail("__metadata__ is not an object") }
        for (k, v) in meta {
          guard let s = v as? String else { throw fail("metadata value \(k) is not a string") }
          result.metadata[k] = s
        }
        continue
      }
      guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
        let shapeAny = entry["shape"] as? [Any], let offsetsAny = entry["data_offsets"] as? [Any],
        offsetsAny.count == 2
      else { throw fail("tensor \(key) lacks a dtype, shape or data_offsets") }
      let shape = try shapeAny.map { v -> Int in
        guard let i = exactInt(v), i >= 0, i <= 1 << 32 else {
          throw fail("tensor \(key) has an invalid shape")
        }
        return i
      }
      guard let begin = exactInt(offsetsAny[0]), let end = exactInt(offsetsAny[1]), begin >= 0, begin <= end,
        end <= dataSize
      else { throw fail("tensor \(key)'s data lies outside the file (truncated?)") }
      guard let width = ["F32": 4, "F64": 8, "F16": 2, "BF16": 2][dtype] else {
        throw fail("tensor \(key) has dtype \(dtype); only F32, F64, F16 and BF16 are read")
      }
      var count = 1
      for d in shape {
        let (m, o) = count.multipliedReportingOverflow(by: d)
        guard !o, m <= dataSize else { throw fail("tensor \(key)'s shape is larger than the file") }
        count = m
      }
      guard end - begin == count * width else {
        throw fail("tensor \(key) has \(end - begin) bytes of data but its shape needs \(count * width)")
      }
      ranges.append((begin, end, key))
      result.tensors[key] = Tensor(
        shape: shape, values: decode(bytes, from: headerEnd + begin, count: count, dtype: dtype))
    }
    ranges.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
    for (a, b) in zip(ranges, ranges.dropFirst()) where b.0 < a.1 {
      throw fail("tensors \(a.2) and \(b.2) overlap")
    }
    return result
  }

  private static func exactInt(_ v: Any) -> Int? {
    guard let num = v as? NSNumber else { return nil }
    let d = num.doubleValue
    guard d.isFinite, d == d.rounded(), abs(d) < 9e15 else { return nil }
    return Int(d)
  }

  private static func decode(_ bytes: [UInt8], from start: Int, count: Int, dtype: String) -> [Float] {
    var out = [Float](repeating: 0, count: count)
    bytes.withUnsafeBufferPointer { raw in
      let base = raw.baseAddress! + start
      for i in 0..<count {
        switch dtype {
        case "F32":
          var u: UInt32 = 0
          for j in 0..<4 { u |= UInt32(base[4 * i + j]) << (8 * UInt32(j)) }
          out[i] = Float(bitPattern: u)
        case "F64":
          var u: UInt64 = 0
          for j in 0..<8 { u |= UInt64(base[8 * i + j]) << (8 * UInt64(j)) }
          out[i] = Float(Double(bitPattern: u))
        case "BF16":
          let u = UInt32(base[2 * i]) | UInt32(base[2 * i + 1]) << 8
          out[i] = Float(bitPattern: u << 16)
        default:  // F16
          let u = UInt16(base[2 * i]) | UInt16(base[2 * i + 1]) << 8
          out[i] = halfToFloat(u)
        }
      }
    }
    return out
  }

  private static func halfToFloat(_ h: UInt16) -> Float {
    let sign: Float = (h & 0x8000) != 0 ? -1 : 1
    let exp = Int((h >> 10) & 0x1F), frac = Float(h & 0x3FF)
    if exp == 0 { return sign * frac * Float(pow(2.0, -24.0)) }
    if exp == 31 { return frac == 0 ? sign * .infinity : .nan }
    return sign * (1 + frac / 1024) * Float(pow(2.0, Double(exp - 15)))
  }
}

/// A JSON string literal with the escapes JSON requires.
func jsonString(_ s: String) -> String {
  var out = "\""
  for u in s.unicodeScalars {
    switch u {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\n": out += "\\n"
    case "\r": out += "\\r"
    case "\t": out += "\\t"
    default:
      if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
    }
  }
  return out + "\""
}

/// Writes bytes atomically: a temporary file beside the target, fsync, rename.
/// A crash or interruption leaves either the old file or the new one, never half.
public func writeAtomically(_ bytes: [UInt8], to path: String) throws {
  let url = URL(fileURLWithPath: path)
  let dir = url.deletingLastPathComponent().path
  let tmp = dir + "/." + url.lastPathComponent + ".tmp-\(getpid())"
  let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
  guard fd >= 0 else {
    throw CellscopeError.unwritableOutput(path, reason: String(cString: strerror(errno)))
  }
  var ok = true
  bytes.withUnsafeBytes { raw in
    var done = 0
    while done < raw.count {
      let w = write(fd, raw.baseAddress! + done, raw.count - done)
      if w <= 0 {
        ok = false
        break
      }
      done += w
    }
  }
  let reason = String(cString: strerror(errno))
  if ok { ok = fsync(fd) == 0 }
  close(fd)
  guard ok, rename(tmp, path) == 0 else {
    unlink(tmp)
    throw CellscopeError.unwritableOutput(path, reason: reason)
  }
}

/// The whole content of a file, or of standard input for `-`.
///
/// Reads the stream to its end instead of trusting the file's size, so pipes,
/// FIFOs and process substitution (`/dev/fd/N`) read like files.
/// - Throws: `unreadableFile` with the reason in words (no such file, a folder,
///   permission denied).
public func readFileBytes(path: String) throws -> [UInt8] {
  let fd = path == "-" ? dup(STDIN_FILENO) : open(path, O_RDONLY)
  let shown = path == "-" ? "standard input" : path
  guard fd >= 0 else {
    let reason: String
    switch errno {
    case ENOENT, ENOTDIR: reason = "no such file"
    case EACCES, EPERM: reason = "permission denied"
    default: reason = String(cString: strerror(errno))
    }
    throw CellscopeError.unreadableFile(shown, reason: reason)
  }
  defer { close(fd) }
  var info = stat()
  if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
    throw CellscopeError.unreadableFile(shown, reason: "it is a folder, not a file")
  }
  var out: [UInt8] = []
  // The size is only a hint (0 for pipes); reading goes on to the end either way.
  if (info.st_mode & S_IFMT) == S_IFREG, info.st_size > 0 { out.reserveCapacity(Int(info.st_size)) }
  var chunk = [UInt8](repeating: 0, count: 1 << 16)
  while true {
    let got = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
    if got < 0 {
      if errno == EINTR { continue }
      let reason = errno == EISDIR ? "it is a folder, not a file" : String(cString: strerror(errno))
      throw CellscopeError.unreadableFile(shown, reason: reason)
    }
    if got == 0 { break }
    out.append(contentsOf: chunk[0..<got])
  }
  return out
}
