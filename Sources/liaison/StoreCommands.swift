import ArgumentParser
import Foundation
import Registry

/// `liaison store …`: where the registry lives.
struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Move the registry between SQLite and PostgreSQL.",
        discussion: """
            The registry lives in .liaison/registry.sqlite unless liaison.yaml names a PostgreSQL database \
            (store:, see docs/store.md). To move a team's workspace onto a database server:
              LIAISON_STORE_PASSWORD=… liaison store copy --to postgresql://liaison@db.example.org/liaison \\
                  --password-env LIAISON_STORE_PASSWORD
            then set store: in liaison.yaml to that URL. And back, into a new SQLite file:
              liaison store copy --to /srv/liaison/registry.sqlite
            """,
        subcommands: [Copy.self])

    struct Copy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy the whole registry into another, empty store, and verify its event log there.",
            discussion: """
                Copies every row of every table, with its id, from one snapshot of the workspace's registry, in one \
                transaction on the destination: all of it or nothing. The event log's hash chain is verified before \
                (a broken log is not copied) and after (the copy must end at the same head). The destination must be \
                empty: a new PostgreSQL database (the schema is made on first use), or a SQLite file that does not \
                exist yet. The workspace keeps using its own store until liaison.yaml says otherwise. Stop \
                `liaison run` and `liaison serve` first, so that nothing changes during the copy.
                """)
        @OptionGroup var workspace: WorkspaceOptions
        @Option(help: "The destination: postgresql://USER@HOST[:PORT]/DATABASE (postgresql://USER@/DATABASE?host=/run/postgresql for the server's Unix socket), or the path of a new SQLite file.")
        var to: String
        @Option(name: .customLong("password-env"), help: "The environment variable that holds the PostgreSQL user's password.")
        var passwordEnv: String?
        @Option(help: "required (default) or none (only to a PostgreSQL server on this machine).")
        var tls: String?

        func run() throws {
            try CommandSupport.reportingErrors {
                let place = try workspace.locate()
                let source = try workspace.openStore(of: place)
                let isPostgres = to.hasPrefix("postgresql://") || to.hasPrefix("postgres://")
                if !isPostgres {
                    if FileManager.default.fileExists(atPath: to) {
                        throw ValidationError("--to \(to) exists already: copy into a new SQLite file (or an empty PostgreSQL database); nothing was copied")
                    }
                    let folder = URL(fileURLWithPath: to).deletingLastPathComponent().path
                    var isFolder: ObjCBool = false
                    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
                        throw ValidationError("--to \(to): the folder \(folder) does not exist; make it first; nothing was copied")
                    }
                }
                if let tls, !["required", "none"].contains(tls) {
                    throw ValidationError("--tls must be required or none, not \(tls)")
                }
                // The destination's settings are this command's options, not liaison.yaml's store: its messages name those.
                let settings = isPostgres ? WorkspaceConfiguration.Store(url: to, passwordEnv: passwordEnv, tls: tls, names: Self.optionNames)
                                          : WorkspaceConfiguration.Store()
                let destination = try place.openStore(settings, sqlitePath: to, opening: .init(creatingIfMissing: true))
                let summary = try StoreCopy.copy(from: source, to: destination, named: to)
                CommandSupport.printTable(["table", "rows"], summary.rows.map { [$0.table, String($0.count)] })
                print("event log verified on both: \(summary.events) events, head \(summary.headHash.isEmpty ? "(empty)" : String(summary.headHash.prefix(16)))")
                print(isPostgres ? "to use it: set store: in liaison.yaml to \(settings.url ?? to)" + (passwordEnv.map { " (password_env: \($0))" } ?? "")
                                 : "copied into \(to)")
            }
        }

        /// The destination's settings as this command takes them.
        static let optionNames = WorkspaceConfiguration.Store.SettingNames(url: "--to", passwordEnv: "--password-env", tls: "--tls",
                                                                           noTLS: "--tls none")
    }
}
