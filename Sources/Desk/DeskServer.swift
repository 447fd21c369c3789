import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// The team's desk as a server: `liaison serve` runs it on the workspace's store until SIGTERM or SIGINT.
public enum DeskServer {
    /// The address `liaison serve` listens on when `--listen` is not given.
    public static let defaultListen = "127.0.0.1:8080"

    /// `HOST:PORT` (IPv6 in brackets: `[::1]:8080`) split; throws `DeskListenError` with one line otherwise.
    public static func parseListen(_ text: String) throws -> (host: String, port: Int) {
        var host: Substring, portText: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw DeskListenError("--listen \(text) is not HOST:PORT, such as [::1]:8080") }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw DeskListenError("--listen \(text) is not HOST:PORT, such as 127.0.0.1:8080") }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText), (0...65535).contains(port) else {
            throw DeskListenError("--listen \(text) is not HOST:PORT with a port from 0 to 65535, such as 127.0.0.1:8080")
        }
        return (String(host), port)
    }

    /// Whether `host` is a loopback address or `localhost` (cookies then need no `Secure`: no TLS on loopback).
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Serves `desk` on `host:port` until SIGTERM or SIGINT, then stops within 2 seconds: requests in flight get
    /// one second to finish, then everything is cancelled. `onListening` receives the bound address
    /// (`http://127.0.0.1:54321`; the real port when `port` is 0) once the server accepts connections.
    public static func run(_ desk: Desk, host: String, port: Int, logger: Logger,
                           onListening: @escaping @Sendable (String) -> Void) async throws {
        let router = desk.makeRouter()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                let shown = host.contains(":") ? "[\(host)]" : host
                onListening("http://\(shown):\(bound)")
            },
            logger: logger)
        var configuration = ServiceGroupConfiguration(services: [.init(service: app)], gracefulShutdownSignals: [.sigterm, .sigint],
                                                      logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(1)
        configuration.maximumCancellationDuration = .milliseconds(500)
        let group = ServiceGroup(configuration: configuration)
        try await group.run()
    }
}

/// `--listen` is not an address to listen on.
public struct DeskListenError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
