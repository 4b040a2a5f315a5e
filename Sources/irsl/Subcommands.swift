import ArgumentParser

/// Every subcommand, in the order `irsl --help` lists them. Each lives in its own file.
extension IRSL {
    static let subcommandList: [ParsableCommand.Type] = [
        Simulate.self, Fit.self, Info.self,
    ]
}
