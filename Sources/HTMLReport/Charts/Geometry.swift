/// A rectangle in SVG pixels (y grows downwards).
public struct Rect: Equatable {
    public var x: Double, y: Double, width: Double, height: Double
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }
    public var maxX: Double { x + width }
    public var maxY: Double { y + height }
}

/// Where marks are drawn: the plot area and the two scales mapping data into it.
public struct PlotFrame: Equatable {
    public var area: Rect
    public var x: Scale
    public var y: Scale
    public init(area: Rect, x: Scale, y: Scale) { self.area = area; self.x = x; self.y = y }

    /// The pixel of a data point, or nil when either coordinate cannot be shown.
    public func point(_ px: Double, _ py: Double) -> (x: Double, y: Double)? {
        let u = x.map(px), v = y.map(py)
        return u.isFinite && v.isFinite ? (u, v) : nil
    }
}

/// Text width estimate for layout (no font metrics in a static file):
/// average advance of a sans-serif face at `size` pixels.
enum TextMetrics {
    static func width(_ text: String, size: Double) -> Double {
        Double(text.count) * size * 0.58
    }
}
