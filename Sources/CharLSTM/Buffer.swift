/// A fixed-size, zero-initialised block of scalars with reference semantics.
///
/// The LSTM's caches and gradients live in these so that the hot loops work on
/// raw pointers without copy-on-write checks or per-step allocation.
public final class Buffer<S: LSTMScalar>: @unchecked Sendable {
  public let count: Int
  /// The first of `count` scalars (one, zeroed, when `count` is 0), freed with the buffer.
  public let p: UnsafeMutablePointer<S>

  public init(_ count: Int) {
    self.count = count
    p = .allocate(capacity: Swift.max(count, 1))
    p.initialize(repeating: 0, count: Swift.max(count, 1))
  }

  public convenience init(_ values: [S]) {
    self.init(values.count)
    for index in 0..<values.count { p[index] = values[index] }
  }

  deinit { p.deallocate() }

  public subscript(index: Int) -> S {
    get { p[index] }
    set { p[index] = newValue }
  }

  public func zero() { p.update(repeating: 0, count: count) }

  public func copy(from other: Buffer<S>) {
    precondition(other.count == count, "buffer sizes differ")
    p.update(from: other.p, count: count)
  }

  public var array: [S] { Array(UnsafeBufferPointer(start: p, count: count)) }
}
