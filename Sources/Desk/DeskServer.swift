import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// The team's desk as a server: `liaison serve` runs it on the workspace's store until SIGTERM or SIGINT.
public enum DeskServer {
    /// The address `liaison serve` listens on when `--listen` is not given.
    public static let defaultListen = "127.0.0.1:8080"

    /// `HOST:PORT` (IPv6 in brackets: `[::1]:8080`) split; throws `DeskListenError` with one line otherwise (the
    /// caller names the option).
    public static func parseListen(_ text: String) throws -> (host: String, port: Int) {
        if text.contains("://") || text.contains("/") {
            throw DeskListenError("\(text) is not HOST:PORT: give the address without a scheme or path, such as 127.0.0.1:8080")
        }
        var host: Substring, portText: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw DeskListenError("\(text) is not HOST:PORT, such as [::1]:8080") }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw DeskListenError("\(text) is not HOST:PORT, such as 127.0.0.1:8080") }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        if host.isEmpty { throw DeskListenError("\(text): the host is missing, such as 127.0.0.1:8080") }
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw DeskListenError("\(text): the port must be a number from 0 to 65535, such as 127.0.0.1:8080")
        }
        return (String(host), port)
    }

    /// One line for a failure to start listening on `host:port` (the address in use, a host that does not resolve,
    /// an address not on this machine), or nil for another error.
    public static func startupProblem(_ error: any Error, host: String, port: Int) -> String? {
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        if let error = error as? IOError {
            switch error.errnoCode {
            case EADDRINUSE: return "\(address) is already in use (another liaison serve?): choose another port with --listen"
            case EADDRNOTAVAIL: return "\(host) is not an address of this machine: listen on one of its addresses, such as 127.0.0.1"
            case EACCES: return "\(address) needs privileges to listen on: choose a port above 1023"
            default: return nil
            }
        }
        if error is SocketAddressError || String(describing: error).contains("UnknownHost") {
            return "\(host) is not a known host name or address: such as 127.0.0.1 or localhost"
        }
        return nil
    }

    /// Whether `host` is a loopback address or `localhost` (cookies then need no `Secure`: no TLS on loopback).
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Serves `desk` on `host:port` until SIGTERM or SIGINT, then stops within 2 seconds: requests in flight get
    /// one second to finish, then everything is cancelled. `onListening` receives the bound address
    /// (`http://127.0.0.1:54321`; the real port when `port` is 0) once the server accepts connections.
    ///
    /// `alongside` run in the same group (e.g. the Gateway service of `liaison serve --run`): they are shut down
    /// first, and one that throws shuts the server down gracefully; the first error is rethrown.
    public static func run(_ desk: Desk, host: String, port: Int, logger: Logger, alongside: [any Service] = [],
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
        let others = alongside.map {
            ServiceGroupConfiguration.ServiceConfiguration(service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                                                           failureTerminationBehavior: .gracefullyShutdownGroup)
        }
        var configuration = ServiceGroupConfiguration(services: [.init(service: app)] + others,
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(1)
        // Past this the group ends the process: requests still reading a big case on a busy machine get most of
        // the second left before the 2 s a stop may take.
        configuration.maximumCancellationDuration = .milliseconds(900)
        let group = ServiceGroup(configuration: configuration)
        try await group.run()
    }
}

/// `--listen` is not an address to listen on.
public struct DeskListenError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
