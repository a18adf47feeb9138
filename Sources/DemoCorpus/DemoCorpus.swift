/// The embedded demo corpus: a synthetic text made to grow nameable LSTM cells.
///
/// The text mixes three kinds of section, separated by blank lines:
///
/// - stories: past-tense narration with quoted dialogue (quotations of 20 to
///   `maxQuotation` characters, often across line breaks, in a present-tense,
///   first- and second-person register of their own: see `DemoProse`) and
///   nested parentheses (depth 1 to 3), with URLs in the `http://`, `https://`
///   and `www.` forms;
/// - wiki-style articles: `== Heading ==`, `[[Link]]`, `[[target|label]]`,
///   `{{template|arg=value}}` (some nested, some over several lines),
///   `[http://... label]` and `<ref>...</ref>`;
/// - C-like code: functions with nested `{ }` blocks indented by 4 spaces per
///   level, `/* comments */`, `// comments` and "string literals".
///
/// Prose is hard-wrapped at a word boundary to `lineWidth` columns, and no line
/// of any kind is longer, so that a line-position cell can emerge. Every quote,
/// bracket, link, template and comment is closed, quotes within their
/// paragraph, and the spans vary in length so that a cell must track state
/// rather than count characters. The words are invented (see `DemoWords`); the
/// text is ASCII only.
///
/// Deterministic: every choice draws from one `DemoRandom`, in a fixed order,
/// from arrays; no Foundation randomness, no dictionary or set iteration.
public enum DemoCorpus {
  /// Column at which prose is wrapped; no line of the corpus is longer.
  public static let lineWidth = 72

  /// Spaces per indentation level in the code blocks.
  public static let indentWidth = 4

  /// The longest quotation of prose, counting its quote marks and punctuation;
  /// the shortest is 20 characters.
  public static let maxQuotation = 180

  /// Generates the corpus.
  ///
  /// Deterministic: the same seed and size give the same text on every machine.
  /// The text ends at the section boundary nearest to `targetCharacters` (one
  /// section is 0.2k to 3k characters), always holds at least one section, and
  /// ends with a newline.
  public static func generate(seed: UInt64 = 1, targetCharacters: Int = 300_000) -> String {
    var writer = DemoWriter(seed: seed)
    return writer.corpus(targetCharacters: targetCharacters)
  }
}

/// Writes the corpus one section at a time from a single random stream.
struct DemoWriter {
  var rng: DemoRandom
  let width = DemoCorpus.lineWidth
  /// Names in scope in the code block being written.
  var variables: [String] = []

  init(seed: UInt64) { rng = DemoRandom(seed: seed) }

  // MARK: - Random choices

  /// A uniform integer in `lower...upper`.
  mutating func range(_ lower: Int, _ upper: Int) -> Int { lower + rng.below(upper - lower + 1) }
  /// True with the given probability in percent.
  mutating func chance(_ percent: Int) -> Bool { rng.below(100) < percent }
  mutating func pick(_ list: [String]) -> String { list[rng.below(list.count)] }
  mutating func year() -> String { String(range(1720, 1990)) }

  /// Draws lines from `make` until one fits in `width` columns; `fallback` after eight misses.
  mutating func fitting(_ fallback: String, _ make: (inout DemoWriter) -> String) -> String {
    for _ in 0..<8 {
      let line = make(&self)
      if line.utf8.count <= width { return line }
    }
    return fallback
  }

  // MARK: - Sections

  mutating func corpus(targetCharacters: Int) -> String {
    var text = ""
    text.reserveCapacity(max(0, targetCharacters) + 4096)
    while text.utf8.count < targetCharacters || text.isEmpty {
      let section: String
      switch rng.below(12) {
      case 0..<4: section = storySection()
      case 4..<8: section = articleSection()
      default: section = codeSection()
      }
      if !text.isEmpty {
        // Stop at whichever section boundary is nearer to the target.
        let over = text.utf8.count + 1 + section.utf8.count - targetCharacters
        if over > targetCharacters - text.utf8.count { break }
        text += "\n"
      }
      text += section
    }
    return text
  }

  /// One to three paragraphs of narration and dialogue.
  mutating func storySection() -> String {
    var paragraphs: [String] = []
    for _ in 0..<range(1, 3) {
      var sentences: [String] = []
      let target = range(80, 700)
      var length = 0
      while length < target {
        let sentence = chance(60) ? dialogue() : narration(wiki: false)
        sentences.append(sentence)
        length += sentence.utf8.count + 1
      }
      paragraphs.append(wrap(sentences))
    }
    return paragraphs.joined(separator: "\n")
  }

  /// Hard-wraps sentences (joined by single spaces) at word boundaries to `width`.
  /// A `[[wiki link]]` is never broken, since a line end would end it.
  func wrap(_ sentences: [String]) -> String {
    var result = ""
    var column = 0
    for sentence in sentences {
      for word in Self.unbreakableWords(sentence) {
        let count = word.utf8.count
        if column == 0 {
          column = count
        } else if column + 1 + count <= width {
          result += " "
          column += 1 + count
        } else {
          result += "\n"
          column = count
        }
        result += word
      }
    }
    return result + "\n"
  }

  /// The words of `sentence` split at its spaces, except at spaces inside a
  /// `[[wiki link]]` (links hold no other brackets, so a link is what lies
  /// between a `[[` and the next `]]`).
  static func unbreakableWords(_ sentence: String) -> [Substring] {
    var words: [Substring] = []
    var start = sentence.startIndex
    var inLink = false
    var previous: Character = " "
    for index in sentence.indices {
      let character = sentence[index]
      if character == "[" && previous == "[" {
        inLink = true
      } else if character == "]" && previous == "]" {
        inLink = false
      } else if character == " " && !inLink {
        if start < index { words.append(sentence[start..<index]) }
        start = sentence.index(after: index)
      }
      previous = character
    }
    if start < sentence.endIndex { words.append(sentence[start...]) }
    return words
  }
}

// MARK: - Wiki articles

extension DemoWriter {
  /// A wiki-style article: a heading, maybe an infobox, paragraphs, maybe a
  /// subsection or a list of links, maybe references.
  mutating func articleSection() -> String {
    let title: String
    switch rng.below(3) {
    case 0: title = pick(DemoWords.places)
    case 1: title = DemoWords.capitalized(pick(DemoWords.nouns))
    default: title = pick(DemoWords.names) + " of " + pick(DemoWords.places)
    }
    var head = "== " + title + " ==\n"
    if chance(40) { head += infobox(title) }
    var blocks = [head + wikiParagraph()]
    for _ in 0..<rng.below(3) { blocks.append(wikiParagraph()) }
    if chance(50) {
      let body = chance(50) ? wikiParagraph() : linkList()
      blocks.append("=== " + pick(DemoWords.headings) + " ===\n" + body)
    }
    if chance(30) { blocks.append("== References ==\n" + referenceList()) }
    return blocks.joined(separator: "\n")
  }

  /// A wrapped paragraph of linked narration, citations and the odd quotation.
  mutating func wikiParagraph() -> String {
    var sentences: [String] = []
    let target = range(100, 600)
    var length = 0
    while length < target {
      let sentence: String
      switch rng.below(10) {
      case 0:
        sentence =
          pick(DemoWords.names) + " " + pick(["wrote", "said", "noted"]) + " that \""
          + speech(target: range(28, DemoCorpus.maxQuotation - 3), capitalize: false) + ".\""
      case 1: sentence = "More is at " + externalLink() + "."
      default: sentence = narration(wiki: true)
      }
      sentences.append(sentence)
      length += sentence.utf8.count + 1
    }
    return wrap(sentences)
  }

  /// `[http://... label words]`.
  mutating func externalLink(maxLength: Int = 60) -> String {
    var label = [DemoWords.capitalized(pick(DemoWords.nouns))]
    for _ in 0..<rng.below(3) { label.append(pick(DemoWords.nouns)) }
    return "[" + url(bare: false, maxLength: maxLength) + " " + label.joined(separator: " ") + "]"
  }

  /// A distance template: `{{convert|12|km}}`.
  mutating func convert() -> String {
    "{{convert|" + String(range(2, 400)) + "|" + pick(["km", "mi", "km|mi", "m"]) + "}}"
  }

  /// A book-like title of two to five words.
  mutating func title() -> String {
    let noun = DemoWords.capitalized(pick(DemoWords.nouns))
    switch rng.below(3) {
    case 0: return "The " + noun + " of " + pick(DemoWords.places)
    case 1: return "Notes on " + DemoWords.plural(noun)
    default: return DemoWords.capitalized(pick(DemoWords.adjectives)) + " " + noun
    }
  }

  /// A citation attached to the end of a sentence: a ref tag or a template,
  /// sometimes nested (`<ref>{{cite|...}}</ref>`, `{{efn|... {{lang|...}} ...}}`).
  mutating func citation() -> String {
    switch rng.below(6) {
    case 0: return "<ref>{{cite|title=" + title() + "|year=" + year() + "}}</ref>"
    case 1: return "<ref name=" + pick(DemoWords.nouns) + String(range(1, 99)) + "/>"
    case 2: return "{{citation needed|date=" + pick(DemoWords.months) + " " + year() + "}}"
    case 3:
      return "<ref>{{cite web|url=" + url(bare: false, maxLength: 40) + "|title=" + title() + "}}</ref>"
    case 4: return "{{sfn|" + pick(DemoWords.names) + "|" + year() + "|p=" + String(range(1, 400)) + "}}"
    default:
      return "{{efn|The {{lang|vo|" + pick(DemoWords.nouns) + "}} is " + pick(DemoWords.adjectives) + "}}"
    }
  }

  /// A multi-line `{{Infobox ...}}` template with three to six fields.
  mutating func infobox(_ name: String) -> String {
    var lines = ["{{Infobox " + pick(["place", "person", "beast", "river", "tool"]), "| name = " + name]
    var fields: [String] = []
    if chance(70) { fields.append("| region = [[" + pick(DemoWords.places) + "]]") }
    if chance(60) { fields.append("| founded = " + year()) }
    if chance(50) { fields.append("| length = " + convert()) }
    if chance(50) { fields.append("| keeper = [[" + pick(DemoWords.names) + "]]") }
    if chance(40) {
      fields.append(
        "| kind = [[" + DemoWords.capitalized(pick(DemoWords.nouns)) + "|" + pick(DemoWords.nouns) + "]]")
    }
    if chance(40) { fields.append("| website = {{url|" + url(bare: true, maxLength: 48) + "}}") }
    if chance(30) { fields.append(fitting("| map = none") { "| map = " + $0.externalLink(maxLength: 40) }) }
    lines += fields
    lines.append("}}")
    return lines.joined(separator: "\n") + "\n"
  }

  /// A bulleted list of two to five internal links.
  mutating func linkList() -> String {
    var lines: [String] = []
    for _ in 0..<range(2, 5) {
      lines.append(
        fitting("* [[Ostrel]]") { w in
          switch w.rng.below(3) {
          case 0: return "* [[" + w.pick(DemoWords.places) + "]]"
          case 1:
            let noun = w.pick(DemoWords.nouns)
            return "* " + w.link(noun, label: nil, parenDepth: 0) + " (" + w.year() + ")"
          default: return "* [[" + w.pick(DemoWords.names) + "]], " + w.nounPhrase()
          }
        })
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// A bulleted list of one to four references.
  mutating func referenceList() -> String {
    var lines: [String] = []
    for _ in 0..<range(1, 4) {
      lines.append(
        fitting("* {{cite|title=Notes|year=1800}}") { w in
          w.chance(50)
            ? "* {{cite|title=" + w.title() + "|year=" + w.year() + "}}"
            : "* " + w.externalLink(maxLength: 50) + " (" + w.year() + ")"
        })
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
