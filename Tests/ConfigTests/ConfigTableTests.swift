import XCTest
import Config

/// The TOML config reader on its own (no CLI): what `irsl fit --config` gets from a `[fit]` table.
final class ConfigTableTests: XCTestCase {
    let keys: [String: ConfigKind] = ["input": .string, "dims": .integers, "tolerance": .number,
                                      "max-iterations": .integer, "floor-from-file": .boolean]

    func decode(_ text: String) throws -> ConfigTable {
        try ConfigTable(text: text, path: "c.toml", table: "fit", keys: keys)
    }

    func message(_ text: String) -> String {
        do { _ = try decode(text); return "no error" } catch { return "\(error)" }
    }

    func testKeysBecomeArgumentTextInSortedOrder() throws {
        let table = try decode("[fit]\ntolerance = 1e-7\ndims = [1, 2]\ninput = \"d.h5\"\nfloor-from-file = true\nmax-iterations = 20\n")
        XCTAssertEqual(table.entries.map(\.key), ["dims", "floor-from-file", "input", "max-iterations", "tolerance"])
        XCTAssertEqual(table.entries.map(\.text), ["1,2", "true", "d.h5", "20", "1e-07"])
    }

    func testAnIntegerIsANumberAndAnIntegerList() throws {
        XCTAssertEqual(try decode("[fit]\ntolerance = 3\ndims = 2\n").entries.map(\.text), ["2", "3"])
    }

    func testNoTableMeansNoEntries() throws {
        XCTAssertEqual(try decode("# nothing\n").entries, [])
    }

    func testErrorsNameTheFileTheKeyAndTheExpectation() {
        XCTAssertTrue(message("[fit]\nmax-iterations = \"x\"\n").contains("c.toml: [fit] key 'max-iterations' must be an integer, found string"), message("[fit]\nmax-iterations = \"x\"\n"))
        XCTAssertTrue(message("[fit]\ndims = [1, \"a\"]\n").contains("'dims' must be an integer or a list of integers"))
        XCTAssertTrue(message("[fit]\ndims = []\n").contains("'dims' must be an integer or a list of integers"))
        XCTAssertTrue(message("[fit]\nmaxiter = 3\n").contains("c.toml: [fit] unknown key 'maxiter'; known keys: dims, floor-from-file"))
        XCTAssertTrue(message("dims = 2\n").contains("c.toml: unknown top-level key 'dims'"))
        XCTAssertTrue(message("fit = 2\n").contains("c.toml: 'fit' must be a table ([fit])"))
        XCTAssertTrue(message("[fit]\n\ndims = = 2\n").contains("c.toml: not valid TOML: "))
        XCTAssertTrue(message("[fit]\n\ndims = = 2\n").contains("at line 3"), message("[fit]\n\ndims = = 2\n"))
    }

    /// toml++ aborts the process on a header without a key (fuzz/ConfigFuzz.swift found `[&it]`): an error instead.
    func testHeadersWithoutAKeyAreErrorsNotAborts() {
        for text in ["[&it]\n", "[fit]\ndims = 1\n[[=\n", "[[[1]]]\n", "  [ ]\n"] {
            let m = message(text)
            XCTAssertTrue(m.contains("c.toml: not valid TOML: a table header must start with a key"), "\(text): \(m)")
        }
        XCTAssertTrue(message("[[=\n").contains("at line 1"))
        // A '[' opening a line inside a value or a string is no header.
        XCTAssertTrue(message("x = [\n[1],\n]\n").contains("unknown top-level key 'x'"), message("x = [\n[1],\n]\n"))
        XCTAssertEqual(try decode("[fit]\ninput = \"\"\"\n[&odd name\"\"\"\n").entries.map(\.text), ["[&odd name"])
        XCTAssertEqual(try decode("[ fit ] # the table\ninput = '[x'\n").entries.map(\.text), ["[x"])
    }
}
