import CharLSTM
import Foundation
import Interpretability

/// What the site says about a model: its shape, its vocabulary and how it was
/// trained. A checkpoint without its weights, so a report never holds the
/// parameters (or optimizer state) it does not show.
public struct ModelCard: Sendable, Equatable {
  /// Layers, cells per layer, input embedding, dropout and vocabulary size.
  public var config: ModelConfig
  /// Number of symbols the model reads and predicts (`config.vocabSize`).
  public var vocabularySize: Int
  /// Whether the symbols are Unicode scalars or bytes.
  public var vocabularyKind: Vocabulary.Kind
  /// The training run, for models cellscope trained; nil for a model exported
  /// from elsewhere (PyTorch), whose pages then say so instead of plotting a history.
  public var training: TrainingRecord?

  public init(
    config: ModelConfig, vocabularySize: Int, vocabularyKind: Vocabulary.Kind, training: TrainingRecord?
  ) {
    self.config = config
    self.vocabularySize = vocabularySize
    self.vocabularyKind = vocabularyKind
    self.training = training
  }

  /// The card of a checkpoint: everything but its parameters, optimizer slots and carried state.
  public init(_ checkpoint: Checkpoint) {
    self.init(
      config: checkpoint.config, vocabularySize: checkpoint.vocabulary.count,
      vocabularyKind: checkpoint.vocabulary.kind, training: checkpoint.training)
  }

  /// Number of trainable parameters (every weight and bias, PyTorch's count).
  public var parameterCount: Int { ParameterLayout(config).count }
}

extension ModelCard {
  /// The model's shape as the overview's key table shows it.
  var modelFacts: [KeyValue] {
    let input = config.embeddingSize > 0 ? "embedding of \(config.embeddingSize)" : "one-hot"
    return [
      KeyValue(key: "layers × cells", value: "\(config.numLayers) × \(config.hiddenSize) LSTM"),
      KeyValue(key: "input", value: input),
      KeyValue(key: "parameters", value: NumberFormat.integer(parameterCount)),
      KeyValue(
        key: "vocabulary",
        value: "\(NumberFormat.integer(vocabularySize)) \(vocabularyKind == .bytes ? "bytes" : "characters")"),
      KeyValue(key: "dropout", value: NumberFormat.fixed(config.dropout, 2)),
    ]
  }

  /// The training run as the overview's key table shows it; empty without a record.
  var trainingFacts: [KeyValue] {
    guard let r = training else { return [] }
    let o = r.options
    return [
      KeyValue(key: "training text", value: r.textName),
      KeyValue(key: "text size", value: "\(NumberFormat.integer(r.textCharacters)) characters"),
      KeyValue(key: "text SHA-256", value: r.textSHA256),
      KeyValue(key: "split (train / val / test)", value: ModelCard.split(o)),
      KeyValue(key: "steps", value: NumberFormat.integer(r.step)),
      KeyValue(key: "epochs", value: NumberFormat.fixed(r.epoch, 2)),
      KeyValue(
        key: "optimizer",
        value: "\(o.optimizer.rawValue), learning rate \(NumberFormat.rate(o.learningRate))"),
      KeyValue(
        key: "learning-rate decay",
        value:
          "× \(NumberFormat.fixed(o.lrDecay, 2)) per epoch after epoch \(o.lrDecayAfter); now \(NumberFormat.rate(r.learningRate))"
      ),
      KeyValue(key: "batch × sequence", value: "\(o.batchSize) × \(o.seqLength)"),
      KeyValue(key: "gradient clip", value: NumberFormat.fixed(o.gradClip, 1)),
      KeyValue(key: "seed", value: "\(o.seed)"),
    ]
  }

  /// "90% / 5% / 5%": the train, validation and test fractions of the text.
  private static func split(_ o: TrainingOptions) -> String {
    let test = max(0, 1 - o.trainFrac - o.valFrac)
    return
      "\(NumberFormat.percent(o.trainFrac, 0)) / \(NumberFormat.percent(o.valFrac, 0)) / \(NumberFormat.percent(test, 0))"
  }
}
