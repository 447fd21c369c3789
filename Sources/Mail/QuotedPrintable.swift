import Foundation

/// Quoted-printable (RFC 2045 §6.7) for UTF-8 text, made safe for signing and for relays.
///
/// Besides `=` and non-ASCII, the encoder protects what a relay might alter: whitespace at the end
/// of a line (`=20`, `=09`), a line beginning `From ` (`=46`, mbox escaping) and a line beginning `.`
/// (`=2E`, SMTP dot-stuffing). Encoded lines are at most 76 characters; a soft line break never
/// splits an `=XX` triplet or a UTF-8 character.
public enum QuotedPrintable {
    static let maximumLineLength = 76

    /// Encodes `text`, normalising its line ends (LF, CRLF, CR) to CRLF.
    /// The result ends with CRLF exactly when `text` ends with a line break.
    public static func encode(_ text: String) -> Data {
        let lines = LineEndings.lines(of: text)
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count * 2)
        for (index, line) in lines.enumerated() {
            encodeLine(line, into: &out)
            if index < lines.count - 1 { out.append(contentsOf: [0x0D, 0x0A]) }
        }
        return Data(out)
    }

    /// Decodes quoted-printable bytes; tolerant of LF line ends, lowercase hex, trailing
    /// whitespace and stray `=`. Hard line breaks keep the line end used in the input.
    public static func decode<C: Collection>(_ bytes: C) -> Data where C.Element == UInt8 {
        let input = Array(bytes)
        var out = [UInt8]()
        out.reserveCapacity(input.count)
        var lineStart = 0
        while lineStart < input.count {
            var lineEnd = lineStart
            while lineEnd < input.count && input[lineEnd] != 0x0A { lineEnd += 1 }
            let hasBreak = lineEnd < input.count
            var contentEnd = lineEnd
            let crlf = hasBreak && contentEnd > lineStart && input[contentEnd - 1] == 0x0D
            if crlf { contentEnd -= 1 }
            // Transport may add whitespace at line ends; RFC 2045 says to drop it.
            while contentEnd > lineStart && (input[contentEnd - 1] == 0x20 || input[contentEnd - 1] == 0x09) {
                contentEnd -= 1
            }
            var soft = false
            if contentEnd > lineStart && input[contentEnd - 1] == UInt8(ascii: "=") {
                soft = true
                contentEnd -= 1
            }
            var i = lineStart
            while i < contentEnd {
                let byte = input[i]
                if byte == UInt8(ascii: "="), i + 2 < contentEnd, let value = Hex.pair(input[i + 1], input[i + 2]) {
                    out.append(value)
                    i += 3
                } else {
                    out.append(byte)
                    i += 1
                }
            }
            if hasBreak && !soft {
                if crlf { out.append(0x0D) }
                out.append(0x0A)
            }
            lineStart = hasBreak ? lineEnd + 1 : input.count
        }
        return Data(out)
    }

    private static func encodeLine(_ line: ArraySlice<Unicode.Scalar>, into out: inout [UInt8]) {
        let scalars = Array(line)
        var lineLength = 0
        for index in scalars.indices {
            let isLast = index == scalars.count - 1
            var unit = encodedUnit(scalars, at: index, atLineStart: lineLength == 0, isLast: isLast)
            let limit = isLast ? maximumLineLength : maximumLineLength - 1
            if lineLength + unit.count > limit {
                out.append(contentsOf: [UInt8(ascii: "="), 0x0D, 0x0A])
                lineLength = 0
                unit = encodedUnit(scalars, at: index, atLineStart: true, isLast: isLast)
            }
            out.append(contentsOf: unit)
            lineLength += unit.count
        }
    }

    /// The encoding of one scalar: itself when safe here, else `=XX` per UTF-8 byte.
    private static func encodedUnit(_ scalars: [Unicode.Scalar], at index: Int,
                                     atLineStart: Bool, isLast: Bool) -> [UInt8] {
        let scalar = scalars[index]
        let v = scalar.value
        var literal: Bool
        switch v {
        case 0x20, 0x09: literal = !isLast
        case 0x3D: literal = false
        case 33...126: literal = true
        default: literal = false
        }
        if literal && atLineStart {
            if scalar == "." { literal = false }
            if scalar == "F" && index + 4 < scalars.count && scalars[index + 1] == "r"
                && scalars[index + 2] == "o" && scalars[index + 3] == "m" && scalars[index + 4] == " " {
                literal = false
            }
        }
        if literal { return [UInt8(v)] }
        var unit = [UInt8]()
        for byte in String(scalar).utf8 {
            unit.append(UInt8(ascii: "="))
            unit.append(Hex.digits[Int(byte >> 4)])
            unit.append(Hex.digits[Int(byte & 0x0F)])
        }
        return unit
    }
}
