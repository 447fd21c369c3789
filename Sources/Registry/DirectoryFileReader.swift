import Foundation

/// Reads a file of `Directory/`, which arrives by pull request and so is not trusted: only a regular file is
/// read (a symbolic link, a folder, a FIFO or a device is an error naming the file, and what a link points at
/// is never opened), at most `maximumSize` bytes, and its text must be UTF-8 (an invalid byte is named with its
/// line).
enum DirectoryFileReader {
    /// Larger files are refused: no organisation or public key file comes near it.
    static let maximumSize = 4 * 1024 * 1024

    /// The file's text, or the problem to report at `path` (relative to the workspace).
    static func text(of url: URL, path: String) -> DirectoryFileRead {
        // O_NOFOLLOW: a link swapped in after the folder was listed is refused by open itself.
        let descriptor = open(url.path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ELOOP || isSymbolicLink(url) {
                return .problem(.error(path, 1, "is a symbolic link; Directory/ holds only regular files, and what a link points at is never read"))
            }
            return .problem(.error(path, 1, "the file cannot be read (\(String(cString: strerror(errno))))"))
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            return .problem(.error(path, 1, "the file cannot be read (\(String(cString: strerror(errno))))"))
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            return .problem(.error(path, 1, "is \(kind(of: info.st_mode)), not a regular file; Directory/ holds only regular files"))
        }
        guard info.st_size <= maximumSize else {
            return .problem(.error(path, 1, "is larger than \(maximumSize / 1024 / 1024) MiB; no organisation or key file is that large"))
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: false)
        guard let data = try? handle.readToEnd() ?? Data() else {
            return .problem(.error(path, 1, "the file cannot be read"))
        }
        guard data.count <= maximumSize else {
            return .problem(.error(path, 1, "is larger than \(maximumSize / 1024 / 1024) MiB; no organisation or key file is that large"))
        }
        if let invalid = firstInvalidUTF8(in: data) {
            let byte = String(invalid.byte, radix: 16, uppercase: true)
            return .problem(.error(path, invalid.line, "the byte 0x\(byte.count == 1 ? "0" + byte : byte) is not UTF-8; save the file as UTF-8 text"))
        }
        return .text(String(decoding: data, as: UTF8.self))
    }

    /// An entry of a Directory/ folder that is not a regular file (checked without following links), with the
    /// sentence saying what it is; nil for a regular file.
    static func irregularEntry(_ url: URL) -> String? {
        var info = stat()
        guard lstat(url.path, &info) == 0 else { return nil }
        let type = info.st_mode & S_IFMT
        if type == S_IFREG { return nil }
        if type == S_IFLNK { return "is a symbolic link; Directory/ holds only regular files, and what a link points at is never read" }
        return "is \(kind(of: info.st_mode)), not a regular file; Directory/ holds only regular files"
    }

    /// The first byte of `data` that is not part of valid UTF-8, with its line (1-based).
    static func firstInvalidUTF8(in data: Data) -> (offset: Int, line: Int, byte: UInt8)? {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = data.makeIterator()
        var offset = 0
        var line = 1
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                if encoded.count == 1 && encoded.first == 0x0A { line += 1 }
                offset += encoded.count
            case .error:
                return (offset, line, data[data.startIndex + offset])
            case .emptyInput:
                return nil
            }
        }
    }

    private static func isSymbolicLink(_ url: URL) -> Bool {
        var info = stat()
        return lstat(url.path, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK
    }

    private static func kind(of mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "a folder"
        case S_IFIFO: return "a named pipe"
        case S_IFCHR, S_IFBLK: return "a device"
        case S_IFSOCK: return "a socket"
        case S_IFLNK: return "a symbolic link"
        default: return "not a regular file"
        }
    }
}

/// A file of Directory/ read, or the problem that kept it from being read.
enum DirectoryFileRead {
    case text(String)
    case problem(DirectoryProblem)
}
