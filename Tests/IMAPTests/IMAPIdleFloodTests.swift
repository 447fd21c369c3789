import Foundation
import IMAP
import Testing
import TestSupport

/// A server that floods an IDLE connection with untagged lines: the wait ends at once, without a core kept busy
/// for the whole IDLE period, and the session polls from then on.
@Suite(.serialized) struct IMAPIdleFloodTests {
    @Test func aFloodedIdleEndsAtOnceAndIsNotUsedAgain() throws {
        // Half as many lines again as the limit, never news: once the client has had enough it says DONE and waits
        // for the tagged answer, so the server reads that DONE before the connection ends (a flood without end would
        // race the client's hang-up, whose reset can drop the DONE unread).
        let server = try FaultyIMAPServer.start(.init(idleFlood: IMAPSession.idleLineLimit * 3 / 2))
        defer { server.stop() }
        try server.deliver(uid: 1, IMAPFixture.message(1))
        let session = try IMAPSession(configuration: IMAPConfiguration(url: server.url, tls: .none,
                                                                       password: server.password))
        let status = try session.examine()
        #expect(session.offersIdle)

        let cpuBefore = Self.processorSeconds()
        let started = Date()
        // Nothing arrives: a well-behaved server would keep this IDLE for 60 s.
        let wake = try session.idle(upTo: 60, knownUIDNext: status.uidNext, shouldStop: { false })
        let elapsed = Date().timeIntervalSince(started)
        #expect(wake, "a flooded IDLE hands over to a normal pass")
        #expect(elapsed < 10, "IDLE ended after \(elapsed) s")
        #expect(Self.processorSeconds() - cpuBefore < 10)
        #expect(!session.offersIdle, "after a flood the session polls")
        // The server logs the DONE it received: wait for that line rather than for a while.
        let deadline = Date().addingTimeInterval(10)
        while !server.commands().contains(where: { $0.hasPrefix("DONE after") }) && Date() < deadline { usleep(20_000) }
        #expect(server.commands().contains { $0.hasPrefix("DONE after") }, "\(server.commands())")
    }

    /// User and system time of this process, in seconds.
    static func processorSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1_000_000
    }
}
