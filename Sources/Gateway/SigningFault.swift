import Foundation

/// Our own key could not make a signature (a wrong or missing passphrase, a key or signing subkey expired or
/// revoked, no secret key): a fault of our settings, the same for every recipient, so it is said once, naming the
/// liaison.yaml field to fix, and never under a vendor's name.
///
/// ```swift
/// catch { throw SigningFault(error, passphraseField: settings.passphraseField) }
/// // liaison.yaml:9: gnupg.passphrase_file: the signing key could not sign: … Bad passphrase. Nothing was queued.
/// ```
public struct SigningFault: Error, CustomStringConvertible, Sendable {
    /// One sentence: what GnuPG said, and that nothing was queued or sent.
    public let description: String
    /// The liaison.yaml field behind it: `gnupg.passphrase_file` or `gnupg.passphrase_env` for a passphrase
    /// problem when one of them is set, else `keyField`; nil when the key was not configured there.
    public let field: String?

    /// The fault for `error`, thrown while our key signed; `passphraseField` is the setting that gives the
    /// passphrase (nil when none does), `keyField` the one that named the key (nil: named on the command line).
    public init(_ error: any Error, passphraseField: String?, keyField: String? = "sender.signing_key") {
        let said = "\(error)"
        // gpg-agent's words for a passphrase it did not get or did not accept (GPG_ERR_BAD_PASSPHRASE,
        // GPG_ERR_NO_PASSPHRASE, GPG_ERR_NO_PIN, GPG_ERR_CANCELED through loopback pinentry).
        let lowered = said.lowercased()
        let aboutPassphrase = ["passphrase", "pinentry", "no pin", "cancel"].contains { lowered.contains($0) }
        if aboutPassphrase, let passphraseField {
            field = passphraseField
            description = "the signing key could not sign with the passphrase \(passphraseField) gives: \(said) Nothing was queued or sent."
        } else if aboutPassphrase {
            field = keyField
            description = "the signing key needs a passphrase and none is configured (set gnupg.passphrase_file or gnupg.passphrase_env): \(said) Nothing was queued or sent."
        } else {
            field = keyField
            description = "the signing key could not sign: \(said) Nothing was queued or sent."
        }
    }
}
