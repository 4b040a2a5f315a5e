import Foundation
import HTMLReport
import Store

/// What one `irsl fit` of the study spent: read, compute and allreduce
/// seconds, iterations and the largest peak RSS of its ranks.
public struct StudyTimings: Sendable, Equatable {
    public var read: Double, compute: Double, allreduce: Double, iterations: Int, peakRSSMB: Double

    public init(read: Double, compute: Double, allreduce: Double, iterations: Int, peakRSSMB: Double) {
        self.read = read; self.compute = compute; self.allreduce = allreduce; self.iterations = iterations; self.peakRSSMB = peakRSSMB
    }

    /// The root attributes of a fit file (read_seconds, compute_seconds,
    /// allreduce_seconds, iterations, peak_rss_mb); nil when the file lacks one.
    public init?(fitFile path: String) throws {
        let file = try H5File(path, mode: .readOnly)
        defer { file.close() }
        guard let r = try file.doubleAttribute("read_seconds"), let c = try file.doubleAttribute("compute_seconds"),
              let a = try file.doubleAttribute("allreduce_seconds"), let i = try file.intAttribute("iterations"),
              let m = try file.doubleAttribute("peak_rss_mb") else { return nil }
        self.init(read: r, compute: c, allreduce: a, iterations: i, peakRSSMB: m)
    }

    /// The `timings:` line `irsl fit` prints on rank 0: the fallback for fit
    /// files written before the timings became attributes.
    public init?(parsing output: String) {
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("timings:") }) else { return nil }
        var values: [String: Double] = [:]
        for field in line.dropFirst("timings:".count).split(separator: " ") {
            let kv = field.split(separator: "=")
            if kv.count == 2, let v = Double(kv[1]) { values[String(kv[0])] = v }
        }
        guard let r = values["read_seconds"], let c = values["compute_seconds"], let a = values["allreduce_seconds"],
              let i = values["iterations"], let m = values["peak_rss_mb"] else { return nil }
        self.init(read: r, compute: c, allreduce: a, iterations: Int(i), peakRSSMB: m)
    }
}

/// One fit of the study.
public struct ScalingRow: Sendable {
    public var mode: String, ranks: Int, models: Int, items: Int, seconds: Double, timings: StudyTimings

    public init(mode: String, ranks: Int, models: Int, items: Int, seconds: Double, timings: StudyTimings) {
        self.mode = mode; self.ranks = ranks; self.models = models; self.items = items; self.seconds = seconds; self.timings = timings
    }

    public func summary(cores: Int) -> String {
        String(format: "%@ %d rank(s)%@: %d × %d, %.2f s (read %.2f, compute %.2f, allreduce %.2f), peak RSS %.0f MB",
               mode, ranks, ranks > cores ? " [oversubscribed]" : "", models, items, seconds,
               timings.read, timings.compute, timings.allreduce, timings.peakRSSMB)
    }
}

/// The study's outputs: CSV, a markdown table and an SVG plot of speed-up
/// (strong) and efficiency (strong and weak) against the ideal.
public struct ScalingTable {
    public var rows: [ScalingRow]
    public var cores: Int

    public init(rows: [ScalingRow], cores: Int) { self.rows = rows; self.cores = cores }

    /// Speed-up and efficiency relative to the smallest rank count of the same mode.
    public func scaling(_ row: ScalingRow) -> (speedup: Double, efficiency: Double) {
        guard let base = rows.filter({ $0.mode == row.mode }).min(by: { $0.ranks < $1.ranks }) else { return (1, 1) }
        let t0 = base.timings.compute + base.timings.allreduce, t = row.timings.compute + row.timings.allreduce
        if row.mode == "strong" {
            let s = t0 / t * Double(base.ranks)
            return (s, s / Double(row.ranks))
        }
        return (t0 / t * Double(row.ranks) / Double(base.ranks), t0 / t)
    }

    public func csv() -> String {
        var out = "mode,ranks,models,items,seconds,read_seconds,compute_seconds,allreduce_seconds,iterations,peak_rss_mb,speedup,efficiency,oversubscribed\n"
        for r in rows {
            let s = scaling(r)
            out += "\(r.mode),\(r.ranks),\(r.models),\(r.items),\(fmt(r.seconds)),\(fmt(r.timings.read)),\(fmt(r.timings.compute)),\(fmt(r.timings.allreduce)),\(r.timings.iterations),\(fmt(r.timings.peakRSSMB)),\(fmt(s.speedup)),\(fmt(s.efficiency)),\(r.ranks > cores ? 1 : 0)\n"
        }
        return out
    }

    public func markdown() -> String {
        var out = "| mode | ranks | models × items | wall s | read s | compute s | allreduce s | iterations | peak RSS MB/rank | speed-up | efficiency |\n"
        out += "|---|---|---|---|---|---|---|---|---|---|---|\n"
        for r in rows {
            let s = scaling(r)
            out += "| \(r.mode) | \(r.ranks)\(r.ranks > cores ? "*" : "") | \(r.models) × \(r.items) | \(fmt(r.seconds)) | \(fmt(r.timings.read)) | \(fmt(r.timings.compute)) | \(fmt(r.timings.allreduce)) | \(r.timings.iterations) | \(fmt(r.timings.peakRSSMB)) | \(String(format: "%.2f", s.speedup)) | \(String(format: "%.2f", s.efficiency)) |\n"
        }
        out += "\nThis machine has \(cores) cores: rows marked * run more ranks than cores (oversubscribed), so they cannot speed up. Speed-up and efficiency use iteration time (compute + allreduce) against the smallest rank count of the same mode; weak efficiency is t(smallest)/t(P).\n"
        return out
    }

    public func svg() -> String {
        var marks: [any Mark] = []
        let strong = rows.filter { $0.mode == "strong" }.sorted { $0.ranks < $1.ranks }
        let weak = rows.filter { $0.mode == "weak" }.sorted { $0.ranks < $1.ranks }
        let ideal = strong.map { (x: Double($0.ranks), y: Double($0.ranks) / Double(strong.first!.ranks)) }
        if !strong.isEmpty {
            marks.append(LineMark(points: ideal, color: "#888888", dash: "4 3", label: "ideal speed-up"))
            let points = strong.map { (x: Double($0.ranks), y: scaling($0).speedup) }
            marks.append(LineMark(points: points, color: Palette.color(0), label: "strong: speed-up"))
            marks.append(ScatterMark(points: points.map { ScatterMark.Point(x: $0.x, y: $0.y, title: "speed-up \(String(format: "%.2f", $0.y)) at \(Int($0.x)) ranks") }, color: Palette.color(0)))
            let eff = strong.map { (x: Double($0.ranks), y: scaling($0).efficiency) }
            marks.append(LineMark(points: eff, color: Palette.color(1), label: "strong: efficiency"))
        }
        if !weak.isEmpty {
            let eff = weak.map { (x: Double($0.ranks), y: scaling($0).efficiency) }
            marks.append(LineMark(points: eff, color: Palette.color(2), label: "weak: efficiency"))
            marks.append(ScatterMark(points: eff.map { ScatterMark.Point(x: $0.x, y: $0.y, title: "weak efficiency \(String(format: "%.2f", $0.y)) at \(Int($0.x)) ranks") }, color: Palette.color(2)))
        }
        let rankTicks = Array(Set(rows.map { Double($0.ranks) })).sorted()
        let chart = Chart(id: "scaling", title: "Speed-up and efficiency of irsl fit against ideal (\(cores) cores; beyond that, oversubscribed)",
                          width: 860, height: 440,
                          x: .init(.linear, title: "ranks (more than \(cores) = oversubscribed)", include: [0], ticks: rankTicks, labels: rankTicks.map { String(Int($0)) }),
                          y: .init(.linear, title: "speed-up / efficiency", include: [0]),
                          marks: marks)
        var svg = chart.render().render()
        if !svg.contains("xmlns=") {
            svg = svg.replacingOccurrences(of: "<svg", with: "<svg xmlns=\"http://www.w3.org/2000/svg\"", options: [], range: svg.range(of: "<svg"))
        }
        // A standalone file carries the chart rules of the report's stylesheet.
        if let close = svg.range(of: ">") {
            svg.insert(contentsOf: "<style>\n\(ChartStyle.css)\n</style>", at: close.upperBound)
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + svg + "\n"
    }

    private func fmt(_ x: Double) -> String { String(format: "%.3f", x) }
}
