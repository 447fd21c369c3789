import Testing
@testable import Desk

@Suite struct DeskServerTests {
    @Test func listensOnLoopbackByDefault() {
        #expect(DeskServer.defaultListen.hasPrefix("127.0.0.1:"))
    }
}
