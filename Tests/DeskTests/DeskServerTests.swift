import Testing
import TestSupport
@testable import Desk

@Suite(.serialized) struct DeskServerTests {
    @Test func listensOnLoopbackByDefault() {
        #expect(DeskServer.defaultListen.hasPrefix("127.0.0.1:"))
    }

    /// `liaison serve` that cannot start says why in one line and exits with status 1.
    @Test func startUpFailuresAreOneClearLine() throws {
        let fixture = try DeskFixture()
        defer { fixture.remove() }
        let taken = "127.0.0.1:\(fixture.server.port)"
        let cases: [(String, String)] = [
            (taken, "\(taken) is already in use (another liaison serve?)"),
            ("999.1.1.1:0", "999.1.1.1 is not a known host name or address"),
            ("8.8.8.8:0", "8.8.8.8 is not an address of this machine"),
            ("http://127.0.0.1:0", "Error: --listen: http://127.0.0.1:0 is not HOST:PORT: give the address without a scheme"),
            ("bogus", "Error: --listen: bogus is not HOST:PORT, such as 127.0.0.1:8080"),
            (":8080", "Error: --listen: :8080: the host is missing"),
        ]
        for (listen, line) in cases {
            let result = try runLiaison(["serve", "--listen", listen], workspace: fixture.root)
            #expect(result.status != 0, "\(listen)")
            let first = result.stderr.split(separator: "\n").first.map(String.init) ?? ""
            #expect(first.hasPrefix(line), "\(listen): \(first)")
            #expect(!result.stderr.contains("errno"), "\(listen)")
            #expect(!result.stderr.contains("SocketAddressError"), "\(listen)")
        }
        #expect(fixture.server.isRunning)
    }
}
