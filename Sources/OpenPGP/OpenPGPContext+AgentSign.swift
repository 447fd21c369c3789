import CGPGME
import Foundation

/// How a signature was made.
public enum SignatureRoute: Sendable, Equatable {
    /// By gpg-agent over Assuan (PKSIGN), the packet built by Liaison.
    case agent
    /// By a gpg process through gpgme.
    case gpg
}

/// The passphrase for loopback pinentry; a class so that gpgme's callback can point to it.
final class PassphraseSource {
    let passphrase: String
    init(_ passphrase: String) { self.passphrase = passphrase }
}

/// What a context knows about one signing key after looking it up.
final class SigningKeyState {
    let key: GPGMEKey
    /// When the primary key, or later the signing subkey, expires (nil: never).
    var expiresAt: Date?
    /// Set after the first signature by gpg: whether and how the agent signs for this key.
    var routeDecided = false
    var agentRoute: AgentRoute?

    init(key: GPGMEKey, expiresAt: Date?) {
        self.key = key
        self.expiresAt = expiresAt
    }

    var fingerprint: String { key.fingerprint }

    /// Why the key cannot sign at `date` any more, or nil.
    func expiryProblem(at date: Date) -> String? {
        guard let expiresAt, expiresAt <= date else { return nil }
        return "expired on \(KeyInfo.format(expiresAt)) and cannot sign"
    }
}

/// The subkey and hash gpg chose, and what the agent needs to sign with them.
struct AgentRoute {
    /// The agent's name for the secret key: 40 hex digits.
    let keygrip: String
    /// The packet's public-key algorithm number and the name of the values in the agent's reply.
    let publicKeyAlgorithm: UInt8
    let valueNames: [String]
    let agentAlgorithm: String
    let hash: SignatureHash
    /// The signing subkey's v4 fingerprint, 20 bytes.
    let subkeyFingerprint: [UInt8]
}

extension OpenPGPContext {
    /// Learns from the signature gpg just made which subkey and hash to give the agent, or why not.
    func agentRoute(for state: SigningKeyState) -> Result<AgentRoute, AgentConnection.Refusal> {
        func refuse(_ reason: String) -> Result<AgentRoute, AgentConnection.Refusal> {
            .failure(AgentConnection.Refusal(description: reason))
        }
        guard let made = gpgme_op_sign_result(context)?.pointee.signatures?.pointee,
              let subkeyFingerprint = GPGMELibrary.string(made.fpr)?.uppercased() else {
            return refuse("gpg did not say which subkey signed")
        }
        var subkey = state.key.pointer.pointee.subkeys
        while let current = subkey, GPGMELibrary.string(current.pointee.fpr)?.uppercased() != subkeyFingerprint {
            subkey = current.pointee.next
        }
        guard let subkey, let keygrip = GPGMELibrary.string(subkey.pointee.keygrip), keygrip.count == 40 else {
            return refuse("no keygrip for subkey \(subkeyFingerprint)")
        }
        if subkey.pointee.expires > 0 {
            let expires = Date(timeIntervalSince1970: TimeInterval(subkey.pointee.expires))
            state.expiresAt = min(state.expiresAt ?? expires, expires)
        }
        guard subkeyFingerprint.count == 40, let fingerprintBytes = Self.bytes(hex: subkeyFingerprint) else {
            return refuse("subkey \(subkeyFingerprint) is not a version 4 key")
        }
        guard let hash = SignatureHash(rawValue: UInt8(truncatingIfNeeded: made.hash_algo.rawValue)) else {
            return refuse("gpg chose hash \(GPGMELibrary.string(gpgme_hash_algo_name(made.hash_algo)) ?? "?")")
        }
        let algorithm = made.pubkey_algo.rawValue
        let curve = GPGMELibrary.string(subkey.pointee.curve)?.lowercased()
        if algorithm == GPGME_PK_RSA.rawValue || algorithm == GPGME_PK_RSA_S.rawValue {
            return .success(AgentRoute(keygrip: keygrip, publicKeyAlgorithm: UInt8(algorithm), valueNames: ["s"],
                                       agentAlgorithm: "rsa", hash: hash, subkeyFingerprint: fingerprintBytes))
        }
        if algorithm == GPGME_PK_EDDSA.rawValue, curve == "ed25519" {
            return .success(AgentRoute(keygrip: keygrip, publicKeyAlgorithm: 22, valueNames: ["r", "s"],
                                       agentAlgorithm: "eddsa", hash: hash, subkeyFingerprint: fingerprintBytes))
        }
        let name = GPGMELibrary.string(gpgme_pubkey_algo_name(made.pubkey_algo)) ?? "algorithm \(algorithm)"
        return refuse("\(name)\(curve.map { " (\($0))" } ?? "") keys are signed by gpg only")
    }

    /// SIGKEY, SETHASH, PKSIGN; then the v4 packet around the value, armored.
    func signThroughAgent(_ data: Data, route: AgentRoute, signer: String) throws(AgentConnection.Refusal)
        -> DetachedSignature {
        let agent = try agentConnection()
        let packet = SignaturePacket(publicKeyAlgorithm: route.publicKeyAlgorithm, hash: route.hash,
                                     issuerFingerprint: route.subkeyFingerprint,
                                     created: UInt32(clamping: Int64(Date().timeIntervalSince1970)))
        let digest = packet.digest(of: data)
        if agent.selectedKeygrip != route.keygrip {
            agent.selectedKeygrip = nil
            _ = try agent.transact("SIGKEY \(route.keygrip)")
            agent.selectedKeygrip = route.keygrip
        }
        _ = try agent.transact("SETHASH \(route.hash.rawValue) \(Self.hex(digest))")
        let reply = try agent.transact("PKSIGN", passphrase: passphrase?.passphrase)
        guard let value = SignatureValue(canonical: reply), value.algorithm == route.agentAlgorithm else {
            throw AgentConnection.Refusal(description: "gpg-agent answered PKSIGN with an unexpected value")
        }
        var mpis: [Data] = []
        for name in route.valueNames {
            guard let part = value.parameter(name) else {
                throw AgentConnection.Refusal(description: "gpg-agent's \(value.algorithm) signature lacks \(name)")
            }
            mpis.append(part)
        }
        let armored = Armor.signature(packet.packet(digest: digest, mpis: mpis))
        return DetachedSignature(armored: armored, hashAlgorithm: route.hash.name, signerFingerprint: signer)
    }

    /// The connection, opened once; loopback pinentry asked for, so a protected key never opens a window.
    private func agentConnection() throws(AgentConnection.Refusal) -> AgentConnection {
        if let agent, agent.agentIsRunning { return agent }
        agent = nil
        let connection = try AgentConnection(socketPath: try AgentSocket.path(forHome: homeDirectory))
        try connection.open()
        do {
            _ = try connection.transact("OPTION pinentry-mode=loopback")
        } catch where passphrase != nil {
            throw error
        } catch {
            // Without a passphrase there is nothing to give through loopback; an unprotected key still signs.
        }
        agent = connection
        return connection
    }

    static func hex(_ data: Data) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var text = [UInt8]()
        text.reserveCapacity(data.count * 2)
        for byte in data { text += [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]] }
        return String(decoding: text, as: UTF8.self)
    }

    static func bytes(hex: String) -> [UInt8]? {
        let characters = Array(hex.utf8)
        guard characters.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: characters.count, by: 2) {
            guard let byte = UInt8(String(decoding: characters[index...index + 1], as: UTF8.self), radix: 16) else {
                return nil
            }
            bytes.append(byte)
        }
        return bytes
    }
}
