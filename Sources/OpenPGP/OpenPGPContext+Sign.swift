import CGPGME
import Foundation

extension OpenPGPContext {
    /// An armored detached signature over `data` by the secret key `fingerprint`, with the RFC 3156 `micalg`
    /// taken from the hash used.
    ///
    /// The first signature with a key is made by gpg (through gpgme), which also tells which (sub)key and hash
    /// gpg chooses; later ones are made by gpg-agent with that same subkey and hash, the packet built here
    /// (RFC 4880 v4, type 0x00). When the agent cannot sign, gpg signs, with a one-line notice in the log.
    ///
    /// Throws `.keyNotFound`, `.noSecretKey` or `.unusableKey` naming the fingerprint when it cannot sign.
    public func signDetached(_ data: Data, signer fingerprint: String) throws(OpenPGPError) -> DetachedSignature {
        let signer = try Fingerprint.normalize(fingerprint)
        let state = try signingKeyState(signer)
        if let problem = state.expiryProblem(at: Date()) {
            throw .unusableKey(signer, role: "signing key", reason: problem)
        }
        if signsThroughAgent, let route = state.agentRoute {
            do {
                let signature = try signThroughAgent(data, route: route, signer: state.fingerprint)
                lastSignatureRoute = .agent
                return signature
            } catch {
                logger.notice("gpg-agent did not sign for key \(signer), signing through gpg instead: \(error)")
                // A lost connection is opened again next time (gpg restarts the agent); a refusal is final.
                agent = nil
                if !error.connectionLost { state.agentRoute = nil }
            }
        }
        let signature = try signWithGPG(data, state: state, signer: signer)
        lastSignatureRoute = .gpg
        return signature
    }

    /// gpgme's normal signing (a gpg process); the first time, also learns the agent route for the key.
    private func signWithGPG(_ data: Data, state: SigningKeyState, signer: String) throws(OpenPGPError)
        -> DetachedSignature {
        try useSigner(state.key)
        defer { gpgme_signers_clear(context) }

        let plain = try GPGMEData(copying: data, home: homeDirectory)
        let signature = try GPGMEData(home: homeDirectory)
        let error = liaison_gpgme_sign_detached(context, plain.handle, signature.handle)
        let hashAlgorithm = try signatureHashAlgorithm(after: error, signer: signer)
        if !state.routeDecided {
            state.routeDecided = true
            switch agentRoute(for: state) {
            case .success(let route): state.agentRoute = route
            case .failure(let reason):
                if signsThroughAgent { logger.notice("Key \(signer) signs through gpg: \(reason.description)") }
            }
        }
        return DetachedSignature(armored: try signature.readAll(home: homeDirectory),
                                 hashAlgorithm: hashAlgorithm, signerFingerprint: state.fingerprint)
    }

    /// The key looked up and checked once per context.
    func signingKeyState(_ signer: String) throws(OpenPGPError) -> SigningKeyState {
        if let known = signingKeys[signer] { return known }
        let key = try signingKey(signer)
        let state = SigningKeyState(key: key, expiresAt: KeyInfo(gpgmeKey: key.pointer, fromData: false).expiresAt)
        signingKeys[signer] = state
        return state
    }

    /// Makes `key` the only signer of the next operation.
    func useSigner(_ key: GPGMEKey) throws(OpenPGPError) {
        gpgme_signers_clear(context)
        try check(gpgme_signers_add(context, key.pointer), "add signing key \(key.fingerprint)")
    }

    /// The hash algorithm of the signature just made ("SHA256"), or the reason there is none.
    func signatureHashAlgorithm(after error: gpgme_error_t, signer: String) throws(OpenPGPError) -> String {
        try rejectInvalidSigner(signer)
        let code = GPGMELibrary.code(error)
        if code == GPGErrorCode.noSecretKey || code == GPGErrorCode.unusableSecretKey {
            throw .noSecretKey(signer, role: "signing key", home: homeDirectory)
        }
        try check(error, "sign with key \(signer)")
        guard let made = gpgme_op_sign_result(context)?.pointee.signatures,
              let name = GPGMELibrary.string(gpgme_hash_algo_name(made.pointee.hash_algo)) else {
            throw .engine("sign with key \(signer)", home: homeDirectory, reason: "gpg reported no signature")
        }
        return name
    }

    /// Throws `.unusableKey` if gpg refused the signer of the last signing operation.
    func rejectInvalidSigner(_ signer: String) throws(OpenPGPError) {
        if let invalid = gpgme_op_sign_result(context)?.pointee.invalid_signers {
            let reason = GPGMELibrary.message(invalid.pointee.reason)
            throw .unusableKey(signer, role: "signing key", reason: "was refused by gpg (\(reason))")
        }
    }
}
