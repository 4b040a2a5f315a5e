import XCTest
import HTMLReport

final class SVGTests: XCTestCase {
    func testTextIsEscaped() {
        XCTAssertEqual(XMLEscape.text("a < b && c > d"), "a &lt; b &amp;&amp; c &gt; d")
        // An entity-like sequence in data is text, not an entity.
        XCTAssertEqual(XMLEscape.text("q&amp;1"), "q&amp;amp;1")
        XCTAssertEqual(XMLEscape.text("plain"), "plain")
    }

    func testAttributesEscapeQuotesAndLineBreaks() {
        XCTAssertEqual(XMLEscape.attribute("say \"hi\" & 'bye'"), "say &quot;hi&quot; &amp; &#39;bye&#39;")
        XCTAssertEqual(XMLEscape.attribute("a\nb"), "a&#10;b")
        XCTAssertEqual(XMLEscape.attribute("a\r\nb"), "a&#13;&#10;b")
    }

    func testElementsRenderWithEscapedContent() {
        let e = SVGElement("g", [("class", "x\"y")], children: [
            SVGElement("circle", [("cx", "1"), ("cy", "2"), ("r", "3")], children: [SVGElement("title", text: "<item & 1>")]),
            SVGElement("rect", [("x", "0")]),
        ])
        XCTAssertEqual(e.render(), "<g class=\"x&quot;y\"><circle cx=\"1\" cy=\"2\" r=\"3\"><title>&lt;item &amp; 1&gt;</title></circle><rect x=\"0\"/></g>")
        XCTAssertEqual(e.allElements.filter { $0.name == "title" }.count, 1)
    }

    func testNumbersAreShortAndNeverNegativeZero() {
        XCTAssertEqual(SVGNumber.format(12), "12")
        XCTAssertEqual(SVGNumber.format(12.3456), "12.35")
        XCTAssertEqual(SVGNumber.format(-0.001), "0")
        XCTAssertEqual(SVGNumber.format(0.5), "0.5")
        XCTAssertEqual(SVGNumber.format(.nan), "0")
    }
}
