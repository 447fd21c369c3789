import Hummingbird

/// `/static/desk.css` and `/static/desk.js`, served from Swift strings; public (the login page needs them).
enum StaticRoutes {
    static func register(on router: DeskRouter, desk: Desk) {
        router.get("/static/desk.css") { _, _ in
            Self.file(DeskStyle.css, type: "text/css; charset=utf-8")
        }
        router.get("/static/desk.js") { _, _ in
            Self.file(DeskScript.js, type: "text/javascript; charset=utf-8")
        }
    }

    static func file(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=300"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
