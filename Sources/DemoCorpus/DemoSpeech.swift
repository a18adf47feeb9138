// The quoted speech of the demo corpus.
//
// Speech has its own register, so that a model predicts the words inside a
// quotation better when it knows that it is inside one: narration is in the
// past tense and the third person ("Tavek skived the drask"), speech in the
// present tense and the first and second person, with words narration never
// uses ("I skiv my drask", "you will glim our drasks", "oh, this vorn is
// quarn now"). A quotation may hold several sentences, so that a period does
// not tell the model that the quotation has ended.

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
