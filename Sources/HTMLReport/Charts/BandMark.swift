/// A shaded region between a lower and an upper curve over the same x
/// values (a prediction band): one closed `<path>`.
public struct BandMark: Mark {
    public var x: [Double]
    public var lower: [Double]
    public var upper: [Double]
    public var color: String
    public var opacity: Double
    public var cssClass: String
    public var label: String?

    public init(x: [Double], lower: [Double], upper: [Double], color: String, opacity: Double = 0.18,
                cssClass: String = "", label: String? = nil) {
        precondition(x.count == lower.count && x.count == upper.count, "one lower and one upper value per x")
        self.x = x; self.lower = lower; self.upper = upper; self.color = color; self.opacity = opacity
        self.cssClass = cssClass; self.label = label
    }

    public var xValues: [Double] { x }
    public var yValues: [Double] { lower + upper }
    public var legendEntry: LegendEntry? { label.map { LegendEntry(label: $0, color: color, symbol: .band) } }

    public func render(in frame: PlotFrame) -> SVGElement {
        let n = SVGNumber.format
        let keep = x.indices.filter { frame.point(x[$0], lower[$0]) != nil && frame.point(x[$0], upper[$0]) != nil }
        var d = ""
        for (k, i) in keep.enumerated() {
            let q = frame.point(x[i], upper[i])!
            d += (k == 0 ? "M" : "L") + n(q.x) + "," + n(q.y)
        }
        for i in keep.reversed() {
            let q = frame.point(x[i], lower[i])!
            d += "L" + n(q.x) + "," + n(q.y)
        }
        if !d.isEmpty { d += "Z" }
        let path = SVGElement("path", [("d", d), ("fill", color), ("fill-opacity", n(opacity)), ("stroke", "none")])
        return .group(["mark", "band", cssClass].filter { !$0.isEmpty }.joined(separator: " "), [path])
    }
}
