import Foundation
import Mail
import Registry
import SMTP

/// When outgoing notifications are encrypted (`gnupg.encrypt` in liaison.yaml): when every recipient has a
/// usable key, always (refusing to queue otherwise), or never.
public typealias EncryptionPolicy = WorkspaceConfiguration.EncryptPolicy

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
