import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Ports and banners of servers the tests start on 127.0.0.1.
public enum LoopbackProbe {
    /// A port the kernel reports free on 127.0.0.1 (bound to port 0, then released for the server to take).
    public static func freePort() throws -> Int {
        try LoopbackPort(listening: false).port
    }

    /// The first bytes a server sends on connecting to `port`, or nil when nothing answers.
    public static func banner(port: Int) -> String? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { return nil }
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : nil
    }

    /// Waits (polling every 20 ms, up to `seconds`) until a server on `port` greets with `prefix`.
    public static func waitForBanner(port: Int, prefix: String, seconds: TimeInterval = 10,
                                     while alive: () -> Bool = { true }) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline && alive() {
            if banner(port: port)?.hasPrefix(prefix) == true { return true }
            usleep(20_000)
        }
        return false
    }

    /// True when the process exists and is not a zombie (an init that does not reap leaves zombies).
    public static func isRunning(pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).prefix(1)
        return state != "Z"
    }
}
