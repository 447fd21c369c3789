import Foundation

/// An IMAP server that misbehaves on purpose, for tests: a small Python script (run with /usr/bin/python3 from its
/// own temporary folder) on 127.0.0.1, plain text (use `imap://…` with `--tls none`), one mailbox, stopped by its
/// process id.
///
/// It serves the messages written with `deliver(uid:_:)` and reads its `behaviour` again at every command, so a
/// test can change it between two passes. It speaks just enough IMAP4rev1 for libcurl: CAPABILITY, LOGIN,
/// SELECT/EXAMINE, UID SEARCH, UID FETCH (BODY[]), IDLE, NOOP, LOGOUT. Every command it receives is appended to
/// `commands.log` (passwords replaced).
///
/// ```swift
/// let server = try FaultyIMAPServer.start()
/// defer { server.stop() }
/// try server.deliver(uid: 1, message)
/// try server.setBehaviour(.init(fetchReplies: [1: "NO [UNAVAILABLE] try later"]))
/// ```
public final class FaultyIMAPServer: @unchecked Sendable {
    // @unchecked: the process is only started in `start` and stopped in `stop`; all other members are constants.
    public let folder: URL
    public let port: Int
    public let user = "vuls"
    public let password = "faulty-imap-secret"
    private let process: Process

    /// How the server misbehaves; every field's default is a well-behaved server.
    public struct Behaviour: Encodable, Sendable {
        /// UIDNEXT announced by SELECT/EXAMINE; nil: one above the highest delivered UID.
        public var uidNext: UInt32?
        /// UIDs UID SEARCH names beyond the delivered ones.
        public var extraSearchUIDs: [UInt32]
        /// The tagged answer (after the tag) to UID FETCH of these UIDs, e.g. "NO [UNAVAILABLE] try later", or
        /// "OK done" for an empty OK.
        public var fetchReplies: [UInt32: String]
        /// UIDs whose UID FETCH closes the connection without a word.
        public var dropOnFetch: [UInt32]
        /// Untagged lines sent without pause once IDLE starts, until DONE (0: none). Negative: without end.
        public var idleFlood: Int
        /// The line the flood repeats.
        public var idleFloodLine: String

        public init(uidNext: UInt32? = nil, extraSearchUIDs: [UInt32] = [], fetchReplies: [UInt32: String] = [:],
                    dropOnFetch: [UInt32] = [], idleFlood: Int = 0, idleFloodLine: String = "* OK still here") {
            self.uidNext = uidNext
            self.extraSearchUIDs = extraSearchUIDs
            self.fetchReplies = fetchReplies
            self.dropOnFetch = dropOnFetch
            self.idleFlood = idleFlood
            self.idleFloodLine = idleFloodLine
        }

        enum CodingKeys: String, CodingKey {
            case uidNext = "uidnext", extraSearchUIDs = "extra_search", fetchReplies = "fetch_replies"
            case dropOnFetch = "drop_on_fetch", idleFlood = "idle_flood", idleFloodLine = "idle_flood_line"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeIfPresent(uidNext, forKey: .uidNext)
            try container.encode(extraSearchUIDs, forKey: .extraSearchUIDs)
            try container.encode(Dictionary(uniqueKeysWithValues: fetchReplies.map { (String($0.key), $0.value) }),
                                 forKey: .fetchReplies)
            try container.encode(dropOnFetch, forKey: .dropOnFetch)
            try container.encode(idleFlood, forKey: .idleFlood)
            try container.encode(idleFloodLine, forKey: .idleFloodLine)
        }
    }

    static let script = #"""
        import json, os, re, socket, socketserver, sys
        folder = sys.argv[1]
        messages = os.path.join(folder, "messages")
        def behaviour():
            with open(os.path.join(folder, "behaviour.json")) as f:
                return json.load(f)
        def uids():
            return sorted(int(name[:-4]) for name in os.listdir(messages) if name.endswith(".eml"))
        def log(line):
            with open(os.path.join(folder, "commands.log"), "a") as f:
                f.write(line + "\n")
        class Handler(socketserver.StreamRequestHandler):
            def send(self, text):
                self.wfile.write(text.encode() + b"\r\n")
            def status(self, tag, verb):
                b = behaviour()
                known = uids()
                nxt = b.get("uidnext") or ((known[-1] + 1) if known else 1)
                self.send("* %d EXISTS" % len(known))
                self.send("* OK [UIDVALIDITY 7] UIDs valid")
                self.send("* OK [UIDNEXT %d] Predicted next UID" % nxt)
                self.send("%s OK [%s] %s completed" % (tag, "READ-ONLY" if verb == "EXAMINE" else "READ-WRITE", verb))
            def handle(self):
                self.send("* OK [CAPABILITY IMAP4rev1 IDLE] faulty server ready")
                while True:
                    raw = self.rfile.readline()
                    if not raw:
                        return
                    line = raw.decode(errors="replace").rstrip("\r\n")
                    words = line.split(" ")
                    tag, verb = words[0], (words[1].upper() if len(words) > 1 else "")
                    log(re.sub(r"(?i)^(\S+ LOGIN \S+) .*", r"\1 ***", line))
                    if verb == "CAPABILITY":
                        self.send("* CAPABILITY IMAP4rev1 IDLE")
                        self.send(tag + " OK CAPABILITY completed")
                    elif verb == "LOGIN":
                        self.send(tag + " OK [CAPABILITY IMAP4rev1 IDLE] Logged in")
                    elif verb in ("SELECT", "EXAMINE"):
                        self.status(tag, verb)
                    elif verb == "NOOP":
                        self.send(tag + " OK NOOP completed")
                    elif verb == "LOGOUT":
                        self.send("* BYE Logging out")
                        self.send(tag + " OK Logout completed")
                        return
                    elif verb == "UID" and len(words) > 2 and words[2].upper() == "SEARCH":
                        b = behaviour()
                        low = int(words[-1].split(":")[0]) if ":" in words[-1] else 1
                        found = [u for u in uids() if u >= low] + b.get("extra_search", [])
                        self.send("* SEARCH" + "".join(" %d" % u for u in found))
                        self.send(tag + " OK Search completed")
                    elif verb == "UID" and len(words) > 3 and words[2].upper() == "FETCH":
                        b = behaviour()
                        uid = int(words[3])
                        if uid in b.get("drop_on_fetch", []):
                            return
                        reply = b.get("fetch_replies", {}).get(str(uid))
                        if reply is not None:
                            self.send(tag + " " + reply)
                            continue
                        path = os.path.join(messages, "%d.eml" % uid)
                        if not os.path.exists(path):
                            self.send(tag + " OK Fetch completed")
                            continue
                        size = os.path.getsize(path)
                        self.wfile.write(("* %d FETCH (UID %d BODY[] {%d}\r\n" % (uids().index(uid) + 1, uid, size)).encode())
                        with open(path, "rb") as f:
                            while True:
                                chunk = f.read(1 << 16)
                                if not chunk:
                                    break
                                self.wfile.write(chunk)
                        self.send(")")
                        self.send(tag + " OK Fetch completed")
                    elif verb == "IDLE":
                        b = behaviour()
                        self.send("+ idling")
                        flood = b.get("idle_flood", 0)
                        flood_line = b.get("idle_flood_line", "* OK still here").encode() + b"\r\n"
                        self.connection.setblocking(False)
                        sent = 0
                        done = False
                        pending = b""
                        while not done:
                            try:
                                pending += self.connection.recv(4096)
                                if b"DONE" in pending.upper():
                                    done = True
                                    break
                            except BlockingIOError:
                                pass
                            except OSError:
                                return
                            if flood != 0 and (flood < 0 or sent < flood):
                                try:
                                    self.connection.sendall(flood_line * 64)
                                    sent += 64
                                except BlockingIOError:
                                    pass
                                except OSError:
                                    return
                            else:
                                import select
                                select.select([self.connection], [], [], 0.2)
                        self.connection.setblocking(True)
                        log("DONE after %d untagged lines" % sent)
                        self.send(tag + " OK Idle completed")
                    else:
                        self.send(tag + " BAD Unknown command")
        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True
        server = Server(("127.0.0.1", 0), Handler)
        print("READY %d" % server.server_address[1], flush=True)
        server.serve_forever()
        """#

    private init(folder: URL, port: Int, process: Process) {
        self.folder = folder; self.port = port; self.process = process
    }

    /// `imap://vuls@127.0.0.1:PORT/INBOX`, to read with `tls: none` and `password`.
    public var url: String { "imap://\(user)@127.0.0.1:\(port)/INBOX" }

    /// The server's process id.
    public var pid: Int32 { process.processIdentifier }

    /// Starts the server with `behaviour` and waits for it to listen (it prints its port).
    public static func start(_ behaviour: Behaviour = Behaviour(), startTimeout: TimeInterval = 20) throws -> FaultyIMAPServer {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-faulty-imap-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("messages"), withIntermediateDirectories: true)
        do {
            let script = folder.appendingPathComponent("server.py")
            try Data(Self.script.utf8).write(to: script)
            try JSONEncoder().encode(behaviour).write(to: folder.appendingPathComponent("behaviour.json"))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = [script.path, folder.path]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let line = try HTTPSTestServer.readFirstLine(output.fileHandleForReading, timeout: startTimeout, process: process)
            guard line.hasPrefix("READY "), let port = Int(line.dropFirst(6)) else {
                kill(process.processIdentifier, SIGKILL); process.waitUntilExit()
                throw SMTPSinkError("the faulty IMAP server did not start: \(line)")
            }
            return FaultyIMAPServer(folder: folder, port: port, process: process)
        } catch {
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
    }

    /// Puts `message` in the mailbox under `uid`.
    public func deliver(uid: UInt32, _ message: Data) throws {
        try message.write(to: folder.appendingPathComponent("messages/\(uid).eml"))
    }

    /// Changes how the server behaves from its next command on.
    public func setBehaviour(_ behaviour: Behaviour) throws {
        let file = folder.appendingPathComponent("behaviour.json")
        let scratch = folder.appendingPathComponent("behaviour.json.new")
        try JSONEncoder().encode(behaviour).write(to: scratch)
        _ = rename(scratch.path, file.path)  // atomic: the server never reads half a file
    }

    /// The commands received so far, one a line (passwords hidden).
    public func commands() -> [String] {
        let text = (try? String(contentsOf: folder.appendingPathComponent("commands.log"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    /// Stops the server by its process id and removes its folder.
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: folder)
    }
}
