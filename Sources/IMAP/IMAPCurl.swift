import CCurl
import TransportSecurity

/// The libcurl options every IMAP handle of this module shares, set through the shared `Curl` wrapper.
enum IMAPCurl {
    /// Protocol, TLS policy, CA, login and timeouts.
    static func setConnectionOptions(_ handle: UnsafeMutableRawPointer, configuration: IMAPConfiguration,
                                     endpoint: IMAPConfiguration.Endpoint) throws(CurlOptionError) {
        // STARTTLS or nothing for imap://; imaps:// is TLS from the first byte.
        try Curl.setMailSession(handle, protocols: "imap,imaps",
                                useTLS: configuration.tls == .required || endpoint.implicitTLS,
                                caFile: configuration.caFile, username: endpoint.username, password: configuration.password,
                                connectTimeout: configuration.connectTimeout, lowSpeedLimit: 1,
                                lowSpeedTime: configuration.lowSpeedTime)
    }
}
