#ifndef LIAISON_CCURL_SHIM_H
#define LIAISON_CCURL_SHIM_H

#include <curl/curl.h>

// Swift cannot call the variadic curl_easy_setopt and curl_easy_getinfo, so each argument type gets a typed
// wrapper. Passing the wrong type to a variadic C function is undefined behaviour; the wrappers make the type
// explicit at every call site.

/// curl_easy_setopt for CURLOPTTYPE_LONG and CURLOPTTYPE_VALUES options (flags, enums, timeouts).
static inline CURLcode liaison_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

/// curl_easy_setopt for CURLOPTTYPE_STRINGPOINT options; libcurl copies the string, NULL resets it.
static inline CURLcode liaison_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

/// curl_easy_setopt for CURLOPTTYPE_OBJECTPOINT and CURLOPTTYPE_CBPOINT options (callback contexts, buffers).
static inline CURLcode liaison_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

/// curl_easy_setopt for CURLOPTTYPE_SLISTPOINT options; the list must outlive the transfer.
static inline CURLcode liaison_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

/// curl_easy_setopt for CURLOPT_READFUNCTION.
static inline CURLcode liaison_curl_setopt_read_callback(CURL *handle, CURLoption option,
                                                         curl_read_callback value) {
    return curl_easy_setopt(handle, option, value);
}

/// curl_easy_setopt for CURLOPT_DEBUGFUNCTION.
static inline CURLcode liaison_curl_setopt_debug_callback(CURL *handle, CURLoption option,
                                                          curl_debug_callback value) {
    return curl_easy_setopt(handle, option, value);
}

/// curl_easy_setopt for CURLOPT_XFERINFOFUNCTION.
static inline CURLcode liaison_curl_setopt_xferinfo_callback(CURL *handle, CURLoption option,
                                                             curl_xferinfo_callback value) {
    return curl_easy_setopt(handle, option, value);
}

/// curl_easy_setopt for CURLOPTTYPE_OFF_T options (sizes such as CURLOPT_INFILESIZE_LARGE).
static inline CURLcode liaison_curl_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

/// curl_easy_getinfo for CURLINFO_LONG values.
static inline CURLcode liaison_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

/// curl_easy_getinfo for CURLINFO_STRING values; the string belongs to the handle.
static inline CURLcode liaison_curl_getinfo_string(CURL *handle, CURLINFO info, const char **value) {
    char *result = NULL;
    CURLcode code = curl_easy_getinfo(handle, info, &result);
    *value = result;
    return code;
}

/// curl_global_init with the default flags (a macro Swift cannot import).
static inline CURLcode liaison_curl_global_init(void) {
    return curl_global_init(CURL_GLOBAL_DEFAULT);
}

// MARK: Mail sessions (SMTP and IMAP)

/// The options every SMTP and IMAP session sets, in one place: only `protocols` ("smtp,smtps", "imap,imaps"), no
/// signals, `use_ssl` (CURLUSESSL_ALL: STARTTLS or TLS from the first byte, else CURLUSESSL_NONE), the peer's
/// certificate and host name verified, `ca_file` trusted instead of the system CAs when not NULL, `username` and
/// `password` (NULL: none) with a SASL initial response when `username` is not NULL, a connect timeout in
/// milliseconds, and a transfer slower than `low_speed_limit` bytes a second for `low_speed_time` seconds aborted.
/// Returns CURLE_OK, or libcurl's refusal with the refused option in `*failed_option`.
static inline CURLcode liaison_curl_setopt_mail_session(CURL *handle, const char *protocols, long use_ssl,
                                                        const char *ca_file, const char *username,
                                                        const char *password, long connect_timeout_ms,
                                                        long low_speed_limit, long low_speed_time,
                                                        CURLoption *failed_option) {
    CURLcode code = CURLE_OK;
#define LIAISON_SET(option, value) \
    do { if (code == CURLE_OK && (code = curl_easy_setopt(handle, option, value)) != CURLE_OK) *failed_option = option; } while (0)
    LIAISON_SET(CURLOPT_PROTOCOLS_STR, protocols);
    LIAISON_SET(CURLOPT_NOSIGNAL, 1L);
    LIAISON_SET(CURLOPT_USE_SSL, use_ssl);
    LIAISON_SET(CURLOPT_SSL_VERIFYPEER, 1L);
    LIAISON_SET(CURLOPT_SSL_VERIFYHOST, 2L);
    if (ca_file != NULL) LIAISON_SET(CURLOPT_CAINFO, ca_file);
    if (username != NULL) {
        LIAISON_SET(CURLOPT_USERNAME, username);
        LIAISON_SET(CURLOPT_PASSWORD, password);
        LIAISON_SET(CURLOPT_SASL_IR, 1L);
    }
    LIAISON_SET(CURLOPT_CONNECTTIMEOUT_MS, connect_timeout_ms);
    LIAISON_SET(CURLOPT_LOW_SPEED_LIMIT, low_speed_limit);
    LIAISON_SET(CURLOPT_LOW_SPEED_TIME, low_speed_time);
#undef LIAISON_SET
    return code;
}

// MARK: HTTPS fetch (WebFetch)

/// curl_easy_setopt for CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION (both take a curl_write_callback).
static inline CURLcode liaison_curl_setopt_write_callback(CURL *handle, CURLoption option,
                                                          curl_write_callback value) {
    return curl_easy_setopt(handle, option, value);
}

// MARK: IMAP (the IMAP module; it shares liaison_curl_setopt_write_callback above for response lines and bodies)

/// curl_easy_getinfo for CURLINFO_ACTIVESOCKET: the socket of a CURLOPT_CONNECT_ONLY handle (IMAP IDLE).
static inline CURLcode liaison_curl_getinfo_socket(CURL *handle, CURLINFO info, curl_socket_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

#endif
