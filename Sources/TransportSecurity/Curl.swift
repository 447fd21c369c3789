import CCurl

/// The one Swift wrapper over libcurl's C interface (the CCurl module) that SMTP, IMAP and HTTPS share: global
/// initialisation, typed option setters, the security options every transfer sets, and what a failure code means.
/// Handles stay inside the module that created them; this type only passes them to libcurl.
///
/// ```swift
/// guard Curl.initialization == CURLE_OK, let handle = curl_easy_init() else { … }
/// try Curl.set(handle, CURLOPT_URL, url)
/// try Curl.setSecurity(handle, protocols: "https", useTLS: true, caFile: caFile)
/// ```
public enum Curl {
    /// curl_global_init, run once per process before the first handle.
    public static let initialization: CURLcode = liaison_curl_global_init()

    /// Sets a CURLOPTTYPE_LONG option.
    public static func set(_ handle: UnsafeMutableRawPointer, _ option: CURLoption, _ value: Int) throws(CurlOptionError) {
        try check(liaison_curl_setopt_long(handle, option, value), option)
    }

    /// Sets a string option (libcurl copies it; nil resets it).
    public static func set(_ handle: UnsafeMutableRawPointer, _ option: CURLoption, _ value: String?) throws(CurlOptionError) {
        try check(liaison_curl_setopt_string(handle, option, value), option)
    }

    /// Sets a pointer option (a callback's context, the error buffer).
    public static func set(_ handle: UnsafeMutableRawPointer, _ option: CURLoption,
                           pointer: UnsafeMutableRawPointer?) throws(CurlOptionError) {
        try check(liaison_curl_setopt_pointer(handle, option, pointer), option)
    }

    /// Throws `CurlOptionError` unless `result` is CURLE_OK.
    public static func check(_ result: CURLcode, _ option: CURLoption) throws(CurlOptionError) {
        guard result == CURLE_OK else {
            throw CurlOptionError(option: Int(option.rawValue), reason: String(cString: curl_easy_strerror(result)))
        }
    }

    /// The security options of every transfer: only `protocols`, no signals, TLS (`useTLS`: STARTTLS or TLS from
    /// the first byte, required; else none), the peer's certificate and host name always verified, and `caFile`
    /// trusted instead of the system CAs when given.
    public static func setSecurity(_ handle: UnsafeMutableRawPointer, protocols: String, useTLS: Bool,
                                   caFile: String?) throws(CurlOptionError) {
        try set(handle, CURLOPT_PROTOCOLS_STR, protocols)
        try set(handle, CURLOPT_NOSIGNAL, 1)
        try set(handle, CURLOPT_USE_SSL, Int((useTLS ? CURLUSESSL_ALL : CURLUSESSL_NONE).rawValue))
        try set(handle, CURLOPT_SSL_VERIFYPEER, 1)
        try set(handle, CURLOPT_SSL_VERIFYHOST, 2)
        if let caFile { try set(handle, CURLOPT_CAINFO, caFile) }
    }

    /// The options of a mail session (SMTP, IMAP): `setSecurity`, then the login (`username` with `password`,
    /// SASL initial response) when `username` is given, the connect timeout, and the low-speed abort.
    public static func setMailSession(_ handle: UnsafeMutableRawPointer, protocols: String, useTLS: Bool,
                                      caFile: String?, username: String?, password: String?,
                                      connectTimeout: Double, lowSpeedLimit: Int, lowSpeedTime: Double) throws(CurlOptionError) {
        try setSecurity(handle, protocols: protocols, useTLS: useTLS, caFile: caFile)
        if let username {
            try set(handle, CURLOPT_USERNAME, username)
            try set(handle, CURLOPT_PASSWORD, password)
            try set(handle, CURLOPT_SASL_IR, 1)
        }
        try set(handle, CURLOPT_CONNECTTIMEOUT_MS, Int((connectTimeout * 1000).rounded(.up)))
        try set(handle, CURLOPT_LOW_SPEED_LIMIT, lowSpeedLimit)
        try set(handle, CURLOPT_LOW_SPEED_TIME, Int(lowSpeedTime.rounded(.up)))
    }

    /// libcurl's reason for a failed transfer: the error buffer when it holds one, else the code's text; any
    /// password of a URL in it is masked.
    public static func detail(_ code: CURLcode, errorBuffer: UnsafePointer<CChar>?) -> String {
        let text = errorBuffer.flatMap { $0[0] != 0 ? String(cString: $0) : nil } ?? String(cString: curl_easy_strerror(code))
        return URLText.masking(text)
    }
}

/// libcurl refused an option (a libcurl built without a feature Liaison needs).
public struct CurlOptionError: Error, CustomStringConvertible, Sendable {
    public let option: Int
    public let reason: String
    public var description: String { "libcurl refused option \(option): \(reason)" }
}
