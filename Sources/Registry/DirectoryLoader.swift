import Foundation

/// Reads and validates `Directory/`: every organisation file, every key file, and the rules across them
/// (an address used twice, a fingerprint without its key, keys that expire or do not match their contact).
///
/// ```swift
/// let (contents, problems) = DirectoryLoader().load(workspace)
/// problems.forEach { print($0) }    // Directory/organizations/x.yaml:12: error: malformed email address "a@"
/// ```
public struct DirectoryLoader: Sendable {
    /// Reads the key files.
    public var keyInspector: any KeyInspector
    /// The moment keys are judged at.
    public var now: Date
    /// A key expiring within this many days of `now` is warned about.
    public var expiryWarningDays: Int

    public init(keyInspector: any KeyInspector = OpenPGPKeyInspector(), now: Date = Date(), expiryWarningDays: Int = 30) {
        self.keyInspector = keyInspector
        self.now = now
        self.expiryWarningDays = expiryWarningDays
    }

    /// Reads the workspace's `Directory/`; problems are sorted by file and line.
    public func load(_ workspace: Workspace) -> (DirectoryContents, [DirectoryProblem]) {
        var problems: [DirectoryProblem] = []
        if let problem = irregularFolder(workspace.directoryURL, workspace) {
            return (DirectoryContents(organizations: [], keys: []), [problem])
        }
        let organizations = loadOrganizations(workspace, problems: &problems)
        let keys = loadKeys(workspace, problems: &problems)
        crossCheck(organizations, keys: keys, workspace: workspace, problems: &problems)
        return (DirectoryContents(organizations: organizations, keys: keys), problems.sorted())
    }

    /// The errors `load` would find in the workspace's `Directory/` once `files` (paths relative to the workspace
    /// root, such as `Directory/keys/<FINGERPRINT>.asc`) are added, that it does not find there now. Checked on a
    /// scratch copy of `Directory/`, removed afterwards, so that a command writes only what `directory check`
    /// accepts, or nothing.
    public func errors(adding files: [(path: String, data: Data)], to workspace: Workspace) throws -> [DirectoryProblem] {
        let scratch = Workspace(root: FileManager.default.temporaryDirectory
            .appendingPathComponent("liaison-directory-\(UUID().uuidString)", isDirectory: true))
        try FileManager.default.createDirectory(at: scratch.root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch.root) }
        if FileManager.default.fileExists(atPath: workspace.directoryURL.path) {
            try FileManager.default.copyItem(at: workspace.directoryURL, to: scratch.directoryURL)
        }
        for folder in [scratch.organizationsURL, scratch.keysURL] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        let before = Set(load(scratch).1.filter { $0.severity == .error })
        for file in files {
            let url = scratch.root.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try file.data.write(to: url)
        }
        return load(scratch).1.filter { $0.severity == .error && !before.contains($0) }
    }

    // MARK: Folders

    /// The regular files of a directory folder, by name, without hidden ones; a folder that is missing or not a
    /// plain folder, and an entry that is not a regular file, are problems and give nothing.
    private func entries(of folder: URL, _ workspace: Workspace,
                         problems: inout [DirectoryProblem]) -> [(name: String, url: URL, path: String)] {
        if let problem = irregularFolder(folder, workspace) {
            problems.append(problem)
            return []
        }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else {
            problems.append(.error(workspace.relativePath(of: folder) + "/", 1, "the folder is missing; run `liaison init` to make it"))
            return []
        }
        var entries: [(name: String, url: URL, path: String)] = []
        for name in names.sorted() where !name.hasPrefix(".") {
            let url = folder.appendingPathComponent(name)
            let path = workspace.relativePath(of: url)
            if let irregular = DirectoryFileReader.irregularEntry(url) {
                problems.append(.error(path, 1, irregular))
            } else {
                entries.append((name, url, path))
            }
        }
        return entries
    }

    // MARK: Organisation files

    private func loadOrganizations(_ workspace: Workspace, problems: inout [DirectoryProblem]) -> [OrganizationFile] {
        var files: [(url: URL, id: String, path: String)] = []
        for (name, url, path) in entries(of: workspace.organizationsURL, workspace, problems: &problems) {
            if name.hasSuffix(".yaml") {
                files.append((url, String(name.dropLast(5)), path))
            } else {
                problems.append(.warning(path, 1, "ignored: organisation files are named <id>.yaml"))
            }
        }
        let parsed = parallelMap(files) { file -> (OrganizationFile?, [DirectoryProblem]) in
            switch DirectoryFileReader.text(of: file.url, path: file.path) {
            case .problem(let problem): return (nil, [problem])
            case .text(let text): return OrganizationFileParser.parse(text, path: file.path, expectedId: file.id)
            }
        }
        var result: [OrganizationFile] = []
        for (file, fileProblems) in parsed {
            problems.append(contentsOf: fileProblems)
            if let file { result.append(file) }
        }
        return result
    }

    // MARK: Key files

    private struct KeyCandidate: Sendable {
        var path: String
        var expected: String
        var text: String
    }

    private func loadKeys(_ workspace: Workspace, problems: inout [DirectoryProblem]) -> [KeyFile] {
        var candidates: [KeyCandidate] = []
        for (name, url, path) in entries(of: workspace.keysURL, workspace, problems: &problems) {
            guard name.hasSuffix(".asc") else {
                problems.append(.warning(path, 1, "ignored: key files are named <FINGERPRINT>.asc"))
                continue
            }
            let stem = String(name.dropLast(4))
            guard Fingerprint.isValid(stem) else {
                let hint = Fingerprint.isValid(Fingerprint.normalize(stem)) ? " in upper case" : ""
                problems.append(.error(path, 1, "a key file must be named after its fingerprint\(hint) (40 or 64 hexadecimal digits).asc"))
                continue
            }
            let text: String
            switch DirectoryFileReader.text(of: url, path: path) {
            case .problem(let problem):
                problems.append(problem)
                continue
            case .text(let read):
                text = read
            }
            guard text.contains("-----BEGIN PGP ") else {
                problems.append(.error(path, 1, "not an OpenPGP public key: key files hold the ASCII-armored output of gpg --armor --export"))
                continue
            }
            // ASCII armor is printable lines (RFC 4880 §6.2); the file is kept as it is, and no store holds U+0000.
            if let control = VisibleText.forbiddenControl(in: text, multiLine: true) {
                let line = 1 + text.unicodeScalars.prefix { $0 != control }.filter { $0 == "\n" }.count
                problems.append(.error(path, line, "contains the control character \(VisibleText.name(of: control)); ASCII armor is printable lines: export the key again (gpg --armor --export \(stem))"))
                continue
            }
            if text.contains("-----BEGIN PGP PRIVATE KEY BLOCK-----") {
                problems.append(.error(path, 1, "holds a secret key; never commit it: replace it with the public key only (gpg --armor --export \(stem))"))
                continue
            }
            if let problem = Self.singleArmoredKeyProblem(text) {
                problems.append(.error(path, problem.line, problem.message))
                continue
            }
            candidates.append(KeyCandidate(path: path, expected: stem, text: text))
        }
        let inspected = inspectAll(candidates)
        var result: [KeyFile] = []
        for (candidate, outcome) in zip(candidates, inspected) {
            switch outcome {
            case .failure(let error):
                problems.append(.error(candidate.path, 1, "not an OpenPGP public key: \(error.description)"))
            case .success(let keys):
                if keys.contains(where: \.isSecret) {
                    problems.append(.error(candidate.path, 1, "holds a secret key; never commit it: replace it with the public key only (gpg --armor --export \(candidate.expected))"))
                } else if keys.count != 1 {
                    let listed = keys.map(\.fingerprint).joined(separator: ", ")
                    problems.append(.error(candidate.path, 1, "holds \(keys.count) keys (\(listed)); keep exactly one key per file, named after its fingerprint"))
                } else if keys[0].fingerprint != candidate.expected {
                    problems.append(.error(candidate.path, 1, "holds the key \(keys[0].fingerprint), not the one its name says; rename the file to \(keys[0].fingerprint).asc"))
                } else {
                    result.append(KeyFile(path: candidate.path, armored: candidate.text, key: keys[0]))
                }
            }
        }
        return result
    }

    static let publicKeyStart = "-----BEGIN PGP PUBLIC KEY BLOCK-----"
    static let publicKeyEnd = "-----END PGP PUBLIC KEY BLOCK-----"

    /// Why `text` is not exactly one armored public key block (blank lines around it allowed), with the line
    /// of the first thing too many; nil when it is.
    public static func singleArmoredKeyProblem(_ text: String) -> (line: Int, message: String)? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        let blank = { (line: Substring) in line.allSatisfy(\.isWhitespace) }
        guard let first = lines.firstIndex(where: { !blank($0) }) else {
            return (1, "not an OpenPGP public key: the file is empty")
        }
        guard lines[first] == publicKeyStart else {
            return (first + 1, "holds text before the public key; a key file holds exactly one ASCII-armored public key (gpg --armor --export FINGERPRINT) and nothing else")
        }
        guard let end = lines[first...].firstIndex(where: { $0 == publicKeyEnd }) else {
            return (lines.count, "the public key block has no \(publicKeyEnd) line")
        }
        if let extra = lines[(end + 1)...].firstIndex(where: { !blank($0) }) {
            let what = lines[extra] == publicKeyStart ? "a second public key block" : "text after the public key"
            return (extra + 1, "holds \(what); a key file holds exactly one ASCII-armored public key and nothing else")
        }
        return nil
    }

    /// An error when the folder of organisation or key files is a symbolic link or not a folder.
    private func irregularFolder(_ folder: URL, _ workspace: Workspace) -> DirectoryProblem? {
        var info = stat()
        guard lstat(folder.path, &info) == 0, info.st_mode & S_IFMT != S_IFDIR else { return nil }
        let what = info.st_mode & S_IFMT == S_IFLNK ? "is a symbolic link; it must be a real folder inside Directory/, and what it points at is never read" : "is not a folder"
        return .error(workspace.relativePath(of: folder) + "/", 1, what)
    }

    /// Inspects every file in one GnuPG run when the files are well-formed (one key each, named after it);
    /// otherwise, or for the files the batch did not account for, one run per file, to say which is wrong.
    private func inspectAll(_ candidates: [KeyCandidate]) -> [Result<[InspectedKey], RegistryError>] {
        guard !candidates.isEmpty else { return [] }
        let inspector = keyInspector
        if candidates.count > 1 {
            let joined = candidates.map(\.text).joined(separator: "\n")
            if let keys = try? inspector.inspect(Data(joined.utf8)), keys.count == candidates.count {
                let byFingerprint = Dictionary(keys.map { ($0.fingerprint, $0) }, uniquingKeysWith: { first, _ in first })
                let singleBlock = candidates.allSatisfy { $0.text.components(separatedBy: "-----BEGIN PGP PUBLIC KEY BLOCK-----").count == 2 }
                if singleBlock, byFingerprint.count == candidates.count,
                   candidates.allSatisfy({ byFingerprint[$0.expected] != nil }) {
                    return candidates.map { .success([byFingerprint[$0.expected]!]) }
                }
            }
        }
        return parallelMap(candidates) { candidate in
            Result { () throws(RegistryError) in try inspector.inspect(Data(candidate.text.utf8)) }
        }
    }

    // MARK: Rules across files

    private func crossCheck(_ organizations: [OrganizationFile], keys: [KeyFile], workspace: Workspace,
                            problems: inout [DirectoryProblem]) {
        let keysByFingerprint = Dictionary(keys.map { ($0.key.fingerprint, $0) }, uniquingKeysWith: { first, _ in first })
        let keyFolder = workspace.relativePath(of: workspace.keysURL)
        var presentKeyFiles = Set<String>()
        if let names = try? FileManager.default.contentsOfDirectory(atPath: workspace.keysURL.path) {
            presentKeyFiles = Set(names.filter { $0.hasSuffix(".asc") }.map { String($0.dropLast(4)) })
        }
        var firstUse: [String: (path: String, line: Int)] = [:]
        let soon = now.addingTimeInterval(Double(expiryWarningDays) * 86_400)
        for file in organizations {
            let definition = file.definition
            for (contact, lines) in zip(definition.contacts, file.contactLines) {
                let address = contact.email.lowercased()
                if let first = firstUse[address] {
                    let place = first.path == file.path ? "line \(first.line)" : "\(first.path):\(first.line)"
                    problems.append(.error(file.path, lines.email, "the address \(contact.email) is already used at \(place); an address belongs to one contact"))
                } else {
                    firstUse[address] = (file.path, lines.email)
                }
                guard let fingerprint = contact.pgp else { continue }
                guard let keyFile = keysByFingerprint[fingerprint] else {
                    // A key file that exists but is broken already has its own error.
                    if !presentKeyFiles.contains(fingerprint) {
                        problems.append(.error(file.path, lines.pgp, "pgp \(fingerprint) of \(contact.email) has no key file \(keyFolder)/\(fingerprint).asc"))
                    }
                    continue
                }
                let key = keyFile.key
                if key.revoked {
                    problems.append(.warning(file.path, lines.pgp, "the key \(fingerprint) of \(contact.email) is revoked; nothing will be encrypted to it"))
                } else if let expires = key.expires, expires <= now {
                    problems.append(.warning(file.path, lines.pgp, "the key \(fingerprint) of \(contact.email) expired on \(Self.day(expires)); nothing will be encrypted to it"))
                } else if let expires = key.expires, expires <= soon {
                    let days = Int((expires.timeIntervalSince(now) / 86_400).rounded(.up))
                    problems.append(.warning(file.path, lines.pgp, "the key \(fingerprint) of \(contact.email) expires on \(Self.day(expires)), in \(days) day\(days == 1 ? "" : "s")"))
                }
                if !key.emailAddresses.contains(address) {
                    let listed = key.userIds.isEmpty ? "none" : key.userIds.joined(separator: "; ")
                    problems.append(.warning(file.path, lines.pgp, "no user ID of the key \(fingerprint) matches \(contact.email) (user IDs: \(listed))"))
                }
            }
            guard definition.status == .active else { continue }
            if !definition.contacts.contains(where: { $0.active && $0.role == .to }) {
                problems.append(.warning(file.path, file.line(of: "contacts"), "\(definition.id) has no active contact with role to; notifications cannot reach it"))
            }
            if definition.kind == .productDeveloper && definition.technologies.isEmpty {
                problems.append(.warning(file.path, file.line(of: "technologies"), "the product developer \(definition.id) lists no technologies; it will be missed by notifications by technology"))
            }
        }
    }

    private static func day(_ date: Date) -> String {
        CalendarDate(date, in: TimeZone(identifier: "UTC")!).description
    }
}
