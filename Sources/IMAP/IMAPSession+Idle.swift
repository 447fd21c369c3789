import CCurl
import Foundation
import Logging
import TransportSecurity

extension IMAPSession {
    /// Whether the server offers IDLE (RFC 2177) and it is still used: false once the server flooded an IDLE
    /// connection (then the caller polls instead).
    public var offersIdle: Bool { capabilities.contains("IDLE") && !idleAbandoned }

    /// Untagged lines an IDLE may bring without news of a message before it is given up: a server that keeps
    /// talking (a flood, or a bug) would otherwise keep a core busy for the whole IDLE period.
    public static let idleLineLimit = 1_000

    /// Waits on a second connection, in IDLE, until the mailbox reports a new message (true), `seconds` pass or
    /// `shouldStop` says so (false). `shouldStop` is asked about five times a second. When the mailbox's UIDNEXT
    /// is already above `knownUIDNext` (mail arrived since it was last read), returns true at once.
    ///
    /// libcurl has no IDLE command, so this connection is opened connect-only (libcurl does TLS and the login) and
    /// the few commands are written on it directly. Throws the errors of `examine()`.
    ///
    /// A server sending `idleLineLimit` untagged lines without announcing a message ends the IDLE at once: this
    /// returns true (so the caller reads the mailbox normally) and `offersIdle` is false from then on.
    public func idle(upTo seconds: TimeInterval, knownUIDNext: UInt32 = 0, shouldStop: () -> Bool) throws(IMAPError) -> Bool {
        let server = endpoint.server
        guard let idler = curl_easy_init() else {
            throw .transferFailed(server: server, reason: "libcurl could not be initialised")
        }
        defer { curl_easy_cleanup(idler) }
        do {
            try IMAPCurl.setConnectionOptions(idler, configuration: configurationForIdle, endpoint: endpoint)
            try Curl.set(idler, CURLOPT_URL, "\(server)/")
            try Curl.set(idler, CURLOPT_CONNECT_ONLY, 1)
        } catch {
            throw .transferFailed(server: server, reason: error.description)
        }
        let connected = curl_easy_perform(idler)
        guard connected == CURLE_OK else {
            throw .transferFailed(server: server, reason: Curl.detail(connected, errorBuffer: nil))
        }
        var socket: curl_socket_t = -1
        guard liaison_curl_getinfo_socket(idler, CURLINFO_ACTIVESOCKET, &socket) == CURLE_OK, socket >= 0 else {
            throw .transferFailed(server: server, reason: "no socket for IDLE")
        }
        var connection = RawConnection(handle: idler, socket: socket, server: server)
        try connection.send("L1 EXAMINE \(Self.quoted(endpoint.mailbox))\r\n")
        let examined = try connection.readUntil(deadline: Date().addingTimeInterval(30), shouldStop: { false }) { $0.hasPrefix("L1 ") }
        guard examined.last?.hasPrefix("L1 OK") == true else {
            throw .noSuchMailbox(server: server, mailbox: endpoint.mailbox, reply: examined.last)
        }
        if knownUIDNext != 0, let next = MailboxStatus.parse(examined).uidNext, next > knownUIDNext {
            try? connection.send("L3 LOGOUT\r\n")
            return true
        }
        try connection.send("L2 IDLE\r\n")
        let started = try connection.readUntil(deadline: Date().addingTimeInterval(30), shouldStop: { false }) {
            $0.hasPrefix("+") || $0.hasPrefix("L2 ")
        }
        guard started.last?.hasPrefix("+") == true else {
            throw .commandRefused(server: server, command: "IDLE", reply: started.last)
        }
        let isNews = { (line: String) -> Bool in
            let words = line.split(separator: " ")
            return words.count >= 3 && words[0] == "*" && ["EXISTS", "RECENT"].contains(words[2].uppercased())
        }
        let news = try connection.readUntil(deadline: Date().addingTimeInterval(seconds), shouldStop: shouldStop,
                                            maxLines: Self.idleLineLimit, done: isNews)
        try connection.send("DONE\r\n")
        _ = try? connection.readUntil(deadline: Date().addingTimeInterval(5), shouldStop: { false },
                                      maxLines: Self.idleLineLimit) { $0.hasPrefix("L2 ") }
        try? connection.send("L3 LOGOUT\r\n")
        if news.count >= Self.idleLineLimit, !(news.last.map(isNews) ?? false) {
            idleAbandoned = true
            logger.warning("\(server) sent \(news.count) lines in IDLE without news of a message; reading the mailbox now and polling from now on instead of IDLE")
            return true
        }
        return news.last.map(isNews) ?? false
    }

    /// The same login for the IDLE connection.
    private var configurationForIdle: IMAPConfiguration { configurationCopy }
}

/// Lines written and read on a connect-only libcurl handle (TLS done by libcurl).
private struct RawConnection {
    let handle: UnsafeMutableRawPointer
    let socket: curl_socket_t
    let server: String
    var pending = Data()

    init(handle: UnsafeMutableRawPointer, socket: curl_socket_t, server: String) {
        self.handle = handle
        self.socket = socket
        self.server = server
    }

    mutating func send(_ text: String) throws(IMAPError) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            var sent = 0
            let result = bytes.withUnsafeMutableBytes { buffer in
                curl_easy_send(handle, buffer.baseAddress! + offset, buffer.count - offset, &sent)
            }
            if result == CURLE_AGAIN { _ = wait(events: Int16(POLLOUT), milliseconds: 200); continue }
            guard result == CURLE_OK else {
                throw .connectionLost(server: server, reason: String(cString: curl_easy_strerror(result)))
            }
            offset += sent
        }
    }

    /// Reads lines until one satisfies `done` (returned last), the deadline passes, `shouldStop` is true or
    /// `maxLines` were read (then the lines read so far are returned, the last one not satisfying `done`).
    mutating func readUntil(deadline: Date, shouldStop: () -> Bool, maxLines: Int = 10_000,
                            done: (String) -> Bool) throws(IMAPError) -> [String] {
        var lines: [String] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            while let newline = pending.firstIndex(of: 0x0A) {
                var line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending.removeSubrange(pending.startIndex...newline)
                if line.hasSuffix("\r") { line.removeLast() }
                lines.append(line)
                if done(line) || lines.count >= maxLines { return lines }
            }
            if pending.count > 1 << 20 {
                throw .connectionLost(server: server, reason: "the server sent a line longer than 1 MiB")
            }
            if shouldStop() || Date() >= deadline { return lines }
            var received = 0
            let result = buffer.withUnsafeMutableBytes { curl_easy_recv(handle, $0.baseAddress, $0.count, &received) }
            if result == CURLE_AGAIN {
                _ = wait(events: Int16(POLLIN), milliseconds: 200)
                continue
            }
            guard result == CURLE_OK, received > 0 else {
                throw .connectionLost(server: server, reason: result == CURLE_OK ? "the server closed the connection"
                                      : String(cString: curl_easy_strerror(result)))
            }
            pending.append(contentsOf: buffer[0..<received])
        }
    }

    private func wait(events: Int16, milliseconds: Int32) -> Int32 {
        var descriptor = pollfd(fd: socket, events: events, revents: 0)
        return poll(&descriptor, 1, milliseconds)
    }
}
