import CharLSTM
import Foundation

/// What a job reports as it goes. The command line renders these (a live line on a
/// terminal, plain lines otherwise); tests collect them.
public enum ProgressEvent: Sendable {
  /// A line worth logging as it is (e.g. "sampling at temperatures ...").
  case note(String)
  /// The trainer's own events, passed through unchanged (steps, losses, saves).
  case training(TrainingEvent)
  /// A resumed training run: which options come from the checkpoint and which
  /// from the command line (names are `TrainingOptions` property names).
  case resuming(ResumePlan)
  /// Progress through a pass over a text.
  ///
  /// - `done`, `total`: characters, `done <= total`.
  /// - `charsPerSecond`: since the phase started; 0 before the first report.
  /// - `eta`: seconds left at that rate; `.infinity` while the rate is unknown.
  case advanced(phase: String, done: Int, total: Int, charsPerSecond: Double, eta: Double)
  /// The pass named `phase` is complete (a live line can be cleared).
  case phaseFinished(String)
}

/// Receives a job's progress events, synchronously, on the job's thread.
public protocol ProgressSink {
  func event(_ e: ProgressEvent)
}

/// A sink that drops every event (library callers that want silence).
public struct SilentProgress: ProgressSink {
  public init() {}
  public func event(_ e: ProgressEvent) {}
}

/// Asked between units of work; true means the user wants the job to stop
/// (Ctrl-C). Jobs check it in every phase and then throw `JobInterrupted`
/// without writing anything, except `train`, which saves where it stopped.
public typealias ShouldStop = () -> Bool

/// Thrown when a job stops because `ShouldStop` returned true; nothing of the
/// job's output was written (training writes its checkpoint before stopping and
/// reports that in `TrainOutcome.interrupted` instead).
public struct JobInterrupted: Error, Equatable, CustomStringConvertible {
  /// The phase that was running: "training", "analysis", "sampling", "writing".
  public var phase: String
  public init(phase: String) { self.phase = phase }
  public var description: String { "interrupted during \(phase); nothing was written." }
}

/// Turns an analyser's (stage, done, total) callbacks into `.advanced` events
/// with a rate and ETA; one meter per job, phases restart its clock.
final class PassMeter {
  let sink: ProgressSink
  var phase = ""
  var start = ContinuousClock.now
  var startDone = 0

  init(sink: ProgressSink) { self.sink = sink }

  func report(_ stage: String, _ done: Int, _ total: Int) {
    let now = ContinuousClock.now
    if stage != phase {
      if !phase.isEmpty { sink.event(.phaseFinished(phase)) }
      phase = stage
      // The first report of a phase comes after its first chunk: time it from here.
      start = now
      startDone = done
      sink.event(.advanced(phase: stage, done: done, total: total, charsPerSecond: 0, eta: .infinity))
      return
    }
    let elapsed = seconds(now - start)
    let rate = elapsed > 0 ? Double(done - startDone) / elapsed : 0
    let eta = rate > 0 ? Double(total - done) / rate : .infinity
    sink.event(.advanced(phase: stage, done: done, total: total, charsPerSecond: rate, eta: eta))
  }

  func finish() {
    if !phase.isEmpty { sink.event(.phaseFinished(phase)) }
    phase = ""
  }
}
