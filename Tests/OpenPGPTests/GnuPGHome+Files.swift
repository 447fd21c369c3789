import Foundation
import TestSupport

extension GnuPGHome {
    /// Writes `data` to a file inside the home (removed with it) and returns the file's path.
    func write(_ data: Data, named name: String) throws -> String {
        let file = path + "/" + name
        try data.write(to: URL(fileURLWithPath: file))
        return file
    }
}

/// A fingerprint no test key has.
let unknownFingerprint = "0123456789ABCDEF0123456789ABCDEF01234567"

/// A text body as a mail gateway signs it: CRLF line ends, some UTF-8.
let sampleBody = Data("Dear team,\r\nplease find the advisory attached.\r\n— Coordination\r\n".utf8)
