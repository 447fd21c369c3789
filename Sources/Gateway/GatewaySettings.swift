import Foundation
import Mail
import Registry

/// When outgoing notifications are encrypted (`gnupg.encrypt` in liaison.yaml): when every recipient has a
/// usable key, always (refusing to queue otherwise), or never.
public typealias EncryptionPolicy = WorkspaceConfiguration.EncryptPolicy

/// What composing needs to know about the workspace: who we are, how we sign and encrypt, where templates are.
public struct GatewaySettings: Sendable {
    public var sender: EmailAddress
    public var senderOrganizationId: String?
    public var signingKey: String?
    public var gnupgHome: String?
    /// The signing key's passphrase, for loopback pinentry (`gnupg.passphrase_file` or `gnupg.passphrase_env`);
    /// nil for a key without one. Never printed.
    public var signingPassphrase: String?
    /// The liaison.yaml field that gives the passphrase (`gnupg.passphrase_env` or `gnupg.passphrase_file`), nil
    /// when none does: where a passphrase problem is to be fixed.
    public var passphraseField: String?
    public var encryption: EncryptionPolicy
    public var templatesDirectory: URL
    public var actor: String
    /// The workspace time zone: dates in mail are days in this zone and say so (`2007-10-15 (JST)`).
    public var timeZone: TimeZone = TimeZone(identifier: "UTC")!
    /// Whether each notification gets its own envelope sender `local+LSN-…@domain` (`sender.verp`).
    public var verp = true
    /// The level of cases that have none recorded (`cases.tlp`).
    public var defaultTLP: TrafficLightProtocol = .defaultLevel
    /// The vendors' answer link (`answer:`): with `base_url` set, every case message carries its participant's link.
    public var answer = WorkspaceConfiguration.Answer()
    /// The workspace's state folder (`.liaison/`), where the answer-link key is kept.
    public var stateDirectory: URL?

    public init(sender: EmailAddress, senderOrganizationId: String? = nil, signingKey: String?, gnupgHome: String?,
                encryption: EncryptionPolicy = .whenKey,
                templatesDirectory: URL, actor: String) {
        self.sender = sender; self.senderOrganizationId = senderOrganizationId; self.signingKey = signingKey
        self.gnupgHome = gnupgHome; self.encryption = encryption
        self.templatesDirectory = templatesDirectory; self.actor = actor
    }
}
