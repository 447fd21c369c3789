import Foundation

/// A PEM file of certificate authorities to trust instead of the system's (a private CA), checked before
/// connecting so that a wrong path is one clear line, not a TLS failure.
public enum CAFile {
    /// Why `path` cannot serve as a CA file ("no such file", "it is a directory", "permission denied or read
    /// error", "it holds no PEM certificate"), or nil when it can.
    ///
    /// ```swift
    /// if let reason = CAFile.problem(at: path) { throw .caFileUnreadable(path: path, reason: reason) }
    /// ```
    public static func problem(at path: String) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return "no such file" }
        guard !isDirectory.boolValue else { return "it is a directory" }
        guard let contents = try? Data(contentsOf: URL(fileURLWithPath: path)) else {
            return "permission denied or read error"
        }
        guard contents.range(of: Data("-----BEGIN CERTIFICATE-----".utf8)) != nil else {
            return "it holds no PEM certificate"
        }
        return nil
    }
}
