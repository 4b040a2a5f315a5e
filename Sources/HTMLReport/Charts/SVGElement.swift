import Foundation

/// One element of an SVG document: a name, ordered attributes, child
/// elements and optional text, rendered with XML escaping.
///
/// Why our own tree instead of Plot's nodes: Plot writes attribute values
/// unescaped and keeps `&…;` sequences in text as entities, so an item id
/// like `q"1` or `a&lt;b` would break or change the markup. Every string
/// that reaches the SVG here goes through `XMLEscape`, and the finished SVG
/// is placed into the Plot-built page as one raw node.
public struct SVGElement: Equatable {
    public var name: String
    /// Attribute name and (unescaped) value, in output order.
    public var attributes: [Attribute]
    public var children: [SVGElement]
    /// Unescaped text content, written before the children.
    public var text: String?

    public struct Attribute: Equatable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) { self.name = name; self.value = value }
    }

    public init(_ name: String, _ attributes: [(String, String)] = [], children: [SVGElement] = [], text: String? = nil) {
        self.name = name
        self.attributes = attributes.map { Attribute($0.0, $0.1) }
        self.children = children
        self.text = text
    }

    /// A `<g>` with a class, holding `children`.
    public static func group(_ cssClass: String, _ children: [SVGElement], _ attributes: [(String, String)] = []) -> SVGElement {
        SVGElement("g", [("class", cssClass)] + attributes, children: children)
    }

    /// The value of attribute `name`, if set.
    public func attribute(_ name: String) -> String? {
        attributes.last { $0.name == name }?.value
    }

    /// Sets (or replaces) an attribute.
    public mutating func set(_ name: String, _ value: String) {
        if let i = attributes.lastIndex(where: { $0.name == name }) { attributes[i].value = value }
        else { attributes.append(Attribute(name, value)) }
    }

    /// This element and all its descendants, depth first.
    public var allElements: [SVGElement] {
        [self] + children.flatMap(\.allElements)
    }

    /// The first descendant (or self) whose `class` list contains `cssClass`.
    public func first(class cssClass: String) -> SVGElement? {
        allElements.first { $0.classes.contains(cssClass) }
    }

    /// The whitespace-separated classes of the `class` attribute.
    public var classes: [String] {
        (attribute("class") ?? "").split(separator: " ").map(String.init)
    }

    /// The element as XML text; elements without content are self-closed.
    public func render() -> String {
        var out = ""
        render(into: &out)
        return out
    }

    private func render(into out: inout String) {
        out += "<" + name
        for a in attributes {
            out += " " + a.name + "=\"" + XMLEscape.attribute(a.value) + "\""
        }
        if text == nil && children.isEmpty {
            out += "/>"
            return
        }
        out += ">"
        if let text { out += XMLEscape.text(text) }
        for child in children { child.render(into: &out) }
        out += "</" + name + ">"
    }
}

/// Escaping of text and attribute values for XML and HTML.
public enum XMLEscape {
    /// `&`, `<`, `>` as entities (every `&`, even one that starts an entity).
    public static func text(_ s: String) -> String {
        guard s.contains(where: { $0 == "&" || $0 == "<" || $0 == ">" }) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 8)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.append(c)
            }
        }
        return out
    }

    /// `text` plus both quote characters, for a value inside double quotes.
    /// Line breaks are kept as character references so they survive
    /// attribute-value normalisation.
    public static func attribute(_ s: String) -> String {
        let special = "&<>\"'\n\r\t".unicodeScalars
        guard s.unicodeScalars.contains(where: { special.contains($0) }) else { return s }
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            case "\r\n": out += "&#13;&#10;"
            case "\t": out += "&#9;"
            default: out.append(c)
            }
        }
        return out
    }
}

/// Coordinates as short, locale-independent text: two decimals at most,
/// trailing zeros dropped, never "-0".
public enum SVGNumber {
    public static func format(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        var r = (v * 100).rounded() / 100
        if r == 0 { r = 0 }  // -0 → 0
        if r == r.rounded() && abs(r) < 1e15 { return String(Int64(r)) }
        var s = String(format: "%.2f", r)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
}
