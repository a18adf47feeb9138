/// The embedded demo corpus: a synthetic text made to grow nameable LSTM cells.
///
/// The text mixes three kinds of section, separated by blank lines:
///
/// - stories: past-tense narration with quoted dialogue (quotations of 20 to
///   `maxQuotation` characters, often across line breaks, in a present-tense,
///   first- and second-person register of their own: see `DemoSpeech`) and
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

  // MARK: - Prose

  /// A noun phrase: a name, a place, or a determiner, an optional adjective and a
  /// noun. In wiki mode the noun part may be a link (with a parenthesised
  /// disambiguation only outside parentheses, so that their depth stays <= 3).
  mutating func nounPhrase(initial: Bool = false, wiki: Bool = false, parenDepth: Int = 0) -> String {
    let roll = rng.below(10)
    if roll < 3 {
      let proper = roll < 2 ? pick(DemoWords.names) : pick(DemoWords.places)
      return wiki && chance(40) ? link(proper, label: nil, parenDepth: parenDepth) : proper
    }
    var words: [String] = []
    let noun = pick(DemoWords.nouns)
    let plural = chance(30)
    let adjective = chance(35) ? pick(DemoWords.adjectives) + " " : ""
    var head = adjective + (plural ? DemoWords.plural(noun) : noun)
    if wiki && chance(45) {
      head = adjective + link(noun, label: plural ? DemoWords.plural(noun) : nil, parenDepth: parenDepth)
    }
    let determiner =
      plural
      ? pick(["the", "some", "many", "all the", "two", "those"])
      : pick(["the", "the", "every", "one", "that", DemoWords.article(before: head)])
    words.append(initial ? DemoWords.capitalized(determiner) : determiner)
    words.append(head)
    return words.joined(separator: " ")
  }

  /// A wiki link to `target`, which the prose shows as `label` (or `target`).
  ///
  /// The link target is in title case and of varying length (`[[Drask]]`,
  /// `[[Drask of Pellun Reach|drask]]`, `[[List of Drasks|drasks]]`), piped to
  /// the lower-case word of the prose, sectioned, disambiguated, or with a link
  /// trail (`[[Drask]]s`): capitals that outside a link would start no word make
  /// it worth knowing whether one is inside a link.
  mutating func link(_ target: String, label: String?, parenDepth: Int) -> String {
    let title = DemoWords.capitalized(target)
    let shown = label ?? target
    if let label, chance(30) { return "[[" + title + "]]" + label.dropFirst(target.count) }
    let pipe = shown == title ? "" : "|" + shown
    switch rng.below(7) {
    case 0, 1: return "[[" + title + pipe + "]]"
    case 2: return "[[" + title + " of " + pick(DemoWords.places) + "|" + shown + "]]"
    case 3: return "[[" + title + "#" + pick(DemoWords.headings) + "|" + shown + "]]"
    case 4 where parenDepth == 0:
      let sense = pick(["animal", "tool", "river", "village", "song", "game"])
      return "[[" + title + " (" + sense + ")|" + shown + "]]"
    case 5 where target.first?.isLowercase == true:
      let topic = pick(["List of ", "History of ", "Old ", "Great "]) + DemoWords.plural(title)
      return "[[" + topic + (chance(40) ? " in " + pick(DemoWords.places) : "") + "|" + shown + "]]"
    default: return "[[" + title + pipe + "]]"
    }
  }

  /// A short clause of a few words, lower case unless it starts with a name.
  mutating func clause(wiki: Bool = false, parenDepth: Int = 0) -> String {
    let verb = pick(DemoWords.verbs)
    switch rng.below(5) {
    case 0:
      return nounPhrase(wiki: wiki, parenDepth: parenDepth) + " " + DemoWords.past(verb) + " "
        + nounPhrase(wiki: wiki, parenDepth: parenDepth)
    case 1:
      return nounPhrase(wiki: wiki, parenDepth: parenDepth) + " " + DemoWords.past(verb) + " "
        + pick(DemoWords.prepositions) + " " + nounPhrase(wiki: wiki, parenDepth: parenDepth)
    case 2: return pick(DemoWords.names) + " " + DemoWords.past(verb) + " " + pick(DemoWords.adverbs)
    case 3:
      return "the " + pick(DemoWords.nouns) + " was " + pick(DemoWords.adjectives) + " "
        + pick(DemoWords.prepositions) + " " + pick(DemoWords.places)
    default: return nounPhrase(wiki: wiki, parenDepth: parenDepth) + " " + DemoWords.past(verb)
    }
  }

  /// A narrative sentence, ending with a period; may hold parentheses and URLs.
  mutating func narration(wiki: Bool) -> String {
    var sentence: String
    switch rng.below(8) {
    case 0:
      sentence =
        "In " + year() + ", " + pick(DemoWords.names) + " " + DemoWords.past(pick(DemoWords.verbs)) + " "
        + nounPhrase(wiki: wiki) + " " + pick(DemoWords.prepositions) + " " + pick(DemoWords.places)
    case 1:
      sentence =
        nounPhrase(initial: true, wiki: wiki) + " " + parenthetical(depth: 1, wiki: wiki) + " "
        + DemoWords.past(pick(DemoWords.verbs)) + " " + nounPhrase(wiki: wiki)
    case 2:
      sentence = DemoWords.capitalized(clause(wiki: wiki)) + " " + parenthetical(depth: 1, wiki: wiki)
    case 3:
      let intro = pick(["A map of", "The records of", "Old notes on", "A list of"])
      let verb = intro.hasPrefix("A ") ? " was kept at " : " were kept at "
      sentence =
        intro + " " + pick(DemoWords.places) + verb + url(bare: chance(30)) + " for anyone who "
        + DemoWords.past(pick(DemoWords.verbs)) + " there"
    case 4:
      sentence =
        DemoWords.capitalized(clause(wiki: wiki)) + ", " + pick(DemoWords.conjunctions) + " "
        + clause(wiki: wiki)
    case 5 where wiki:
      let place = link(pick(DemoWords.places), label: nil, parenDepth: 0)
      sentence =
        place + " lies " + convert() + " " + pick(["north", "south", "east", "west"]) + " of "
        + nounPhrase(wiki: true)
    case 5:
      sentence =
        "See " + url(bare: chance(40)) + " for " + nounPhrase(wiki: false) + " and its "
        + pick(DemoWords.nouns)
    default:
      sentence = DemoWords.capitalized(clause(wiki: wiki))
    }
    sentence += "."
    if wiki && chance(30) { sentence += citation() }
    return sentence
  }

  /// A parenthetical at nesting `depth` (1...3): an aside, a date, a URL, or
  /// words with a deeper parenthetical inside.
  mutating func parenthetical(depth: Int, wiki: Bool) -> String {
    var body: String
    switch rng.below(7) {
    case 0: body = "born " + year() + " in " + pick(DemoWords.places)
    case 1:
      let born = range(1720, 1950)
      body = String(born) + "-" + String(born + range(1, 80))
    case 2 where depth == 1: body = "see " + url(bare: chance(30)) + " for more"
    case 3 where wiki: body = "{{lang|vo|" + pick(DemoWords.nouns) + pick(["", "el", "ik", "a"]) + "}}"
    default:
      var parts: [String] = []
      if chance(40) { parts.append(pick(["that is,", "or", "also", "now", "once", "mostly"])) }
      for _ in 0..<range(1, 3) {
        parts.append(rng.below(3) == 0 ? clause(wiki: wiki, parenDepth: depth) : pick(DemoWords.nouns))
      }
      body = parts.joined(separator: " ")
    }
    if depth < 3 && chance(depth == 1 ? 45 : 40) {
      body += " " + parenthetical(depth: depth + 1, wiki: wiki)
      if chance(50) { body += " " + pick(DemoWords.adverbs) }
    }
    return "(" + body + ")"
  }

  /// A URL of at most `maxLength` (>= 36) characters: `http://`, `https://`, or bare `www.`.
  mutating func url(bare: Bool, maxLength: Int = 60) -> String {
    var host = pick(DemoWords.nouns)
    if chance(30) { host += pick(DemoWords.nouns) }
    host += "." + pick(DemoWords.topLevelDomains)
    var result: String
    if bare {
      result = "www." + host
    } else {
      result = (chance(50) ? "http://" : "https://") + (chance(40) ? "www." : "") + host
    }
    for _ in 0..<range(0, 3) {
      let segment: String
      switch rng.below(4) {
      case 0: segment = pick(DemoWords.nouns) + "_" + pick(DemoWords.nouns)
      case 1: segment = year()
      case 2: segment = "wiki/" + DemoWords.capitalized(pick(DemoWords.nouns))
      default: segment = pick(DemoWords.nouns)
      }
      if result.utf8.count + segment.utf8.count + 16 <= maxLength { result += "/" + segment }
    }
    if chance(15) { result += pick([".html", "/index.html", "/"]) }
    if chance(15) {
      result += pick(["?id=", "?page=", "?q="]) + String(range(1, 9999))
    } else if chance(10) {
      result += "#" + pick(DemoWords.nouns)
    }
    return result
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
