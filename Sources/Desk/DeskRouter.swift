@_spi(Internal) import Hummingbird
import Synchronization

/// The desk's router as the route files see it: every route goes to Hummingbird's router, and its path and method
/// are also kept, so that a request for a path the desk serves with another method is answered 405 with an `Allow`
/// header (RFC 9110 §15.5.6) rather than 404.
public final class DeskRouter: RouterMethods {
    public typealias Context = DeskRequestContext
    let router: Router<DeskRequestContext>
    private var methods: [String: DeskAllowedMethods] = [:]
    private var builder = RouterPathTrieBuilder<DeskAllowedMethods>()

    init(_ router: Router<DeskRequestContext>) { self.router = router }

    @discardableResult
    public func on<Responder: HTTPResponder>(_ path: RouterPath, method: HTTPRequest.Method, responder: Responder) -> Self
    where Responder.Context == DeskRequestContext {
        router.on(path, method: method, responder: responder)
        let box = methods[path.description] ?? DeskAllowedMethods()
        methods[path.description] = box
        box.add(method.rawValue)
        if method == .get { box.add("HEAD") }
        builder.addEntry(path, value: box)
        return self
    }

    @discardableResult
    public func add(middleware: any MiddlewareProtocol<Request, Response, DeskRequestContext>) -> Self {
        router.add(middleware: middleware)
        return self
    }

    /// The methods the desk serves at each path, once every route is registered.
    func allowedMethods() -> RouterTrie<DeskAllowedMethods> { builder.build() }
}

/// The methods of one path (`GET, HEAD, POST`).
final class DeskAllowedMethods: Sendable {
    private let names = Mutex<Set<String>>([])
    func add(_ name: String) { _ = names.withLock { $0.insert(name) } }
    /// In a stable order, for the `Allow` header.
    var list: [String] { names.withLock { $0.sorted() } }
}
