/// Bad input to the n-gram baseline, each with one sentence a user can act on.
public enum NGramError: Error, Equatable, CustomStringConvertible {
  case emptyTraining
  case orderOutOfRange(Int)
  case discountOutOfRange(Double)
  case vocabularyTooSmall(Int)
  case symbolOutOfVocabulary(symbol: Int32, position: Int, vocabularySize: Int)
  case lengthMismatch(what: String, expected: Int, actual: Int)

  public var description: String {
    switch self {
    case .emptyTraining:
      return "The n-gram model needs at least one training character, but the training text is empty."
    case .orderOutOfRange(let order):
      return "The n-gram order must be between 1 and \(KneserNeyModel.maximumOrder), not \(order)."
    case .discountOutOfRange(let discount):
      return "The Kneser-Ney discount must be in (0, 1], not \(discount)."
    case .vocabularyTooSmall(let size):
      return "The vocabulary must hold at least one symbol, not \(size)."
    case .symbolOutOfVocabulary(let symbol, let position, let size):
      return "Symbol \(symbol) at position \(position) is outside the vocabulary 0..<\(size)."
    case .lengthMismatch(let what, let expected, let actual):
      return "The \(what) has \(actual) entries but the text has \(expected) characters."
    }
  }
}
