import Foundation

/// A folder holding `liaison.yaml`, `Directory/`, `Templates/` and the state folder `.liaison/`.
public struct Workspace: Sendable {
    /// The folder holding `liaison.yaml`.
    public let root: URL

    /// The name of the configuration file that marks a workspace.
    public static let configurationFileName = "liaison.yaml"

    public init(root: URL) {
        self.root = root.standardizedFileURL
    }

    /// Finds the workspace: `explicit` (from `--workspace`), else `LIAISON_WORKSPACE`, else the nearest folder
    /// from `currentDirectory` upwards holding `liaison.yaml`.
    public static func locate(explicit: String?,
                              environment: [String: String] = ProcessInfo.processInfo.environment,
                              currentDirectory: URL) throws(RegistryError) -> Workspace {
        func named(_ path: String, by source: String) throws(RegistryError) -> Workspace {
            let url = URL(fileURLWithPath: path, relativeTo: currentDirectory).standardizedFileURL
            let workspace = Workspace(root: url)
            guard FileManager.default.fileExists(atPath: workspace.configurationURL.path) else {
                throw .workspaceNotFound("\(url.path) (from \(source)) is not a Liaison workspace: it has no \(configurationFileName); run `liaison init \(path)` to make one.")
            }
            return workspace
        }
        if let explicit, !explicit.isEmpty {
            return try named(explicit, by: "--workspace")
        }
        if let fromEnvironment = environment["LIAISON_WORKSPACE"], !fromEnvironment.isEmpty {
            return try named(fromEnvironment, by: "LIAISON_WORKSPACE")
        }
        var folder = currentDirectory.standardizedFileURL
        while true {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent(configurationFileName).path) {
                return Workspace(root: folder)
            }
            let parent = folder.deletingLastPathComponent()
            if parent.path == folder.path { break }
            folder = parent
        }
        throw .workspaceNotFound("No \(configurationFileName) in \(currentDirectory.path) or any folder above it; give --workspace DIR, set LIAISON_WORKSPACE, or run `liaison init` to make a workspace.")
    }

    /// `liaison.yaml`.
    public var configurationURL: URL { root.appendingPathComponent(Self.configurationFileName) }
    /// `Directory/`: the organisation files and keys, kept in git.
    public var directoryURL: URL { root.appendingPathComponent("Directory", isDirectory: true) }
    /// `Directory/organizations/`: one `<id>.yaml` per organisation.
    public var organizationsURL: URL { directoryURL.appendingPathComponent("organizations", isDirectory: true) }
    /// `Directory/keys/`: one `<FINGERPRINT>.asc` per public key.
    public var keysURL: URL { directoryURL.appendingPathComponent("keys", isDirectory: true) }
    /// `Templates/`: `<name>.<lang>.mustache`.
    public var templatesURL: URL { root.appendingPathComponent("Templates", isDirectory: true) }
    /// `.liaison/`: state that is not reviewed in git.
    public var stateURL: URL { root.appendingPathComponent(".liaison", isDirectory: true) }
    /// `.liaison/registry.sqlite`.
    public var databaseURL: URL { stateURL.appendingPathComponent("registry.sqlite") }

    /// The parsed `liaison.yaml`; unknown keys and bad values are errors naming `liaison.yaml:LINE`.
    public var configuration: WorkspaceConfiguration {
        get throws(RegistryError) {
            let text: String
            do {
                text = try String(contentsOf: configurationURL, encoding: .utf8)
            } catch {
                throw .invalidConfiguration(["\(configurationURL.path) cannot be read as UTF-8 text."])
            }
            return try WorkspaceConfiguration.parse(text, file: Self.configurationFileName)
        }
    }

    /// The GnuPG home: `gnupg.home` of the configuration (relative to the root), else `$GNUPGHOME`, else
    /// `~/.gnupg`. A configuration that cannot be read counts as one without `gnupg.home`.
    public func gnupgHome(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        gnupgHome(configuration: try? configuration, environment: environment)
    }

    /// The GnuPG home for an already parsed configuration.
    public func gnupgHome(configuration: WorkspaceConfiguration?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let home = configuration?.gnupg.home, !home.isEmpty {
            return resolve(home).path
        }
        if let home = environment["GNUPGHOME"], !home.isEmpty {
            return home
        }
        let userHome = environment["HOME"].map { URL(fileURLWithPath: $0) } ?? FileManager.default.homeDirectoryForCurrentUser
        return userHome.appendingPathComponent(".gnupg").path
    }

    /// A path from the configuration, relative to the root unless absolute (`~/` is the user's home).
    public func resolve(_ path: String) -> URL {
        if path.hasPrefix("~/") {
            return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(String(path.dropFirst(2))).standardizedFileURL
        }
        return URL(fileURLWithPath: path, relativeTo: root).standardizedFileURL
    }

    /// The path of `url` relative to the root, for messages (`Directory/keys/ABCD.asc`).
    public func relativePath(of url: URL) -> String {
        let rootPath = root.path.hasSuffix("/") ? root.path : root.path + "/"
        let path = url.standardizedFileURL.path
        return path.hasPrefix(rootPath) ? String(path.dropFirst(rootPath.count)) : path
    }

    /// Opens the workspace's registry database and brings its schema up to date.
    ///
    /// A missing database is an error (`RegistryError.databaseMissing`) unless `opening.creatingIfMissing`:
    /// only `init` and `directory sync` make one, so no command ever works on a silently new, empty registry.
    /// A database this user cannot write is opened read-only (see `RegistryStore`).
    ///
    /// Where `store:` in liaison.yaml names a PostgreSQL database, that database is opened (its password read from
    /// `environment`); a wrong `store:` is `RegistryError.invalidConfiguration` naming the field, a server that
    /// cannot be reached or refuses the login `RegistryError.database`, each in one line.
    public func openStore(_ opening: RegistryStore.Opening = .init(),
                          environment: [String: String] = ProcessInfo.processInfo.environment) throws(RegistryError) -> RegistryStore {
        let store = try storeSettings()
        if store.kind == .sqlite && opening.creatingIfMissing {
            do {
                try FileManager.default.createDirectory(at: stateURL, withIntermediateDirectories: true)
            } catch {
                throw .fileSystem("The state folder \(stateURL.path) cannot be created: \(error.localizedDescription)")
            }
        }
        return try openStore(store, sqlitePath: databaseURL.path, opening: opening, environment: environment)
    }

    /// `store:` of liaison.yaml; SQLite when the file is missing (a workspace made by hand around a database).
    public func storeSettings() throws(RegistryError) -> WorkspaceConfiguration.Store {
        guard let data = FileManager.default.contents(atPath: configurationURL.path) else { return .init() }
        return try WorkspaceConfiguration.parseStore(String(decoding: data, as: UTF8.self), file: Self.configurationFileName)
    }

    /// Makes a workspace at `root`: a commented `liaison.yaml`, `Directory/organizations/`, `Directory/keys/`,
    /// `Templates/` with the shipped templates (ja, en) and `.liaison/`. Never overwrites: what exists is left as it is. Returns the paths it
    /// created, relative to `root`.
    public static func initialize(at root: URL) throws(RegistryError) -> [String] {
        let workspace = Workspace(root: root)
        let manager = FileManager.default
        var created: [String] = []
        let folders = [workspace.root, workspace.directoryURL, workspace.organizationsURL, workspace.keysURL,
                       workspace.templatesURL, workspace.stateURL]
        for folder in folders {
            var isDirectory: ObjCBool = false
            if manager.fileExists(atPath: folder.path, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else {
                    throw .fileSystem("\(folder.path) exists and is not a folder; it was left as it is.")
                }
                continue
            }
            do {
                try manager.createDirectory(at: folder, withIntermediateDirectories: true)
            } catch {
                throw .fileSystem("\(folder.path) cannot be created: \(error.localizedDescription)")
            }
            if folder != workspace.root { created.append(workspace.relativePath(of: folder) + "/") }
        }
        let files = [
            (workspace.configurationURL, WorkspaceTemplate.configuration),
            (workspace.stateURL.appendingPathComponent(".gitignore"), "# Liaison's database and GnuPG home: local state, never committed.\n*\n"),
            (workspace.organizationsURL.appendingPathComponent("example-csirt.yaml"), WorkspaceTemplate.ownOrganization),
        ] + ShippedTemplates.files.sorted(by: { $0.key < $1.key }).map { (workspace.templatesURL.appendingPathComponent($0.key), $0.value) }
        for (url, text) in files where !manager.fileExists(atPath: url.path) {
            // O_EXCL: a file that appeared since the check is not overwritten either.
            let descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
            guard descriptor >= 0 else {
                if errno == EEXIST { continue }
                throw .fileSystem("\(url.path) cannot be created: \(String(cString: strerror(errno))).")
            }
            let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
            handle.write(Data(text.utf8))
            created.append(workspace.relativePath(of: url))
        }
        return created
    }
}

extension Workspace {
    /// The signing key's passphrase as `liaison.yaml` says where to find it: the first line of
    /// `gnupg.passphrase_file` (relative to the root; a regular file, not a link), or the value of the environment
    /// variable `gnupg.passphrase_env`; nil when neither is set. The passphrase is handed to gpg-agent through
    /// loopback pinentry only: never a process argument, never printed.
    ///
    /// Throws `RegistryError.invalidConfiguration` naming the setting when the file cannot be read, is not a
    /// regular file, is readable by its group or others (as ssh refuses such a private key) or is empty, or the
    /// variable is not set.
    public func signingPassphrase(configuration: WorkspaceConfiguration,
                                  environment: [String: String] = ProcessInfo.processInfo.environment) throws(RegistryError) -> String? {
        if let name = configuration.gnupg.passphraseEnv {
            guard let value = environment[name], !value.isEmpty else {
                throw .invalidConfiguration(["gnupg.passphrase_env names \(name), which is not set in the environment: set it to the signing key's passphrase."])
            }
            return value
        }
        guard let path = configuration.gnupg.passphraseFile else { return nil }
        let url = resolve(path)
        var info = stat()
        guard lstat(url.path, &info) == 0 else {
            throw .invalidConfiguration(["gnupg.passphrase_file \(path) cannot be read (\(String(cString: strerror(errno))))."])
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw .invalidConfiguration(["gnupg.passphrase_file \(path) is not a regular file."])
        }
        // Readable by others, the passphrase is as good as published: refuse it before reading a byte.
        if info.st_mode & 0o077 != 0 {
            let mode = String(info.st_mode & 0o777, radix: 8)
            throw .invalidConfiguration(["\(configuration.place(of: "gnupg.passphrase_file")) \(path) is readable or writable by its group or others (mode 0\(mode)); make it private with chmod 600 \(path)."])
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw .invalidConfiguration(["gnupg.passphrase_file \(path) cannot be read."])
        }
        let firstLine = data.split(separator: UInt8(ascii: "\n"), maxSplits: 1, omittingEmptySubsequences: false).first ?? Data()
        var line = String(decoding: firstLine, as: UTF8.self)
        if line.hasSuffix("\r") { line.removeLast() }
        guard !line.isEmpty else {
            throw .invalidConfiguration(["gnupg.passphrase_file \(path) is empty: its first line is the passphrase."])
        }
        return line
    }
}

extension Workspace {
    /// Opens the registry that `settings` name instead of the workspace's own `store:`: a PostgreSQL database, or
    /// (`settings.url` nil) the SQLite file at `sqlitePath`. Used by `liaison store copy`; same errors as
    /// `openStore(_:environment:)`.
    public func openStore(_ settings: WorkspaceConfiguration.Store, sqlitePath: String, opening: RegistryStore.Opening,
                          environment: [String: String] = ProcessInfo.processInfo.environment) throws(RegistryError) -> RegistryStore {
        if settings.kind == .postgresql {
            let location = try settings.postgresLocation(environment: environment)
            do {
                return try RegistryStore(postgres: location, opening: opening)
            } catch let error as RegistryError {
                throw error
            } catch {
                throw .database("The registry database \(location.shownURL) cannot be opened: \(error)")
            }
        }
        do {
            return try RegistryStore(path: sqlitePath, opening: opening)
        } catch let error as RegistryError {
            throw error
        } catch {
            if let line = RegistryStore.explain(error) { throw .database(line) }
            throw .database("The registry database \(sqlitePath) cannot be opened: \(error)")
        }
    }
}
