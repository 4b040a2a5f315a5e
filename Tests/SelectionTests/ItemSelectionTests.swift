import Foundation
import IRT
import Selection
import XCTest

final class ItemSelectionTests: XCTestCase {
    func bank(_ response: ResponseModel = .bernoulli, seed: UInt64 = 12) throws -> ItemBank {
        try SimulatedData(models: 400, items: 1800, benchmarks: 3, response: response, seed: seed).trueBank()
    }

    func quantile(_ v: [Double], _ q: Double) -> Double {
        let s = v.sorted()
        return s[min(Int(q * Double(s.count)), s.count - 1)]
    }

    /// Fisher subsets carry far more information than random ones, and the
    /// diversity rule spreads them over the population's difficulties where
    /// "the N most informative items" would bunch up.
    func testFisherSubsetIsInformativeAndCoversDifficulties() throws {
        for response in [ResponseModel.bernoulli, .beta] {
            let bank = try self.bank(response)
            let population = AbilityDistribution.smoothed(bank.populationTheta)
            let selector = ItemSelector(bank: bank, population: population)
            let fisher = selector.select(perBenchmark: 25, method: .fisher)
            let random = selector.select(perBenchmark: 25, method: .random, seed: 3)
            XCTAssertEqual(fisher.count, 75)
            XCTAssertEqual(Set(fisher.map(\.item)).count, 75, "no item twice")
            let fisherInfo = fisher.reduce(0) { $0 + $1.information }, randomInfo = random.reduce(0) { $0 + $1.information }
            XCTAssertGreaterThan(fisherInfo, 1.8 * randomInfo, "\(response)")
            let lo = quantile(bank.populationTheta, 0.25), hi = quantile(bank.populationTheta, 0.75)
            for b in 0..<bank.benchmarkCount {
                let chosen = fisher.filter { bank.benchmarkOfItem[$0.item] == b }
                XCTAssertEqual(chosen.count, 25)
                let difficulties = chosen.map { bank.difficulty($0.item) }
                // The 25 items of largest integrated information, for comparison.
                let top = bank.itemsOfBenchmark[b].sorted { selector.integratedInformation($0) > selector.integratedInformation($1) }.prefix(25)
                func spread(_ v: [Double]) -> Double {
                    let m = v.reduce(0, +) / Double(v.count)
                    return (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count)).squareRoot()
                }
                XCTAssertGreaterThan(spread(difficulties), spread(top.map { bank.difficulty($0) }), "\(response) benchmark \(b)")
                // …reaching past the middle half of the population on both sides.
                XCTAssertLessThan(difficulties.min()!, lo, "\(response) benchmark \(b): nothing for weak models")
                XCTAssertGreaterThan(difficulties.max()!, hi, "\(response) benchmark \(b): nothing for strong models")
                // The greedy's objective (expected posterior variance) is better than the top-25's.
                func expectedVariance(_ items: [Int]) -> Double {
                    zip(population.points, population.weights).reduce(0) { sum, pw in
                        sum + pw.1 / (bank.prior.precision + items.reduce(0) { $0 + bank.information($1, pw.0) })
                    }
                }
                XCTAssertLessThan(expectedVariance(chosen.map(\.item)), expectedVariance(Array(top)))
            }
        }
    }

    /// The ability range of interest moves the subset: strong models need hard items.
    func testAbilityRangeOfInterestMovesTheSubset() throws {
        let bank = try self.bank()
        func meanDifficulty(_ range: String) throws -> Double {
            let items = ItemSelector(bank: bank, population: try AbilityDistribution.parseRange(range))
                .select(perBenchmark: 20, method: .fisher).map(\.item)
            return items.reduce(0) { $0 + bank.difficulty($1) } / Double(items.count)
        }
        XCTAssertGreaterThan(try meanDifficulty("1.5:3"), try meanDifficulty("-3:-1.5") + 2)
        XCTAssertThrowsError(try AbilityDistribution.parseRange("3:1"))
        XCTAssertThrowsError(try AbilityDistribution.parseRange("abc"))
    }

    /// Stratified: the i-th chosen item lies in the i-th equal-count stratum of difficulty.
    func testStratifiedTakesOneItemPerDifficultyStratum() throws {
        let bank = try self.bank()
        let selector = ItemSelector(bank: bank, population: .smoothed(bank.populationTheta))
        let chosen = selector.select(perBenchmark: 12, method: .stratified, seed: 9).map(\.item)
        for b in 0..<bank.benchmarkCount {
            let eligible = bank.itemsOfBenchmark[b].filter { bank.isInformative($0) }
                .sorted { (bank.difficulty($0), $0) < (bank.difficulty($1), $1) }
            let mine = chosen.filter { bank.benchmarkOfItem[$0] == b }
            XCTAssertEqual(mine.count, 12)
            for (s, j) in mine.enumerated() {
                let position = eligible.firstIndex(of: j)!
                XCTAssertTrue(eligible.count * s / 12 <= position && position < eligible.count * (s + 1) / 12, "stratum \(s)")
            }
        }
    }

    /// Seeds reproduce; broken items are never chosen by fisher or
    /// stratified; a benchmark with fewer eligible items gives all it has.
    func testSeedsBrokenItemsAndSmallBenchmarks() throws {
        let base = try self.bank()
        var a = base.a
        let broken = [0, 5, 9, 700, 1300]
        for j in broken { a[j] = -abs(a[j]) }
        var benchmarkOfItem = base.benchmarkOfItem
        for j in 1790..<1800 { benchmarkOfItem[j] = 3 }          // a fourth benchmark of 10 items, 4 of them broken
        for j in 1790..<1794 { a[j] = j % 2 == 0 ? 0 : -0.5 }
        let bank = try ItemBank(ids: base.ids, benchmarkOfItem: benchmarkOfItem, benchmarkNames: base.benchmarkNames + ["tiny"],
                                a: a, d: base.d, g: base.g, phi: base.phi + [.nan], response: .bernoulli,
                                populationTheta: base.populationTheta)
        let selector = ItemSelector(bank: bank, population: .smoothed(bank.populationTheta))
        for method in [SelectionMethod.fisher, .stratified] {
            let chosen = selector.select(perBenchmark: 20, method: method, seed: 4).map(\.item)
            XCTAssertTrue(chosen.allSatisfy { bank.a[$0] > 0 }, "\(method) chose an item with a ≤ 0")
            XCTAssertEqual(chosen.filter { bank.benchmarkOfItem[$0] == 3 }.count, 6, "\(method): all 6 usable items of the tiny benchmark")
        }
        let r1 = selector.select(perBenchmark: 20, method: .random, seed: 4).map(\.item)
        XCTAssertEqual(r1, selector.select(perBenchmark: 20, method: .random, seed: 4).map(\.item))
        XCTAssertNotEqual(r1, selector.select(perBenchmark: 20, method: .random, seed: 5).map(\.item))
        XCTAssertEqual(r1.filter { bank.benchmarkOfItem[$0] == 3 }.count, 10)
    }

    func testPopulationCSV() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("irsl-population-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("good.csv").path
        try "model,theta,theta_se,weight\n\"a, b\",1.5,0.1,2\nc,2.5,0.1,0\nd,,0.2,1\n".write(toFile: good, atomically: true, encoding: .utf8)
        let population = try AbilityDistribution.read(csv: good)
        XCTAssertEqual(population.mean, 1.5, accuracy: 0.05, "weight 0 and a missing theta do not count")
        let bad = dir.appendingPathComponent("bad.csv").path
        try "model,ability\nx,1\n".write(toFile: bad, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try AbilityDistribution.read(csv: bad)) { error in
            XCTAssertTrue("\(error)".contains("bad.csv") && "\(error)".contains("theta") && "\(error)".contains("missing column"), "\(error)")
        }
    }
}
