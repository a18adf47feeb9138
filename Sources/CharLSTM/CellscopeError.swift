/// Every failure a user can cause, each rendered as one clear sentence that
/// names the file or value and says what to do.
public enum CellscopeError: Error, CustomStringConvertible, Equatable {
  case unreadableFile(String, reason: String)
  case emptyText(String)
  case invalidUTF8(String, byteOffset: Int)
  case binaryText(String)
  case invalidVocabulary(String)
  case characterNotInVocabulary(String, position: Int)
  case vocabularyMismatch(String)
  case corruptCheckpoint(String, reason: String)
  case unwritableOutput(String, reason: String)
  case invalidOption(String)
  /// A training option (a `TrainingOptions` property name, e.g. "rnnSize") out of
  /// range; the command line words it with its flag.
  case invalidSetting(String, reason: String)
  case textTooShort(String, needed: Int, got: Int)
  case diverged(step: Int, loss: Double, kept: String)
  /// A model shape out of range; `property` is ModelConfig's (e.g. `hiddenSize`),
  /// `problem` reads "hidden size 0; it must be between 1 and 8192".
  case invalidModelConfig(property: String, problem: String)
  /// A training option out of range; `property` is TrainingOptions' (e.g.
  /// `batchSize`), `problem` reads "batchSize 0; it must be between 1 and 1048576".
  case invalidTrainingOption(property: String, problem: String)
  /// A resumed run asked for a different value of an option the checkpoint fixes;
  /// `option` is TrainingOptions' property name (e.g. `rnnSize`).
  case resumeConflict(option: String, stored: String, requested: String)
  /// A model gives NaN or infinite values (`what` says where) on some text.
  case nonFinite(String, what: String)

  public var description: String {
    switch self {
    case .unreadableFile(let path, let reason):
      return "cannot read \(path): \(sentence(reason))"
    case .emptyText(let what):
      return "\(what) is empty: give a text file with some characters in it."
    case .invalidUTF8(let path, let offset):
      return
        "\(path) is not valid UTF-8 (first bad byte at offset \(offset)); convert it to UTF-8, or train a byte-level model with --bytes."
    case .binaryText(let path):
      return
        "\(path) looks like a binary file (it contains NUL bytes), not text; give a text file, or use --bytes if you really mean it."
    case .invalidVocabulary(let reason):
      return "invalid vocabulary: \(reason)."
    case .characterNotInVocabulary(let ch, let position):
      return
        "the character \(ch) at position \(position) is not in the model's vocabulary; remove it or use a model trained on text that contains it."
    case .vocabularyMismatch(let reason):
      return "vocabulary mismatch: \(reason)."
    case .corruptCheckpoint(let path, let reason):
      return "\(path) is not a valid cellscope checkpoint: \(sentence(reason))"
    case .unwritableOutput(let path, let reason):
      return "cannot write \(path): \(reason); choose another location or fix its permissions."
    case .invalidOption(let reason):
      return sentence(reason)
    case .invalidSetting(let name, let reason):
      return "the training option \(name) \(reason)."
    case .textTooShort(let what, let needed, let got) where needed == .max:
      return
        "\(what) is too short for these settings (batch size times sequence length exceeds any text; it has \(got) characters); use smaller batches or sequences."
    case .textTooShort(let what, let needed, let got):
      return
        "\(what) is too short: it needs at least \(needed) characters for these settings but has \(got); use a longer text, or smaller batches and sequences."
    case .diverged(let step, let loss, let kept):
      return
        "training diverged at step \(step) (loss \(loss)); stopped, and kept the last good checkpoint at \(kept). Try a lower learning rate or gradient clip."
    case .invalidModelConfig(_, let problem):
      return "invalid model shape: \(sentence(problem))"
    case .invalidTrainingOption(_, let problem):
      return "invalid training option: \(sentence(problem))"
    case .resumeConflict(let option, let stored, let requested):
      return
        "the checkpoint was trained with \(option) \(stored) but \(requested) was asked for; a resumed run keeps the checkpoint's value, so drop the option or start a new run."
    case .nonFinite(let name, let what):
      return
        "\(name) gives NaN or infinite values (\(what)); its weights are out of range: retrain it, or check how it was exported."
    }
  }
}

/// Ends a reason with exactly one full stop, whatever punctuation it came with.
private func sentence(_ s: String) -> String {
  var t = Substring(s)
  while t.last == "." || t.last == " " { t = t.dropLast() }
  return t + "."
}
