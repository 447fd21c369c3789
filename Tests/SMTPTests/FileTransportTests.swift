import Foundation
import SMTP
import Testing

@Suite struct FileTransportTests {
    private func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("file-transport-\(UUID().uuidString)")
            .appendingPathComponent("nested", isDirectory: true)
    }

    @Test func writesTheExactBytesNamedByMessageID() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        let message = testMessage(id: "<20250401.1234@csirt.test>", to: ["a@vendor.test", "b@vendor.test"])

        let report = FileTransport(directory: directory).send([message])[0]

        #expect(report.allAccepted)
        #expect(report.outcomes.map(\.recipient) == ["a@vendor.test", "b@vendor.test"])
        let file = directory.appendingPathComponent("20250401.1234@csirt.test.eml")
        #expect(try Data(contentsOf: file) == message.bytes)
    }

    @Test func hostileMessageIDsStayInsideTheDirectory() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        let transport = FileTransport(directory: directory)
        let ids = ["<../../escape@x>", "<a/b@x>", "<a_b@x>", "", "<.hidden@x>"]

        let reports = transport.send(ids.map { testMessage(id: $0, to: ["a@vendor.test"]) })

        #expect(reports.allSatisfy { $0.allAccepted })
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(files.count == ids.count)  // no two IDs share a file
        #expect(files.allSatisfy { !$0.hasPrefix(".") && !$0.contains("/") && $0.hasSuffix(".eml") })
        for id in ids {
            #expect(transport.fileURL(forMessageID: id).deletingLastPathComponent().standardizedFileURL.path
                == directory.standardizedFileURL.path)
        }
    }

    @Test func unwritableDirectoryIsTransientFailure() throws {
        let blocker = FileManager.default.temporaryDirectory.appendingPathComponent("blocker-\(UUID().uuidString)")
        try Data("a file, not a folder".utf8).write(to: blocker)
        defer { try? FileManager.default.removeItem(at: blocker) }

        let report = FileTransport(directory: blocker.appendingPathComponent("outbox")).send([
            testMessage(to: ["a@vendor.test"]),
        ])[0]

        #expect(report.error == .fileWriteFailed)
        #expect(report.error?.description.contains(blocker.lastPathComponent) == true)
        #expect(report.anyTransient)
    }
}
