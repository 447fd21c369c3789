import CGPGME
import Foundation
import Logging

/// A gpgme context bound to one GnuPG home directory: OpenPGP protocol, ASCII armor, never a pinentry.
///
/// A context remembers each signing key after its first signature (made by gpg) and then signs through
/// gpg-agent directly, over one Assuan connection, without a gpg process per signature; recipients' keys are
/// looked up once per context too.
///
/// gpgme allows one context per thread at a time, so a context is not `Sendable`: create one per task and
/// let it go when the task ends. What it returns are plain `Sendable` values.
///
/// ```swift
/// let context = try OpenPGPContext(homeDirectory: "/srv/liaison/gnupg")
/// let signature = try context.signDetached(body, signer: fingerprint)
/// print(signature.micalg)  // "pgp-sha256"
/// ```
public final class OpenPGPContext {
    /// The GnuPG home directory every operation of this context uses.
    public let homeDirectory: String
    let context: gpgme_ctx_t
    /// Where notices go, such as a signature made by gpg instead of the agent.
    public var logger: Logger
    /// Sign through gpg-agent once a key has been seen (true), or always through gpg (false, for comparison).
    public var signsThroughAgent = true
    /// How the last signature of this context was made.
    public internal(set) var lastSignatureRoute: SignatureRoute?

    /// The passphrase given for loopback pinentry, kept where gpgme's callback can read it.
    let passphrase: PassphraseSource?
    /// Signing keys seen by this context, by normalised fingerprint.
    var signingKeys: [String: SigningKeyState] = [:]
    /// Recipient keys seen by this context, by normalised fingerprint.
    var recipientKeys: [String: (key: GPGMEKey, info: KeyInfo)] = [:]
    /// The agent connection, opened at the first signature through the agent.
    var agent: AgentConnection?

    /// Opens a context on `homeDirectory`; nil means `$GNUPGHOME`, else `~/.gnupg`.
    ///
    /// `passphrase` unlocks a protected secret key through loopback pinentry (for gpg and for the agent);
    /// without it only keys without passphrase (or already unlocked in the agent) can sign.
    ///
    /// Throws `.homeDirectory` when the home does not exist, is not a directory, or is not this user's to use
    /// (`unusableHome`), and `.engine` when gpg cannot be found or set up.
    public init(homeDirectory: String? = nil, passphrase: String? = nil,
                logger: Logger = Logger(label: "liaison.openpgp")) throws(OpenPGPError) {
        _ = GPGMELibrary.version
        let home = homeDirectory ?? OpenPGPContext.defaultHomeDirectory()
        if let problem = Self.unusableHome(home) { throw problem }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: home, isDirectory: &isDirectory) else {
            throw .homeDirectory(home, reason: "does not exist")
        }
        guard isDirectory.boolValue else { throw .homeDirectory(home, reason: "is not a directory") }

        let engine = liaison_gpgme_engine_check_openpgp()
        guard GPGMELibrary.code(engine) == GPGErrorCode.noError else {
            throw .engine("find a usable gpg program", home: home, reason: GPGMELibrary.message(engine))
        }
        var created: gpgme_ctx_t?
        let error = gpgme_new(&created)
        guard GPGMELibrary.code(error) == GPGErrorCode.noError, let created else {
            throw .engine("create a context", home: home, reason: GPGMELibrary.message(error))
        }
        // Configure before `self` owns the pointer, so a failure here releases it exactly once.
        let steps: [(String, () -> gpgme_error_t)] = [
            ("select the OpenPGP protocol", { liaison_gpgme_set_protocol_openpgp(created) }),
            ("use its home directory", { liaison_gpgme_set_engine_home(created, home) }),
            ("set loopback pinentry", { liaison_gpgme_set_pinentry_loopback(created) }),
            ("set the key listing mode", { liaison_gpgme_set_keylist_local_with_secret(created) }),
        ]
        for (operation, step) in steps {
            let error = step()
            if GPGMELibrary.code(error) != GPGErrorCode.noError {
                gpgme_release(created)
                throw .engine(operation, home: home, reason: GPGMELibrary.message(error))
            }
        }
        gpgme_set_armor(created, 1)
        gpgme_set_offline(created, 1)
        self.homeDirectory = home
        self.context = created
        self.logger = logger
        self.passphrase = passphrase.map(PassphraseSource.init)
        if let passphrase, !passphrase.isEmpty {
            // gpg, run by gpgme, would start the agent with this process's environment, where the passphrase
            // (gnupg.passphrase_env) and passwords may be: start it first without them, as the agent outlives us.
            AgentLauncher.launch(home: home, withholding: passphrase, logger: logger)
        }
        if let source = self.passphrase {
            // The context keeps `source` alive as long as the gpgme context that points to it.
            liaison_gpgme_set_passphrase_cb(created, { hook, _, _, previousWasBad, fd in
                guard let hook, previousWasBad == 0 else { return gpgme_error_t(GPGErrorCode.canceled) }
                let source = Unmanaged<PassphraseSource>.fromOpaque(hook).takeUnretainedValue()
                let line = Array((source.passphrase + "\n").utf8)
                let written = line.withUnsafeBytes { liaison_gpgme_io_writen(fd, $0.baseAddress, $0.count) }
                return written == 0 ? 0 : gpgme_error_t(GPGErrorCode.canceled)
            }, Unmanaged.passUnretained(source).toOpaque())
        }
    }

    deinit { gpgme_release(context) }

    /// `$GNUPGHOME` if set and not empty, else `~/.gnupg` — the directory gpg itself would use.
    static func defaultHomeDirectory() -> String {
        let environment = ProcessInfo.processInfo.environment
        if let home = environment["GNUPGHOME"], !home.isEmpty { return home }
        let user = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return (user as NSString).appendingPathComponent(".gnupg")
    }

    /// The problem of a GnuPG home that is there but that this process's user may not use: one it may not enter
    /// and read (gpg would report no key, or no secret key, instead), or one below a folder it may not enter (which
    /// would look absent). Nil when the home can be used, or is simply absent (`homeDirectory` nil: `$GNUPGHOME`,
    /// else `~/.gnupg`). What checks a signature must not take such a home for a missing one: it is our fault,
    /// not the sender's.
    public static func unusableHome(_ homeDirectory: String?) -> OpenPGPError? {
        let home = homeDirectory ?? defaultHomeDirectory()
        var info = stat()
        guard stat(home, &info) == 0 else {
            guard errno == EACCES else { return nil }
            let user = userName(getuid()).map { "\($0), uid \(getuid())" } ?? "uid \(getuid())"
            return .homeDirectory(home, reason: "cannot be reached by this user (\(user)): a folder above it may not be entered")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { return nil }
        return accessProblem(home, needs: R_OK | X_OK).map { .homeDirectory(home, reason: $0) }
    }

    /// A context on `homeDirectory` for checking what others sent, or nil when none can be made (no home, no gpg):
    /// the caller then reads without one. Throws `.homeDirectory` only for a home that is there but not this user's
    /// to use (`unusableHome`): our fault, which must not be taken for a missing home.
    public static func forChecking(homeDirectory: String?, passphrase: String? = nil) throws(OpenPGPError) -> OpenPGPContext? {
        if let problem = unusableHome(homeDirectory) { throw problem }
        return try? OpenPGPContext(homeDirectory: homeDirectory, passphrase: passphrase)
    }

    /// Why this process's user may not use `path` as `needs` asks (`access(2)` modes: `R_OK`, `W_OK`, `X_OK`), in
    /// words that name the user, the owner and the mode; nil when it may. A user who shares a workspace with
    /// another meets this: a GnuPG home is its owner's alone (mode 0700). Root may use any.
    static func accessProblem(_ path: String, needs mode: Int32) -> String? {
        guard access(path, mode) != 0 else { return nil }
        let reason = errno
        let wanted = (mode & W_OK) != 0 ? "written" : "read"
        var info = stat()
        let user = Self.userName(getuid()).map { "\($0), uid \(getuid())" } ?? "uid \(getuid())"
        guard reason == EACCES, stat(path, &info) == 0 else {
            // A read-only file system, say: not a question of owner and mode.
            return "cannot be \(wanted) by this user (\(user)): \(String(cString: strerror(reason)))"
        }
        let owner = Self.userName(info.st_uid) ?? "uid \(info.st_uid)"
        let permissions = String(info.st_mode & 0o777, radix: 8)
        return "cannot be \(wanted) by this user (\(user)): it belongs to \(owner), mode \(String(repeating: "0", count: max(0, 3 - permissions.count)) + permissions)"
    }

    private static func userName(_ uid: uid_t) -> String? {
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return nil }
        return String(cString: name)
    }

    /// Throws `.engine` naming `operation` unless `error` is success.
    func check(_ error: gpgme_error_t, _ operation: String) throws(OpenPGPError) {
        guard GPGMELibrary.code(error) == GPGErrorCode.noError else {
            throw .engine(operation, home: homeDirectory, reason: GPGMELibrary.message(error))
        }
    }

    /// The key whose primary or subkey fingerprint is `fingerprint` (already normalised), or nil.
    func lookupKey(_ fingerprint: String, secret: Bool) throws(OpenPGPError) -> GPGMEKey? {
        var key: gpgme_key_t?
        let error = gpgme_get_key(context, fingerprint, &key, secret ? 1 : 0)
        let code = GPGMELibrary.code(error)
        if code == GPGErrorCode.noError, let key { return GPGMEKey(adopting: key) }
        if let key { gpgme_key_unref(key) }
        if code == GPGErrorCode.eof { return nil }
        if code == GPGErrorCode.ambiguousName {
            throw .engine("look up key \(fingerprint)", home: homeDirectory,
                          reason: "more than one key has this fingerprint")
        }
        throw .engine("look up key \(fingerprint)", home: homeDirectory, reason: GPGMELibrary.message(error))
    }

    /// The secret key for `fingerprint`, refusing clearly when it is unknown, public only, or cannot sign.
    func signingKey(_ fingerprint: String) throws(OpenPGPError) -> GPGMEKey {
        guard let key = try lookupKey(fingerprint, secret: true) else {
            if try lookupKey(fingerprint, secret: false) != nil {
                throw .noSecretKey(fingerprint, role: "signing key", home: homeDirectory)
            }
            throw .keyNotFound(fingerprint, role: "signing key", home: homeDirectory)
        }
        let info = KeyInfo(gpgmeKey: key.pointer, fromData: false)
        if let problem = info.signingProblem() {
            throw .unusableKey(fingerprint, role: "signing key", reason: problem)
        }
        return key
    }
}

/// gpgme forbids using one context from two threads at once.
@available(*, unavailable)
extension OpenPGPContext: Sendable {}
