import Foundation
import Plot
import Store

/// The report: one self-contained HTML page (inline CSS and SVG, no
/// scripts, no external resources) built with Plot from a fit and whatever
/// else is given.
public enum ReportPage {
    /// Section ids in page order.
    public static let sectionIDs = ["fit", "abilities", "items", "information", "forecasts"]

    /// The page as HTML text.
    public static func html(_ input: ReportInput) -> String {
        let benchmarks = BenchmarkIndex(input.fit)
        var slugs = Slugger()
        let sections: [ReportSection] = [
            FitSection.make(input, benchmarks: benchmarks),
            AbilitySection.make(input),
            ItemMapSection.make(input, benchmarks: benchmarks, slugs: &slugs),
            InformationSection.make(input, benchmarks: benchmarks, slugs: &slugs),
            ForecastSection.make(input),
        ]
        let fit = input.fit
        let name = (input.fitPath as NSString).lastPathComponent
        let subtitle = "\(Format.integer(fit.modelNames.count)) models × \(Format.integer(fit.itemIDs.count)) items · \(fit.attributes.model.uppercased()) \(fit.attributes.response) fit · \(fit.benchmarkNames.count) benchmarks"
        let omitted = sections.filter { $0.content == nil }

        let page = HTML(
            .lang(.english),
            .head(
                .meta(.charset(.utf8)),
                .meta(.name("viewport"), .content("width=device-width, initial-scale=1")),
                .element(named: "title", nodes: [.raw(XMLEscape.text("irsl report — \(name)"))]),
                .style(Style.css)
            ),
            .body(
                .header(
                    .h1(Parts.data("irsl report — \(name)")),
                    .p(.class("subtitle"), Parts.data(subtitle))
                ),
                .nav(.ul(.group(sections.map { s in
                    .li(.a(.href("#" + s.id), .class(s.content == nil ? "absent" : "present"), .raw(XMLEscape.text(s.title))))
                }))),
                .main(.group(sections.map(\.node))),
                .footer(
                    .p(Parts.data(input.generatedBy.isEmpty ? "Written by irsl report." : input.generatedBy)),
                    .if(!omitted.isEmpty, .p(Parts.data("Omitted: " + omitted.map(\.title).joined(separator: ", ") + ".")))
                )
            )
        )
        return page.render(indentedBy: nil)
    }

    /// Writes the page atomically (temporary file, then rename).
    public static func write(_ input: ReportInput, to path: String) throws -> String {
        let text = html(input)
        try writeTextAtomically(path, text)
        return text
    }
}
