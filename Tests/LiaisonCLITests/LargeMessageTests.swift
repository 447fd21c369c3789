import Foundation
import Testing
import TestSupport

/// A reply far larger than `ingest.max_read_bytes` (a log file attached) is stored byte for byte without ever being
/// held whole: the peak memory of `liaison ingest` stays a fixed allowance above that of a small message, the
/// reply still matches its notification from its readable window, and it is listed for review when that window
/// says nothing clear.
@Suite struct LargeMessageTests {
    static let caseId = "JVNVU#20261206"
    /// About 50 MB of base64 lines: far above the 10 MB default, as a large attachment arrives.
    static let attachmentBytes = 48 * 1024 * 1024

    static func reply(from org: String, id: String, inReplyTo: String, subject: String, text: String) -> Data {
        let line = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx\r\n"
        var message = Data("""
            From: PSIRT <psirt@\(org).example>\r
            To: vuls@csirt.example\r
            Subject: \(subject)\r
            Date: Sat, 05 Dec 2026 10:00:00 +0000\r
            Message-ID: <\(id)>\r
            In-Reply-To: <\(inReplyTo)>\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="b1"\r
            \r
            --b1\r
            Content-Type: text/plain; charset=utf-8\r
            \r
            \(text)\r
            --b1\r
            Content-Type: application/octet-stream; name="logs.bin"\r
            Content-Disposition: attachment; filename="logs.bin"\r
            Content-Transfer-Encoding: base64\r
            \r

            """.utf8)
        message.append(Data(String(repeating: line, count: attachmentBytes / line.utf8.count).utf8))
        message.append(Data("--b1--\r\n".utf8))
        return message
    }

    @Test func aFiftyMegabyteReplyIsStoredWhole_matchedAndReadWithinABoundedMemory() throws {
        let n = try NotifiedCase(caseId: Self.caseId, developers: ["aozora", "kumo"])
        let aozora = try n.notice("aozora"), kumo = try n.notice("kumo")
        let stated = Self.reply(from: "aozora", id: "big-1@aozora.example", inReplyTo: aozora.messageId,
                                subject: "Re: " + aozora.subject, text: "Status: not affected\r\n\r\nLogs attached.")
        let unclear = Self.reply(from: "kumo", id: "big-2@kumo.example", inReplyTo: kumo.messageId,
                                 subject: "Re: " + kumo.subject, text: "Please find our logs attached.")
        let maildir = n.ws.root.appendingPathComponent("Maildir")
        for sub in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(at: maildir.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        try stated.write(to: maildir.appendingPathComponent("new/1765000000.1.host"))
        try unclear.write(to: maildir.appendingPathComponent("new/1765000001.2.host"))

        // What the same command takes for a small message: the allowance is measured from there.
        let small = n.ws.root.appendingPathComponent("Small")
        for sub in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(at: small.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        try Data("From: someone@elsewhere.example\r\nSubject: hello\r\nMessage-ID: <small@elsewhere.example>\r\n\r\nhi\r\n".utf8)
            .write(to: small.appendingPathComponent("new/1765000002.3.host"))
        let baseline = try MeasuredRun(["ingest", "--maildir", small.path], workspace: n.ws.root)
        #expect(baseline.status == 0, "\(baseline.stderr)")

        let run = try MeasuredRun(["ingest", "--maildir", maildir.path], workspace: n.ws.root)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("read 2: 2 matched"), "\(run.stdout)")
        // Read whole, two 50 MB messages took about five times their size (250 MB) above the baseline. Bounded,
        // each takes its readable window and the windows it is copied in: a fixed allowance, whatever its size.
        #expect(run.peakKiB < baseline.peakKiB + 40 * 1024, "peak \(run.peakKiB) KiB, small message \(baseline.peakKiB) KiB")

        // The stated reply matched its notification from its window and was applied; it is not listed.
        let participants = try n.participants()
        #expect(participants["aozora"]?["response"] as? String == "not-affected")
        // The other says nothing that can be read: stored as received and listed for a person.
        let megabytes = Int((Double(unclear.count) / 1_000_000).rounded())
        let review = try n.ws.liaison(["inbox", "--review"])
        #expect(review.stdout.contains("too big to read in full (\(megabytes) MB): stored as received"), "\(review.stdout)")
        #expect(!review.stdout.contains("aozora"), "\(review.stdout)")

        // A person who read it sets its status in one step; that too reads only its first window.
        let assign = try MeasuredRun(["inbox", "assign", "big-2@kumo.example", Self.caseId, "kumo", "--response", "fixed"],
                                     workspace: n.ws.root)
        #expect(assign.status == 0, "\(assign.stdout)\(assign.stderr)")
        #expect(try n.participants()["kumo"]?["response"] as? String == "fixed")
        #expect(assign.peakKiB < baseline.peakKiB + 40 * 1024, "peak \(assign.peakKiB) KiB, small message \(baseline.peakKiB) KiB")

        // Shown as far as its first window goes, never loaded whole.
        let show = try MeasuredRun(["inbox", "show", "big-2@kumo.example"], workspace: n.ws.root)
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.contains("size         \(unclear.count) bytes: too big to read in full"), "\(show.stdout)")
        #expect(show.stdout.contains("Please find our logs attached."), "\(show.stdout)")
        #expect(show.peakKiB < baseline.peakKiB + 40 * 1024, "peak \(show.peakKiB) KiB, small message \(baseline.peakKiB) KiB")

        // Stored byte for byte.
        #expect(try Self.storedDigest(n.ws, messageId: "big-1@aozora.example") == Self.sha256(stated))
        #expect(try Self.storedDigest(n.ws, messageId: "big-2@kumo.example") == Self.sha256(unclear))

        // Read again, from the Maildir or delivered once more on standard input: recognised, nothing changes.
        let again = try n.ws.liaison(["ingest", "--maildir", maildir.path])
        #expect(again.status == 0 && again.stdout.contains("2 already read"), "\(again.stdout)\(again.stderr)")
        let input = n.ws.root.appendingPathComponent("again.eml")
        try unclear.write(to: input)
        let stdin = try MeasuredRun(["ingest", "-"], workspace: n.ws.root, input: input)
        #expect(stdin.status == 0 && stdin.stdout.contains("1 already read"), "\(stdin.stdout)\(stdin.stderr)")
        #expect(stdin.peakKiB < baseline.peakKiB + 40 * 1024, "peak \(stdin.peakKiB) KiB, small message \(baseline.peakKiB) KiB")
        let mbox = n.ws.root.appendingPathComponent("again.mbox")
        var text = Data()
        for message in [stated, unclear] {
            text.append(Data("From psirt@vendor.example Sat Dec  5 10:00:00 2026\n".utf8) + message + Data("\n".utf8))
        }
        try text.write(to: mbox)
        let fromMbox = try MeasuredRun(["ingest", "--mbox", mbox.path], workspace: n.ws.root)
        #expect(fromMbox.status == 0 && fromMbox.stdout.contains("2 already read"), "\(fromMbox.stdout)\(fromMbox.stderr)")
        #expect(fromMbox.peakKiB < baseline.peakKiB + 40 * 1024, "peak \(fromMbox.peakKiB) KiB, small message \(baseline.peakKiB) KiB")
        print("peak resident memory, KiB: small message \(baseline.peakKiB), two large from a Maildir \(run.peakKiB), "
              + "large on standard input \(stdin.peakKiB), two large from an mbox \(fromMbox.peakKiB), assigned \(assign.peakKiB), shown \(show.peakKiB)")
    }

    @Test func aLargeDeliveryReportReturningTheWholeMessageStillBouncesItsRecipient() throws {
        let n = try NotifiedCase(caseId: Self.caseId, developers: ["aozora", "sakura"])
        let sakura = try n.notice("sakura")
        // The report comes first; the returned message (with a 48 MiB attachment of its own) follows it.
        let returned = Self.reply(from: "csirt", id: sakura.messageId, inReplyTo: "none@csirt.example", subject: sakura.subject,
                                  text: "(our notice)")
        var report = Data("""
            From: MAILER-DAEMON@mx.sakura.example (Mail Delivery System)
            To: vuls@csirt.example
            Subject: Undelivered Mail Returned to Sender
            Date: Sat, 05 Dec 2026 12:00:00 +0000
            Message-ID: <big-bounce@mx.sakura.example>
            Auto-Submitted: auto-replied
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status; boundary="r1"
            
            --r1
            Content-Type: text/plain; charset=us-ascii
            
            Your message could not be delivered.
            
            --r1
            Content-Type: message/delivery-status
            
            Reporting-MTA: dns; mx.sakura.example
            
            Final-Recipient: rfc822; psirt@sakura.example
            Action: failed
            Status: 5.1.1
            Diagnostic-Code: smtp; 550 5.1.1 User unknown
            
            --r1
            Content-Type: message/rfc822
            

            """.utf8)
        report.append(returned)
        report.append(Data("--r1--\r\n".utf8))
        let input = n.ws.root.appendingPathComponent("bounce.eml")
        try report.write(to: input)
        let run = try MeasuredRun(["ingest", "-"], workspace: n.ws.root, input: input)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("1 bounce,"), "\(run.stdout)")
        #expect(try n.participants()["sakura"]?["delivery"] as? String == "undeliverable")
        #expect(try n.participants()["aozora"]?["delivery"] as? String == "notified")
        #expect(try Self.storedDigest(n.ws, messageId: "big-bounce@mx.sakura.example") == Self.sha256(report))
        #expect(run.peakKiB < 120 * 1024, "peak \(run.peakKiB) KiB for a \(report.count)-byte report")
    }

    static func sha256(_ data: Data) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-large-\(UUID().uuidString)")
        try data.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try runProcess("/usr/bin/sha256sum", [file.path])
        return String(String(decoding: result.stdout, as: UTF8.self).prefix(64))
    }

    /// The SHA-256 of the bytes the registry holds for a message, read with Python's sqlite3.
    static func storedDigest(_ ws: GatewayWorkspace, messageId: String) throws -> String {
        let script = """
            import hashlib, sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            row = db.execute("SELECT COALESCE(b.bytes, m.bytes) FROM inboundMessage m "
                             "LEFT JOIN inboundMessageBody b ON b.messageRowId = m.id WHERE m.messageId = ?", (sys.argv[2],)).fetchone()
            print(hashlib.sha256(row[0]).hexdigest() if row else "none")
            """
        let result = try runProcess("/usr/bin/python3", ["-c", script, ws.root.appendingPathComponent(".liaison/registry.sqlite").path,
                                                         messageId])
        return String(decoding: result.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// `liaison ARGS` run to its end under GNU time (`/usr/bin/time -f %M`), for the peak resident memory the kernel
/// counted for it. Not spawned from the test process directly: a child started by `posix_spawn` shares this
/// process's memory until its exec, and the kernel counts that high-water mark as the child's own.
struct MeasuredRun {
    let status: Int32
    let stdout: String
    let stderr: String
    /// Peak resident set size, KiB.
    let peakKiB: Int

    init(_ args: [String], workspace: URL, input: URL? = nil) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-measured-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let peakFile = folder.appendingPathComponent("peak")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        process.arguments = ["-o", peakFile.path, "-f", "%M", try LiaisonExecutable.url().path] + args
        var environment = ProcessInfo.processInfo.environment
        environment["LIAISON_WORKSPACE"] = workspace.path
        environment["LIAISON_ACTOR"] = "test"
        environment["LC_ALL"] = "C.UTF-8"
        environment.removeValue(forKey: "LIAISON_LOG_LEVEL")
        process.environment = environment
        let out = folder.appendingPathComponent("stdout"), err = folder.appendingPathComponent("stderr")
        for file in [out, err] { try Data().write(to: file) }
        process.standardInput = try input.map { try FileHandle(forReadingFrom: $0) } ?? FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        status = process.terminationStatus
        stdout = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        stderr = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        // GNU time writes "Command exited with non-zero status N" before the figure when the command failed.
        let lines = ((try? String(contentsOf: peakFile, encoding: .utf8)) ?? "").split(separator: "\n")
        guard let peak = lines.last.flatMap({ Int($0) }) else { throw FixtureError("/usr/bin/time gave no figure: \(lines)") }
        peakKiB = peak
    }
}
