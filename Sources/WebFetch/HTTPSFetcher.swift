import CCurl
import Foundation
import TransportSecurity

/// What an HTTPS GET returned.
public struct FetchedResource: Sendable, Equatable {
    /// The URL finally fetched, after same-host redirects.
    public var url: String
    /// HTTP status code (2xx: anything else is thrown as `WebFetchError.httpStatus`).
    public var status: Int
    /// The Content-Type header, as sent.
    public var contentType: String?
    public var body: Data
}

/// GETs https:// URLs with libcurl: certificates always verified (system store, or `caFile`), at most
/// `maxBytes` of body, a whole-transfer `timeout`, and redirects followed only within the same host and port
/// (RFC 9116 §3 asks a client not to be led elsewhere).
///
/// ```swift
/// let fetcher = HTTPSFetcher(caFile: "test-ca.pem", maxBytes: 64 * 1024, timeout: 10)
/// let resource = try fetcher.fetch("https://localhost:8443/.well-known/security.txt")
/// ```
public struct HTTPSFetcher: Sendable {
    /// PEM bundle of the certificate authorities to trust instead of the system's.
    public var caFile: String?
    /// Largest body accepted, in bytes.
    public var maxBytes: Int
    /// Seconds for the whole transfer, connection included.
    public var timeout: Double
    /// Same-host redirects followed before giving up.
    public var maxRedirects: Int
    /// libcurl CURLOPT_CONNECT_TO entries, `HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT` (as curl's --connect-to):
    /// the connection goes elsewhere while the URL, the certificate check and the same-host rule keep HOST.
    public var connectTo: [String]

    public init(caFile: String? = nil, maxBytes: Int = 1 << 20, timeout: Double = 15, maxRedirects: Int = 5,
                connectTo: [String] = []) {
        self.caFile = caFile
        self.maxBytes = maxBytes
        self.timeout = timeout
        self.maxRedirects = maxRedirects
        self.connectTo = connectTo
    }

    /// GETs `url`; throws `WebFetchError` for a non-https URL, a failed connection or certificate check, a
    /// timeout, a body over `maxBytes`, a redirect to another host, or a non-2xx status.
    public func fetch(_ url: String) throws(WebFetchError) -> FetchedResource {
        guard let start = URLComponents(string: url), let host = start.host, !host.isEmpty else { throw .invalidURL(url) }
        guard start.scheme?.lowercased() == "https" else { throw .notHTTPS(url) }
        let origin = Self.origin(start)
        var current = url
        for _ in 0...maxRedirects {
            let response = try transfer(current)
            if (300..<400).contains(response.status), let location = response.redirect {
                guard let next = URLComponents(string: location), next.scheme?.lowercased() == "https",
                      Self.origin(next) == origin else {
                    throw .redirectToOtherHost(url, to: location)
                }
                current = location
                continue
            }
            guard (200..<300).contains(response.status) else { throw .httpStatus(current, response.status) }
            return FetchedResource(url: current, status: response.status, contentType: response.contentType, body: response.body)
        }
        throw .tooManyRedirects(url)
    }

    /// host:port, lower-cased, with the https default port made explicit.
    static func origin(_ components: URLComponents) -> String {
        "\((components.host ?? "").lowercased()):\(components.port ?? 443)"
    }

    private struct Response {
        var status: Int
        var redirect: String?
        var contentType: String?
        var body: Data
    }

    /// One GET, no redirect followed.
    private func transfer(_ url: String) throws(WebFetchError) -> Response {
        guard Curl.initialization == CURLE_OK, let handle = curl_easy_init() else {
            throw .transfer(url, "libcurl could not be initialised")
        }
        defer { curl_easy_cleanup(handle) }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        defer { errorBuffer.deallocate() }
        let sink = Unmanaged.passRetained(BodySink(limit: maxBytes))
        defer {
            _ = liaison_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, nil)
            sink.release()
        }
        var connectList: UnsafeMutablePointer<curl_slist>? = nil
        defer {
            _ = liaison_curl_setopt_slist(handle, CURLOPT_CONNECT_TO, nil)
            curl_slist_free_all(connectList)
        }
        for entry in connectTo {
            guard let appended = curl_slist_append(connectList, entry) else { throw .transfer(url, "out of memory") }
            connectList = appended
        }
        let milliseconds = Int((timeout * 1000).rounded(.up))
        var failed: CURLcode = CURLE_OK
        func set(_ option: CURLoption, _ value: Int) { if failed == CURLE_OK { failed = liaison_curl_setopt_long(handle, option, value) } }
        func set(_ option: CURLoption, _ value: String) { if failed == CURLE_OK { failed = liaison_curl_setopt_string(handle, option, value) } }
        set(CURLOPT_URL, url)
        do {
            try Curl.setSecurity(handle, protocols: "https", useTLS: true, caFile: caFile)
        } catch {
            throw .transfer(url, error.description)
        }
        set(CURLOPT_FOLLOWLOCATION, 0)
        set(CURLOPT_TIMEOUT_MS, milliseconds)
        set(CURLOPT_CONNECTTIMEOUT_MS, milliseconds)
        set(CURLOPT_USERAGENT, "Liaison security.txt discovery")
        if failed == CURLE_OK, connectList != nil { failed = liaison_curl_setopt_slist(handle, CURLOPT_CONNECT_TO, connectList) }
        if failed == CURLE_OK { failed = liaison_curl_setopt_off_t(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(maxBytes)) }
        if failed == CURLE_OK { failed = liaison_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer)) }
        if failed == CURLE_OK { failed = liaison_curl_setopt_write_callback(handle, CURLOPT_WRITEFUNCTION, collectBody) }
        if failed == CURLE_OK { failed = liaison_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, sink.toOpaque()) }
        guard failed == CURLE_OK else { throw .transfer(url, String(cString: curl_easy_strerror(failed))) }

        let result = curl_easy_perform(handle)
        let body = sink.takeUnretainedValue()
        if body.exceeded || result == CURLE_FILESIZE_EXCEEDED { throw .tooLarge(url, limit: maxBytes) }
        if result != CURLE_OK {
            let detail = Curl.detail(result, errorBuffer: errorBuffer)
            switch TransportFailure(result) {
            case .timeout: throw .timeout(url, seconds: timeout)
            case .connectionFailed: throw .connection(url, detail)
            // A failed handshake is reported with the certificate: for a web page, both mean "not trusted".
            case .certificate, .tlsHandshake: throw .certificate(url, detail)
            case .caFileUnreadable: throw .caFile(caFile ?? "(system)", detail)
            case .unsupportedURL: throw result == CURLE_URL_MALFORMAT ? .invalidURL(url) : .notHTTPS(url)
            default: throw .transfer(url, detail)
            }
        }
        var status = 0
        _ = liaison_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return Response(status: status, redirect: info(handle, CURLINFO_REDIRECT_URL),
                        contentType: info(handle, CURLINFO_CONTENT_TYPE), body: body.data)
    }

    private func info(_ handle: UnsafeMutableRawPointer, _ item: CURLINFO) -> String? {
        var value: UnsafePointer<CChar>? = nil
        guard liaison_curl_getinfo_string(handle, item, &value) == CURLE_OK, let value else { return nil }
        return String(cString: value)
    }
}

/// Collects the body, refusing to grow past the limit.
private final class BodySink {
    let limit: Int
    var data = Data()
    var exceeded = false

    init(limit: Int) { self.limit = limit }

    func append(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard data.count + bytes.count <= limit else { exceeded = true; return false }
        data.append(contentsOf: bytes)
        return true
    }
}

/// CURLOPT_WRITEFUNCTION: appends a block; returning a different count than offered aborts the transfer.
private let collectBody: curl_write_callback = { buffer, size, count, context in
    guard let buffer, let context else { return 0 }
    let sink = Unmanaged<BodySink>.fromOpaque(context).takeUnretainedValue()
    let total = size * count
    return sink.append(UnsafeRawBufferPointer(start: buffer, count: total)) ? total : 0
}
