/// Word lists for the demo corpus, and the few rules of their made-up grammar.
///
/// Every noun, verb, adjective, name and place here is invented for cellscope;
/// only the function words (the, of, and, ...) and a handful of common English
/// labels (History, References, January) are ordinary English. All entries are
/// plain lower-case or capitalised ASCII letters, so that the structure of the
/// corpus (quotes, links, brackets, code) is what a model must spend its cells on.
/// The lists are arrays, never sets or dictionaries, so that a seeded choice
/// picks the same word on every machine.
enum DemoWords {
  /// Common nouns (regular plural: add "s").
  static let nouns: [String] = [
    "drask", "pellun", "tellik", "quessa", "vorn", "sorvik", "tamble", "quiven",
    "ostra", "felm", "gavrin", "nollet", "brell", "dunmet", "eskel", "fannow",
    "grisp", "hollet", "irrin", "jassel", "kember", "lurrow", "mazzet", "nurl",
    "obbin", "prask", "rindle", "sabbet", "torrin", "ulmet", "vassel", "wemble",
    "zeffin", "arbet", "boskel", "cindle", "dorrit", "emmel", "glent", "harrik",
    "istel", "jorry", "kessel", "lomber", "mirrow", "nessik", "orrel", "plimb",
    "quandle", "roskin", "sellet", "tunnick", "uvver", "velk", "wistle", "yellim",
    "zorbel", "ambrel", "brisset", "corrin", "delvet", "estrin", "fulk", "hennet",
    "ibbet", "jinket", "korrow", "mossel", "orvick", "pindle", "quorrel", "rappet",
    "stellin", "tobbin", "umbrik", "varret", "wobbin", "yask", "zimmet", "carvek",
  ]

  /// Verbs in their base form; every one is regular (see `past`, `third`).
  static let verbs: [String] = [
    "skiv", "glim", "tesk", "vorl", "prell", "quent", "dask", "fenn", "snaff",
    "brild", "clent", "drim", "frusk", "grell", "hask", "jolm", "kemb", "lusk",
    "mork", "nabble", "orch", "pesk", "quall", "rusp", "sneve", "trunnel", "umbet",
    "vask", "whelv", "yarl", "zesk", "blent", "crask", "dwenk", "fornish",
    "gristel", "hobbin", "kettrel", "lorv", "murv",
  ]

  static let adjectives: [String] = [
    "vessic", "tarrow", "plen", "mossic", "quarn", "dellish", "fonny", "gristy",
    "brindly", "corvish", "dorvy", "elvic", "farrish", "glimmish", "hesky", "ivvy",
    "jurrow", "kelpish", "lummic", "morrid", "narry", "olvish", "pessic", "quinty",
    "rusky", "sallic", "tovish", "umbry", "velky", "wendish", "yorric", "zellic",
  ]

  static let adverbs: [String] = [
    "slowly", "twice", "at once", "again", "often", "early", "quietly", "badly",
    "well", "later", "soon", "together",
  ]

  /// Given names of invented people.
  static let names: [String] = [
    "Tavek", "Orlin", "Sennet", "Marrika", "Dovel", "Ilsebeth", "Kasprin",
    "Vennick", "Ostrid", "Pellamy", "Rusk", "Talvine", "Yorrin", "Brannoc",
    "Celvie", "Dimma", "Eskarn", "Fennet", "Gorrim", "Hallin", "Jevrin", "Keddow",
    "Lusane", "Morvath", "Nellis", "Orva", "Piskett", "Quennel", "Ravik", "Solvey",
    "Tirrin", "Ulma", "Vaskel", "Wenna", "Yselt", "Zarrow",
  ]

  /// Invented places, some of two words.
  static let places: [String] = [
    "Ostrel", "Vornhollow", "Pellun Reach", "Drask Hills", "Quessamar",
    "Tellikford", "Sorvik Bay", "Gavrin Moor", "Nollet Vale", "Brellmouth",
    "Eskelwick", "Harrik Down", "Kemberly", "Lurrowgate", "Mazzeton", "Orrelby",
    "Plimbury", "Roskin Fell", "Umbrik Water", "Zeffin Isle",
  ]

  static let prepositions: [String] = [
    "in", "near", "under", "over", "beyond", "beside", "behind", "across",
    "through", "along", "past", "below", "above", "around", "inside",
  ]

  static let conjunctions: [String] = ["and", "but", "so", "because", "while", "until"]

  static let pronouns: [String] = ["I", "we", "you", "they"]

  /// Words of speech only: narration never uses them.
  static let possessives: [String] = ["my", "your", "our", "this"]
  static let spokenAdverbs: [String] = ["now", "today", "here", "tonight", "at last", "for sure"]
  static let interjections: [String] = ["oh", "yes", "no", "well", "listen", "please"]

  static let speechVerbs: [String] = [
    "said", "asked", "replied", "whispered", "called", "answered", "muttered", "added",
  ]

  /// Section headings of the wiki-style articles.
  static let headings: [String] = [
    "History", "Geography", "Early life", "Works", "Description", "Names",
    "Trade", "Climate", "Legacy", "Later years", "Customs", "Notes",
  ]

  static let months: [String] = [
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
  ]

  static let topLevelDomains: [String] = ["org", "com", "net", "info", "io"]

  /// Scalar types for the C-like code blocks.
  static let types: [String] = ["int", "long", "char", "unsigned", "size_t", "float", "double"]

  /// Assignment and comparison operators of the code blocks.
  static let assignOperators: [String] = ["=", "+=", "-=", "|=", "*="]
  static let binaryOperators: [String] = ["+", "-", "*", "/", "%", "&", "|", "<<"]
  static let comparisons: [String] = ["<", ">", "<=", ">=", "==", "!="]

  /// Past tense of a (regular) verb: "skiv" -> "skived", "sneve" -> "sneved".
  static func past(_ verb: String) -> String {
    verb.hasSuffix("e") ? verb + "d" : verb + "ed"
  }

  /// Third person singular of a verb: "skiv" -> "skivs", "vask" -> "vasks", "orch" -> "orches".
  static func third(_ verb: String) -> String {
    verb.hasSuffix("sh") || verb.hasSuffix("ch") || verb.hasSuffix("s") ? verb + "es" : verb + "s"
  }

  /// Plural of a noun: "drask" -> "drasks", "nessik" -> "nessiks", "glass" -> "glasses".
  static func plural(_ noun: String) -> String {
    noun.hasSuffix("s") || noun.hasSuffix("sh") ? noun + "es" : noun + "s"
  }

  /// The word with its first letter in upper case (ASCII).
  static func capitalized(_ word: String) -> String {
    guard let first = word.first else { return word }
    return first.uppercased() + word.dropFirst()
  }

  /// "a" or "an", by the first letter of the next word.
  static func article(before word: String) -> String {
    guard let first = word.first else { return "a" }
    return "aeiou".contains(first) ? "an" : "a"
  }
}
