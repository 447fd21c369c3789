import ArgumentParser
import Foundation
import Gateway
import Registry

/// `--workspace DIR` and `--actor NAME`, shared by every command.
struct WorkspaceOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The workspace folder (default: $LIAISON_WORKSPACE, else the nearest folder above holding liaison.yaml).", valueName: "DIR"))
    var workspace: String?

    @Option(name: .long, help: ArgumentHelp("Who the audit log names for this command's changes (default: $LIAISON_ACTOR, else $USER, else the operating-system user).", valueName: "NAME"))
    var actor: String?

    func validate() throws {
        // One line, without the usage text: the name is wrong, not the command.
        if let actor {
            if let problem = EventLog.actorProblem(actor) { try CommandSupport.fail(problem) }
        } else if let problem = EventLog.actorProblem(WorkspaceServices.operatingSystemActor(),
                                                      source: "the actor taken from $LIAISON_ACTOR, $USER or the system user") {
            try CommandSupport.fail(problem + "; give --actor NAME")
        }
    }

    /// `--actor`, else the operating-system user.
    func resolvedActor() -> String {
        actor?.trimmingCharacters(in: .whitespaces) ?? WorkspaceServices.operatingSystemActor()
    }

    /// The workspace, or exit 1 with a line saying how to make one.
    func locate() throws -> Workspace {
        try CommandSupport.reportingErrors {
            try Workspace.locate(explicit: workspace,
                                 currentDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        }
    }

    /// The workspace's configuration, or exit 1 listing its problems.
    func configuration(of workspace: Workspace) throws -> WorkspaceConfiguration {
        try CommandSupport.reportingErrors { try workspace.configuration }
    }

    /// How the workspace reads and types dates (`timezone` of liaison.yaml).
    func dates(of workspace: Workspace) throws -> WorkspaceDates {
        try configuration(of: workspace).dates
    }

    /// The workspace's registry store, opened and migrated. Missing, it is an error unless
    /// `creatingIfMissing` (only `directory sync` makes it); while another process holds its write lock, a
    /// write waits and says once on stderr which process that is.
    func openStore(of workspace: Workspace, creatingIfMissing: Bool = false) throws -> RegistryStore {
        try CommandSupport.reportingErrors {
            try workspace.openStore(.init(creatingIfMissing: creatingIfMissing,
                                          waitNotice: { CommandSupport.printError($0) }))
        }
    }
}
