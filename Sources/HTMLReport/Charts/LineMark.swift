/// A polyline through data points in the given order: one `<path>`.
/// Non-finite points (or points a log axis cannot show) break the line.
public struct LineMark: Mark {
    public var points: [(x: Double, y: Double)]
    public var color: String
    public var width: Double
    /// SVG stroke-dasharray, e.g. "5 3"; nil for a solid line.
    public var dash: String?
    public var cssClass: String
    public var label: String?
    /// Hover text for the whole line.
    public var title: String?

    public init(points: [(x: Double, y: Double)], color: String, width: Double = 2, dash: String? = nil,
                cssClass: String = "", label: String? = nil, title: String? = nil) {
        self.points = points; self.color = color; self.width = width; self.dash = dash
        self.cssClass = cssClass; self.label = label; self.title = title
    }

    public var xValues: [Double] { points.map(\.x) }
    public var yValues: [Double] { points.map(\.y) }
    public var legendEntry: LegendEntry? {
        label.map { LegendEntry(label: $0, color: color, symbol: dash == nil ? .line : .dashedLine) }
    }

    /// The path data: "M" starts each unbroken run, "L" continues it.
    public func pathData(in frame: PlotFrame) -> String {
        var d = "", pen = false
        for p in points {
            guard p.x.isFinite, p.y.isFinite, let q = frame.point(p.x, p.y) else { pen = false; continue }
            d += (pen ? "L" : "M") + SVGNumber.format(q.x) + "," + SVGNumber.format(q.y)
            pen = true
        }
        return d
    }

    public func render(in frame: PlotFrame) -> SVGElement {
        var path = SVGElement("path", [("d", pathData(in: frame)), ("fill", "none"), ("stroke", color),
                                       ("stroke-width", SVGNumber.format(width)), ("stroke-linejoin", "round")])
        if let dash { path.set("stroke-dasharray", dash) }
        if let title { path.children.append(SVGElement("title", text: title)) }
        return .group(["mark", "line", cssClass].filter { !$0.isEmpty }.joined(separator: " "), [path])
    }
}
