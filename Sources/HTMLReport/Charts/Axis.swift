/// One axis of a chart: its line, tick marks, tick labels, grid lines
/// across the plot area and a title.
public struct Axis {
    public enum Edge: String { case bottom, left }

    public var edge: Edge
    public var scale: Scale
    public var title: String
    public var ticks: [Double]
    public var labels: [String]
    public var grid: Bool

    /// Ticks from the scale unless given; `labels` must match `ticks` when given.
    public init(edge: Edge, scale: Scale, title: String, ticks: [Double]? = nil, labels: [String]? = nil,
                tickTarget: Int = 5, grid: Bool = true) {
        self.edge = edge
        self.scale = scale
        self.title = title
        let t = ticks ?? scale.ticks(target: tickTarget)
        self.ticks = t
        self.labels = labels ?? scale.labels(for: t)
        precondition(self.labels.count == self.ticks.count, "one label per tick")
        self.grid = grid
    }

    /// The axis as a `<g class="axis x|y">` drawn against `area`.
    public func render(area: Rect) -> SVGElement {
        var parts: [SVGElement] = []
        let n = SVGNumber.format
        switch edge {
        case .bottom:
            for (t, label) in zip(ticks, labels) where scale.contains(t) {
                let x = n(scale.map(t))
                if grid { parts.append(SVGElement("line", [("class", "grid"), ("x1", x), ("x2", x), ("y1", n(area.y)), ("y2", n(area.maxY))])) }
                parts.append(SVGElement("line", [("class", "tick"), ("x1", x), ("x2", x), ("y1", n(area.maxY)), ("y2", n(area.maxY + 5))]))
                parts.append(SVGElement("text", [("class", "tick-label"), ("x", x), ("y", n(area.maxY + 18)), ("text-anchor", "middle")], text: label))
            }
            parts.append(SVGElement("line", [("class", "domain"), ("x1", n(area.x)), ("x2", n(area.maxX)), ("y1", n(area.maxY)), ("y2", n(area.maxY))]))
            parts.append(SVGElement("text", [("class", "axis-title"), ("x", n(area.x + area.width / 2)), ("y", n(area.maxY + 36)),
                                             ("text-anchor", "middle")], text: title))
            return .group("axis x", parts)
        case .left:
            for (t, label) in zip(ticks, labels) where scale.contains(t) {
                let y = n(scale.map(t))
                if grid { parts.append(SVGElement("line", [("class", "grid"), ("x1", n(area.x)), ("x2", n(area.maxX)), ("y1", y), ("y2", y)])) }
                parts.append(SVGElement("line", [("class", "tick"), ("x1", n(area.x - 5)), ("x2", n(area.x)), ("y1", y), ("y2", y)]))
                parts.append(SVGElement("text", [("class", "tick-label"), ("x", n(area.x - 8)), ("y", y), ("dy", "0.32em"),
                                                 ("text-anchor", "end")], text: label))
            }
            parts.append(SVGElement("line", [("class", "domain"), ("x1", n(area.x)), ("x2", n(area.x)), ("y1", n(area.y)), ("y2", n(area.maxY))]))
            let cx = area.x - Axis.labelWidth(labels) - 16, cy = area.y + area.height / 2
            parts.append(SVGElement("text", [("class", "axis-title"), ("x", n(cx)), ("y", n(cy)), ("text-anchor", "middle"),
                                             ("transform", "rotate(-90 \(n(cx)) \(n(cy)))")], text: title))
            return .group("axis y", parts)
        }
    }

    /// Pixels the widest tick label needs.
    static func labelWidth(_ labels: [String]) -> Double {
        labels.map { TextMetrics.width($0, size: 11) }.max() ?? 0
    }
}
