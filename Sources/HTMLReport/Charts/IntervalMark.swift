/// Error bars: one `<path>` per interval (a line with end caps), vertical
/// (an interval of y at a given x) or horizontal (of x at a given y).
public struct IntervalMark: Mark {
    public struct Interval: Equatable {
        /// Where the bar stands: x for vertical bars, y for horizontal ones.
        public var at: Double
        public var low: Double, high: Double
        public var title: String?
        public init(at: Double, low: Double, high: Double, title: String? = nil) {
            self.at = at; self.low = low; self.high = high; self.title = title
        }
    }
    public enum Orientation: String { case vertical, horizontal }

    public var intervals: [Interval]
    public var orientation: Orientation
    public var color: String
    public var width: Double
    public var cap: Double
    public var cssClass: String
    public var label: String?

    public init(intervals: [Interval], orientation: Orientation = .vertical, color: String, width: Double = 1.5,
                cap: Double = 3, cssClass: String = "", label: String? = nil) {
        self.intervals = intervals; self.orientation = orientation; self.color = color; self.width = width
        self.cap = cap; self.cssClass = cssClass; self.label = label
    }

    public var xValues: [Double] {
        orientation == .vertical ? intervals.map(\.at) : intervals.flatMap { [$0.low, $0.high] }
    }
    public var yValues: [Double] {
        orientation == .vertical ? intervals.flatMap { [$0.low, $0.high] } : intervals.map(\.at)
    }
    public var legendEntry: LegendEntry? { label.map { LegendEntry(label: $0, color: color, symbol: .interval) } }

    public func render(in frame: PlotFrame) -> SVGElement {
        let n = SVGNumber.format
        let bars: [SVGElement] = intervals.compactMap { iv in
            let a: (x: Double, y: Double)?, b: (x: Double, y: Double)?
            switch orientation {
            case .vertical: a = frame.point(iv.at, iv.low); b = frame.point(iv.at, iv.high)
            case .horizontal: a = frame.point(iv.low, iv.at); b = frame.point(iv.high, iv.at)
            }
            guard let a, let b else { return nil }
            let d: String
            switch orientation {
            case .vertical:
                d = "M\(n(a.x)),\(n(a.y))L\(n(b.x)),\(n(b.y))M\(n(a.x - cap)),\(n(a.y))L\(n(a.x + cap)),\(n(a.y))M\(n(b.x - cap)),\(n(b.y))L\(n(b.x + cap)),\(n(b.y))"
            case .horizontal:
                d = "M\(n(a.x)),\(n(a.y))L\(n(b.x)),\(n(b.y))M\(n(a.x)),\(n(a.y - cap))L\(n(a.x)),\(n(a.y + cap))M\(n(b.x)),\(n(b.y - cap))L\(n(b.x)),\(n(b.y + cap))"
            }
            var e = SVGElement("path", [("d", d)])
            if let t = iv.title { e.children.append(SVGElement("title", text: t)) }
            return e
        }
        return .group(["mark", "interval", cssClass].filter { !$0.isEmpty }.joined(separator: " "), bars,
                      [("fill", "none"), ("stroke", color), ("stroke-width", SVGNumber.format(width))])
    }
}
