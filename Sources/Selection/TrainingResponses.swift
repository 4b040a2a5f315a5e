import Store

/// The models of a response file whose full responses are known, as the
/// data-driven selection methods (`reconstruction`, `discriminating`, `auto`)
/// use them: every row in bank order, and each model's ability.
///
/// Why the ability comes from two places: the file is normally the fit's own
/// input, whose models have fitted abilities; a model the fit did not see
/// (another file, or one added since) gets its MAP from all its responses, so
/// every row has an ability without refitting.
public struct TrainingResponses {
    /// Responses, `bank.count` per model, in the file's model order.
    public let rows: [Float]
    /// Trials per entry for binomial fits, else nil.
    public let trials: [Float]?
    /// Each model's ability [models × K]: the fit's where the model is in the fit, else its MAP.
    public let theta: [Double]

    public init(path: String, bank: ItemBank, fit: FitResult) throws {
        let source = try ResponseSource(path: path, bank: bank)
        let k = bank.dims
        var fitted: [String: ArraySlice<Double>] = [:]
        if fit.theta.count == fit.modelNames.count * k {
            for (i, name) in fit.modelNames.enumerated() { fitted[name] = fit.theta[(i * k)..<((i + 1) * k)] }
        }
        var rows: [Float] = [], counts: [Float]? = source.readsTrials ? [] : nil, theta: [Double] = []
        let names = source.info.modelNames
        try source.forEachBlock { range, values, trials in
            rows += values
            if let trials { counts? += trials }
            for (r, m) in range.enumerated() {
                if let t = fitted[names[m]] { theta += t; continue }
                let obs = ResponseSource.observations(values, trials, row: r, items: bank.count)
                if k == 1 {
                    theta.append(AbilityEstimator.posteriorMode(obs, bank: bank, prior: bank.prior).theta)
                } else {
                    theta += MultidimensionalAbility.posteriorMode(obs, bank: bank).theta
                }
            }
        }
        self.rows = rows
        self.trials = counts
        self.theta = theta
    }
}
