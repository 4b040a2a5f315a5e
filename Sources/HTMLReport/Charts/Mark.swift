/// Something drawn in a chart's plot area from data: points, lines, bands,
/// intervals, bars. A chart takes its automatic axis ranges from the marks'
/// values and its legend from their entries.
public protocol Mark {
    /// Data values along x that the x axis should cover.
    var xValues: [Double] { get }
    /// Data values along y that the y axis should cover.
    var yValues: [Double] { get }
    /// The legend entry, or nil for marks without one.
    var legendEntry: LegendEntry? { get }
    /// The mark as SVG, one `<g class="mark …">` holding its shapes.
    func render(in frame: PlotFrame) -> SVGElement
}
