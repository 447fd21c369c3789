import Foundation
import Testing
@testable import Mail

/// The lines of CRLF text, without their line ends.
func crlfLines(_ data: Data) -> [String] {
    String(decoding: data, as: UTF8.self).components(separatedBy: "\r\n")
}

/// The header section of serialized bytes (up to the first empty line).
func headerSection(_ data: Data) -> String {
    let text = String(decoding: data, as: UTF8.self)
    return text.components(separatedBy: "\r\n\r\n").first ?? text
}

/// The unfolded header lines of a header section.
func unfoldedHeaders(_ data: Data) -> [String] {
    headerSection(data).replacingOccurrences(of: "\r\n ", with: " ").replacingOccurrences(of: "\r\n\t", with: "\t")
        .components(separatedBy: "\r\n")
}

func address(_ text: String) -> EmailAddress {
    do { return try EmailAddress(parsing: text) } catch { fatalError("bad test address \(text): \(error)") }
}

let sender = address("Example CSIRT <vuls@csirt.example>")
let vendor = address("\"山田 太郎\" <yamada@vendor.example>")

/// Deterministic pseudo-random numbers so a failing property test can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A random string mixing ASCII, spaces, tabs, line breaks (when allowed), Japanese, accents and emoji.
func randomText(using rng: inout SplitMix64, maxLength: Int, lineBreaks: Bool) -> String {
    var pools: [[Unicode.Scalar]] = [
        Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".unicodeScalars),
        Array(" \t =?_.F-\"\\()<>,;:@".unicodeScalars),
        Array("脆弱性情報のご連絡山田太郎株式会社ｶﾀｶﾅ　、。「」".unicodeScalars),
        Array("éüßçØ€\u{301}\u{200B}\u{2028}".unicodeScalars),
        Array("😀🇯🇵👍🏽𠮷".unicodeScalars),
    ]
    if lineBreaks { pools.append(Array("\n\r".unicodeScalars)) }
    let length = Int.random(in: 0...maxLength, using: &rng)
    var view = String.UnicodeScalarView()
    for _ in 0..<length {
        let pool = pools.randomElement(using: &rng)!
        view.append(pool.randomElement(using: &rng)!)
    }
    return String(view)
}
