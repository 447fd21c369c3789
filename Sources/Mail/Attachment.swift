import Foundation

/// A file to attach: its name, bytes and media type.
public struct Attachment: Sendable {
    /// The file name shown to the recipient (no folders, no control characters).
    public let filename: String
    /// The file's bytes.
    public let data: Data
    /// The media type, `type/subtype`, lowercased.
    public let mediaType: String

    /// An attachment; `mediaType` is guessed from the file name's extension when nil or not a valid media type.
    public init(filename: String, data: Data, mediaType: String? = nil) {
        let name = Self.sanitized(filename)
        self.filename = name
        self.data = data
        if let given = mediaType.map({ HeaderText.trimmingWSP($0).lowercased() }), MediaTypes.isValid(given) {
            self.mediaType = given
        } else {
            self.mediaType = MediaTypes.guess(forFilename: name)
        }
    }

    /// Reads the file at `url`; its last path component becomes the file name.
    public init(contentsOf url: URL) throws(MailError) {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            var isFolder: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder)
            let reason = !exists ? "there is no such file" : isFolder.boolValue ? "it is a folder" : "\(error.localizedDescription)"
            throw MailError.unreadableAttachment(url.path, reason)
        }
        self.init(filename: url.lastPathComponent, data: data)
    }

    /// The last path component, control characters replaced: a file name must not add a header.
    static func sanitized(_ filename: String) -> String {
        let last = filename.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var out = String.UnicodeScalarView()
        for scalar in last.unicodeScalars {
            out.append(HeaderText.isForbiddenControl(scalar) ? "_" : scalar)
        }
        let name = HeaderText.trimmingWSP(String(out))
        return name.isEmpty ? "attachment" : name
    }
}

/// Media types by file extension, for attachments and for reading them back.
enum MediaTypes {
    static let fallback = "application/octet-stream"

    private static let byExtension: [String: String] = [
        "pdf": "application/pdf",
        "txt": "text/plain", "text": "text/plain", "log": "text/plain", "asc": "text/plain",
        "csv": "text/csv",
        "md": "text/markdown", "markdown": "text/markdown",
        "html": "text/html", "htm": "text/html",
        "xml": "application/xml",
        "json": "application/json",
        "yaml": "application/yaml", "yml": "application/yaml",
        "zip": "application/zip",
        "gz": "application/gzip", "tgz": "application/gzip",
        "tar": "application/x-tar",
        "bz2": "application/x-bzip2",
        "xz": "application/x-xz",
        "7z": "application/x-7z-compressed",
        "png": "image/png",
        "jpg": "image/jpeg", "jpeg": "image/jpeg",
        "gif": "image/gif",
        "svg": "image/svg+xml",
        "c": "text/x-c", "h": "text/x-c", "cc": "text/x-c++", "cpp": "text/x-c++", "hpp": "text/x-c++",
        "py": "text/x-python",
        "sh": "application/x-sh",
        "patch": "text/x-diff", "diff": "text/x-diff",
        "pcap": "application/vnd.tcpdump.pcap",
        "doc": "application/msword",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls": "application/vnd.ms-excel",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ]

    /// The media type for `filename`'s extension, or `application/octet-stream`.
    static func guess(forFilename filename: String) -> String {
        guard let dot = filename.lastIndex(of: "."), dot != filename.startIndex else { return fallback }
        let ext = filename[filename.index(after: dot)...].lowercased()
        return byExtension[ext] ?? fallback
    }

    /// `type/subtype`, each an RFC 2045 token.
    static func isValid(_ mediaType: String) -> Bool {
        let parts = mediaType.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { HeaderText.isToken(String($0)) }
    }
}
