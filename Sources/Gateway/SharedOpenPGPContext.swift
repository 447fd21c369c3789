import Foundation
import OpenPGP

/// One OpenPGP context kept for every message an ingester reads, made at the first message that needs one.
///
/// gpgme starts `gpg --version` each time a context is set up on a home directory: made per message, that was a
/// process per reply and most of the time ingest took. A context is reused for its home; a failure to make one is
/// not remembered, so a home that appears later is used.
///
/// `@unchecked Sendable`: the context (not `Sendable`; gpgme allows one thread at a time) is only reached inside
/// `lock`, so one message at a time uses it whatever thread reads it.
final class SharedOpenPGPContext: @unchecked Sendable {
    private let lock = NSLock()
    private var context: OpenPGPContext?

    /// Runs `body` holding the context on `home`; `body` asks for it (nil when none can be made) only when it
    /// needs one, so a message that is never verified makes none. `passphrase` unlocks a protected secret key
    /// (to decrypt) through loopback pinentry; nil for a key without one. Asking throws `OpenPGPError.homeDirectory`
    /// when the home is there but this user may not use it (`OpenPGPContext.unusableHome`): a signature is then not
    /// taken for one that cannot be checked, and the message is left to be read again.
    func with<T>(home: String?, passphrase: String? = nil, _ body: (() throws -> OpenPGPContext?) throws -> T) throws -> T {
        try lock.withLock {
            try body {
                if self.context == nil { self.context = try OpenPGPContext.forChecking(homeDirectory: home, passphrase: passphrase) }
                return self.context
            }
        }
    }
}
