import IRT

/// What to simulate. Defaults are the demo dataset of the README.
public struct SimulationSpec: Sendable {
    public var models = 2000
    public var items = 5000
    public var benchmarks = 10
    public var response: ResponseModel = .beta
    public var trials = 10
    public var dims = 1
    public var floor = 0.0
    public var missing = 0.0
    public var families = 10
    public var seed: UInt64 = 1

    public init() {}
}
