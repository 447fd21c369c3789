import Foundation

/// Line-end normalisation: mail on the wire uses CRLF, input text may use LF, CRLF or CR.
enum LineEndings {
    /// The lines of `text`, split at LF, CRLF or a lone CR. A final line break yields a final empty line.
    static func lines(of text: String) -> [ArraySlice<Unicode.Scalar>] {
        let scalars = Array(text.unicodeScalars)
        var lines: [ArraySlice<Unicode.Scalar>] = []
        var start = 0
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\n" || scalar == "\r" {
                lines.append(scalars[start..<index])
                if scalar == "\r" && index + 1 < scalars.count && scalars[index + 1] == "\n" { index += 1 }
                start = index + 1
            }
            index += 1
        }
        lines.append(scalars[start..<scalars.count])
        return lines
    }

    /// `bytes` with every LF not already preceded by CR turned into CRLF.
    static func crlf<C: Collection>(_ bytes: C) -> Data where C.Element == UInt8 {
        var out = Data()
        out.reserveCapacity(bytes.count + bytes.count / 40)
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == 0x0A && previous != 0x0D { out.append(0x0D) }
            out.append(byte)
            previous = byte
        }
        return out
    }

    /// `bytes` with every line end (LF, CRLF, lone CR) turned into CRLF.
    static func normalizedCRLF<C: Collection>(_ bytes: C) -> Data where C.Element == UInt8 {
        var out = Data()
        out.reserveCapacity(bytes.count + bytes.count / 40)
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == 0x0A {
                if previous != 0x0D { out.append(contentsOf: [0x0D, 0x0A]) }
            } else if byte == 0x0D {
                out.append(contentsOf: [0x0D, 0x0A])
            } else {
                out.append(byte)
            }
            previous = byte
        }
        return out
    }
}
