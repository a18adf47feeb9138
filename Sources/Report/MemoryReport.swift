/// What the "What memory buys" page shows: the LSTM against a character n-gram model
/// trained on the same training text, on the analysed text (issue 14, items 1 and 2).
///
/// Made by the pipeline (which owns the models); the report only draws it, so this
/// module depends on neither the pipeline nor the n-gram code. Losses are in bits per
/// character (−log₂ of the probability a model gave the true next character). Positions
/// are indices into the scored text, whose first character is never predicted: position
/// `t` is the prediction of character `t` from the characters before it, `t ≥ 1`.
public struct MemoryReport: Sendable, Codable, Equatable {
  /// One bin of the closing-bracket figure: closers whose opener lies `distanceLow` to
  /// `distanceHigh` characters back (inclusive; `distanceHigh` nil: no upper end).
  public struct CloserBin: Sendable, Codable, Equatable {
    public var distanceLow: Int
    public var distanceHigh: Int?
    /// Closers in the bin; the means are nil when it is 0.
    public var count: Int
    public var lstmMeanBits: Double?
    public var ngramMeanBits: Double?

    public init(
      distanceLow: Int, distanceHigh: Int?, count: Int, lstmMeanBits: Double?, ngramMeanBits: Double?
    ) {
      self.distanceLow = distanceLow
      self.distanceHigh = distanceHigh
      self.count = count
      self.lstmMeanBits = lstmMeanBits
      self.ngramMeanBits = ngramMeanBits
    }
  }

  /// The error classes, in the order errors are assigned to them (first match wins):
  /// raw values "ngram", "dynamicMemory", "rareWord", "wordStart", "punctuation", "other".
  public struct ErrorClassCount: Sendable, Codable, Equatable {
    public var id: String
    public var count: Int
    /// Up to a few positions of the class, ascending, spread over the text.
    public var examples: [Int]

    public init(id: String, count: Int, examples: [Int]) {
      self.id = id
      self.count = count
      self.examples = examples
    }
  }

  /// The n-gram model's order for the comparison (bits per character, shading, closers).
  public var ngramOrder: Int
  /// Where the n-gram model's training text came from, for the page: "the model's
  /// training split" or "train.txt (--ngram-train)". A file name, never a path.
  public var trainingSource: String
  /// Characters the n-gram model was trained on.
  public var trainingCharacters: Int
  /// The scored text's symbols (scalar values or bytes, as the model's vocabulary).
  public var symbols: [UInt32]
  /// True when the analysed text was longer and only its first `symbols.count` were scored.
  public var truncated: Bool
  /// Per position: LSTM loss minus n-gram loss, in bits (negative: the LSTM did better);
  /// same length as `symbols`, 0 at position 0 (not predicted).
  public var differenceBits: [Double]
  public var lstmBitsPerChar: Double
  public var ngramBitsPerChar: Double
  public var closers: [CloserBin]
  /// Closers with no opener before them (left out of the bins).
  public var unmatchedClosers: Int
  /// Errors are positions the LSTM gives probability below this.
  public var errorThreshold: Double
  /// Per class, in assignment order; every class present.
  public var errorClasses: [ErrorClassCount]
  /// `ngramErrorsByOrder[m − 1]`: LSTM errors the order-m n-gram model also makes.
  public var ngramErrorsByOrder: [Int]

  public init(
    ngramOrder: Int, trainingSource: String, trainingCharacters: Int, symbols: [UInt32], truncated: Bool,
    differenceBits: [Double], lstmBitsPerChar: Double, ngramBitsPerChar: Double, closers: [CloserBin],
    unmatchedClosers: Int, errorThreshold: Double, errorClasses: [ErrorClassCount], ngramErrorsByOrder: [Int]
  ) {
    self.ngramOrder = ngramOrder
    self.trainingSource = trainingSource
    self.trainingCharacters = trainingCharacters
    self.symbols = symbols
    self.truncated = truncated
    self.differenceBits = differenceBits
    self.lstmBitsPerChar = lstmBitsPerChar
    self.ngramBitsPerChar = ngramBitsPerChar
    self.closers = closers
    self.unmatchedClosers = unmatchedClosers
    self.errorThreshold = errorThreshold
    self.errorClasses = errorClasses
    self.ngramErrorsByOrder = ngramErrorsByOrder
  }

  /// Number of LSTM errors (probability below `errorThreshold`).
  public var errorCount: Int { errorClasses.reduce(0) { $0 + $1.count } }
}
