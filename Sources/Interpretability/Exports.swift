import CharLSTM
import Foundation

/// `cells.csv`: one row per cell (every layer, c and h), by rank. Columns:
/// rank, layer (0-based), state (c or h), index (0-based row in PyTorch's
/// weight layout, within each gate block), best_feature (its id), score (AUC or
/// |r|), signed (raw AUC or r), gain (over the current character), interpretable
/// (0/1), saturation, selectivity, autocorrelation, mean, std, ablation_delta
/// (nats per character lost when the cell is held at its mean; empty when not
/// ablated), role.
public func cellsCSV(_ a: Analysis) -> String {
  var lines = [
    "rank,layer,state,index,best_feature,score,signed,gain,interpretable,saturation,selectivity,autocorrelation,mean,std,ablation_delta,role"
  ]
  func f(_ x: Double) -> String { NumberFormat.decimals(x, 4) }
  for c in a.cells {
    var fields: [String] = ["\(c.rank)", "\(c.id.layer)", c.id.state.rawValue, "\(c.id.index)"]
    if let b = c.best {
      fields += [b.feature, f(b.score), f(b.signed), f(b.gain)]
    } else {
      fields += ["", "", "", ""]
    }
    fields += [c.interpretable ? "1" : "0", f(c.saturation), f(c.selectivity), f(c.autocorrelation)]
    fields += [f(c.mean), f(c.std), c.ablationDelta.map(f) ?? "", csvField(c.role)]
    lines.append(fields.joined(separator: ","))
  }
  return lines.joined(separator: "\n") + "\n"
}

/// Quotes a CSV field when it holds a comma, quote or line break.
func csvField(_ s: String) -> String {
  guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
  return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

/// `analysis.json`: the whole analysis (keys sorted, so identical inputs give
/// identical bytes) without the excerpt's per-cell values, which live in the
/// explorer's data file. Readable with `pandas.read_json` / `json.load`.
///
/// Figures are rounded to 4 decimals (the analysis is not more precise than
/// that), which keeps the file a fraction of its size.
///
/// - Throws: `nonFinite` when a figure is NaN or infinite (JSON cannot hold it);
///   `Analyzer` refuses such models first, so this only guards hand-made values.
public func analysisJSON(_ a: Analysis) throws -> String {
  func r(_ x: Double) -> Double { NumberFormat.rounded(x, 4) }
  func r(_ s: FeatureScore) -> FeatureScore {
    FeatureScore(feature: s.feature, score: r(s.score), signed: r(s.signed), gain: r(s.gain))
  }
  func r(_ w: Window) -> Window {
    var w = w
    w.values = w.values.map { Float(r(Double($0))) }
    return w
  }
  var copy = a
  copy.excerpt.cellValues = []
  copy.excerpt.topProbs = a.excerpt.topProbs.map { $0.map { Float(r(Double($0))) } }
  copy.excerpt.loss = a.excerpt.loss.map { Float(r(Double($0))) }
  copy.cells = a.cells.map { c in
    var c = c
    c.scores = c.scores.map(r)
    c.best = c.best.map(r)
    (c.mean, c.std, c.min, c.max) = (r(c.mean), r(c.std), r(c.min), r(c.max))
    (c.saturation, c.selectivity, c.autocorrelation) = (
      r(c.saturation), r(c.selectivity), r(c.autocorrelation)
    )
    c.ablationDelta = c.ablationDelta.map(r)
    c.topWindows = c.topWindows.map(r)
    c.bottomWindows = c.bottomWindows.map(r)
    c.bands = c.bands.map {
      QuantileBand(label: $0.label, lower: r($0.lower), upper: r($0.upper), windows: $0.windows.map(r))
    }
    return c
  }
  copy.gates = a.gates.map {
    GateSaturation(layer: $0.layer, gate: $0.gate, left: $0.left.map(r), right: $0.right.map(r))
  }
  copy.features = a.features.map { f in
    var f = f
    (f.mean, f.std, f.characterBaseline) = (r(f.mean), r(f.std), r(f.characterBaseline))
    return f
  }
  return try encodeJSON(copy, describing: "the analysis") + "\n"
}

/// The ranked cells as aligned text lines for the terminal.
public func cellTable(_ a: Analysis, limit: Int) -> String {
  var out = ["rank  cell          role"]
  for c in a.cells.prefix(limit) {
    let name = c.id.description.padding(toLength: 12, withPad: " ", startingAt: 0)
    out.append(String(format: "%4d  ", c.rank) + name + "  " + c.role + (c.interpretable ? "" : "  (weak)"))
  }
  return out.joined(separator: "\n")
}
