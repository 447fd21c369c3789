/// Everything read from `Directory/`: the organisation files and the key files that could be read.
public struct DirectoryContents: Sendable {
    /// Sorted by id.
    public var organizations: [OrganizationFile]
    /// Sorted by fingerprint; only files that hold exactly one public key named after it.
    public var keys: [KeyFile]

    public init(organizations: [OrganizationFile] = [], keys: [KeyFile] = []) {
        self.organizations = organizations
        self.keys = keys
    }

    /// The definitions, sorted by id.
    public var definitions: [OrganizationDefinition] { organizations.map(\.definition) }
}

/// One `Directory/keys/<FINGERPRINT>.asc`.
public struct KeyFile: Sendable {
    /// Relative to the workspace root.
    public var path: String
    /// The file's text, as committed.
    public var armored: String
    public var key: InspectedKey

    public init(path: String, armored: String, key: InspectedKey) {
        self.path = path
        self.armored = armored
        self.key = key
    }

    /// The row stored in `key`.
    public var record: PublicKey {
        PublicKey(fingerprint: key.fingerprint, armored: armored, userIds: key.userIds, algorithm: key.algorithm,
                  createdAt: key.created, expiresAt: key.expires, revoked: key.revoked)
    }
}
