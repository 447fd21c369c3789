import Foundation

/// The reference carried in the subject (`[LSN-7QK2M9XH]`) and the Message-ID of every notification, so a
/// reply finds its notification even when a mail client drops In-Reply-To.
public enum TrackingReference {
    /// Crockford's base-32 alphabet: no I, L, O or U to misread when a vendor types it.
    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    /// A new random reference such as `LSN-7QK2M9XH` (40 random bits).
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return "LSN-" + String((0..<8).map { _ in alphabet[Int(generator.next(upperBound: UInt8(32)))] })
    }

    /// The first reference found in a subject or body, upper-cased.
    public static func find(in text: String) -> String? {
        guard let range = text.range(of: #"LSN-[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{8}\b"#, options: .regularExpression) else { return nil }
        return text[range].uppercased()
    }

    /// How the reference appears in a subject.
    public static func subjectTag(_ reference: String) -> String { "[\(reference)]" }
}
