import CCurl

/// What a failed libcurl transfer means for a user, the same for SMTP, IMAP and HTTPS; each protocol's error type
/// maps these to its own sentences (and refines them with what its dialogue saw).
///
/// ```swift
/// switch TransportFailure(result) {
/// case .certificate: return .certificate(server: server, reason: detail)
/// …
/// }
/// ```
public enum TransportFailure: Sendable, Equatable {
    /// The TCP connection could not be made (refused, unreachable, name not resolved).
    case connectionFailed
    /// The server did not answer in time.
    case timeout
    /// TLS is required and the server did not offer STARTTLS.
    case startTLSNotOffered
    /// The server's certificate is not trusted or does not name the host.
    case certificate
    /// The CA file could not be used.
    case caFileUnreadable
    /// The TLS handshake failed for a reason other than the certificate.
    case tlsHandshake
    /// The server refused the login (libcurl also says so for a refused IMAP SELECT).
    case loginDenied
    /// The server refused the command (a tagged NO, a missing resource).
    case refused
    /// The connection broke, or the server said something that is not the protocol.
    case connectionLost
    /// A body larger than allowed.
    case tooLarge
    /// The transfer was aborted by a callback (a write that failed, a stop asked for).
    case aborted
    /// The URL's scheme is not allowed, or the URL is malformed.
    case unsupportedURL
    /// Anything else.
    case other

    /// The meaning of libcurl's `code` (never CURLE_OK).
    public init(_ code: CURLcode) {
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: self = .connectionFailed
        case CURLE_OPERATION_TIMEDOUT: self = .timeout
        case CURLE_USE_SSL_FAILED: self = .startTLSNotOffered
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS: self = .certificate
        case CURLE_SSL_CACERT_BADFILE: self = .caFileUnreadable
        case CURLE_SSL_CONNECT_ERROR, CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_CIPHER: self = .tlsHandshake
        case CURLE_LOGIN_DENIED: self = .loginDenied
        case CURLE_QUOTE_ERROR, CURLE_REMOTE_FILE_NOT_FOUND: self = .refused
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_WEIRD_SERVER_REPLY, CURLE_PARTIAL_FILE:
            self = .connectionLost
        case CURLE_FILESIZE_EXCEEDED: self = .tooLarge
        case CURLE_WRITE_ERROR, CURLE_ABORTED_BY_CALLBACK, CURLE_READ_ERROR: self = .aborted
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT: self = .unsupportedURL
        default: self = .other
        }
    }
}
