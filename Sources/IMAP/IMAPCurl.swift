import CCurl
import Foundation

/// The libcurl options every IMAP handle of this module shares, and typed setters over the C shim.
enum IMAPCurl {
    /// curl_global_init, run once per process before the first handle.
    static let initialization: CURLcode = liaison_curl_global_init()

    /// Protocol, TLS policy, CA, login and timeouts.
    static func setConnectionOptions(_ handle: UnsafeMutableRawPointer, configuration: IMAPConfiguration,
                                     endpoint: IMAPConfiguration.Endpoint) throws(CurlOptionError) {
        try set(handle, CURLOPT_PROTOCOLS_STR, "imap,imaps")
        try set(handle, CURLOPT_NOSIGNAL, 1)
        // STARTTLS or nothing for imap://; imaps:// is TLS from the first byte.
        let useSSL = configuration.tls == .required || endpoint.implicitTLS ? CURLUSESSL_ALL : CURLUSESSL_NONE
        try set(handle, CURLOPT_USE_SSL, Int(useSSL.rawValue))
        try set(handle, CURLOPT_SSL_VERIFYPEER, 1)
        try set(handle, CURLOPT_SSL_VERIFYHOST, 2)
        if let caFile = configuration.caFile { try set(handle, CURLOPT_CAINFO, caFile) }
        try set(handle, CURLOPT_USERNAME, endpoint.username)
        try set(handle, CURLOPT_PASSWORD, configuration.password)
        try set(handle, CURLOPT_SASL_IR, 1)
        try set(handle, CURLOPT_CONNECTTIMEOUT_MS, Int((configuration.connectTimeout * 1000).rounded(.up)))
        try set(handle, CURLOPT_LOW_SPEED_LIMIT, 1)
        try set(handle, CURLOPT_LOW_SPEED_TIME, Int(configuration.lowSpeedTime.rounded(.up)))
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
