/// The items an adaptive test has given one model so far and the answers it
/// recorded: the bookkeeping the K = 1 and the K > 1 tests share.
struct AnsweredItems {
    /// The model's response to every bank item (NaN = not answered).
    let responses: [Float]
    /// Trial counts per bank item for binomial data; nil for one each.
    let trials: [Float]?
    private var given: [Bool]
    /// The answers given so far, in the order the items were given.
    private(set) var observations: [Observation] = []

    init(responses: [Float], trials: [Float]?) {
        self.responses = responses
        self.trials = trials
        given = [Bool](repeating: false, count: responses.count)
    }

    /// Item j can still be given: not given yet, answered by the model, and
    /// (binomial) with at least one trial.
    func isAvailable(_ j: Int) -> Bool {
        !given[j] && !responses[j].isNaN && (trials.map { $0[j] >= 1 } ?? true)
    }

    /// Gives item j: records the model's answer to it.
    mutating func give(_ j: Int) {
        given[j] = true
        observations.append(Observation(item: j, y: Double(responses[j]), trials: trials.map { Double($0[j]) } ?? 1))
    }
}
