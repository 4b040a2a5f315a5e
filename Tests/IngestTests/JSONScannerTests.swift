import Ingest
import XCTest

/// The byte scanner against the JSON grammar: escapes, nesting, numbers in
/// both spellings, and malformed input reported with an offset.
final class JSONScannerTests: XCTestCase {
    /// Runs `body` with a scanner over `text`.
    func scan<T>(_ text: String, _ body: (inout JSONScanner) throws -> T) throws -> T {
        var bytes = Array(text.utf8)
        return try bytes.withUnsafeMutableBufferPointer { buffer in
            var scanner = JSONScanner(UnsafeBufferPointer(buffer))
            return try body(&scanner)
        }
    }

    func testDecodesEveryEscapeLikeFoundation() throws {
        let samples = [
            #""plain ascii""#,
            #""quote \" backslash \\ slash \/ controls \b\f\n\r\t""#,
            #""é raw and \u00e9 escaped, CJK \u4e2d, emoji \ud83d\ude00 and raw 😀""#,
            #""ends with backslash \\""#,
            #""\\\"quoted\\\"""#,
            #""""#,
        ]
        for sample in samples {
            let ours = try scan(sample) { try $0.string() }
            let foundation = try JSONSerialization.jsonObject(with: Data(sample.utf8), options: .fragmentsAllowed) as! String
            XCTAssertEqual(ours, foundation, sample)
        }
    }

    func testSkipsNestedValuesAndFindsTheFieldsAfterThem() throws {
        let text = #"{"a": [1, [2, {"b": "x\"]}"}], -3.5e2, true, null], "s": "}{][", "n": {"m": {}}, "want": "-1.25", "k": 7}"#
        let (want, k) = try scan(text) { s -> (Double, Double) in
            try s.beginObject()
            var first = true
            var want = 0.0, k = 0.0
            while let key = try s.nextKey(&first) {
                if s.bytes(key, equal: "want") { want = try s.flexibleNumber() }
                else if s.bytes(key, equal: "k") { k = try s.flexibleNumber() }
                else { try s.skipValue() }
            }
            XCTAssertTrue(s.atEnd())
            return (want, k)
        }
        XCTAssertEqual(want, -1.25)
        XCTAssertEqual(k, 7)
    }

    func testNumbersAsStringsOrNumbersAndPythonSpecials() throws {
        XCTAssertEqual(try scan("\"-3.37109375\"") { try $0.flexibleNumber() }, -3.37109375)
        XCTAssertEqual(try scan("-3.37109375") { try $0.flexibleNumber() }, -3.37109375)
        XCTAssertEqual(try scan("\"1.0\"") { try $0.flexibleNumber() }, 1)
        XCTAssertEqual(try scan("1e-3") { try $0.flexibleNumber() }, 0.001)
        XCTAssertTrue(try scan("NaN") { try $0.flexibleNumber() }.isNaN)
        XCTAssertEqual(try scan("-Infinity") { try $0.flexibleNumber() }, -.infinity)
        XCTAssertEqual(try scan("\"-inf\"") { try $0.flexibleNumber() }, -.infinity)
    }

    /// Numbers parse bit for bit as Swift's own Double(String) does, on the
    /// fast path (short plain decimals) and off it (long mantissas, exponents).
    func testNumbersMatchSwiftsParserBitForBit() throws {
        var generator = SystemRandomNumberGenerator()
        var texts = ["0", "-0", "0.1", "-3.37109375", "123456789012345", "1234567890123456789", "0.000000000000000000001",
                     "9007199254740993", "2.2250738585072014e-308", "1e22", "1e23", "-24.03125", "0.30000000000000004"]
        for _ in 0..<5000 {
            let digits = Int.random(in: 1...19, using: &generator)
            var text = String((0..<digits).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
            let point = Int.random(in: 0...digits, using: &generator)
            if point < digits { text.insert(".", at: text.index(text.startIndex, offsetBy: point)) }
            if text.hasPrefix(".") { text = "0" + text }
            if text.hasSuffix(".") { text += "5" }
            while text.count > 1 && text.hasPrefix("0") && !text.hasPrefix("0.") { text.removeFirst() }
            texts.append(Bool.random(using: &generator) ? "-" + text : text)
        }
        for text in texts {
            let expected = Double(text)!
            let bare = try scan(text) { try $0.flexibleNumber() }
            let quoted = try scan("\"\(text)\"") { try $0.flexibleNumber() }
            XCTAssertEqual(bare.bitPattern, expected.bitPattern, text)
            XCTAssertEqual(quoted.bitPattern, expected.bitPattern, text)
        }
    }

    func testMalformedInputIsAnErrorWithAnOffset() {
        let cases: [(String, String)] = [
            (#"{"a": "unterminated}"#, "unterminated string"),
            (#"{"a" 1}"#, "expected ':'"),
            (#"{"a": 1 "b": 2}"#, "expected ',' or '}'"),
            (#"{"a": [1, 2}"#, "expected ',' or ']'"),
            (#"{"a": tru}"#, "expected true, false or null"),
            (#"{"a": 01}"#, "expected ',' or '}'"),
            (#"{"a": -}"#, "invalid number"),
            (#"{"a": 1.}"#, "invalid number"),
            (#"{"a": 1} trailing"#, "after the object"),
            (#"{"a": 1"#, "unexpected end of line"),
            (#"{a: 1}"#, "expected a quoted key"),
        ]
        for (text, fragment) in cases {
            do {
                try scan(text) { s in
                    try s.skipValue()
                    if !s.atEnd() { throw s.error("unexpected text after the object") }
                }
                XCTFail("accepted malformed \(text)")
            } catch let error as JSONSyntaxError {
                XCTAssertTrue(error.description.contains(fragment), "\(text): \(error) lacks \(fragment)")
                XCTAssertTrue(error.offset >= 0 && error.offset <= text.utf8.count, "\(text): offset \(error.offset)")
            } catch {
                XCTFail("\(text): unexpected \(error)")
            }
        }
    }

    func testInvalidEscapesAndNumberStringsAreRejectedWhenDecoded() {
        XCTAssertThrowsError(try scan(#""bad \x escape""#) { try $0.string() })
        XCTAssertThrowsError(try scan(#""lone \ud83d surrogate""#) { try $0.string() })
        XCTAssertThrowsError(try scan(#""1.5abc""#) { try $0.flexibleNumber() })
        XCTAssertThrowsError(try scan(#""""#) { try $0.flexibleNumber() })
        XCTAssertThrowsError(try scan(#""0x1p3""#) { try $0.flexibleNumber() })
    }

    func testDeepNestingIsRefusedNotACrash() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        XCTAssertThrowsError(try scan(deep) { try $0.skipValue() }) { error in
            XCTAssertTrue("\(error)".contains("nesting"), "\(error)")
        }
    }
}
