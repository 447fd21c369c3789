import Foundation
import Registry
import Testing
@testable import Desk

/// The HTML the desk writes in Swift: one escaping function, and the vendor matrix written with it.
@Suite struct DeskHTMLTests {
    @Test(arguments: [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("\"><img src=x onerror=alert(1)>", "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"),
        ("'><svg onload=alert(1)>", "&#39;&gt;&lt;svg onload=alert(1)&gt;"),
        ("Fish & Chips &amp; more", "Fish &amp; Chips &amp;amp; more"),
        ("\" onmouseover=\"alert(1)", "&quot; onmouseover=&quot;alert(1)"),
        ("影響なし <b>太字</b>", "影響なし &lt;b&gt;太字&lt;/b&gt;"),
        ("plain text, nothing to do", "plain text, nothing to do"),
        ("", ""),
        ("<", "&lt;"),
        ("&", "&amp;"),
    ])
    func escapingReplacesEveryCharacterThatEndsTextOrAnAttribute(input: String, expected: String) {
        #expect(DeskHTML.escape(input) == expected)
        var html = DeskHTML()
        html.raw("<td title=\"")
        html.text(input)
        html.raw("\">")
        html.text(input)
        #expect(html.string == "<td title=\"\(expected)\">\(expected)")
    }

    @Test func aMatrixRowOfHostileTextHasNoMarkupButItsOwn() {
        let hostile = "\"><img src=x onerror=alert(1)> <script>alert('x')</script> & 'quoted'"
        let row = CaseDetailPage.Row(organization: "acme\"><script>", name: hostile, delivery: .undeliverable, deliveryLabel: "undeliverable",
                                     unreachable: true, troubles: [hostile], ourProblems: [hostile], automaticReplies: [hostile],
                                     response: .notAffected, responseLabel: "not affected", source: hostile, sourceActor: hostile,
                                     statement: hostile, products: [hostile], lastIn: hostile, lastOut: hostile, nextStep: hostile)
        let html = CaseDetailPage.matrixRows([row], labels: DeskLabels.table(for: .en)).string
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("'"))
        let escaped = DeskHTML.escape(hostile)
        #expect(html.components(separatedBy: escaped).count - 1 == 11, "every outside text escaped: \(html)")
        #expect(html.hasPrefix(#"<tr data-org="acme&quot;&gt;&lt;script&gt;"><td><a href="/directory/acme&quot;&gt;&lt;script&gt;">"#))
        #expect(html.contains(#"<td class="d" data-v="undeliverable">undeliverable<br><span class="trouble">bounced: "#))
        #expect(html.contains(#"<td class="r" data-v="not-affected">not affected<br><span class="muted">"#))
        // Only the markup the writer itself wrote: one row, eight cells.
        #expect(html.components(separatedBy: "<tr").count == 2)
        #expect(html.components(separatedBy: "<td").count == 9)
    }

    @Test func timelineRowsEscapeTheirData() {
        let event = CaseDetailPage.Event(at: "2031-01-01 10:00", actor: "<b>eve</b>", action: "participant.response",
                                         object: "acme", data: #"{"statement":"<script>alert(1)</script>"}"#)
        let html = CaseDetailPage.timelineRows([event]).string
        #expect(html == #"<tr><td>2031-01-01 10:00</td><td class="actor">&lt;b&gt;eve&lt;/b&gt;</td><td class="action">participant.response</td><td>acme</td><td class="muted">{&quot;statement&quot;:&quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;}</td></tr>"# + "\n")
    }
}

/// The day and time texts of the case page, made once per day, are those of `WorkspaceDates`.
@Suite struct DayTextsTests {
    @Test(arguments: ["UTC", "Asia/Tokyo", "America/New_York", "Asia/Kolkata", "Pacific/Chatham"])
    func theyAreTheWorkspacesTexts(zone: String) throws {
        let dates = WorkspaceDates(timeZone: try #require(TimeZone(identifier: zone)))
        var days = DayTexts(dates: dates)
        // Every 7 h 13 min 7 s over two years (DST changes included), and instants before 1970.
        var instants = stride(from: 1_700_000_000.0, to: 1_763_000_000.0, by: 25_987).map { Date(timeIntervalSince1970: $0) }
        instants += [Date(timeIntervalSince1970: -86_401), Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 59.9)]
        for instant in instants {
            #expect(days.text(instant) == dates.dayText(instant), "\(instant)")
            #expect(days.timeText(instant) == dates.timeText(instant), "\(instant)")
        }
    }
}
