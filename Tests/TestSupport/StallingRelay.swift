import Foundation

/// A relay that takes connections and then stops talking (or turns them away), for tests of a hung SMTP server: a small python3 TCP
/// listener on 127.0.0.1 with a free port, in its own temporary folder. It counts the connections it accepted, so a
/// test sees how often a client tried, and keeps every connection open until it stops.
///
/// ```swift
/// let relay = try StallingRelay.start(.greetThenStall)
/// defer { relay.stop() }
/// // … point smtp.url at relay.url with a connect timeout of 1 s, send …
/// #expect(relay.connectionCount == 1)
/// ```
///
/// It stops with `stop()` (by its process id) or when the process that started it ends (its standard input closes).
public final class StallingRelay: @unchecked Sendable {
    // @unchecked: every stored property is immutable after start; `stop()` is safe to call more than once.

    /// What the relay does with a connection.
    public enum Behaviour: String, Sendable {
        /// Accepts the connection and never says a word (no greeting).
        case silent
        /// Sends a 220 greeting, then never answers EHLO or anything else.
        case greetThenStall = "greet"
        /// Greets with "421 4.3.2 relay.example Too many connections, try again later" and a terminal escape
        /// sequence that clears the screen (ESC [2J), and hangs up.
        case busy
        /// Sends a 220 greeting, reads the client's first command and hangs up without a word.
        case greetThenHangUp = "hangup"
    }

    /// The port on 127.0.0.1.
    public let port: Int
    /// "smtp://127.0.0.1:PORT".
    public var url: String { "smtp://127.0.0.1:\(port)" }

    private let directory: URL
    private let process: Process
    private let standardInput: Pipe

    static let script = """
        import os, socket, sys, threading
        mode, count_file = sys.argv[1], sys.argv[2]
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        print(server.getsockname()[1], flush=True)

        def watch_parent():
            sys.stdin.read()
            os._exit(0)

        threading.Thread(target=watch_parent, daemon=True).start()
        held = []
        while True:
            connection, _ = server.accept()
            held.append(connection)
            if mode == "greet":
                connection.sendall(b"220 relay.example ESMTP\\r\\n")
            elif mode == "hangup":
                connection.sendall(b"220 relay.example ESMTP\\r\\n")
                connection.recv(1000)
                connection.close()
            elif mode == "busy":
                connection.sendall(b"421 4.3.2 relay.example Too many connections, try again later\\x1b[2J\\r\\n")
                connection.close()
            with open(count_file + ".new", "w") as f:
                f.write(str(len(held)))
            os.replace(count_file + ".new", count_file)
        """

    /// Starts a relay and returns once it listens (or throws within `startTimeout` seconds).
    public static func start(_ behaviour: Behaviour, startTimeout: TimeInterval = 20) throws -> StallingRelay {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("stalling-relay-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-u", "-c", script, behaviour.rawValue, directory.appendingPathComponent("connections").path]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
        // The first line is the port; read it on another thread so a relay that never starts cannot hang the test.
        let portLine = DispatchSemaphore(value: 0)
        let box = PortBox()
        Thread {
            var line = Data()
            while true {
                let byte = output.fileHandleForReading.readData(ofLength: 1)
                if byte.isEmpty || byte == Data("\n".utf8) { break }
                line.append(byte)
            }
            box.port = Int(String(decoding: line, as: UTF8.self))
            portLine.signal()
        }.start()
        guard portLine.wait(timeout: .now() + startTimeout) == .success, let port = box.port else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: directory)
            throw SMTPSinkError("the stalling relay did not start within \(startTimeout) s")
        }
        return StallingRelay(port: port, directory: directory, process: process, standardInput: input)
    }

    private init(port: Int, directory: URL, process: Process, standardInput: Pipe) {
        self.port = port
        self.directory = directory
        self.process = process
        self.standardInput = standardInput
    }

    deinit { stop() }

    /// How many connections the relay accepted so far.
    public var connectionCount: Int {
        let text = (try? String(contentsOf: directory.appendingPathComponent("connections"), encoding: .utf8)) ?? "0"
        return Int(text) ?? 0
    }

    /// Stops the relay by its process id and removes its folder.
    public func stop() {
        try? standardInput.fileHandleForWriting.close()
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// The port read by the start-up thread.
private final class PortBox: @unchecked Sendable {
    // @unchecked: written once by the reading thread before it signals, read after the wait.
    var port: Int?
}
