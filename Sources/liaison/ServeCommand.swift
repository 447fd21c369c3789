import ArgumentParser
import Desk
import Foundation
import Gateway
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
            Sessions are kept in memory: a restart logs everyone out. With --run it also runs the service's \
            rounds (send what is due, read new mail from imap.url, the reminder policy), logging as `liaison run` \
            does, and holds the same lock: a `liaison run` on the workspace then refuses to start.
              liaison serve --listen 127.0.0.1:8080
              liaison serve --run
            """)
    @OptionGroup var workspace: WorkspaceOptions
    @Option(help: ArgumentHelp("The address to listen on (port 0: any free port, printed).", valueName: "HOST:PORT"))
    var listen: String = DeskServer.defaultListen
    @Flag(name: .customLong("run"),
          help: "Also run the service's rounds in the same process, as `liaison run` would; taking the same run.lock.")
    var runService = false

    func run() throws {
        let (host, port) = try CommandSupport.value(of: "--listen") { try DeskServer.parseListen(listen) }
        let env = try GatewayEnvironment(workspace)
        let secure = env.configuration.desk.secureCookies ?? !DeskServer.isLoopback(host)
        var logger = Logger(label: "liaison.serve")
        logger.logLevel = ProcessInfo.processInfo.environment["LIAISON_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .notice
        let desk = Desk(services: env.services, secureCookies: secure, trustedProxies: env.configuration.desk.trustedProxies, logger: logger)
        // The service as `liaison run` runs it (default settings), under the same lock.
        let lock = try runService ? CommandSupport.reportingErrors { try WorkspaceLock(stateDirectory: env.workspace.stateURL) } : nil
        let service = try runService ? CommandSupport.reportingErrors {
            try GatewayService(services: env.services,
                               settings: try RunCommand.settings(env, maildir: nil, interval: 60, reminders: true, concurrency: nil),
                               logger: RunCommand.logger(env))
        } : nil
        let failure = Mutex<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do {
                try await DeskServer.run(desk, host: host, port: port, logger: logger, alongside: service.map { [$0] } ?? []) { address in
                    FileHandle.standardOutput.write(Data("listening on \(address)\n".utf8))
                }
            } catch {
                failure.withLock { $0 = error }
            }
            done.signal()
        }
        done.wait()
        withExtendedLifetime(lock) {}
        if let error = failure.withLock({ $0 }) {
            // The service's own fault (a signing key that cannot sign) is said as `liaison run` says it.
            if error is GatewayProblems { try CommandSupport.reportingErrors { throw error } }
            try CommandSupport.fail(DeskServer.startupProblem(error, host: host, port: port) ?? "the desk stopped: \(error)")
        }
    }
}
