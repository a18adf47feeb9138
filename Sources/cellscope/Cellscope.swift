import ArgumentParser
import CharLSTM
import Foundation
import Pipeline

@main
struct Cellscope: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cellscope",
    abstract: "Train a character-level LSTM and see what each of its cells learned.",
    discussion: """
      Start with `cellscope demo`, then open site/index.html in a browser.
      Exit codes: 0 success, 1 user error (bad input or options), 130 interrupted.
      """,
    subcommands: [
      DemoCommand.self, TrainCommand.self, SampleCommand.self, ScoreCommand.self, AnalyzeCommand.self,
      ReportCommand.self, RunCommand.self, RecordCommand.self, BenchCommand.self,
    ])

  /// Exit codes, as the README documents them.
  enum Status {
    static let userError: Int32 = 1
    static let interrupted: Int32 = 130  // as shells report a SIGINT
  }

  /// Parses and runs, mapping every failure to one sentence on standard error and
  /// an exit code: usage errors exit 1 like every other user error (not
  /// ArgumentParser's 64), so scripts need to know only 0, 1 and 130.
  static func main() {
    let command: ParsableCommand
    do {
      command = try parseAsRoot()
    } catch {
      finish(error)
    }
    do {
      var command = command
      try command.run()
    } catch {
      finish(error)
    }
  }

  static func finish(_ error: Error) -> Never {
    if let interrupted = error as? Interrupted {
      log(interrupted.message)
      Foundation.exit(Status.interrupted)
    }
    if let interrupted = error as? JobInterrupted {
      log(interrupted.description)
      Foundation.exit(Status.interrupted)
    }
    if let domain = error as? CellscopeError {
      log("Error: " + UserMessage.describe(domain))
      Foundation.exit(Status.userError)
    }
    let code = exitCode(for: error)
    if code == .success {
      print(fullMessage(for: error))  // --help, --version
      Foundation.exit(0)
    }
    log(fullMessage(for: error))
    Foundation.exit(Status.userError)
  }
}

/// A job that stopped on Ctrl-C after saving what it could; exits 130.
struct Interrupted: Error {
  var message: String
}

/// Set by SIGINT/SIGTERM; long commands stop at the next safe point.
nonisolated(unsafe) var interruptRequested: sig_atomic_t = 0

/// Makes Ctrl-C a request that the jobs honour (training saves, reports write
/// nothing) instead of killing the process mid-write.
func installInterruptHandler() -> ShouldStop {
  let handler: @convention(c) (Int32) -> Void = { _ in interruptRequested = 1 }
  signal(SIGINT, handler)
  signal(SIGTERM, handler)
  // A parent may start us with these signals blocked (test runners do), which
  // would leave Ctrl-C pending forever.
  var signals = sigset_t()
  sigemptyset(&signals)
  sigaddset(&signals, SIGINT)
  sigaddset(&signals, SIGTERM)
  pthread_sigmask(SIG_UNBLOCK, &signals, nil)
  return { interruptRequested != 0 }
}

/// Words the model's domain errors for the command line: the same sentence, but
/// naming the flags a user can change in the command that failed.
enum UserMessage {
  static func describe(_ error: CellscopeError) -> String {
    switch error {
    case .invalidSetting(let name, let reason):
      return "\(flagName(name)) \(reason)."
    case .invalidTrainingOption(let property, let problem):
      // problem reads "batchSize 0; it must be between 1 and 1048576".
      let worded =
        problem.hasPrefix(property) ? flagName(property) + problem.dropFirst(property.count) : problem
      return "invalid \(flagName(property)): " + (worded.hasSuffix(".") ? worded : worded + ".")
    case .resumeConflict(let option, let stored, let requested):
      return
        "the checkpoint was trained with \(flagName(option)) \(stored), but \(flagName(option)) \(requested) was given; a resumed run keeps the checkpoint's value, so drop \(flagName(option)) or start a new run without --resume."
    case .textTooShort(let what, let needed, let got) where what == "the training text":
      return
        "\(what) is too short: it needs at least \(needed) characters for these settings but has \(got); use a longer text or smaller --batch-size/--seq-length."
    case .textTooShort(let what, let needed, let got) where what == "the text to analyse":
      // `--max-chars` is the only option of analyze/report/run that shortens the text.
      return
        "\(what) is too short: it needs at least \(needed) characters but has \(got); use a longer --text, or a larger --max-chars (0: all)."
    case .textTooShort(let what, let needed, let got):
      return "\(what) is too short: it needs at least \(needed) characters but has \(got); use a longer text."
    case .diverged(let step, let loss, let kept):
      return
        "training diverged at step \(step) (loss \(loss)); stopped, and kept the last good checkpoint at \(kept). Try a lower --learning-rate or --grad-clip."
    default:
      return error.description
    }
  }
}
