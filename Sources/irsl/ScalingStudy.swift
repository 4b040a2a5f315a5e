import ArgumentParser
import Foundation
import Report
import Store

extension IRSL {
    struct ScalingStudy: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "scaling-study",
            abstract: "Strong and weak scaling of `irsl fit` over rank counts: CSV, markdown table and SVG plot.",
            discussion: """
            Strong scaling fits one simulated matrix (--models × --items) with each rank count;
            weak scaling fits --weak rows per rank. Every fit runs the same fixed number of
            iterations, so runs do the same work per iteration. Runs are launched with
            `mpirun --oversubscribe`: on a machine with fewer cores than ranks, the extra ranks
            share cores and the figures say so.
            """)

        @Option(help: "Models of the strong-scaling matrix.") var models = 2000
        @Option(help: "Items of every matrix.") var items = 5000
        @Option(help: "Rank counts, comma-separated.",
                transform: PositiveIntegers.parse(expected: "positive integers such as 1,2,4"))
        var ranks = PositiveIntegers([1, 2, 4])
        @Option(help: "Rows per rank for weak scaling (0: no weak scaling).") var weak = 500
        @Option(help: "Fixed iterations per fit.") var iterations = 8
        @Option(help: "mpirun executable.") var mpirun = "mpirun"
        @Option(name: .shortAndLong, help: "Output directory (data, scaling.csv, scaling.md, scaling.svg).") var output: String

        func run() throws {
            let rankCounts = ranks.values
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
            let cores = ProcessInfo.processInfo.activeProcessorCount
            var rows: [ScalingRow] = []

            let strongInput = "\(output)/strong-\(models)x\(items).h5"
            try simulate(exe, models: models, output: strongInput)
            for p in rankCounts {
                rows.append(try fit(exe, mode: "strong", ranks: p, input: strongInput, models: models))
                print(rows.last!.summary(cores: cores)); fflush(stdout)
            }
            if weak > 0 {
                for p in rankCounts {
                    let m = weak * p
                    let input = "\(output)/weak-\(m)x\(items).h5"
                    try simulate(exe, models: m, output: input)
                    rows.append(try fit(exe, mode: "weak", ranks: p, input: input, models: m))
                    print(rows.last!.summary(cores: cores)); fflush(stdout)
                }
            }
            let table = ScalingTable(rows: rows, cores: cores)
            try writeTextAtomically("\(output)/scaling.csv", table.csv())
            try writeTextAtomically("\(output)/scaling.md", table.markdown())
            try writeTextAtomically("\(output)/scaling.svg", table.svg())
            print(table.markdown())
            print("wrote \(output)/scaling.csv, scaling.md, scaling.svg")
        }

        private func simulate(_ exe: String, models m: Int, output path: String) throws {
            if FileManager.default.fileExists(atPath: path) { return }
            let r = try launch([exe, "simulate", "--models", String(m), "--items", String(items), "--benchmarks", "10",
                                "--missing", "0.05", "--seed", "7", "--output", path])
            guard r.status == 0 else { throw ValidationError("simulate failed: \(r.output)") }
        }

        private func fit(_ exe: String, mode: String, ranks p: Int, input: String, models m: Int) throws -> ScalingRow {
            let out = "\(output)/\(mode)-\(p).h5"
            var args = [mpirun, "--oversubscribe", "-n", String(p)]
            if getuid() == 0 { args.insert("--allow-run-as-root", at: 1) }
            args += [exe, "fit", input, "--output", out, "--overwrite",
                     "--tolerance", "0", "--parameter-tolerance", "0", "--max-iterations", String(iterations)]
            let start = Date()
            let r = try launch(args)
            let seconds = Date().timeIntervalSince(start)
            guard r.status == 0 else { throw ValidationError("fit with \(p) ranks failed (exit \(r.status)):\n\(r.output)") }
            guard let timing = FitTimings(parsing: r.output) else { throw ValidationError("no timings line in the fit's output:\n\(r.output)") }
            return ScalingRow(mode: mode, ranks: p, models: m, items: items, seconds: seconds, timings: timing)
        }

        /// Runs a child with a clean MPI environment (no inherited OMPI_/PMIX_ variables).
        private func launch(_ args: [String]) throws -> (status: Int32, output: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = args
            process.environment = ProcessInfo.processInfo.environment.filter { key, _ in
                !["OMPI_", "PMIX_", "ORTE_", "OPAL_"].contains { key.hasPrefix($0) }
            }
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }
    }
}

/// The `timings:` line `irsl fit` prints on rank 0.
struct FitTimings {
    var read: Double, compute: Double, allreduce: Double, iterations: Int, peakRSSMB: Double

    init?(parsing output: String) {
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("timings:") }) else { return nil }
        var values: [String: Double] = [:]
        for field in line.dropFirst("timings:".count).split(separator: " ") {
            let kv = field.split(separator: "=")
            if kv.count == 2, let v = Double(kv[1]) { values[String(kv[0])] = v }
        }
        guard let r = values["read_seconds"], let c = values["compute_seconds"], let a = values["allreduce_seconds"],
              let i = values["iterations"], let m = values["peak_rss_mb"] else { return nil }
        read = r; compute = c; allreduce = a; iterations = Int(i); peakRSSMB = m
    }
}

struct ScalingRow {
    var mode: String, ranks: Int, models: Int, items: Int, seconds: Double, timings: FitTimings

    func summary(cores: Int) -> String {
        String(format: "%@ %d rank(s)%@: %d × %d, %.2f s (read %.2f, compute %.2f, allreduce %.2f), peak RSS %.0f MB",
               mode, ranks, ranks > cores ? " [oversubscribed]" : "", models, items, seconds,
               timings.read, timings.compute, timings.allreduce, timings.peakRSSMB)
    }
}

/// The study's outputs: CSV, a markdown table and an SVG plot of speed-up
/// (strong) and efficiency (strong and weak) against the ideal.
struct ScalingTable {
    var rows: [ScalingRow]
    var cores: Int

    /// Speed-up and efficiency relative to the smallest rank count of the same mode.
    func scaling(_ row: ScalingRow) -> (speedup: Double, efficiency: Double) {
        guard let base = rows.filter({ $0.mode == row.mode }).min(by: { $0.ranks < $1.ranks }) else { return (1, 1) }
        let t0 = base.timings.compute + base.timings.allreduce, t = row.timings.compute + row.timings.allreduce
        if row.mode == "strong" {
            let s = t0 / t * Double(base.ranks)
            return (s, s / Double(row.ranks))
        }
        return (t0 / t * Double(row.ranks) / Double(base.ranks), t0 / t)
    }

    func csv() -> String {
        var out = "mode,ranks,models,items,seconds,read_seconds,compute_seconds,allreduce_seconds,iterations,peak_rss_mb,speedup,efficiency,oversubscribed\n"
        for r in rows {
            let s = scaling(r)
            out += "\(r.mode),\(r.ranks),\(r.models),\(r.items),\(fmt(r.seconds)),\(fmt(r.timings.read)),\(fmt(r.timings.compute)),\(fmt(r.timings.allreduce)),\(r.timings.iterations),\(fmt(r.timings.peakRSSMB)),\(fmt(s.speedup)),\(fmt(s.efficiency)),\(r.ranks > cores ? 1 : 0)\n"
        }
        return out
    }

    func markdown() -> String {
        var out = "| mode | ranks | models × items | wall s | read s | compute s | allreduce s | iterations | peak RSS MB/rank | speed-up | efficiency |\n"
        out += "|---|---|---|---|---|---|---|---|---|---|---|\n"
        for r in rows {
            let s = scaling(r)
            out += "| \(r.mode) | \(r.ranks)\(r.ranks > cores ? "*" : "") | \(r.models) × \(r.items) | \(fmt(r.seconds)) | \(fmt(r.timings.read)) | \(fmt(r.timings.compute)) | \(fmt(r.timings.allreduce)) | \(r.timings.iterations) | \(fmt(r.timings.peakRSSMB)) | \(String(format: "%.2f", s.speedup)) | \(String(format: "%.2f", s.efficiency)) |\n"
        }
        out += "\nThis machine has \(cores) cores: rows marked * run more ranks than cores (oversubscribed), so they cannot speed up. Speed-up and efficiency use iteration time (compute + allreduce) against the smallest rank count of the same mode; weak efficiency is t(smallest)/t(P).\n"
        return out
    }

    func svg() -> String {
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
