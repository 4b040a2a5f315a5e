import Foundation
import XCTest

/// Shared set-up of the `irsl ingest` command tests: the real data, the
/// project's Python (h5py, numpy, pandas), and synthetic extra models.
class IngestCLITestCase: XCTestCase {
    var dir: URL!

    static var data: URL { Launcher.packageRoot.appendingPathComponent("../shared/data").standardizedFileURL }
    static var harnessRoot: String { data.appendingPathComponent("lm-eval-harness").path }
    static var pythiaDirectory: String { data.appendingPathComponent("lm-eval-harness/EleutherAI__pythia-14m").path }
    static var leaderboard: String { data.appendingPathComponent("open-llm-leaderboard/data_v2.csv").path }
    static var lowerBounds: String { data.appendingPathComponent("open-llm-leaderboard/lower_bounds.csv").path }
    /// `make test` creates it with scripts/python-env.sh.
    static var python: String { Launcher.packageRoot.appendingPathComponent(".venv/bin/python").path }

    override func setUpWithError() throws {
        try Launcher.requireCLITier()
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: Launcher.binary), "build irsl first (make test does): \(Launcher.binary)")
        dir = try Launcher.temporaryDirectory()
    }

    override func tearDownWithError() throws {
        if let dir { try? FileManager.default.removeItem(at: dir) }   // nil when set-up skipped
    }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// Runs a Python script (passed on the command line) with the project's venv.
    func python(_ script: String, _ arguments: [String] = [], file: StaticString = #filePath,
                line: UInt = #line) throws -> Launcher.Result {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: IngestCLITestCase.python),
                          "no \(IngestCLITestCase.python): run scripts/python-env.sh (make test does)")
        let r = try Launcher.run([IngestCLITestCase.python, "-c", script] + arguments, timeout: 120)
        XCTAssertEqual(r.status, 0, "python failed:\n\(r.stderr)\n\(r.stdout)", file: file, line: line)
        return r
    }

    /// Writes synthetic models beside the real one, harness layout, under
    /// `<dir>/<name>/<org>__model-<k>/`: each a copy of the real export with
    /// shifted log-likelihoods (written as numbers, as other exporters do),
    /// a consistent acc, and — for model 1 — no gsm8k file. Model k's gold
    /// choice gets a bonus `skill_k` (listed in `<dir>/<name>/skills.txt`),
    /// which also sets its gsm8k exact_match rate.
    func syntheticModels(_ name: String, count: Int, seed: Int = 1) throws -> String {
        let out = path(name)
        _ = try python(#"""
        import json, glob, math, os, random, sys
        source, out, count, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
        rng = random.Random(seed)
        skills = []
        for k in range(1, count + 1):
            target_dir = os.path.join(out, f"synthetic__model-{k}")
            os.makedirs(target_dir)
            skill = [1.0, -2.0, 3.0, 0.0, -1.0][(k - 1) % 5] + 0.1 * (k // 5)
            for path in sorted(glob.glob(os.path.join(source, "samples_*.jsonl"))):
                if k == 1 and "gsm8k" in path:
                    continue
                task = os.path.basename(path)
                with open(path) as f, open(os.path.join(target_dir, task), "w") as g:
                    for line in f:
                        r = json.loads(line)
                        if isinstance(r["filtered_resps"][0], list):
                            if "winogrande" in task:
                                gold = int(r["doc"]["answer"]) - 1
                            elif "truthfulqa" in task:
                                gold = 0
                            else:
                                gold = int(r["target"])
                            lls = [float(x[0]) + rng.gauss(0, 1) + (skill if i == gold else 0)
                                   for i, x in enumerate(r["filtered_resps"])]
                            r["filtered_resps"] = [[v, False] for v in lls]
                            r["resps"] = [[[v, False]] for v in lls]
                            best = max(range(len(lls)), key=lambda i: (lls[i], -i))
                            r["acc"] = 1.0 if best == gold else 0.0
                        else:
                            r["exact_match"] = 1.0 if rng.random() < 1 / (1 + math.exp(2 - skill)) else 0.0
                        g.write(json.dumps(r) + "\n")
            skills.append(skill)
        with open(os.path.join(out, "skills.txt"), "w") as f:
            f.write(" ".join(map(str, skills)))
        """#, [IngestCLITestCase.pythiaDirectory, out, String(count), String(seed)])
        return out
    }

    /// Distinct (task, doc_id) pairs of the real export, counted by Python's json module.
    func realItemCount() throws -> Int {
        let r = try python(#"""
        import json, glob, os, sys
        keys = set()
        for path in glob.glob(os.path.join(sys.argv[1], "samples_*.jsonl")):
            for line in open(path):
                keys.add((os.path.basename(path), json.loads(line)["doc_id"]))
        print(len(keys))
        """#, [IngestCLITestCase.pythiaDirectory])
        return Int(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines))!
    }

    /// The value of an `irsl info` line ("  shape            1 models × 884 items").
    static func infoValue(_ output: String, _ key: String) -> String? {
        for line in output.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix(key + " ") {
                return String(trimmed.dropFirst(key.count)).trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }
}
