import Foundation
import XCTest
import Store

/// The fit output file and its CSV twins.
final class FitResultTests: StoreTestCase {
    func attributes() -> FitAttributes {
        FitAttributes(loglik: -1234.5678901234, nParameters: 17, aic: 2503.1357802468, bic: 2600.25,
                      iterations: 38, converged: true, ranks: 4, seconds: 12.75, model: "2pl",
                      response: "beta", irslVersion: "0.1.0", command: "irsl fit data.h5 --out fit.h5",
                      clampedEntries: 3, nObservations: 11)
    }

    func resultK1() -> FitResult {
        FitResult(modelNames: ["gpt, small", "say \"hi\""], theta: [0.5, -1.25], thetaSE: [0.1, .nan],
                  itemIDs: ["q1", "q2", "q3"], itemBenchmarks: ["mmlu", "mmlu", "gsm8k"],
                  a: [1.0, 2.0, 0.5], d: [0.5, -1.0, 0.0], g: [0.25, 0.25, 0],
                  aSE: [0.2, 0.3, 0.4], dSE: [0.05, 0.06, .nan],
                  benchmarkNames: ["mmlu", "gsm8k"], phi: [12.5, .nan], dims: 1,
                  logLikelihoodHistory: [-2000, -1500, -1234.5678901234], attributes: attributes())
    }

    func resultK2() -> FitResult {
        var attrs = attributes()
        attrs.converged = false
        attrs.response = "bernoulli"
        return FitResult(modelNames: ["m1", "m2", "m3"], theta: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
                         thetaSE: [1, 2, 3, 4, 5, 6],
                         itemIDs: ["i1", "i2"], itemBenchmarks: ["b", "b"],
                         a: [1, 0, 0.5, 1.5], d: [0.25, -0.25], g: [0, 0],
                         aSE: [0.1, 0.2, 0.3, 0.4], dSE: [0.01, 0.02],
                         benchmarkNames: ["b"], phi: [.nan], dims: 2,
                         logLikelihoodHistory: [-10], attributes: attrs)
    }

    func assertSame(_ x: FitResult, _ y: FitResult, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(x.modelNames, y.modelNames, file: file, line: line)
        XCTAssertTrue(sameValues(x.theta, y.theta), file: file, line: line)
        XCTAssertTrue(sameValues(x.thetaSE, y.thetaSE), file: file, line: line)
        XCTAssertEqual(x.itemIDs, y.itemIDs, file: file, line: line)
        XCTAssertEqual(x.itemBenchmarks, y.itemBenchmarks, file: file, line: line)
        XCTAssertTrue(sameValues(x.a, y.a), file: file, line: line)
        XCTAssertTrue(sameValues(x.d, y.d), file: file, line: line)
        XCTAssertTrue(sameValues(x.g, y.g), file: file, line: line)
        XCTAssertTrue(sameValues(x.aSE, y.aSE), file: file, line: line)
        XCTAssertTrue(sameValues(x.dSE, y.dSE), file: file, line: line)
        XCTAssertEqual(x.benchmarkNames, y.benchmarkNames, file: file, line: line)
        XCTAssertTrue(sameValues(x.phi, y.phi), file: file, line: line)
        XCTAssertEqual(x.dims, y.dims, file: file, line: line)
        XCTAssertEqual(x.logLikelihoodHistory, y.logLikelihoodHistory, file: file, line: line)
        let (s, t) = (x.attributes, y.attributes)
        XCTAssertEqual(s.loglik, t.loglik, file: file, line: line)
        XCTAssertEqual(s.nParameters, t.nParameters, file: file, line: line)
        XCTAssertEqual(s.aic, t.aic, file: file, line: line)
        XCTAssertEqual(s.bic, t.bic, file: file, line: line)
        XCTAssertEqual(s.iterations, t.iterations, file: file, line: line)
        XCTAssertEqual(s.converged, t.converged, file: file, line: line)
        XCTAssertEqual(s.ranks, t.ranks, file: file, line: line)
        XCTAssertEqual(s.seconds, t.seconds, file: file, line: line)
        XCTAssertEqual(s.model, t.model, file: file, line: line)
        XCTAssertEqual(s.response, t.response, file: file, line: line)
        XCTAssertEqual(s.irslVersion, t.irslVersion, file: file, line: line)
        XCTAssertEqual(s.command, t.command, file: file, line: line)
        XCTAssertEqual(s.clampedEntries, t.clampedEntries, file: file, line: line)
        XCTAssertEqual(s.nObservations, t.nObservations, file: file, line: line)
    }

    func testRoundTripK1WithCSVTwins() throws {
        let p = path("fit.h5")
        let result = resultK1()
        try result.write(to: p)
        XCTAssertEqual(try listing(), ["fit.h5", "fit.h5.abilities.csv", "fit.h5.items.csv"])
        assertSame(try FitResult.read(p), result)

        let f = try H5File(p, mode: .readOnly)
        XCTAssertEqual(try f.shape("/models/theta"), [2, 1])
        XCTAssertEqual(try f.shape("/items/a"), [3, 1])
        XCTAssertEqual(try f.readDoubles("/items/b"), [-0.5, 0.5, -0.0])
        XCTAssertEqual(try f.intAttribute("converged"), 1)
        XCTAssertEqual(try f.stringAttribute("model"), "2pl")

        let abilities = try String(contentsOfFile: FitResult.abilitiesCSVPath(for: p), encoding: .utf8)
        XCTAssertEqual(abilities, #"""
            model,theta,theta_se
            "gpt, small",0.5,0.1
            "say ""hi""",-1.25,

            """#)
        let items = try String(contentsOfFile: FitResult.itemsCSVPath(for: p), encoding: .utf8)
        XCTAssertEqual(items, #"""
            item,benchmark,a,d,g,b,a_se,d_se
            q1,mmlu,1.0,0.5,0.25,-0.5,0.2,0.05
            q2,mmlu,2.0,-1.0,0.25,0.5,0.3,0.06
            q3,gsm8k,0.5,0.0,0.0,-0.0,0.4,

            """#)
    }

    func testRoundTripK2WithCSVTwins() throws {
        let p = path("fit2.h5")
        let result = resultK2()
        try result.write(to: p)
        assertSame(try FitResult.read(p), result)

        let f = try H5File(p, mode: .readOnly)
        XCTAssertEqual(try f.shape("/models/theta"), [3, 2])
        XCTAssertEqual(try f.shape("/models/theta_se"), [3, 2])
        XCTAssertEqual(try f.shape("/items/a_se"), [2, 2])
        XCTAssertFalse(f.exists("/items/b"))
        XCTAssertEqual(try f.intAttribute("converged"), 0)

        let abilities = try String(contentsOfFile: p + ".abilities.csv", encoding: .utf8)
        XCTAssertEqual(abilities, #"""
            model,theta_1,theta_2,theta_se_1,theta_se_2
            m1,0.1,0.2,1.0,2.0
            m2,0.3,0.4,3.0,4.0
            m3,0.5,0.6,5.0,6.0

            """#)
        let items = try String(contentsOfFile: p + ".items.csv", encoding: .utf8)
        XCTAssertEqual(items, #"""
            item,benchmark,a_1,a_2,d,g,a_se_1,a_se_2,d_se
            i1,b,1.0,0.0,0.25,0.0,0.1,0.2,0.01
            i2,b,0.5,1.5,-0.25,0.0,0.3,0.4,0.02

            """#)
    }

    /// The self-contained fit: its input, timings and model covariates
    /// round-trip; a file without them (older irsl) still reads.
    func testInputTimingsAndCovariatesRoundTrip() throws {
        var r = resultK1()
        r.attributes.input = "/data/runs/data.h5"
        r.attributes.timings = FitTimings(readSeconds: 0.25, computeSeconds: 3.5, allreduceSeconds: 0.125, peakRSSMB: 612.5)
        let info = ResponseFileInfo(path: "x", models: 2, items: 3, kind: .binary, hasTrials: false,
                                    modelNames: r.modelNames, families: ["gpt", "other"], params: [7e9, .nan], tokens: nil,
                                    flops: [1e22, 2e21], itemIDs: r.itemIDs, benchmarks: r.itemBenchmarks, floor: nil)
        r.recordCovariates(of: info)
        let p = path("self.h5")
        try r.write(to: p)
        let back = try FitResult.read(p)
        XCTAssertEqual(back.attributes.input, "/data/runs/data.h5")
        XCTAssertEqual(back.attributes.timings, r.attributes.timings)
        XCTAssertEqual(back.families, ["gpt", "other"])
        XCTAssertTrue(sameValues(back.params ?? [], [7e9, .nan]))
        XCTAssertNil(back.tokens)
        XCTAssertEqual(back.flops, [1e22, 2e21])
        let c = try XCTUnwrap(back.modelCovariates)
        XCTAssertEqual(c.map(\.family), ["gpt", "other"])
        XCTAssertEqual(c[0].effectiveFlops, 1e22)
        XCTAssertNil(back.attributes.existingInput, "the recorded input is not on this machine")
        XCTAssertTrue(back.attributes.inputProblem.contains("/data/runs/data.h5 (@input) does not exist here"))

        let old = path("old.h5")
        try resultK1().write(to: old)
        let plain = try FitResult.read(old)
        XCTAssertNil(plain.attributes.input)
        XCTAssertNil(plain.attributes.timings)
        XCTAssertNil(plain.modelCovariates)
        XCTAssertTrue(plain.attributes.inputProblem.contains("records no input file"))
        r.flops = [1]
        assertStoreError([path("bad.h5"), "/models/flops", "expected 2 values"]) { try r.write(to: path("bad.h5")) }
    }

    func testRewriteReplacesPreviousOutput() throws {
        let p = path("again.h5")
        try resultK1().write(to: p)
        try resultK2().write(to: p)
        XCTAssertEqual(try FitResult.read(p).dims, 2)
        XCTAssertEqual(try listing(), ["again.h5", "again.h5.abilities.csv", "again.h5.items.csv"])
    }

    func testInconsistentLengthsAreRejectedBeforeWriting() throws {
        let p = path("bad.h5")
        var result = resultK2()
        result.aSE = [1, 2, 3]
        assertStoreError([p, "/items/a_se", "expected 4", "found 3"]) { try result.write(to: p) }
        result = resultK1()
        result.phi = []
        assertStoreError([p, "/benchmarks/phi", "expected 2"]) { try result.write(to: p) }
        XCTAssertEqual(try listing(), [])
    }

    func testReadingAnIncompleteFitFileNamesTheField() throws {
        let p = path("partial.h5")
        try writeAtomically(p) { f in
            try f.write("/models/name", strings: ["m"])
            try f.write("/models/theta", doubles: [0.5], shape: [1, 1])
        }
        assertStoreError([p, "/models/theta_se", "missing"]) { try FitResult.read(p) }
    }

    func testCSVEscaping() {
        XCTAssertEqual(CSVWriter.escape("plain"), "plain")
        XCTAssertEqual(CSVWriter.escape("a,b"), "\"a,b\"")
        XCTAssertEqual(CSVWriter.escape("say \"x\""), "\"say \"\"x\"\"\"")
        XCTAssertEqual(CSVWriter.escape("two\nlines"), "\"two\nlines\"")
        XCTAssertEqual(CSVWriter.escape("crlf\r\nend"), "\"crlf\r\nend\"")
        XCTAssertEqual(CSVWriter.number(.nan), "")
        XCTAssertEqual(CSVWriter.number(0.1), "0.1")
        XCTAssertEqual(Double(CSVWriter.number(1.0 / 3.0)), 1.0 / 3.0)
        XCTAssertEqual(CSVWriter.number(-.infinity), "-inf")
    }
}
