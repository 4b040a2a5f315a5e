import ArgumentParser
import Foundation
import ScalingStudy
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
            // The fit file's timing attributes; a fit that predates them printed a timings line.
            guard let timing = try StudyTimings(fitFile: out) ?? StudyTimings(parsing: r.output) else {
                throw ValidationError("\(out) has no timing attributes (read_seconds …) and the fit printed no timings line:\n\(r.output)")
            }
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
