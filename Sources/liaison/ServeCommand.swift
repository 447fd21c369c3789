import ArgumentParser
import Desk
import Foundation
import Logging
import Synchronization

/// `liaison serve`: the team's desk.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the team's desk (web pages over the workspace's store) until SIGTERM or SIGINT.",
        discussion: """
            Prints `listening on http://HOST:PORT` once it accepts connections, then serves until stopped (SIGTERM \
            or SIGINT; it stops within 2 seconds). Users log in with the accounts of `liaison user add`. Run it \
            beside `liaison run`, behind a reverse proxy with TLS for anything but loopback (docs/desk.md); the \
            session cookie is Secure unless it listens on loopback, or as desk.secure_cookies in liaison.yaml says.
            Sessions are kept in memory: a restart logs everyone out.
              liaison serve --listen 127.0.0.1:8080
            """)
    @OptionGroup var workspace: WorkspaceOptions
    @Option(help: ArgumentHelp("The address to listen on (port 0: any free port, printed).", valueName: "HOST:PORT"))
    var listen: String = DeskServer.defaultListen

    func run() throws {
        let (host, port) = try CommandSupport.value(of: "--listen") { try DeskServer.parseListen(listen) }
        let env = try GatewayEnvironment(workspace)
        let secure = env.configuration.desk.secureCookies ?? !DeskServer.isLoopback(host)
        var logger = Logger(label: "liaison.serve")
        logger.logLevel = ProcessInfo.processInfo.environment["LIAISON_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .notice
        let desk = Desk(services: env.services, secureCookies: secure, logger: logger)
        let failure = Mutex<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do {
                try await DeskServer.run(desk, host: host, port: port, logger: logger) { address in
                    FileHandle.standardOutput.write(Data("listening on \(address)\n".utf8))
                }
            } catch {
                failure.withLock { $0 = error }
            }
            done.signal()
        }
        done.wait()
        if let error = failure.withLock({ $0 }) {
            try CommandSupport.fail("the desk stopped: \(error)")
        }
    }
}
