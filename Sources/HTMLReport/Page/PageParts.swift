import Plot

/// Building blocks shared by the sections, in Plot's node DSL.
enum Parts {
    typealias Body = Node<HTML.BodyContext>

    /// Text from data (names, ids) escaped completely; Plot's `.text`
    /// would keep a literal `&amp;` in an item id as an entity.
    static func data(_ s: String) -> Body {
        .raw(XMLEscape.text(s))
    }

    /// A chart with its caption, as `<figure>`.
    static func figure(_ chart: Chart, caption: String, wide: Bool = true) -> Body {
        .element(named: "figure", nodes: [
            .class(wide ? "wide" : "panel"),
            .raw(chart.render().render()),
            .element(named: "figcaption", nodes: [data(caption)]),
        ])
    }

    /// A grid of small charts (small multiples), each with a short caption.
    static func grid(_ figures: [(Chart, String)]) -> Body {
        .div(.class("grid"), .group(figures.map { figure($0.0, caption: $0.1, wide: false) }))
    }

    /// A note about something left out and how to get it.
    static func note(_ text: String) -> Body {
        .p(.class("note"), data(text))
    }

    static func paragraph(_ text: String) -> Body {
        .p(data(text))
    }

    /// A two-column table of labels and values.
    static func keyValues(_ rows: [(String, String)], id: String) -> Body {
        .table(.id(id), .class("summary"),
               .tbody(.group(rows.map { r in .tr(.th(data(r.0)), .td(data(r.1))) })))
    }

    /// A table with a header row; columns listed in `numeric` are right-aligned.
    static func table(id: String, header: [String], rows: [[String]], numeric: Set<Int> = [], caption: String? = nil) -> Body {
        func cls(_ i: Int) -> Node<HTML.BodyContext> { numeric.contains(i) ? .class("num") : .empty }
        return .table(
            .id(id), .class("data"),
            .if(caption != nil, .caption(data(caption ?? ""))),
            .thead(.tr(.group(header.enumerated().map { i, h in .th(cls(i), data(h)) }))),
            .tbody(.group(rows.map { row in .tr(.group(row.enumerated().map { i, v in .td(cls(i), data(v)) })) })))
    }

    /// An omitted section: its heading and why it is not there.
    static func omitted(id: String, title: String, note: String) -> Body {
        .section(.id(id), .class("omitted"), .h2(data(title)), Parts.note(note))
    }
}
