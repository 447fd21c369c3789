import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte-to-text conversion through the C library's iconv (glibc on Linux).
///
/// The iconv descriptor never leaves this file: each call opens, converts and closes its own.
enum IconvConverter {
    /// `data` in the iconv charset `charset` as a string; nil when iconv does not know the charset or the
    /// bytes are not valid in it (no character is silently dropped or replaced).
    static func decode(_ data: Data, from charset: String) -> String? {
        if data.isEmpty { return "" }
        let descriptor = iconv_open("UTF-8", charset)
        guard descriptor != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(descriptor) }
        var input = [UInt8](data)
        // UTF-8 needs at most 4 bytes per input byte for every multi-byte charset, and 3 for single-byte ones.
        var output = [UInt8](repeating: 0, count: input.count * 4 + 16)
        let outputCount = output.count
        let converted: Int? = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                inBuffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: inBuffer.count) { inBase in
                    outBuffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: outBuffer.count) { outBase in
                        var inPointer: UnsafeMutablePointer<CChar>? = inBase
                        var inLeft = inBuffer.count
                        var outPointer: UnsafeMutablePointer<CChar>? = outBase
                        var outLeft = outputCount
                        let result = iconv(descriptor, &inPointer, &inLeft, &outPointer, &outLeft)
                        guard result != -1, inLeft == 0 else { return nil }
                        // Flush a stateful encoding's final shift sequence.
                        _ = iconv(descriptor, nil, nil, &outPointer, &outLeft)
                        return outputCount - outLeft
                    }
                }
            }
        }
        guard let count = converted else { return nil }
        return String(decoding: output[0..<count], as: UTF8.self)
    }

    /// Whether iconv can convert from `charset` at all.
    static func knows(_ charset: String) -> Bool {
        let descriptor = iconv_open("UTF-8", charset)
        guard descriptor != iconv_t(bitPattern: -1) else { return false }
        iconv_close(descriptor)
        return true
    }
}
