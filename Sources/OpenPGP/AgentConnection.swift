import CGPGME
import Foundation
import Synchronization

/// One Assuan connection to gpg-agent, made through gpgme (`GPGME_PROTOCOL_ASSUAN`) and kept open for every
/// command of its owner; not `Sendable`, like the gpgme context inside it.
final class AgentConnection {
    /// Why a command did not succeed: the agent's own ERR, or a failure to talk to it at all.
    struct Refusal: Error, CustomStringConvertible {
        let description: String
        /// The connection itself failed (rather than the agent answering ERR): a new one may work.
        var connectionLost = false
    }

    private let context: gpgme_ctx_t
    let socketPath: String

    /// Connects lazily: gpgme opens the socket at the first command.
    init(socketPath: String) throws(Refusal) {
        _ = GPGMELibrary.version
        var created: gpgme_ctx_t?
        let error = gpgme_new(&created)
        guard GPGMELibrary.code(error) == GPGErrorCode.noError, let created else {
            throw Refusal(description: "cannot create an Assuan context (\(GPGMELibrary.message(error)))")
        }
        let configured = liaison_gpgme_use_assuan_socket(created, socketPath)
        guard GPGMELibrary.code(configured) == GPGErrorCode.noError else {
            gpgme_release(created)
            throw Refusal(description: "cannot use the agent socket \(socketPath) (\(GPGMELibrary.message(configured)))")
        }
        self.context = created
        self.socketPath = socketPath
    }

    deinit { gpgme_release(context) }

    /// The key the agent will sign with: gpg-agent keeps SIGKEY for the whole connection.
    var selectedKeygrip: String?

    /// The agent's process, asked once (`GETINFO pid`) so that a connection to an agent that has since exited
    /// is never used: gpgme 1.18 may crash reading from such a connection.
    private var agentProcess: pid_t?

    /// Connects and learns the agent's process id.
    func open() throws(Refusal) {
        let reply = try transact("GETINFO pid")
        agentProcess = pid_t(String(decoding: reply, as: UTF8.self).trimmingCharacters(in: .whitespaces))
    }

    /// False once the agent this connection talks to has exited.
    var agentIsRunning: Bool {
        guard let agentProcess else { return true }
        return kill(agentProcess, 0) == 0 || errno == EPERM
    }

    /// Sends one command and returns the data lines of the reply, joined and unescaped.
    ///
    /// An `INQUIRE PASSPHRASE` (loopback pinentry) is answered once with `passphrase`; without one, or when
    /// asked again because the first was wrong, the inquiry is cancelled, so the agent refuses and never waits.
    func transact(_ command: String, passphrase: String? = nil) throws(Refusal) -> Data {
        let exchange = Exchange(passphrase: passphrase)
        var operationError: gpgme_error_t = 0
        let error = withExtendedLifetime(exchange) {
            liaison_gpgme_assuan_transact(context, command, { opaque, bytes, length in
                guard let opaque, let bytes else { return 0 }
                let exchange = Unmanaged<Exchange>.fromOpaque(opaque).takeUnretainedValue()
                exchange.reply.append(bytes.assumingMemoryBound(to: UInt8.self), count: length)
                return 0
            }, { opaque, name, _, data in
                guard let opaque, let data else { return 0 }
                let exchange = Unmanaged<Exchange>.fromOpaque(opaque).takeUnretainedValue()
                guard let name else {
                    // gpgme is done with what we handed it.
                    if let handed = data.pointee { gpgme_data_release(handed) }
                    data.pointee = nil
                    return 0
                }
                guard String(cString: name) == "PASSPHRASE" else { return 0 }
                guard let secret = exchange.passphrase, !exchange.passphraseGiven else {
                    exchange.passphraseRefused = true
                    return gpgme_error_t(GPGErrorCode.assuanCanceled)
                }
                exchange.passphraseGiven = true
                var handed: gpgme_data_t?
                let bytes = Array(secret.utf8)
                let made = bytes.withUnsafeBufferPointer { buffer in
                    buffer.withMemoryRebound(to: CChar.self) {
                        gpgme_data_new_from_mem(&handed, $0.baseAddress, $0.count, 1)
                    }
                }
                guard GPGMELibrary.code(made) == GPGErrorCode.noError else { return made }
                data.pointee = handed
                return 0
            }, Unmanaged.passUnretained(exchange).toOpaque(), &operationError)
        }
        guard GPGMELibrary.code(error) == GPGErrorCode.noError else {
            throw Refusal(description: "cannot talk to gpg-agent at \(socketPath) (\(GPGMELibrary.message(error)))",
                          connectionLost: true)
        }
        guard GPGMELibrary.code(operationError) == GPGErrorCode.noError else {
            let word = command.split(separator: " ").first.map(String.init) ?? command
            let hint = exchange.passphraseRefused ? ", no usable passphrase for loopback pinentry" : ""
            throw Refusal(description: "gpg-agent refused \(word) (\(GPGMELibrary.message(operationError))\(hint))")
        }
        return exchange.reply
    }

    /// What the callbacks of one command share with it.
    private final class Exchange {
        let passphrase: String?
        var reply = Data()
        var passphraseGiven = false
        var passphraseRefused = false
        init(passphrase: String?) { self.passphrase = passphrase }
    }
}

@available(*, unavailable)
extension AgentConnection: Sendable {}

/// Where a GnuPG home's agent listens, asked of `gpgconf` once per home and process.
enum AgentSocket {
    private static let known = Mutex<[String: String]>([:])

    /// The agent socket path for `home` (`gpgconf --homedir HOME --list-dirs agent-socket`).
    static func path(forHome home: String) throws(AgentConnection.Refusal) -> String {
        if let path = known.withLock({ $0[home] }) { return path }
        let gpgconf = GPGMELibrary.string(liaison_gpgme_gpgconf_path()) ?? "/usr/bin/gpgconf"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: gpgconf)
        process.arguments = ["--homedir", home, "--list-dirs", "agent-socket"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch {
            throw AgentConnection.Refusal(description: "cannot run \(gpgconf) (\(error.localizedDescription))")
        }
        let bytes = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, !line.isEmpty, let path = line.removingPercentEncoding else {
            throw AgentConnection.Refusal(description: "\(gpgconf) did not name the agent socket of \(home)")
        }
        known.withLock { $0[home] = path }
        return path
    }
}
