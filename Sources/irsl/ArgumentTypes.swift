import ArgumentParser
import Calibration
import Ingest
import IRT
import ScalingLaw
import Selection

// Typed option values. The libraries' enums become options as they are, so
// a bad value is refused by the parser with the list of valid ones (exit 64),
// and no command compares option strings by hand.

extension ResponseModel: ExpressibleByArgument {}
extension PriorMode: ExpressibleByArgument {}
extension ItemModel: ExpressibleByArgument {}
extension SelectionMethod: ExpressibleByArgument {}
extension CovariateSet: ExpressibleByArgument {}
extension FamilyEffects: ExpressibleByArgument {}
extension DimensionSelection.Criterion: ExpressibleByArgument {}
extension ResponseScoring.Mode: ExpressibleByArgument {}

/// `--response` of a calibration: a likelihood, or `auto` to take it from the
/// file's response_kind (`CalibrationJob.resolve`).
enum ResponseChoice: String, CaseIterable, ExpressibleByArgument {
    case auto, beta, bernoulli, binomial
    case betaBinomial = "beta-binomial"

    /// nil for `auto`.
    var model: ResponseModel? { ResponseModel(rawValue: rawValue) }
}

/// `irsl score --estimator`.
enum ScoreEstimator: String, CaseIterable, ExpressibleByArgument {
    /// Posterior mode under the population prior.
    case map
    /// Maximum likelihood where it exists, else MAP.
    case mle
}

/// A comma-separated list of positive integers (`--dims 1,2,3`, `--k 1,10,100`,
/// `--ranks 1,2,4`). Parsed with `parse(expected:)` so that a bad value
/// says what was expected, not only that it was invalid.
struct PositiveIntegers: Equatable, CustomStringConvertible {
    var values: [Int]

    init(_ values: [Int]) { self.values = values }

    var description: String { values.map(String.init).joined(separator: ",") }

    /// A parser for `@Option(transform:)`: its error becomes the tail of the parser's message.
    static func parse(expected: String) -> (String) throws -> PositiveIntegers {
        { text in
            let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let values = parts.compactMap { Int($0) }
            guard !parts.isEmpty, values.count == parts.count, values.allSatisfy({ $0 >= 1 }) else {
                throw ValidationError("expected \(expected); got '\(text)'")
            }
            return PositiveIntegers(values)
        }
    }
}

/// `--offsets` of `law` and `backtest`: family × benchmark offsets as random effects, or none.
enum OffsetMode: String, CaseIterable, ExpressibleByArgument { case random, none }

extension BacktestProtocol: ExpressibleByArgument {}
