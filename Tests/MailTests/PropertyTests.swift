import Foundation
import Testing
@testable import Mail

/// Random inputs, from a fixed seed so any failure can be replayed.
@Suite struct PropertyTests {
    @Test func randomTextRoundTripsThroughQuotedPrintable() {
        var rng = SplitMix64(state: 0x5EED_0001)
        for _ in 0..<1500 {
            let text = randomText(using: &rng, maxLength: 300, lineBreaks: true)
            let encoded = QuotedPrintable.encode(text)
            let expected = String(decoding: LineEndings.normalizedCRLF(Array(text.utf8)), as: UTF8.self)
            #expect(String(decoding: QuotedPrintable.decode(encoded), as: UTF8.self) == expected, "\(text.debugDescription)")
            for line in crlfLines(encoded) {
                #expect(line.utf8.count <= 76)
                #expect(!line.hasPrefix("From ") && !line.hasPrefix("."))
                #expect(line.last != " " && line.last != "\t")
            }
            #expect(encoded.allSatisfy { $0 < 0x80 })
        }
    }

    @Test func randomTextRoundTripsThroughTextEntities() throws {
        var rng = SplitMix64(state: 0x5EED_0002)
        for _ in 0..<300 {
            let text = randomText(using: &rng, maxLength: 400, lineBreaks: true)
            let message = Message(from: sender, to: [vendor], subject: "p", body: .text(text))
            let parsed = try ParsedMessage(bytes: try message.serialized())
            var expected = String(decoding: LineEndings.normalizedCRLF(Array(text.utf8)), as: UTF8.self)
            if !expected.hasSuffix("\r\n") { expected += "\r\n" }
            #expect(parsed.bodyText == expected, "\(text.debugDescription)")
        }
    }

    @Test func randomSubjectsRoundTripThroughRFC2047() throws {
        var rng = SplitMix64(state: 0x5EED_0003)
        for _ in 0..<800 {
            let subject = randomText(using: &rng, maxLength: 160, lineBreaks: false)
            let message = Message(from: sender, to: [vendor], subject: subject, body: .text("x"))
            let bytes = try message.serialized()
            for line in headerSection(bytes).components(separatedBy: "\r\n") {
                #expect(line.utf8.count <= 78, "\(line)")
                #expect(line.utf8.allSatisfy { $0 < 0x80 })
            }
            #expect(try ParsedMessage(bytes: bytes).subject == subject, "\(subject.debugDescription)")
        }
    }

    @Test func randomDisplayNamesRoundTrip() throws {
        var rng = SplitMix64(state: 0x5EED_0004)
        for _ in 0..<800 {
            let name = randomText(using: &rng, maxLength: 80, lineBreaks: false)
            let original = try EmailAddress(address: "someone@vendor.example", displayName: name)
            let message = Message(from: original, to: [original, vendor], subject: "x", body: .text("x"))
            let bytes = try message.serialized()
            for line in headerSection(bytes).components(separatedBy: "\r\n") { #expect(line.utf8.count <= 78, "\(line)") }
            let parsed = try ParsedMessage(bytes: bytes)
            #expect(parsed.from == original, "\(name.debugDescription)")
            #expect(parsed.to == [original, vendor], "\(name.debugDescription)")
            #expect(try EmailAddress(parsing: original.headerValue) == original, "\(name.debugDescription)")
        }
    }

    @Test func encodedWordChainsRoundTrip() {
        var rng = SplitMix64(state: 0x5EED_0005)
        for _ in 0..<1000 {
            let text = randomText(using: &rng, maxLength: 120, lineBreaks: true)
            let words = EncodedWord.encode(text)
            #expect(words.allSatisfy { $0.utf8.count <= 75 })
            #expect(EncodedWord.decode(words.joined(separator: "\r\n ")) == text, "\(text.debugDescription)")
        }
    }
}
