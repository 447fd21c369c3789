import CCurl
import Foundation

/// The libcurl options every IMAP handle of this module shares, and typed setters over the C shim.
enum IMAPCurl {
    /// curl_global_init, run once per process before the first handle.
    static let initialization: CURLcode = liaison_curl_global_init()

    /// Protocol, TLS policy, CA, login and timeouts.
    static func setConnectionOptions(_ handle: UnsafeMutableRawPointer, configuration: IMAPConfiguration,
                                     endpoint: IMAPConfiguration.Endpoint) throws(CurlOptionError) {
        // STARTTLS or nothing for imap://; imaps:// is TLS from the first byte.
        let useSSL = configuration.tls == .required || endpoint.implicitTLS ? CURLUSESSL_ALL : CURLUSESSL_NONE
        var refused = CURLOPT_PROTOCOLS_STR
        let result = liaison_curl_setopt_mail_session(
            handle, "imap,imaps", Int(useSSL.rawValue), configuration.caFile, endpoint.username, configuration.password,
            Int((configuration.connectTimeout * 1000).rounded(.up)), 1, Int(configuration.lowSpeedTime.rounded(.up)),
            &refused)
        try check(result, refused)
    }

    static func set(_ handle: UnsafeMutableRawPointer, _ option: CURLoption, _ value: Int) throws(CurlOptionError) {
        try check(liaison_curl_setopt_long(handle, option, value), option)
    }

    static func set(_ handle: UnsafeMutableRawPointer, _ option: CURLoption, _ value: String?) throws(CurlOptionError) {
        try check(liaison_curl_setopt_string(handle, option, value), option)
    }

    static func set(_ handle: UnsafeMutableRawPointer, _ option: CURLoption,
                    pointer: UnsafeMutableRawPointer?) throws(CurlOptionError) {
        try check(liaison_curl_setopt_pointer(handle, option, pointer), option)
    }

    static func check(_ result: CURLcode, _ option: CURLoption) throws(CurlOptionError) {
        guard result == CURLE_OK else {
            throw CurlOptionError(option: Int(option.rawValue), reason: String(cString: curl_easy_strerror(result)))
        }
    }
}

/// libcurl refused an option (a libcurl built without a feature this module needs).
struct CurlOptionError: Error, CustomStringConvertible {
    let option: Int
    let reason: String
    var description: String { "libcurl refused option \(option): \(reason)" }
}
