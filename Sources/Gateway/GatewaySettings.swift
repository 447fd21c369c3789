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
    public var encryption: EncryptionPolicy
    public var templatesDirectory: URL
    public var actor: String
    /// How templates show dates (`case.publishedOn`…): days in the workspace's time zone; UTC unless set.
    public var dates: WorkspaceDates = .utc

    public init(sender: EmailAddress, senderOrganizationId: String? = nil, signingKey: String?, gnupgHome: String?,
                encryption: EncryptionPolicy = .whenKey,
                templatesDirectory: URL, actor: String) {
        self.sender = sender; self.senderOrganizationId = senderOrganizationId; self.signingKey = signingKey
        self.gnupgHome = gnupgHome; self.encryption = encryption
        self.templatesDirectory = templatesDirectory; self.actor = actor
    }
}
