import Crypto
import Foundation
import Registry

/// A received message larger than `ingest.max_read_bytes`, read without ever holding it whole.
///
/// The file is read once, a window at a time: its SHA-256 is computed on the way (so the same message read again
/// is recognised) and only its first `readableWindow` bytes are kept. They hold its header block and the beginning
/// of its text, which is what classifying and matching need (a reply's thread fields and reference, a delivery
/// report's status part). The whole file is then stored byte for byte the same way (`StreamedBytes`). Unless what
/// the window says is clear, the message is listed for review as too big to read in full.
struct LargeMessage {
    /// How much of a large message is read: its header block and the beginning of its text.
    static let readableWindow = 1 << 20
    /// How much is held at once while the digest is computed.
    static let readChunk = 1 << 20

    let streamed: StreamedBytes
    /// `sha256-…` of every byte of the file.
    let digest: String
    /// The first bytes of the message, cut after the last line break within `readableWindow`.
    let window: Data

    /// Reads `file` once: its digest and its first window. Throws `GatewayError.input` when it cannot be read.
    init(file: URL) throws {
        guard let handle = try? FileHandle(forReadingFrom: file) else {
            throw GatewayError.input("the file could not be read")
        }
        defer { try? handle.close() }
        var hash = SHA256()
        var count = 0
        var window = Data()
        while true {
            guard let chunk = try handle.read(upToCount: Self.readChunk), !chunk.isEmpty else { break }
            hash.update(data: chunk)
            if window.count < Self.readableWindow { window.append(chunk.prefix(Self.readableWindow - window.count)) }
            count += chunk.count
        }
        streamed = StreamedBytes(file: file, count: count)
        digest = "sha256-" + hash.finalize().map { String(format: "%02x", $0) }.joined()
        self.window = count > window.count ? Self.readable(window) : window
    }

    /// The first bytes of a message cut after their last line break, so that no line is read cut short.
    static func readable(_ head: Data) -> Data {
        guard let lastBreak = head.lastIndex(of: 0x0A) else { return head }
        return Data(head.prefix(through: lastBreak))
    }

    /// Why a person must look at it: `too big to read in full (53 MB): stored as received`.
    var reviewReason: String {
        "too big to read in full (\(Int((Double(streamed.count) / 1_000_000).rounded())) MB): stored as received"
    }

    /// The size of a file, without reading it; nil when it cannot be read.
    static func size(of file: URL) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.intValue
    }
}
