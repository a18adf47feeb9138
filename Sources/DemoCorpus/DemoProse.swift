// The prose of the demo corpus: narration (noun phrases, clauses, wiki links,
// parentheticals, URLs) and quoted speech.
//
// Speech has its own register, so that a model predicts the words inside a
// quotation better when it knows that it is inside one: narration is in the
// past tense and the third person ("Tavek skived the drask"), speech in the
// present tense and the first and second person, with words narration never
// uses ("I skiv my drask", "you will glim our drasks", "oh, this vorn is
// quarn now"). A quotation may hold several sentences, so that a period does
// not tell the model that the quotation has ended.

extension DemoWriter {
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

// MARK: - Speech

extension DemoWriter {
  /// One clause of speech in the present tense, without end punctuation; under
  /// 60 characters (the longest words of each list give 55).
  mutating func spokenClause() -> String {
    let verb = pick(DemoWords.verbs)
    let noun = pick(DemoWords.nouns)
    switch rng.below(7) {
    case 0: return pick(DemoWords.pronouns) + " " + verb + " " + pick(DemoWords.possessives) + " " + noun
    case 1:
      return pick(["you", "we", "they"]) + " never " + verb + " " + pick(DemoWords.prepositions) + " "
        + pick(DemoWords.places)
    case 2:
      return pick(["I", "we", "you"]) + " will " + verb + " " + pick(DemoWords.possessives) + " "
        + DemoWords.plural(noun)
    case 3:
      return pick(DemoWords.possessives) + " " + noun + " is " + pick(DemoWords.adjectives) + " "
        + pick(DemoWords.spokenAdverbs)
    case 4:
      return pick(DemoWords.names) + " " + DemoWords.third(verb) + " " + pick(DemoWords.possessives) + " "
        + noun
    case 5: return "do you " + verb + " " + pick(DemoWords.possessives) + " " + DemoWords.plural(noun)
    default:
      return "I " + pick(["think", "know", "hope", "fear"]) + " " + pick(["you", "we", "they"]) + " " + verb
        + " " + pick(DemoWords.spokenAdverbs)
    }
  }

  /// Speech inside quotes: an optional interjection, then spoken clauses joined
  /// by a comma and a conjunction or by a full stop, without end punctuation.
  /// At least 17 characters; beyond that, clauses are added only while they fit
  /// in `target`, until it is nearly reached. A clause with its joint is under
  /// 72 characters, so the text is never longer than max(target, 88).
  mutating func speech(target: Int, capitalize: Bool = true) -> String {
    var text = chance(30) ? pick(DemoWords.interjections) + ", " : ""
    var misses = 0
    while misses < 6 && (text.utf8.count < 17 || text.utf8.count < target - 12) {
      var next = spokenClause()
      if !text.isEmpty && !text.hasSuffix(", ") {
        next =
          chance(35)
          ? ". " + DemoWords.capitalized(next) : ", " + pick(DemoWords.conjunctions) + " " + next
      }
      if text.utf8.count >= 17 && text.utf8.count + next.utf8.count > target {
        misses += 1
        continue
      }
      text += next
    }
    return capitalize ? DemoWords.capitalized(text) : text
  }

  /// A sentence of dialogue; every quotation is 20 to `maxQuotation` characters
  /// long, counting its quote marks and its punctuation.
  mutating func dialogue() -> String {
    let name = pick(DemoWords.names)
    let verb = pick(DemoWords.speechVerbs)
    let long = DemoCorpus.maxQuotation - 3
    switch rng.below(5) {
    case 0:
      return name + " " + verb + ", \"" + speech(target: range(28, long)) + pick([".", "!", "?"]) + "\""
    case 1: return "\"" + speech(target: range(28, long)) + ",\" " + verb + " " + name + "."
    case 2:
      return "\"" + speech(target: range(20, 80)) + ",\" " + name + " " + verb + ", \""
        + speech(target: range(20, 80), capitalize: false) + ".\""
    case 3: return "\"" + speech(target: range(28, long)) + "?\" asked " + name + "."
    default:
      return name + " " + DemoWords.past(pick(DemoWords.verbs)) + " " + nounPhrase() + " and said, \""
        + speech(target: range(28, long)) + pick([".", "!"]) + "\""
    }
  }
}
