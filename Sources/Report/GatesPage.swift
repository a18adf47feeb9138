import Interpretability

/// `gates.html`: per layer, the gate-saturation scatter of Karpathy et al. (2015,
/// figure 3) and the pooled distributions of tanh(c) and h, with the cells whose
/// forget gate stays open longest.
struct GatesPage {
  struct Layer {
    let title: String
    let scatter: ImageRef
    let activations: [ImageRef]
    let summary: [GateSummary]
    let rememberers: [Rememberer]
  }
  struct GateSummary {
    let gate: String
    let left: String
    let right: String
  }
  struct Rememberer {
    let href: String
    let label: String
    let right: String
    let role: String
  }
  let layers: [Layer]

  init(_ site: SiteData, scatter: [ImageRef], activations: [[ImageRef]]) {
    let a = site.analysis
    let names = ["i": "input gate i", "f": "forget gate f", "o": "output gate o"]
    layers = (0..<a.config.numLayers).map { k in
      let summary = ["i", "f", "o"].compactMap { gate -> GateSummary? in
        guard let g = a.gates.first(where: { $0.layer == k && $0.gate == gate }), !g.left.isEmpty else {
          return nil
        }
        let n = Double(g.left.count)
        return GateSummary(
          gate: names[gate]!, left: NumberFormat.percent(g.left.reduce(0, +) / n),
          right: NumberFormat.percent(g.right.reduce(0, +) / n))
      }
      var rememberers: [Rememberer] = []
      if let f = a.gates.first(where: { $0.layer == k && $0.gate == "f" }) {
        let order = f.right.indices.sorted { (-f.right[$0], $0) < (-f.right[$1], $1) }
        rememberers = order.prefix(5).map { j in
          let id = CellID(layer: k, state: .c, index: j)
          return Rememberer(
            href: site.href(id), label: id.description, right: NumberFormat.percent(f.right[j]),
            role: site.cellByID[id]?.role ?? "")
        }
      }
      return Layer(
        title: "Layer \(k)", scatter: scatter[k], activations: activations[k], summary: summary,
        rememberers: rememberers)
    }
  }
}
