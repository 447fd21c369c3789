import Foundation
import Testing
import TestSupport

/// The registry database as operators meet it: missing, an auditor's read-only copy, held by another process,
/// on a full disk. Each case is one clear line, and nothing is lost.
@Suite struct DatabaseAccessTests {
    static let caseId = "JVNVU#20261130"

    @Test func aMissingDatabaseIsAnErrorAndIsNotCreated() throws {
        let temp = try TemporaryWorkspace()
        defer { temp.remove() }
        let database = temp.root.appendingPathComponent(".liaison/registry.sqlite")
        for args in [["audit", "verify"], ["outbox"], ["case", "list"], ["org", "list"], ["report", "quarter", "2026Q4"],
                     ["case", "open", Self.caseId, "--title", "T", "--origin", "jvn-jp"]] {
            let result = try runLiaison(args, workspace: temp.root)
            #expect(result.status == 1, "\(args)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(args): \(result.stderr)")
            #expect(result.stderr.contains("registry.sqlite does not exist; run `liaison directory sync`"), "\(args): \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: database.path), "\(args) created the database")
        }
        let sync = try runLiaison(["directory", "sync"], workspace: temp.root)
        #expect(sync.status == 0, "\(sync.stderr)")
        #expect(FileManager.default.fileExists(atPath: database.path))
        #expect(try runLiaison(["audit", "verify"], workspace: temp.root).status == 0)
    }

    /// A copy of a workspace with a case, a queued notice and events, that this test's user cannot write:
    /// opened as `nobody` when the tests run as root (root writes anything), else with its files made read-only.
    @Test func aReadOnlyCopyServesReadingCommandsAndRefusesWritingOnes() throws {
        let ws = try GatewayWorkspace(developers: ["aozora", "hikari"])
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-audit-\(UUID().uuidString.prefix(8))")
        try FileManager.default.copyItem(at: ws.root, to: copy)
        defer {
            _ = try? runProcess("/bin/chmod", ["-R", "u+w", copy.path])
            try? FileManager.default.removeItem(at: copy)
        }
        // The auditor's copy holds no GnuPG home of its own.
        try? FileManager.default.removeItem(at: copy.appendingPathComponent(".liaison/gnupg"))
        let mbox = copy.appendingPathComponent("replies.mbox")
        try Data(["one", "two"].map { "From someone@example Tue Dec  1 10:00:00 2026\nFrom: psirt@aozora.example\nSubject: \($0)\nMessage-ID: <\($0)@aozora.example>\n\nThanks.\n\n" }.joined().utf8)
            .write(to: mbox)
        #expect(try runProcess("/bin/chmod", ["-R", "a-w", copy.path]).status == 0)
        let asRoot = geteuid() == 0
        func run(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
            guard asRoot else { return try runLiaison(args, workspace: copy) }
            let result = try runProcess("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--",
                                                             try LiaisonExecutable.url().path] + args,
                                        environment: ["HOME": "/nonexistent", "LC_ALL": "C.UTF-8", "LIAISON_ACTOR": "auditor",
                                                      "LIAISON_WORKSPACE": copy.path])
            return (result.status, String(decoding: result.stdout, as: UTF8.self), result.stderr)
        }
        let database = copy.appendingPathComponent(".liaison/registry.sqlite")
        let before = try Data(contentsOf: database)

        let outbox = try run(["outbox"])
        #expect(outbox.status == 0, "\(outbox.stderr)")
        #expect(outbox.stdout.contains("queued"))
        let show = try run(["case", "show", Self.caseId])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.contains("aozora"))
        let report = try run(["report", "quarter", CommandLineQuarter.current])
        #expect(report.status == 0, "\(report.stderr)")
        let verify = try run(["audit", "verify"])
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout.contains("The event log is intact"))

        for args in [["case", "open", "JVNVU#99999999", "--title", "T", "--origin", "jvn-jp"],
                     ["case", "set", Self.caseId, "aozora", "acknowledged"], ["send"]] {
            let refused = try run(args)
            #expect(refused.status == 1, "\(args): \(refused.stdout)")
            #expect(refused.stderr.split(separator: "\n").count == 1, "\(args): \(refused.stderr)")
            #expect(refused.stderr.contains("read-only"), "\(args): \(refused.stderr)")
        }
        // ingest reads nothing: one line, and 75 so that mail delivered to it stays with the delivering MTA.
        let ingest = try run(["ingest", "--mbox", mbox.path])
        #expect(ingest.status == 75, "\(ingest.stdout)")
        #expect(ingest.stdout.isEmpty, "\(ingest.stdout)")
        #expect(ingest.stderr.split(separator: "\n").count == 1, "\(ingest.stderr)")
        #expect(ingest.stderr.contains("read-only"), "\(ingest.stderr)")
        #expect(try Data(contentsOf: database) == before)
        #expect(ws.sink.messages().isEmpty, "a read-only copy never sends")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: copy.appendingPathComponent(".liaison").path)
        #expect(!leftovers.contains { $0.hasSuffix("-shm") || $0.hasSuffix("-wal") })
    }

    /// A second coordinator shares a workspace whose GnuPG home is the first one's alone (mode 0700): as `nobody`
    /// when the tests run as root, else with the home's permissions taken away. `directory sync` names the home,
    /// the user and what it may not do, in one line, and changes nothing; it used to say the key files held no key.
    @Test func aGnuPGHomeThisUserCannotUseIsNamedAndNothingIsSynced() throws {
        // The workspace signs with a key of its home (doctor checks it).
        let temp = try TemporaryWorkspace(configuration: TemporaryWorkspace.defaultConfiguration.replacingOccurrences(
            of: "  organization: test-csirt\n", with: "  organization: test-csirt\n  signing_key: 0123456789ABCDEF0123456789ABCDEF01234567\n"))
        defer {
            _ = try? runProcess("/bin/chmod", ["-R", "u+rwX", temp.root.path])
            temp.remove()
        }
        let keys = try TemporaryWorkspace.generateKeys([.init(userId: "PSIRT <psirt@aozora.example>"),
                                                        .init(userId: "PSIRT <psirt@hikari.example>")])
        try temp.writeKey(keys[0])
        try temp.writeOrganization("aozora", TemporaryWorkspace.organizationYAML(id: "aozora", pgp: keys[0].fingerprint))
        let first = try runLiaison(["directory", "sync"], workspace: temp.root)
        #expect(first.status == 0, "\(first.stderr)")
        // A new developer and its key: the next sync imports the key into the home.
        try temp.writeKey(keys[1])
        try temp.writeOrganization("hikari", TemporaryWorkspace.organizationYAML(id: "hikari", pgp: keys[1].fingerprint))

        let asRoot = geteuid() == 0
        func run(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
            guard asRoot else {
                let result = try runLiaison(args, workspace: temp.root)
                return (result.status, result.stdout, result.stderr)
            }
            let result = try runProcess("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--",
                                                             try LiaisonExecutable.url().path] + args,
                                        environment: ["HOME": "/nonexistent", "LC_ALL": "C.UTF-8", "LIAISON_ACTOR": "second",
                                                      "LIAISON_WORKSPACE": temp.root.path])
            return (result.status, String(decoding: result.stdout, as: UTF8.self), result.stderr)
        }
        func sync() throws -> (status: Int32, stderr: String) {
            let result = try run(["directory", "sync"])
            return (result.status, result.stderr)
        }
        let home = temp.gnupgHome.path
        if asRoot {
            // Everything the second user needs is theirs to write, but the home.
            #expect(try runProcess("/bin/chmod", ["-R", "a+rwX", temp.root.path]).status == 0)
        }
        let user = asRoot ? "nobody" : (String(validatingCString: getpwuid(geteuid()).pointee.pw_name) ?? "")
        for (mode, wanted) in [("700", "read"), ("755", "written")] {
            // As the owner, the home is taken away from the owner itself.
            #expect(try runProcess("/bin/chmod", [asRoot ? mode : (mode == "700" ? "000" : "555"), home]).status == 0)
            let refused = try sync()
            #expect(refused.status == 1, "\(mode): \(refused.stderr)")
            #expect(refused.stderr.split(separator: "\n").count == 1, "\(mode): \(refused.stderr)")
            #expect(refused.stderr.contains("The GnuPG home directory \(home) cannot be \(wanted) by this user (\(user)"), "\(mode): \(refused.stderr)")
            if asRoot { #expect(refused.stderr.contains("it belongs to root, mode \(mode)"), "\(mode): \(refused.stderr)") }
            #expect(!refused.stderr.contains("holds no OpenPGP key"), "\(mode): \(refused.stderr)")
            if mode == "700" {
                // doctor names it too, and does not send the user to `key setup`, which cannot mend it.
                let doctor = try run(["doctor"])
                let line = doctor.stdout.split(separator: "\n").first { $0.hasPrefix("FAIL signing key: ") }.map(String.init) ?? ""
                #expect(line.contains("cannot be read by this user (\(user)") && !line.contains("key setup"), "\(doctor.stdout)")
            }
        }
        // ingest would leave every signature unchecked: nothing is read, EX_TEMPFAIL so that the MTA keeps the mail.
        #expect(try runProcess("/bin/chmod", [asRoot ? "700" : "000", home]).status == 0)
        let reply = "From: psirt@aozora.example\r\nSubject: Re: notice\r\nMessage-ID: <r1@aozora.example>\r\n\r\nStatus: fixed\r\n"
        let ingest = asRoot
            ? try runProcess("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--",
                                                  try LiaisonExecutable.url().path, "ingest", "-"], input: Data(reply.utf8),
                             environment: ["HOME": "/nonexistent", "LC_ALL": "C.UTF-8", "LIAISON_WORKSPACE": temp.root.path])
            : try runProcess(try LiaisonExecutable.url().path, ["ingest", "-"], input: Data(reply.utf8),
                             environment: ["LC_ALL": "C.UTF-8", "LIAISON_WORKSPACE": temp.root.path])
        #expect(ingest.status == 75, "\(ingest.stderr)")
        #expect(ingest.stderr.split(separator: "\n").count == 1, "\(ingest.stderr)")
        #expect(ingest.stderr.contains("The GnuPG home directory \(home) cannot be read by this user (\(user)")
                && ingest.stderr.contains("No reply is read or assigned while it is so."), "\(ingest.stderr)")
        #expect(try runProcess("/bin/chmod", ["700", home]).status == 0)
        let inbox = try runLiaison(["inbox", "--format", "json"], workspace: temp.root)
        let stored = try JSONSerialization.jsonObject(with: Data(inbox.stdout.utf8)) as? [Any]
        #expect(stored?.isEmpty == true, "nothing stored: \(inbox.stdout)\(inbox.stderr)")
        // Nothing was synced: hikari is not in the registry until the owner syncs.
        let list = try runLiaison(["org", "list"], workspace: temp.root)
        #expect(!list.stdout.contains("hikari"), "\(list.stdout)")
        let owner = try runLiaison(["directory", "sync"], workspace: temp.root)
        #expect(owner.status == 0, "\(owner.stderr)")
        #expect(try runLiaison(["org", "list"], workspace: temp.root).stdout.contains("hikari"))
    }

    @Test func aBusyDatabaseMakesAWriteWaitNamingTheHolder() throws {
        let temp = try TemporaryWorkspace()
        defer { temp.remove() }
        #expect(try runLiaison(["directory", "sync"], workspace: temp.root).status == 0)
        let holder = try LockHolderScript(database: temp.root.appendingPathComponent(".liaison/registry.sqlite"))
        defer { holder.stop() }
        try holder.waitUntilLocked()

        let open = try LiaisonProcess(["case", "open", Self.caseId, "--title", "Held", "--origin", "jvn-jp"], workspace: temp.root)
        #expect(waitUntil(timeout: 60) { open.stderrSoFar.contains("Waiting for the registry database") }, "\(open.stderrSoFar)")
        #expect(open.isRunning, "it waits instead of failing")
        // Reading commands are not held up by a writer.
        let list = try runLiaison(["case", "list"], workspace: temp.root)
        #expect(list.status == 0, "\(list.stderr)")
        holder.release()
        let result = try open.wait()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("opened \(Self.caseId)"))
        #expect(result.errorLines.count == 1, "said once: \(result.stderr)")
        #expect(result.stderr.contains("process \(holder.pid) ("), "\(result.stderr)")
        #expect(result.stderr.contains("hold-lock.py"), "\(result.stderr)")
        #expect(try runLiaison(["audit", "verify"], workspace: temp.root).status == 0)
    }

    @Test func aFullDiskIsOneLineAndLosesNothing() throws {
        guard geteuid() == 0 else { return }   // mounting a small file system needs root
        let temp = try TemporaryWorkspace()
        defer { temp.remove() }
        let state = temp.root.appendingPathComponent(".liaison")
        let mounted = try runProcess("/bin/mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", state.path])
        guard mounted.status == 0 else { return }   // no mount in this container: nothing to test
        defer { _ = try? runProcess("/bin/umount", [state.path]) }
        #expect(try runLiaison(["directory", "sync"], workspace: temp.root).status == 0)
        let opened = try runLiaison(["case", "open", "JVNVU#11111111", "--title", "Before", "--origin", "jvn-jp"], workspace: temp.root)
        #expect(opened.status == 0, "\(opened.stderr)")
        // Fill what is left of the file system.
        let filler = state.appendingPathComponent("filler")
        _ = try runProcess("/bin/dd", ["if=/dev/zero", "of=\(filler.path)", "bs=64k"])
        // Leave room to open the database (its 32 KiB -shm) but not for a 100 KB write.
        #expect(try runProcess("/usr/bin/truncate", ["-s", "-64K", filler.path]).status == 0)
        let full = try runLiaison(["case", "open", Self.caseId, "--title", String(repeating: "x", count: 100_000), "--origin", "jvn-jp"],
                                  workspace: temp.root)
        #expect(full.status == 1)
        #expect(full.stderr.split(separator: "\n").count == 1, "\(full.stderr)")
        #expect(full.stderr.contains("is full"), "\(full.stderr)")
        try FileManager.default.removeItem(at: filler)
        let list = try runLiaison(["case", "list"], workspace: temp.root)
        #expect(list.stdout.contains("JVNVU#11111111"))
        #expect(!list.stdout.contains(Self.caseId))
        let verify = try runLiaison(["audit", "verify"], workspace: temp.root)
        #expect(verify.status == 0, "\(verify.stderr)")
    }
}

/// This quarter as `report quarter` takes it (`2026Q4`).
enum CommandLineQuarter {
    static var current: String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month], from: Date())
        return "\(parts.year!)Q\((parts.month! - 1) / 3 + 1)"
    }
}

/// Another process holding the registry's write lock: python3's sqlite3 in `BEGIN IMMEDIATE` until its
/// standard input is closed.
final class LockHolderScript {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let folder: URL

    /// `beforeCommit`: one SQL statement the script runs in its transaction just before committing, the change
    /// another process makes while a command waits for the lock.
    init(database: URL, beforeCommit: String = "") throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-holder-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let script = folder.appendingPathComponent("hold-lock.py")
        do { try Data("""
            import sqlite3, sys
            connection = sqlite3.connect(sys.argv[1], isolation_level=None)
            connection.execute("BEGIN IMMEDIATE")
            print("locked", flush=True)
            sys.stdin.read()
            if sys.argv[2]:
                connection.execute(sys.argv[2])
            connection.execute("COMMIT")
            print("released", flush=True)

            """.utf8).write(to: script) } catch {
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script.path, database.path, beforeCommit]
        process.standardInput = input
        process.standardOutput = output
        do { try process.run() } catch {
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
    }

    var pid: Int32 { process.processIdentifier }

    /// Returns once the script says it holds the lock.
    func waitUntilLocked() throws {
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("locked") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw LockHolderFailed() }
            seen += chunk
        }
    }

    /// Lets the script commit and end.
    func release() {
        try? input.fileHandleForWriting.close()
    }

    func stop() {
        release()
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: folder)
    }
}

struct LockHolderFailed: Error, CustomStringConvertible {
    var description: String { "the lock-holding script ended before taking the lock" }
}
