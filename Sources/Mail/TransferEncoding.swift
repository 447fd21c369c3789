import Foundation

/// Base64 with 76-character lines, and a tolerant base64 decoder (RFC 2045 §6.8).
enum Base64Lines {
    static let lineLength = 76

    /// Base64 of `data` in lines of 76 characters, each ending in CRLF.
    static func encode(_ data: Data) -> Data {
        let encoded = Array(data.base64EncodedString().utf8)
        var out = Data()
        out.reserveCapacity(encoded.count + encoded.count / lineLength * 2 + 2)
        var index = 0
        while index < encoded.count {
            let end = min(index + lineLength, encoded.count)
            out.append(contentsOf: encoded[index..<end])
            out.append(contentsOf: [0x0D, 0x0A])
            index = end
        }
        return out
    }

    /// Decodes base64, skipping line breaks, padding and any character outside the alphabet,
    /// as received mail often carries stray spaces or a missing pad.
    static func decode<S: Sequence>(_ bytes: S) -> Data where S.Element == UInt8 {
        var out = Data()
        var accumulator: UInt32 = 0
        var count = 0
        for byte in bytes {
            let value: UInt32
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = UInt32(byte) - 65
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = UInt32(byte) - 71
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt32(byte) + 4
            case UInt8(ascii: "+"), UInt8(ascii: "-"): value = 62
            case UInt8(ascii: "/"), UInt8(ascii: "_"): value = 63
            default: continue
            }
            accumulator = accumulator << 6 | value
            count += 1
            if count == 4 {
                out.append(UInt8(truncatingIfNeeded: accumulator >> 16))
                out.append(UInt8(truncatingIfNeeded: accumulator >> 8))
                out.append(UInt8(truncatingIfNeeded: accumulator))
                accumulator = 0
                count = 0
            }
        }
        if count == 2 {
            out.append(UInt8(truncatingIfNeeded: accumulator >> 4))
        } else if count == 3 {
            out.append(UInt8(truncatingIfNeeded: accumulator >> 10))
            out.append(UInt8(truncatingIfNeeded: accumulator >> 2))
        }
        return out
    }
}

/// Hex digits as used by quoted-printable, RFC 2047 Q and RFC 2231 percent-encoding.
enum Hex {
    static let digits = Array("0123456789ABCDEF".utf8)

    static func value(of byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - 48
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - 55
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - 87
        default: return nil
        }
    }

    static func pair(_ high: UInt8, _ low: UInt8) -> UInt8? {
        guard let h = value(of: high), let l = value(of: low) else { return nil }
        return h << 4 | l
    }
}
