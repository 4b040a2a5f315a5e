import Store

/// Everything a report is made from. Only the fit is required; every
/// other input is optional and its section (or part of one) is replaced by
/// a note saying what to pass to get it.
public struct ReportInput {
    public var fit: FitResult
    public var fitPath: String
    /// Families and compute of the fit's models (the fit's input response file).
    public var models: ModelCovariateTable?
    /// Why `models` is missing, when it is (shown in the ability section).
    public var modelsNote: String?
    public var law: LawOverlay?
    public var forecasts: ForecastTable?
    public var diagnostics: ItemDiagnosticsTable?
    public var subset: SubsetTable?
    /// Shown in the page footer, e.g. the command and the time.
    public var generatedBy: String

    public init(fit: FitResult, fitPath: String, models: ModelCovariateTable? = nil, modelsNote: String? = nil,
                law: LawOverlay? = nil, forecasts: ForecastTable? = nil, diagnostics: ItemDiagnosticsTable? = nil,
                subset: SubsetTable? = nil, generatedBy: String = "") {
        self.fit = fit; self.fitPath = fitPath; self.models = models; self.modelsNote = modelsNote; self.law = law
        self.forecasts = forecasts; self.diagnostics = diagnostics; self.subset = subset; self.generatedBy = generatedBy
    }
}
