import Foundation
import Mail
import SMTP

/// When outgoing notifications are encrypted, from `gnupg.encrypt` in liaison.yaml.
public enum EncryptionPolicy: String, Sendable, CaseIterable {
    /// Encrypt when every recipient has a usable key; otherwise send signed only.
    case whenKey = "when-key"
    /// Refuse to queue a message that cannot be encrypted to every recipient.
    case always
    /// Sign only.
    case never
}

/// What the gateway needs to know about the workspace: who we are, how we sign, where mail goes.
public struct GatewaySettings: Sendable {
    public var sender: EmailAddress
    public var senderOrganizationId: String?
    public var signingKey: String?
    public var gnupgHome: String?
    public var encryption: EncryptionPolicy
    public var smtp: SMTPConfiguration
    public var maxAttempts: Int
    public var templatesDirectory: URL
    public var actor: String

    public init(sender: EmailAddress, senderOrganizationId: String? = nil, signingKey: String?, gnupgHome: String?,
                encryption: EncryptionPolicy = .whenKey, smtp: SMTPConfiguration, maxAttempts: Int = 8,
                templatesDirectory: URL, actor: String) {
        self.sender = sender; self.senderOrganizationId = senderOrganizationId; self.signingKey = signingKey
        self.gnupgHome = gnupgHome; self.encryption = encryption; self.smtp = smtp; self.maxAttempts = maxAttempts
        self.templatesDirectory = templatesDirectory; self.actor = actor
    }
}
