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
