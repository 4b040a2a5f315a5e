import ArgumentParser

/// Every subcommand, in the order `irsl --help` lists them. Each lives in its own file.
extension IRSL {
    static let subcommandList: [ParsableCommand.Type] = [
        Simulate.self, Fit.self, CrossValidate.self, Info.self, ScalingStudy.self, Ingest.self,
        Select.self, Score.self, Cat.self, Items.self, EvaluateSubset.self,
        Law.self, Forecast.self, Optimal.self, PassK.self, Backtest.self,
        Report.self, Export.self, CheckHDF5.self, CheckConfig.self,
    ]
}
