import CharLSTM
import Foundation

/// Shows training progress: one live line on a terminal, plain log lines otherwise.
final class ProgressPrinter {
  let live = isatty(STDERR_FILENO) != 0
  var lastVal: Double?
  var lastPrint = ContinuousClock.now
  var lastLine = ""

  func handle(_ event: TrainingEvent) {
    switch event {
    case .started(let total, let perEpoch, let vocabulary, let parameters):
      log(
        "training: \(total) steps, \(perEpoch) batches per epoch, vocabulary \(vocabulary), \(parameters) parameters"
      )
    case .step(let step, let total, let epoch, let loss, let rate, let eta):
      let line = String(
        format: "step %d/%d  epoch %.2f  train %.4f  val %@  %.0f chars/s  ETA %@", step, total, epoch, loss,
        lastVal.map { String(format: "%.4f", $0) } ?? "-", rate, formatDuration(eta))
      lastLine = line
      let now = ContinuousClock.now
      if live {
        if now - lastPrint > .milliseconds(200) || step == total {
          FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
          lastPrint = now
        }
      } else if step % 100 == 0 || step == total || step == 1 {
        log(line)
      }
    case .evaluated(let step, let val):
      lastVal = val
      if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
      log(
        String(format: "step %d: validation loss %.4f nats/char (%.3f bits/char)", step, val, val / log(2.0)))
    case .saved: break
    case .warning(let message): log("warning: " + message)
    case .finished:
      if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
  }
}

func formatDuration(_ s: Double) -> String {
  guard s.isFinite, s >= 0 else { return "-" }
  let t = Int(s.rounded())
  return t >= 3600
    ? String(format: "%dh%02dm", t / 3600, t % 3600 / 60) : String(format: "%dm%02ds", t / 60, t % 60)
}
