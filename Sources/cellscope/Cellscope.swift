import ArgumentParser
import CharLSTM
import Foundation

@main
struct Cellscope: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cellscope",
    abstract: "Train a character-level LSTM and see what each of its cells learned.",
    discussion: "Start with `cellscope demo`, then open site/index.html in a browser.",
    subcommands: [
      DemoCommand.self, TrainCommand.self, SampleCommand.self, ScoreCommand.self, AnalyzeCommand.self,
      ReportCommand.self,
      RunCommand.self, BenchCommand.self,
    ])
}

/// Set by SIGINT/SIGTERM; long commands stop at the next safe point and save.
nonisolated(unsafe) var interruptRequested: sig_atomic_t = 0

func installInterruptHandler() {
  let handler: @convention(c) (Int32) -> Void = { _ in interruptRequested = 1 }
  signal(SIGINT, handler)
  signal(SIGTERM, handler)
}

/// Writes a line to standard error.
func log(_ message: String) {
  FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Turns a CellscopeError into ArgumentParser's one-line error and exit code 1.
func runReportingErrors<T>(_ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch let error as CellscopeError {
    throw ValidationFailure(message: error.description)
  }
}

struct ValidationFailure: Error, CustomStringConvertible {
  let message: String
  var description: String { message }
}
