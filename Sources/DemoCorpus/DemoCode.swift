// The C-like code sections of the demo corpus.
//
// Each function is written line by line: an opening `{` ends a line and adds
// one level of indentation (`DemoCorpus.indentWidth` spaces), a closing `}`
// starts a line at the level of its opener, and a line's indentation is always
// the number of braces open before it. Comments and string literals hold no
// quotes or brackets, so every quote and bracket in a code block is code;
// string literals hold speech (see `DemoProse`), comments the words of `phrase`.

extension DemoWriter {
  /// An optional prose lead-in, then one to three functions, separated by blank lines.
  mutating func codeSection() -> String {
    var blocks: [String] = []
    let name = functionName()
    if chance(60) {
      var lead =
        "The routine " + name + " below " + DemoWords.third(pick(DemoWords.verbs)) + " every "
        + pick(DemoWords.nouns) + " in the " + pick(DemoWords.nouns) + " list"
      if chance(40) { lead += " " + parenthetical(depth: 1, wiki: false) }
      blocks.append(wrap([lead + "."] + (chance(50) ? [narration(wiki: false)] : [])))
    }
    blocks.append(function(name))
    for _ in 0..<rng.below(3) { blocks.append(function(functionName())) }
    return blocks.joined(separator: "\n")
  }

  mutating func functionName() -> String {
    switch rng.below(3) {
    case 0: return pick(DemoWords.nouns) + "_" + pick(DemoWords.verbs)
    case 1:
      return pick(["count", "find", "free", "load", "mark"]) + "_" + DemoWords.plural(pick(DemoWords.nouns))
    default: return pick(DemoWords.verbs) + "_" + pick(DemoWords.nouns)
    }
  }

  /// A few words for a comment or a string literal (letters and spaces only),
  /// ending with a noun.
  mutating func phrase(words: Int) -> String {
    var result: [String] = []
    for index in 0..<words {
      switch rng.below(4) {
      case _ where index == words - 1: result.append(pick(DemoWords.nouns))
      case 0: result.append(pick(DemoWords.verbs))
      case 1 where index > 0: result.append(pick(["the", "each", "every", "no", "then", "and"]))
      default: result.append(pick(DemoWords.nouns))
      }
    }
    return result.joined(separator: " ")
  }

  /// One function: a header comment, maybe a `#define`, the signature, the body
  /// and, for non-void functions, a final `return`.
  mutating func function(_ name: String) -> String {
    var lines: [String] = []
    // Mostly line comments: the model's quote cell also lit up inside block
    // comments (spans that need a closer), which cost it AUC on quotes.
    switch rng.below(10) {
    case 0..<7: lines.append("// " + name + ": " + phrase(words: range(2, 7)))
    case 7:
      lines += [
        "/*", " * " + name + " - " + phrase(words: range(2, 7)), " * " + phrase(words: range(2, 8)), " */",
      ]
    default: lines.append("/* " + phrase(words: range(2, 7)) + " */")
    }
    if chance(20) {
      lines.append("#define " + pick(DemoWords.nouns).uppercased() + "_MAX " + String(range(2, 512)))
    }
    let type = chance(25) ? "void" : pick(DemoWords.types)
    variables = []
    var parameters: [String] = []
    for _ in 0..<range(1, 3) {
      let variable = pick(DemoWords.nouns)
      variables.append(variable)
      parameters.append(
        chance(35)
          ? "const struct " + pick(DemoWords.nouns) + " *" + variable : pick(DemoWords.types) + " " + variable
      )
    }
    let prefix = (chance(30) ? "static " : "") + type + " " + name + "("
    var signature = prefix + parameters.joined(separator: ", ") + ") {"
    while signature.utf8.count > width {
      // Drop trailing parameters until the signature fits.
      parameters.removeLast()
      variables.removeLast()
      signature = prefix + (parameters.isEmpty ? "void" : parameters.joined(separator: ", ")) + ") {"
    }
    lines.append(signature)
    var budget = range(4, 18)
    block(depth: 1, budget: &budget, into: &lines)
    if type != "void" {
      lines.append(fitting("    return 0;") { "    return " + $0.expression() + ";" })
    }
    lines.append("}")
    return lines.joined(separator: "\n") + "\n"
  }

  /// One to four statements at `depth` levels of indentation (never an empty
  /// block; `budget` counts down the statements left for the function).
  mutating func block(depth: Int, budget: inout Int, into lines: inout [String]) {
    for index in 0..<range(1, depth == 1 ? 4 : 3) where index == 0 || budget > 0 {
      budget -= 1
      statement(depth: depth, budget: &budget, into: &lines)
    }
  }

  /// A statement, a comment, or a nested `if`/`for`/`while` block.
  mutating func statement(depth: Int, budget: inout Int, into lines: inout [String]) {
    let indent = String(repeating: " ", count: depth * DemoCorpus.indentWidth)
    let roll = rng.below(12)
    if roll < 4 && depth < 4 && budget > 0 {
      let loop = ["i", "j", "k"][depth - 1]
      let kind = rng.below(3)
      lines.append(
        fitting(indent + "while (1) {") { w in
          switch kind {
          case 0: return indent + "if (" + w.condition() + ") {"
          case 1:
            return indent + "for (int " + loop + " = 0; " + loop + " < " + w.atom() + "; " + loop + "++) {"
          default: return indent + "while (" + w.condition() + ") {"
          }
        })
      block(depth: depth + 1, budget: &budget, into: &lines)
      if kind == 0 && chance(35) {
        lines.append(indent + "} else {")
        block(depth: depth + 1, budget: &budget, into: &lines)
      }
      lines.append(indent + "}")
      return
    }
    switch roll {
    case 4:
      lines.append(fitting(indent + "// done") { indent + "// " + $0.phrase(words: $0.range(2, 8)) })
    case 5 where chance(20):
      lines.append(indent + "/*")
      for _ in 0..<range(1, 3) {
        lines.append(fitting(indent + " * done") { indent + " * " + $0.phrase(words: $0.range(2, 9)) })
      }
      lines.append(indent + " */")
    case 5:
      for _ in 0..<range(1, 3) {
        lines.append(fitting(indent + "// done") { indent + "// " + $0.phrase(words: $0.range(2, 9)) })
      }
    default:
      var line = fitting(indent + "x = 0;") { indent + $0.simpleStatement(roll: roll) }
      if chance(20) {
        let comment =
          roll % 4 != 1 ? " // " + phrase(words: range(1, 4)) : " /* " + phrase(words: range(1, 4)) + " */"
        if line.utf8.count + comment.utf8.count <= width { line += comment }
      }
      lines.append(line)
    }
  }

  /// A one-line statement ending in `;`, chosen by `roll` (6...11).
  mutating func simpleStatement(roll: Int) -> String {
    switch roll {
    case 6:
      // Speech, as in the quotations of prose, so that one cell can serve both.
      let text = speech(target: range(17, 30), capitalize: chance(50)) + pick(["", "", ": %d", " %s", "\\n"])
      let call = pick(["log_line", "puts", "warn", "emit"])
      return chance(50) ? call + "(\"" + text + "\");" : call + "(" + atom() + ", \"" + text + "\");"
    case 7:
      let variable = pick(DemoWords.nouns)
      let line = pick(DemoWords.types) + " " + variable + " = " + expression() + ";"
      variables.append(variable)
      return line
    case 8:
      let variable = pick(DemoWords.nouns)
      var values: [String] = []
      for _ in 0..<range(2, 5) { values.append(String(range(0, 99))) }
      variables.append(variable)
      return "int " + variable + "[" + String(values.count) + "] = { " + values.joined(separator: ", ")
        + " };"
    case 9:
      return variable() + "[" + pick(["i", "n", "0", "1"]) + "] = " + expression() + ";"
    case 10:
      return functionCallName() + "(" + atom() + ", " + expression() + ");"
    default:
      let target = chance(75) ? variable() : variable() + "->" + pick(DemoWords.nouns)
      return target + " " + pick(DemoWords.assignOperators) + " " + expression() + ";"
    }
  }

  mutating func functionCallName() -> String {
    pick(DemoWords.verbs) + "_" + pick(DemoWords.nouns)
  }

  /// A name in scope (`n` if there is none).
  mutating func variable() -> String { variables.isEmpty ? "n" : pick(variables) }

  /// A variable, a number, an element, a field or a call.
  mutating func atom() -> String {
    let variable = variable()
    switch rng.below(10) {
    case 0, 1: return String(range(0, 64))
    case 2: return variable + "[" + pick(["i", "j", "n", "0"]) + "]"
    case 3: return variable + "->" + pick(DemoWords.nouns)
    case 4: return functionCallName() + "(" + variable + ")"
    default: return variable
    }
  }

  /// An arithmetic expression, parenthesised to a depth of at most three.
  mutating func expression(_ nesting: Int = 0) -> String {
    guard nesting < 2 && chance(35) else { return atom() }
    let inner =
      expression(nesting + 1) + " " + pick(DemoWords.binaryOperators) + " " + expression(nesting + 1)
    return chance(50) ? "(" + inner + ")" : inner
  }

  /// A comparison, sometimes two joined by `&&` or `||`, or a negated call.
  mutating func condition() -> String {
    switch rng.below(5) {
    case 0: return "!" + functionCallName() + "(" + atom() + ")"
    case 1:
      return "(" + atom() + " " + pick(DemoWords.comparisons) + " " + atom() + ") " + pick(["&&", "||"]) + " "
        + atom()
    default: return expression(1) + " " + pick(DemoWords.comparisons) + " " + expression(1)
    }
  }
}
