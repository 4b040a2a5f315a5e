/// Bars from y = 0 (a histogram): one `<rect>` per bar spanning [x0, x1].
public struct BarMark: Mark {
    public struct Bar: Equatable {
        public var x0: Double, x1: Double, height: Double
        public var title: String?
        public init(x0: Double, x1: Double, height: Double, title: String? = nil) {
            self.x0 = x0; self.x1 = x1; self.height = height; self.title = title
        }
    }

    public var bars: [Bar]
    public var color: String
    public var cssClass: String
    public var label: String?

    public init(bars: [Bar], color: String, cssClass: String = "", label: String? = nil) {
        self.bars = bars; self.color = color; self.cssClass = cssClass; self.label = label
    }

    public var xValues: [Double] { bars.flatMap { [$0.x0, $0.x1] } }
    public var yValues: [Double] { [0] + bars.map(\.height) }
    public var legendEntry: LegendEntry? { label.map { LegendEntry(label: $0, color: color, symbol: .band) } }

    public func render(in frame: PlotFrame) -> SVGElement {
        let n = SVGNumber.format
        let rects: [SVGElement] = bars.compactMap { b in
            guard let p = frame.point(b.x0, b.height), let q = frame.point(b.x1, 0) else { return nil }
            var e = SVGElement("rect", [("x", n(min(p.x, q.x) + 0.5)), ("y", n(min(p.y, q.y))),
                                        ("width", n(max(abs(q.x - p.x) - 1, 0.5))), ("height", n(abs(q.y - p.y)))])
            if let t = b.title { e.children.append(SVGElement("title", text: t)) }
            return e
        }
        return .group(["mark", "bars", cssClass].filter { !$0.isEmpty }.joined(separator: " "), rects, [("fill", color)])
    }
}
