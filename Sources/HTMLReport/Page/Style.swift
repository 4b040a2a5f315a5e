/// The page's only stylesheet, inlined: readable at 1280 px, scales down to
/// a phone, and prints (no navigation, figures kept whole, black text).
enum Style {
    static let css = """
    :root { --ink: #222; --muted: #666; --line: #ddd; --accent: #4e79a7; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 15px/1.45 "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #fff; }
    header, main, footer, nav { max-width: 1240px; margin: 0 auto; padding: 0 20px; }
    header { padding-top: 18px; border-bottom: 1px solid var(--line); }
    h1 { font-size: 26px; margin: 0 0 4px; }
    h2 { font-size: 21px; margin: 34px 0 8px; padding-top: 8px; border-top: 2px solid var(--accent); }
    h3 { font-size: 16px; margin: 20px 0 6px; }
    .subtitle { color: var(--muted); margin: 0 0 12px; }
    nav ul { list-style: none; padding: 0; margin: 10px 0; display: flex; flex-wrap: wrap; gap: 6px 18px; }
    nav a { color: var(--accent); text-decoration: none; }
    nav a.absent { color: var(--muted); text-decoration: line-through; }
    figure { margin: 14px 0; break-inside: avoid; page-break-inside: avoid; }
    figure.wide svg.chart { width: 100%; height: auto; max-width: 1200px; display: block; }
    figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; }
    .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(360px, 1fr)); gap: 8px 18px; }
    .grid svg.chart { width: 100%; height: auto; display: block; }
    svg.chart { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 11px; overflow: visible; }
    svg.chart .plot-area { fill: #fcfcfc; stroke: none; }
    svg.chart .grid { stroke: #e6e6e6; stroke-width: 1; }
    svg.chart .tick, svg.chart .domain { stroke: #555; stroke-width: 1; }
    svg.chart .tick-label { fill: #444; }
    svg.chart .axis-title { fill: #222; font-size: 12px; }
    svg.chart .legend text { fill: #222; font-size: 12px; }
    svg.chart circle.clipped { stroke: #000; stroke-width: 0.8; }
    table { border-collapse: collapse; margin: 10px 0; font-size: 13.5px; }
    th, td { padding: 3px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
    table.data thead th { border-bottom: 2px solid #999; }
    table.summary th { font-weight: normal; color: var(--muted); }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
    caption { text-align: left; color: var(--muted); padding-bottom: 4px; }
    .note { background: #f5f5f0; border-left: 4px solid #c9b458; padding: 6px 10px; color: #444; }
    section.omitted h2 { color: var(--muted); }
    code { font-size: 13px; background: #f3f3f3; padding: 0 3px; }
    footer { color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); margin-top: 40px; padding-bottom: 24px; }
    @media print {
      nav { display: none; }
      body { font-size: 11pt; }
      header, main, footer { max-width: none; padding: 0; }
      h2 { break-after: avoid; page-break-after: avoid; }
      .grid { grid-template-columns: repeat(2, 1fr); }
      .note { background: none; }
      a { color: inherit; text-decoration: none; }
    }
    """
}

/// The chart rules of the page stylesheet, for SVG files that stand alone
/// (outside a report page an SVG has no stylesheet, and an unstyled plot
/// area fills black).
public enum ChartStyle {
    public static var css: String {
        Style.css.split(separator: "\n").filter { $0.trimmingCharacters(in: .whitespaces).hasPrefix("svg.chart") }.joined(separator: "\n")
    }
}
