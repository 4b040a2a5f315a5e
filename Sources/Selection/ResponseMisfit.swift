import Foundation
import Store

/// Infit and outfit of every item from a response file: each model's
/// responses are compared with their predictions at its ability — the fit's,
/// matched by model name, else estimated here (MAP under the bank's prior).
/// The file is streamed block by block.
public struct ResponseMisfit: Sendable {
    public var statistics: [ItemFitStatistics]
    /// Models whose ability came from the fit.
    public var matched = 0
    /// Models not in the fit, whose ability was estimated from their responses.
    public var estimated = 0

    /// - Parameters:
    ///   - fitNames, fitTheta: the fit's models and abilities [models × K].
    public init(source: ResponseSource, bank: ItemBank, fitNames: [String], fitTheta: [Double]) throws {
        let k = bank.dims
        var thetaOf: [String: [Double]] = [:]
        for (m, name) in fitNames.enumerated() where fitTheta.count >= (m + 1) * k { thetaOf[name] = Array(fitTheta[(m * k)..<((m + 1) * k)]) }
        var accumulator = MisfitAccumulator(bank: bank)
        var matched = 0, estimated = 0
        let names = source.info.modelNames
        try source.forEachBlock { rows, values, trials in
            let n = bank.count
            for r in 0..<rows.count {
                var theta = thetaOf[names[rows.lowerBound + r]]
                if theta != nil { matched += 1 } else {
                    let obs = ResponseSource.observations(values, trials, row: r, items: n)
                    theta = k == 1 ? [AbilityEstimator.posteriorMode(obs, bank: bank, prior: bank.prior).theta]
                        : MultidimensionalAbility.posteriorMode(obs, bank: bank).theta
                    estimated += 1
                }
                accumulator.add(responses: values[(r * n)..<((r + 1) * n)],
                                trials: trials.map { $0[(r * n)..<((r + 1) * n)] }, ability: theta!)
            }
        }
        statistics = accumulator.statistics()
        self.matched = matched
        self.estimated = estimated
    }
}
