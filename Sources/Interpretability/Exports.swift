import CharLSTM
import Foundation

/// `cells.csv`: one row per cell (every layer, c and h), by rank. Columns:
/// rank, layer (0-based), state (c or h), index (0-based row in PyTorch's
/// weight layout, within each gate block), best_feature (its id), score (AUC or
/// |r|), signed (raw AUC or r), gain (over the current character), interpretable
/// (0/1), saturation, selectivity, autocorrelation, mean, std, role.
public func cellsCSV(_ a: Analysis) -> String {
  var lines = [
    "rank,layer,state,index,best_feature,score,signed,gain,interpretable,saturation,selectivity,autocorrelation,mean,std,role"
  ]
  func f(_ x: Double) -> String { String(format: "%.4f", x) }
  for c in a.cells {
    var fields: [String] = ["\(c.rank)", "\(c.id.layer)", c.id.state.rawValue, "\(c.id.index)"]
    if let b = c.best {
      fields += [b.feature, f(b.score), f(b.signed), f(b.gain)]
    } else {
      fields += ["", "", "", ""]
    }
    fields += [c.interpretable ? "1" : "0", f(c.saturation), f(c.selectivity), f(c.autocorrelation)]
    fields += [f(c.mean), f(c.std), csvField(c.role)]
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
public func analysisJSON(_ a: Analysis) -> String {
  var copy = a
  copy.excerpt.cellValues = []
  return encodeJSON(copy) + "\n"
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
