import CCurl
import Foundation
import TransportSecurity
import Logging

/// One logged-in connection to one IMAP mailbox, over libcurl (RFC 9051 commands, RFC 5092 URLs).
///
/// The mailbox is opened read-only (EXAMINE) and messages are fetched by UID in that state, so reading them
/// never sets `\Seen` (the effect of `BODY.PEEK[]`): people still see them as unread. libcurl parses the message
/// literal itself and hands it over in pieces, which go straight to a file: fetching never holds a 50 MB message
/// in memory (storing it does: see `IMAPIngester`). Nothing is ever deleted or expunged; `move(uid:to:)` and `addFlag(_:uid:)` switch to read-write
/// (SELECT) only for their command.
///
/// One libcurl easy handle serves the session, so every command goes over one connection. Not Sendable: use one
/// session per task or thread.
///
/// ```swift
/// let session = try IMAPSession(configuration: configuration)
/// let status = try session.examine()
/// for uid in try session.searchUIDs(after: lastUID) { try session.fetch(uid: uid, to: file) }
/// ```
public final class IMAPSession {
    private let handle: UnsafeMutableRawPointer
    private let configuration: IMAPConfiguration
    var configurationCopy: IMAPConfiguration { configuration }
    /// The checked URL.
    public let endpoint: IMAPConfiguration.Endpoint
    let logger: Logger
    private let transfer = TransferState()
    /// libcurl's CURLOPT_ERRORBUFFER: the detailed reason of the last failure.
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// The capabilities the server announced after login (upper-case), e.g. IDLE, MOVE, UIDPLUS.
    public private(set) var capabilities: Set<String> = []
    /// The server's hierarchy delimiter, once asked.
    private var hierarchyDelimiter: String?
    /// True after a fetch lost the connection: the next fetch reconnects with EXAMINE first.
    private var reopenBeforeFetching = false
    /// True once the server flooded an IDLE connection: `offersIdle` is false from then on.
    var idleAbandoned = false

    /// A session for `configuration` (checked first); connects on the first command.
    public init(configuration: IMAPConfiguration, logger: Logger = Logger(label: "liaison.imap")) throws(IMAPError) {
        let endpoint = try configuration.endpoint()
        guard Curl.initialization == CURLE_OK, let handle = curl_easy_init() else {
            throw .transferFailed(server: endpoint.server, reason: "libcurl could not be initialised")
        }
        var logger = logger
        logger[metadataKey: "imap.mailbox"] = "\(endpoint.mailboxURL)"
        self.handle = handle
        self.configuration = configuration
        self.endpoint = endpoint
        self.logger = logger
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        do {
            try IMAPCurl.setConnectionOptions(handle, configuration: configuration, endpoint: endpoint)
            try Curl.set(handle, CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
            try Curl.check(liaison_curl_setopt_write_callback(handle, CURLOPT_HEADERFUNCTION, receiveLine),
                               CURLOPT_HEADERFUNCTION)
            try Curl.check(liaison_curl_setopt_write_callback(handle, CURLOPT_WRITEFUNCTION, receiveBody),
                               CURLOPT_WRITEFUNCTION)
            // The transfer state lives as long as the handle (deinit cleans the handle up first): no retain needed.
            let context = Unmanaged.passUnretained(transfer).toOpaque()
            try Curl.set(handle, CURLOPT_HEADERDATA, pointer: context)
            try Curl.set(handle, CURLOPT_WRITEDATA, pointer: context)
        } catch {
            curl_easy_cleanup(handle)
            errorBuffer.deallocate()
            throw .transferFailed(server: endpoint.server, reason: error.description)
        }
    }

    deinit {
        // Sends LOGOUT on an open connection.
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Opens the mailbox read-only and returns its UIDVALIDITY, UIDNEXT and message count.
    ///
    /// Throws `.authenticationFailed`, `.noSuchMailbox`, `.certificate`, `.connectionFailed` and the like.
    public func examine() throws(IMAPError) -> MailboxStatus {
        let lines = try command("EXAMINE \(Self.quoted(endpoint.mailbox))")
        let parsed = MailboxStatus.parse(lines)
        guard let validity = parsed.uidValidity else {
            throw .commandRefused(server: endpoint.server, command: "EXAMINE", reply: "no UIDVALIDITY in the answer")
        }
        return MailboxStatus(uidValidity: validity, uidNext: parsed.uidNext ?? 0, exists: parsed.exists ?? 0)
    }

    /// The UIDs above `uid` in the mailbox, ascending (UID SEARCH UID n+1:*).
    public func searchUIDs(after uid: UInt32) throws(IMAPError) -> [UInt32] {
        let lines = try command("UID SEARCH UID \(UInt64(uid) + 1):*")
        var uids: [UInt32] = []
        for line in lines where line.uppercased().hasPrefix("* SEARCH") {
            uids += line.split(separator: " ").dropFirst(2).compactMap { UInt32($0) }
        }
        // "n:*" always matches the highest UID, even when it is below n.
        return Array(Set(uids.filter { $0 > uid })).sorted()
    }

    /// Fetches the message with `uid`, byte for byte, into `file` (created or truncated); returns its size.
    ///
    /// Throws `.messageMissing` when the message was expunged meanwhile (an empty OK, or NO [EXPUNGEISSUED]),
    /// `.fetchRefused` for any other NO (the message is there and must be read later), `.connectionLost` when the
    /// server drops the connection (the next command reconnects), `.storageFailed` when the file cannot be written.
    @discardableResult
    public func fetch(uid: UInt32, to file: URL) throws(IMAPError) -> Int {
        if reopenBeforeFetching {
            // The last connection was lost: reconnect by opening the mailbox read-only first, so the fetch never
            // runs on libcurl's own read-write SELECT (where BODY[] would mark the message seen). Before the file
            // is opened: the untagged lines of EXAMINE must not end up in it.
            _ = try examine()
            reopenBeforeFetching = false
        }
        guard FileManager.default.createFile(atPath: file.path, contents: nil),
              let output = try? FileHandle(forWritingTo: file) else {
            throw .storageFailed("cannot create \(file.path)")
        }
        defer { try? output.close() }
        transfer.output = output
        transfer.written = 0
        defer { transfer.output = nil }
        let url = "\(endpoint.server)/\(endpoint.encodedMailbox);UID=\(uid)"
        do throws(IMAPError) {
            _ = try perform(url: url, customRequest: nil, what: "UID FETCH \(uid)")
        } catch let error where error == .connectionLost {
            reopenBeforeFetching = true
            throw error
        } catch let error where error == .commandRefused {
            // libcurl reports any tagged answer without the message the same way. Only an empty OK (the UID is
            // not there) or NO [EXPUNGEISSUED] (RFC 9051 §7.1) means the message is gone; any other NO (such as
            // [UNAVAILABLE]) means it is there and must be read later, never skipped.
            guard let refusal = lastRefusal else { throw .messageMissing(server: endpoint.server, uid: uid) }
            if refusal.uppercased().contains("[EXPUNGEISSUED]") { throw .messageMissing(server: endpoint.server, uid: uid) }
            throw .fetchRefused(server: endpoint.server, uid: uid, reply: refusal)
        }
        if let failure = transfer.writeFailure { throw .storageFailed(failure) }
        // The message is whole: nothing more goes into its file.
        transfer.output = nil
        if connectionsMade > 0 {
            // libcurl reconnected and selected the mailbox read-write on its own: open it read-only again.
            logger.warning("Reconnected to \(endpoint.server) while fetching UID \(uid); opening the mailbox read-only again")
            _ = try? examine()
        }
        return transfer.written
    }

    /// Moves the message to `folder` (UID MOVE, RFC 6851), or where MOVE is not offered copies it there and
    /// flags it `$LiaisonProcessed`; nothing is deleted.
    public func move(uid: UInt32, to folder: String) throws(IMAPError) {
        let folder = try serverName(of: folder)
        try readWrite { () throws(IMAPError) in
            let verb = capabilities.contains("MOVE") ? "MOVE" : "COPY"
            do throws(IMAPError) {
                _ = try command("UID \(verb) \(uid) \(Self.quoted(folder))")
            } catch let error where error == .commandRefused && lastReply.contains("[TRYCREATE]") {
                // The folder does not exist yet (RFC 9051 §7.1): make it, then try once more.
                _ = try command("CREATE \(Self.quoted(folder))")
                _ = try command("UID \(verb) \(uid) \(Self.quoted(folder))")
            }
            if verb == "COPY" { _ = try command("UID STORE \(uid) +FLAGS.SILENT ($LiaisonProcessed)") }
        }
    }

    /// `folder` with its "/" separators written as the server's hierarchy delimiter (LIST "" "", RFC 9051 §6.3.9).
    private func serverName(of folder: String) throws(IMAPError) -> String {
        guard folder.contains("/") else { return folder }
        if hierarchyDelimiter == nil {
            let lines = try command("LIST \"\" \"\"")
            // * LIST (\Noselect) "." ""
            let delimiter = lines.lazy.compactMap { line -> String? in
                guard line.uppercased().hasPrefix("* LIST "), let open = line.firstIndex(of: "\"") else { return nil }
                let rest = line[line.index(after: open)...]
                return rest.first.map(String.init)
            }.first
            hierarchyDelimiter = delimiter ?? "/"
        }
        return folder.replacingOccurrences(of: "/", with: hierarchyDelimiter ?? "/")
    }

    /// Adds `flag` (a keyword such as `$LiaisonProcessed`, or a system flag such as `\Flagged`) to the message.
    public func addFlag(_ flag: String, uid: UInt32) throws(IMAPError) {
        guard !flag.isEmpty, flag.allSatisfy({ $0.isASCII && !$0.isWhitespace && !"(){%*\"]".contains($0) }) else {
            throw .invalidConfiguration("\(flag.debugDescription) is not an IMAP flag")
        }
        try readWrite { () throws(IMAPError) in _ = try command("UID STORE \(uid) +FLAGS.SILENT (\(flag))") }
    }

    /// Runs `body` with the mailbox selected read-write, then opens it read-only again.
    private func readWrite(_ body: () throws(IMAPError) -> Void) throws(IMAPError) {
        _ = try command("SELECT \(Self.quoted(endpoint.mailbox))")
        do throws(IMAPError) { try body() } catch {
            _ = try? command("EXAMINE \(Self.quoted(endpoint.mailbox))")
            throw error
        }
        _ = try command("EXAMINE \(Self.quoted(endpoint.mailbox))")
    }

    /// Sends one command on the mailbox; returns the server's response lines (without CRLF).
    private func command(_ text: String) throws(IMAPError) -> [String] {
        try perform(url: "\(endpoint.server)/\(endpoint.encodedMailbox)", customRequest: text,
                    what: String(text.prefix(while: { $0 != " " })) == "UID"
                        ? text.split(separator: " ").prefix(2).joined(separator: " ") : String(text.prefix(while: { $0 != " " })))
    }

    private func perform(url: String, customRequest: String?, what: String) throws(IMAPError) -> [String] {
        transfer.lines = []
        transfer.writeFailure = nil
        errorBuffer[0] = 0
        do {
            try Curl.set(handle, CURLOPT_URL, url)
            try Curl.set(handle, CURLOPT_CUSTOMREQUEST, customRequest)
        } catch {
            throw .transferFailed(server: endpoint.server, reason: error.description)
        }
        logger.debug("IMAP \(customRequest ?? what)")
        let result = curl_easy_perform(handle)
        noteCapabilities(transfer.lines)
        guard result == CURLE_OK else { throw mapFailure(result, what: what) }
        return transfer.lines
    }

    /// Keeps the last CAPABILITY list seen (the one after login has the most).
    private func noteCapabilities(_ lines: [String]) {
        for line in lines {
            guard let range = line.range(of: "CAPABILITY ", options: .caseInsensitive) else { continue }
            var list = line[range.upperBound...]
            if let end = list.firstIndex(of: "]") { list = list[..<end] }
            capabilities = Set(list.split(separator: " ").map { $0.uppercased() })
        }
    }

    /// The number of connections the last transfer had to open (0 when it reused the open one).
    private var connectionsMade: Int {
        var value = 0
        return liaison_curl_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &value) == CURLE_OK ? value : 0
    }

    /// Every response line of the last command, joined.
    private var lastReply: String { transfer.lines.joined(separator: "\n") }

    /// The server's last tagged NO or BAD answer, without its tag.
    private var lastRefusal: String? {
        transfer.lines.last { line in
            let words = line.split(separator: " ", maxSplits: 2)
            return words.count >= 2 && !line.hasPrefix("*") && ["NO", "BAD"].contains(words[1].uppercased())
        }.map { String($0.split(separator: " ", maxSplits: 1).last ?? "") }
    }

    /// Maps libcurl's failure code to the error a user can act on.
    private func mapFailure(_ code: CURLcode, what: String) -> IMAPError {
        let detail = Curl.detail(code, errorBuffer: errorBuffer)
        let server = endpoint.server
        switch TransportFailure(code) {
        case .connectionFailed:
            return .connectionFailed(server: server, reason: detail)
        case .timeout:
            return .timeout(server: server)
        case .startTLSNotOffered:
            return .startTLSNotOffered(server: server)
        case .certificate:
            return .certificate(server: server, reason: detail)
        case .caFileUnreadable:
            return .caFileUnreadable(path: configuration.caFile ?? "(system default)", reason: detail)
        case .tlsHandshake:
            return .tlsHandshake(server: server, reason: detail)
        case .loginDenied:
            // libcurl reports a refused SELECT with the same code as a refused login.
            if detail.hasPrefix("Select failed") {
                return .noSuchMailbox(server: server, mailbox: endpoint.mailbox, reply: lastRefusal)
            }
            return .authenticationFailed(server: server, username: endpoint.username, reply: lastRefusal)
        case .refused:
            return .commandRefused(server: server, command: what, reply: lastRefusal ?? detail)
        case .aborted where transfer.writeFailure != nil:
            return .storageFailed(transfer.writeFailure ?? detail)
        case .connectionLost:
            return .connectionLost(server: server, reason: detail)
        case .unsupportedURL:
            return .unsupportedURL(configuration.url, reason: detail)
        case .tooLarge, .aborted, .other:
            return .transferFailed(server: server, reason: detail)
        }
    }

    /// An IMAP quoted string (RFC 9051 §4.3).
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

@available(*, unavailable, message: "one IMAPSession per task or thread")
extension IMAPSession: Sendable {}

/// What the callbacks of one transfer fill in: the response lines, and the message file while fetching.
final class TransferState {
    var lines: [String] = []
    var output: FileHandle?
    var written = 0
    var writeFailure: String?

    func line(_ bytes: UnsafeRawBufferPointer) {
        // Response lines only: a fetched literal goes to the body callback, not here.
        var end = bytes.count
        while end > 0 && (bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D) { end -= 1 }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<end]), as: UTF8.self)
        if lines.count < 10_000 { lines.append(text) }
    }

    func body(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let output else { return true }  // untagged lines of a custom command: already seen as lines
        do {
            try output.write(contentsOf: bytes)
            written += bytes.count
            return true
        } catch {
            writeFailure = "\(error.localizedDescription)"
            return false
        }
    }
}

/// CURLOPT_HEADERFUNCTION: libcurl passes every server response line here.
private let receiveLine: curl_write_callback = { data, size, count, context in
    guard let data, let context else { return 0 }
    let state = Unmanaged<TransferState>.fromOpaque(context).takeUnretainedValue()
    state.line(UnsafeRawBufferPointer(start: data, count: size * count))
    return size * count
}

/// CURLOPT_WRITEFUNCTION: the message literal of a FETCH, piece by piece.
private let receiveBody: curl_write_callback = { data, size, count, context in
    guard let data, let context else { return 0 }
    let state = Unmanaged<TransferState>.fromOpaque(context).takeUnretainedValue()
    return state.body(UnsafeRawBufferPointer(start: data, count: size * count)) ? size * count : 0
}
