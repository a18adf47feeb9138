import CharLSTM
import Foundation
import Pipeline

/// Renders a job's progress on standard error: one live line on a terminal
/// (rewritten at most five times a second), plain log lines otherwise.
final class ProgressPrinter: ProgressSink {
  let live = isatty(STDERR_FILENO) != 0
  var lastVal: Double?
  var lastPrint = ContinuousClock.now
  /// The last plain line per phase, in 10 % steps, so logs stay short.
  var lastDecile: [String: Int] = [:]

  func event(_ e: ProgressEvent) {
    switch e {
    case .note(let line): clearLine(); log(line)
    case .training(let t): training(t)
    case .resuming(let plan): resuming(plan)
    case .advanced(let phase, let done, let total, let rate, let eta):
      let line = String(
        format: "%@ %d/%d characters  %@ chars/s  ETA %@", phase, done, total,
        rate > 0 ? String(format: "%.0f", rate) : "-", formatDuration(eta))
      if live {
        update(line, force: false)
      } else {
        let decile = total > 0 ? 10 * done / total : 0
        if lastDecile[phase].map({ decile > $0 }) ?? true {
          lastDecile[phase] = decile
          log(line)
        }
      }
    case .phaseFinished: clearLine()
    }
  }

  func resuming(_ plan: ResumePlan) {
    let flags = { (names: [String]) in names.isEmpty ? "none" : names.map(flagName).joined(separator: " ") }
    log("resuming from \(plan.checkpoint): from the checkpoint: \(flags(plan.fromCheckpoint))")
    log("from the command line: \(flags(plan.fromCommandLine))")
  }

  func training(_ event: TrainingEvent) {
    switch event {
    case .started(let total, let perEpoch, let vocabulary, let parameters):
      log(
        "training: \(total) steps, \(perEpoch) batches per epoch, vocabulary \(vocabulary), \(parameters) parameters"
      )
    case .step(let step, let total, let epoch, let loss, let rate, let eta):
      let line = String(
        format: "step %d/%d  epoch %.2f  train %.4f  val %@  %.0f chars/s  ETA %@", step, total, epoch, loss,
        lastVal.map { String(format: "%.4f", $0) } ?? "-", rate, formatDuration(eta))
      if live {
        update(line, force: step == total)
      } else if step % 100 == 0 || step == total || step == 1 {
        log(line)
      }
    case .evaluated(let step, let val):
      lastVal = val
      clearLine()
      log(
        String(format: "step %d: validation loss %.4f nats/char (%.3f bits/char)", step, val, val / log(2.0)))
    case .saved: break
    case .warning(let message): log("warning: " + message)
    case .finished(let record):
      clearLine()
      log(summaryLine(record))
    }
  }

  func update(_ line: String, force: Bool) {
    let now = ContinuousClock.now
    guard force || now - lastPrint > .milliseconds(200) else { return }
    FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
    lastPrint = now
  }

  func clearLine() {
    if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
  }
}

/// Seconds as "1m05s" or "2h03m"; "-" when unknown.
func formatDuration(_ s: Double) -> String {
  guard s.isFinite, s >= 0 else { return "-" }
  let t = Int(s.rounded())
  return t >= 3600
    ? String(format: "%dh%02dm", t / 3600, t % 3600 / 60) : String(format: "%dm%02ds", t / 60, t % 60)
}

/// Writes a line to standard error.
func log(_ message: String) {
  FileHandle.standardError.write(Data((message + "\n").utf8))
}
