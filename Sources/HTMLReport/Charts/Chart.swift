import Foundation

/// A complete chart: axes, marks, a legend, as one `<svg class="chart">`.
///
/// Axis ranges come from the marks' data (widened to nice ticks) unless
/// given. The SVG has a viewBox, so CSS can scale it to the page width; marks
/// sit in `<g class="marks">`, clipped to the plot area.
public struct Chart {
    /// How one axis is built.
    public struct AxisSpec {
        public var kind: Scale.Kind
        public var title: String
        /// Fixed domain; nil takes it from the data.
        public var domain: ClosedRange<Double>?
        /// Values the automatic domain must include (e.g. 0).
        public var include: [Double]
        /// Fixed ticks and labels (a category axis); nil for automatic.
        public var ticks: [Double]?
        public var labels: [String]?
        public var tickTarget: Int

        public init(_ kind: Scale.Kind = .linear, title: String, domain: ClosedRange<Double>? = nil, include: [Double] = [],
                    ticks: [Double]? = nil, labels: [String]? = nil, tickTarget: Int = 5) {
            self.kind = kind; self.title = title; self.domain = domain; self.include = include
            self.ticks = ticks; self.labels = labels; self.tickTarget = tickTarget
        }
    }

    /// Element id (unique in the page); also names the clip path.
    public var id: String
    /// Accessible name, the SVG `<title>`.
    public var title: String
    public var width: Double
    public var height: Double
    public var x: AxisSpec
    public var y: AxisSpec
    public var marks: [any Mark]
    /// Legend entries beyond those of the marks (or instead, when `legendFromMarks` is false).
    public var extraLegend: [LegendEntry]
    public var legendFromMarks: Bool

    public init(id: String, title: String, width: Double = 960, height: Double = 420, x: AxisSpec, y: AxisSpec,
                marks: [any Mark], extraLegend: [LegendEntry] = [], legendFromMarks: Bool = true) {
        self.id = id; self.title = title; self.width = width; self.height = height; self.x = x; self.y = y
        self.marks = marks; self.extraLegend = extraLegend; self.legendFromMarks = legendFromMarks
    }

    public var legend: Legend {
        Legend(entries: (legendFromMarks ? marks.compactMap(\.legendEntry) : []) + extraLegend)
    }

    /// The domain of one axis: fixed, or from the data with nice ends.
    static func domain(_ spec: AxisSpec, values: [Double]) -> ClosedRange<Double> {
        if let d = spec.domain { return d }
        let usable = (values + spec.include).filter { $0.isFinite && (spec.kind == .linear || $0 > 0) }
        guard let lo = usable.min(), let hi = usable.max() else { return spec.kind == .log ? 1...10 : 0...1 }
        return Scale.niceDomain(kind: spec.kind, lo: lo, hi: hi, target: spec.tickTarget)
    }

    /// The plot area and scales this chart draws with.
    public func frame() -> PlotFrame {
        let xDomain = Chart.domain(x, values: marks.flatMap(\.xValues))
        let yDomain = Chart.domain(y, values: marks.flatMap(\.yValues))
        // The y labels decide the left margin, so build them once against a dummy range.
        let yProbe = Axis(edge: .left, scale: Scale(kind: y.kind, domain: yDomain, range: (1, 0)), title: y.title,
                          ticks: y.ticks, labels: y.labels, tickTarget: y.tickTarget)
        let left = 12 + 18 + Axis.labelWidth(yProbe.labels) + 10
        let right = 20.0
        let legendHeight = legend.height(width: width - left - right)
        let top = 12 + legendHeight + (legendHeight > 0 ? 6 : 0)
        let bottom = 46.0
        let area = Rect(x: left, y: top, width: max(width - left - right, 10), height: max(height - top - bottom, 10))
        return PlotFrame(area: area,
                         x: Scale(kind: x.kind, domain: xDomain, range: (area.x, area.maxX)),
                         y: Scale(kind: y.kind, domain: yDomain, range: (area.maxY, area.y)))
    }

    public func render() -> SVGElement {
        let f = frame()
        let n = SVGNumber.format
        let clipID = "clip-" + id
        let pad = 6.0
        let clip = SVGElement("clipPath", [("id", clipID)], children: [
            SVGElement("rect", [("x", n(f.area.x - pad)), ("y", n(f.area.y - pad)),
                                ("width", n(f.area.width + 2 * pad)), ("height", n(f.area.height + 2 * pad))]),
        ])
        let xAxis = Axis(edge: .bottom, scale: f.x, title: x.title, ticks: x.ticks, labels: x.labels, tickTarget: x.tickTarget)
        let yAxis = Axis(edge: .left, scale: f.y, title: y.title, ticks: y.ticks, labels: y.labels, tickTarget: y.tickTarget)
        var children: [SVGElement] = [
            SVGElement("title", text: title),
            SVGElement("defs", children: [clip]),
            SVGElement("rect", [("class", "plot-area"), ("x", n(f.area.x)), ("y", n(f.area.y)),
                                ("width", n(f.area.width)), ("height", n(f.area.height))]),
            xAxis.render(area: f.area),
            yAxis.render(area: f.area),
            .group("marks", marks.map { $0.render(in: f) }, [("clip-path", "url(#\(clipID))")]),
        ]
        let legend = self.legend
        if !legend.entries.isEmpty {
            children.append(legend.render(x: f.area.x, y: 8, width: f.area.width))
        }
        return SVGElement("svg", [("id", id), ("class", "chart"), ("viewBox", "0 0 \(n(width)) \(n(height))"),
                                  ("width", n(width)), ("height", n(height)), ("role", "img"),
                                  ("preserveAspectRatio", "xMidYMid meet")], children: children)
    }
}
