/// Points: one `<circle>` (or, for diamonds, one `<path>`) per data point
/// inside the axes, each with an SVG `<title>` that browsers show on hover.
public struct ScatterMark: Mark {
    public struct Point: Equatable {
        public var x: Double, y: Double
        /// Hover text (item id, model name …), or nil.
        public var title: String?
        public init(x: Double, y: Double, title: String? = nil) { self.x = x; self.y = y; self.title = title }
    }

    public enum Symbol: String { case circle, diamond }

    public var points: [Point]
    public var color: String
    public var radius: Double
    public var symbol: Symbol
    /// Outline only (for forecasts and true values drawn over other points).
    public var hollow: Bool
    public var opacity: Double
    /// Extra class of the mark's group, e.g. "flagged".
    public var cssClass: String
    /// Legend label; nil for no legend entry.
    public var label: String?
    /// Points outside the axes are drawn at the nearest edge (with class
    /// "clipped") instead of being left out.
    public var clampToArea: Bool

    public init(points: [Point], color: String, radius: Double = 3, symbol: Symbol = .circle, hollow: Bool = false,
                opacity: Double = 0.8, cssClass: String = "", label: String? = nil, clampToArea: Bool = false) {
        self.points = points; self.color = color; self.radius = radius; self.symbol = symbol; self.hollow = hollow
        self.opacity = opacity; self.cssClass = cssClass; self.label = label; self.clampToArea = clampToArea
    }

    public var xValues: [Double] { points.map(\.x) }
    public var yValues: [Double] { points.map(\.y) }
    public var legendEntry: LegendEntry? {
        label.map { LegendEntry(label: $0, color: color, symbol: symbol == .diamond ? .hollowDiamond : hollow ? .hollowPoint : .point) }
    }

    /// Which points are drawn, and whether each is held at an edge.
    public func visible(in frame: PlotFrame) -> [(point: Point, x: Double, y: Double, clipped: Bool)] {
        points.compactMap { p in
            guard p.x.isFinite, p.y.isFinite else { return nil }
            let inside = frame.x.contains(p.x) && frame.y.contains(p.y)
            if inside { return (p, frame.x.map(p.x), frame.y.map(p.y), false) }
            guard clampToArea, frame.x.kind == .linear || p.x > 0, frame.y.kind == .linear || p.y > 0 else { return nil }
            return (p, frame.x.clampedMap(p.x), frame.y.clampedMap(p.y), true)
        }
    }

    public func render(in frame: PlotFrame) -> SVGElement {
        let n = SVGNumber.format
        let shapes: [SVGElement] = visible(in: frame).map { v in
            var e: SVGElement
            switch symbol {
            case .circle:
                e = SVGElement("circle", [("cx", n(v.x)), ("cy", n(v.y)), ("r", n(radius))])
            case .diamond:
                let r = radius * 1.3
                e = SVGElement("path", [("d", "M\(n(v.x)),\(n(v.y - r))L\(n(v.x + r)),\(n(v.y))L\(n(v.x)),\(n(v.y + r))L\(n(v.x - r)),\(n(v.y))Z")])
            }
            if v.clipped { e.set("class", "clipped") }
            if let t = v.point.title { e.children.append(SVGElement("title", text: t)) }
            return e
        }
        let paint: [(String, String)] = hollow
            ? [("fill", "white"), ("fill-opacity", "0.6"), ("stroke", color), ("stroke-width", "1.8")]
            : [("fill", color), ("fill-opacity", SVGNumber.format(opacity)), ("stroke", "white"), ("stroke-width", "0.5")]
        return .group(["mark", "scatter", cssClass].filter { !$0.isEmpty }.joined(separator: " "), shapes, paint)
    }
}
