/// One legend line: a swatch showing how the series is drawn, and its label.
public struct LegendEntry: Equatable {
    public enum Symbol: String { case point, hollowPoint, hollowDiamond, line, dashedLine, band, interval }
    public var label: String
    public var color: String
    public var symbol: Symbol
    public init(label: String, color: String, symbol: Symbol) {
        self.label = label; self.color = color; self.symbol = symbol
    }
}

/// The legend of a chart: entries laid out left to right in rows above the
/// plot area, wrapping at the available width. Swatches use only `<rect>`
/// and `<line>`, so counting a chart's `<circle>` and `<path>` elements
/// counts its data marks alone.
public struct Legend {
    public var entries: [LegendEntry]
    public static let rowHeight = 18.0
    static let fontSize = 12.0

    public init(entries: [LegendEntry]) {
        // Same label and look twice (e.g. one series split into marks) shows once.
        var seen: [LegendEntry] = []
        for e in entries where !seen.contains(e) { seen.append(e) }
        self.entries = seen
    }

    /// Top-left corner of each entry, relative to the legend's origin, for a given width.
    public func layout(width: Double) -> [(x: Double, y: Double)] {
        var x = 0.0, y = 0.0, out: [(x: Double, y: Double)] = []
        for e in entries {
            let w = Legend.entryWidth(e)
            if x > 0 && x + w > width { x = 0; y += Legend.rowHeight }
            out.append((x, y))
            x += w
        }
        return out
    }

    /// Height the legend needs at `width` (0 without entries).
    public func height(width: Double) -> Double {
        guard !entries.isEmpty else { return 0 }
        return (layout(width: width).map(\.y).max() ?? 0) + Legend.rowHeight
    }

    static func entryWidth(_ e: LegendEntry) -> Double {
        22 + TextMetrics.width(e.label, size: fontSize) + 18
    }

    /// `<g class="legend">` with one `<g class="legend-entry">` per entry.
    public func render(x: Double, y: Double, width: Double) -> SVGElement {
        let n = SVGNumber.format
        let items: [SVGElement] = zip(entries, layout(width: width)).map { e, p in
            let sx = x + p.x, sy = y + p.y + Legend.rowHeight / 2
            var swatch: SVGElement
            switch e.symbol {
            case .point, .hollowPoint:
                swatch = SVGElement("rect", [("x", n(sx + 4)), ("y", n(sy - 5)), ("width", "10"), ("height", "10"), ("rx", "5"),
                                             ("fill", e.symbol == .point ? e.color : "white"), ("stroke", e.color),
                                             ("stroke-width", e.symbol == .point ? "0" : "1.8")])
            case .hollowDiamond:
                swatch = SVGElement("rect", [("x", n(sx + 5)), ("y", n(sy - 4)), ("width", "8"), ("height", "8"), ("fill", "white"),
                                             ("stroke", e.color), ("stroke-width", "1.8"), ("transform", "rotate(45 \(n(sx + 9)) \(n(sy)))")])
            case .line, .dashedLine:
                swatch = SVGElement("line", [("x1", n(sx)), ("x2", n(sx + 18)), ("y1", n(sy)), ("y2", n(sy)), ("stroke", e.color), ("stroke-width", "2.5")])
                if e.symbol == .dashedLine { swatch.set("stroke-dasharray", "5 3") }
            case .band:
                swatch = SVGElement("rect", [("x", n(sx)), ("y", n(sy - 6)), ("width", "18"), ("height", "12"), ("fill", e.color), ("fill-opacity", "0.35")])
            case .interval:
                swatch = SVGElement("line", [("x1", n(sx + 9)), ("x2", n(sx + 9)), ("y1", n(sy - 7)), ("y2", n(sy + 7)), ("stroke", e.color), ("stroke-width", "2")])
            }
            let text = SVGElement("text", [("x", n(sx + 22)), ("y", n(sy)), ("dy", "0.32em")], text: e.label)
            return SVGElement("g", [("class", "legend-entry")], children: [swatch, text])
        }
        return .group("legend", items)
    }
}
