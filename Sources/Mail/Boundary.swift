import Foundation

/// Random multipart boundaries. `=_` cannot occur in quoted-printable or base64 output, and
/// 28 random alphanumerics make a collision with any other text practically impossible.
enum Boundary {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".unicodeScalars)

    static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        var out = "=_"
        for _ in 0..<28 { out.unicodeScalars.append(alphabet.randomElement(using: &generator)!) }
        return out
    }

    /// A boundary that occurs in none of `contents`.
    static func random(avoiding contents: [Data]) -> String {
        while true {
            let candidate = random()
            let bytes = Data(candidate.utf8)
            if !contents.contains(where: { $0.range(of: bytes) != nil }) { return candidate }
        }
    }
}
