import Foundation

/// An HTTPS server on loopback for tests: Python's http.server wrapped in TLS with a throwaway CA, run with
/// /usr/bin/python3 from a script written into its own temporary folder, stopped by its process id.
///
/// It serves the files under `root` (written by the test, read at each request). Beside a file `P`, a file
/// `P.redirect` holding a URL makes `GET P` answer 302 to it; `P.delay` holding seconds makes it wait first;
/// `P.size` holding a byte count makes it answer that many bytes of `A`. A request whose Host is H is served
/// from `root/_hosts/H/` when that folder exists (an empty one: every file of H is missing).
///
/// ```swift
/// let server = try HTTPSTestServer.start()
/// defer { server.stop() }
/// try server.write(".well-known/security.txt", "Contact: mailto:psirt@example.com\n")
/// // fetch https://localhost:\(server.port)/.well-known/security.txt trusting server.caFile
/// ```
public final class HTTPSTestServer: @unchecked Sendable {
    // @unchecked: the process is only started in `start` and stopped in `stop`; all other members are constants.
    public let folder: URL
    public let root: URL
    public let port: Int
    /// The test CA's certificate (PEM), to pass as --ca-file.
    public let caFile: String
    private let process: Process

    /// `localhost:<port>`, a DOMAIN as `directory discover` takes it.
    public var domain: String { "localhost:\(port)" }

    static let script = """
        import http.server, os, ssl, sys, time
        root, cert, key = sys.argv[1], sys.argv[2], sys.argv[3]
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args): pass
            def do_GET(self):
                host = self.headers.get("Host", "").split(":")[0]
                base = os.path.join(root, "_hosts", host) if os.path.isdir(os.path.join(root, "_hosts", host)) else root
                path = os.path.normpath(os.path.join(base, self.path.split("?")[0].lstrip("/")))
                if not path.startswith(root):
                    self.send_error(403); return
                if os.path.exists(path + ".delay"):
                    time.sleep(float(open(path + ".delay").read()))
                if os.path.exists(path + ".redirect"):
                    self.send_response(302)
                    self.send_header("Location", open(path + ".redirect").read().strip())
                    self.send_header("Content-Length", "0")
                    self.end_headers(); return
                if os.path.exists(path + ".size"):
                    size = int(open(path + ".size").read())
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(size))
                    self.end_headers()
                    chunk = b"A" * 65536
                    try:
                        while size > 0:
                            self.wfile.write(chunk[:min(size, 65536)]); size -= 65536
                    except OSError:
                        pass
                    return
                if not os.path.isfile(path):
                    self.send_error(404); return
                body = open(path, "rb").read()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        print("READY %d" % server.server_address[1], flush=True)
        server.serve_forever()
        """

    private init(folder: URL, root: URL, port: Int, caFile: String, process: Process) {
        self.folder = folder; self.root = root; self.port = port; self.caFile = caFile; self.process = process
    }

    /// Starts the server and waits for it to listen (it prints its port). Its certificate covers localhost,
    /// 127.0.0.1 and `hostNames`.
    public static func start(hostNames: [String] = [], startTimeout: TimeInterval = 20) throws -> HTTPSTestServer {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-https-\(UUID().uuidString.prefix(8))")
        let root = folder.appendingPathComponent("root")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        do {
            let certificate = try SMTPSinkCertificate.make(in: folder, extraNames: hostNames)
            let script = folder.appendingPathComponent("server.py")
            try Data(Self.script.utf8).write(to: script)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = [script.path, root.path, certificate.certificateFile, certificate.keyFile]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let line = try readFirstLine(output.fileHandleForReading, timeout: startTimeout, process: process)
            guard line.hasPrefix("READY "), let port = Int(line.dropFirst(6)) else {
                process.terminate(); process.waitUntilExit()
                throw SMTPSinkError("the HTTPS test server did not start: \(line)")
            }
            return HTTPSTestServer(folder: folder, root: root, port: port, caFile: certificate.caFile, process: process)
        } catch {
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
    }


    static func readFirstLine(_ handle: FileHandle, timeout: TimeInterval, process: Process) throws -> String {
        let result = LockedLine()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            var bytes = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                bytes.append(chunk)
                if bytes.contains(0x0A) { break }
            }
            result.set(String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            done.signal()
        }
        guard done.wait(timeout: .now() + timeout) == .success else {
            process.terminate(); process.waitUntilExit()
            throw SMTPSinkError("the HTTPS test server did not report its port within \(Int(timeout)) s")
        }
        return result.get()
    }

    /// Writes `text` (or `data`) at `path` under the served root.
    public func write(_ path: String, _ text: String) throws { try write(path, data: Data(text.utf8)) }

    public func write(_ path: String, data: Data) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    /// Removes `path` (and its .redirect/.delay/.size companions) from the served root.
    public func remove(_ path: String) {
        for suffix in ["", ".redirect", ".delay", ".size"] {
            try? FileManager.default.removeItem(at: root.appendingPathComponent(path + suffix))
        }
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

private final class LockedLine: @unchecked Sendable {
    // @unchecked: every access goes through the lock.
    private let lock = NSLock()
    private var value = ""
    func set(_ line: String) { lock.withLock { value = line } }
    func get() -> String { lock.withLock { value } }
}
