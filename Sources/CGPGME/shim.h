#ifndef LIAISON_CGPGME_SHIM_H
#define LIAISON_CGPGME_SHIM_H

#include <gpgme.h>
#include <stdlib.h>

/* Typed wrappers for what Swift cannot call directly: function-like macros,
 * and C enums/#defines that Swift would import with awkward types. */

/* gpgme_check_version is a macro (it also checks the struct layout the
 * library was built with); call it once, before any context exists. */
static inline const char *liaison_gpgme_check_version(void) {
    return gpgme_check_version(NULL);
}

/* The error code part of a gpgme_error_t, as a plain integer. */
static inline unsigned int liaison_gpgme_err_code(gpgme_error_t err) {
    return (unsigned int)gpgme_err_code(err);
}

/* Error codes compared against liaison_gpgme_err_code(). */
static inline unsigned int liaison_gpg_err_no_error(void)        { return GPG_ERR_NO_ERROR; }
static inline unsigned int liaison_gpg_err_eof(void)             { return GPG_ERR_EOF; }
static inline unsigned int liaison_gpg_err_no_pubkey(void)       { return GPG_ERR_NO_PUBKEY; }
static inline unsigned int liaison_gpg_err_no_seckey(void)       { return GPG_ERR_NO_SECKEY; }
static inline unsigned int liaison_gpg_err_bad_signature(void)   { return GPG_ERR_BAD_SIGNATURE; }
static inline unsigned int liaison_gpg_err_key_expired(void)     { return GPG_ERR_KEY_EXPIRED; }
static inline unsigned int liaison_gpg_err_sig_expired(void)     { return GPG_ERR_SIG_EXPIRED; }
static inline unsigned int liaison_gpg_err_cert_revoked(void)    { return GPG_ERR_CERT_REVOKED; }
static inline unsigned int liaison_gpg_err_no_data(void)         { return GPG_ERR_NO_DATA; }
static inline unsigned int liaison_gpg_err_unusable_pubkey(void) { return GPG_ERR_UNUSABLE_PUBKEY; }
static inline unsigned int liaison_gpg_err_unusable_seckey(void) { return GPG_ERR_UNUSABLE_SECKEY; }
static inline unsigned int liaison_gpg_err_ambiguous_name(void)  { return GPG_ERR_AMBIGUOUS_NAME; }
static inline unsigned int liaison_gpg_err_decrypt_failed(void)  { return GPG_ERR_DECRYPT_FAILED; }

/* Context settings with the enum types spelled out once, here. */
static inline gpgme_error_t liaison_gpgme_set_protocol_openpgp(gpgme_ctx_t ctx) {
    return gpgme_set_protocol(ctx, GPGME_PROTOCOL_OpenPGP);
}

static inline gpgme_error_t liaison_gpgme_set_engine_home(gpgme_ctx_t ctx, const char *home_dir) {
    return gpgme_ctx_set_engine_info(ctx, GPGME_PROTOCOL_OpenPGP, NULL, home_dir);
}

static inline gpgme_error_t liaison_gpgme_engine_check_openpgp(void) {
    return gpgme_engine_check_version(GPGME_PROTOCOL_OpenPGP);
}

static inline gpgme_error_t liaison_gpgme_set_pinentry_loopback(gpgme_ctx_t ctx) {
    return gpgme_set_pinentry_mode(ctx, GPGME_PINENTRY_MODE_LOOPBACK);
}

/* Local keyring only, and say whether a secret key is present. */
static inline gpgme_error_t liaison_gpgme_set_keylist_local_with_secret(gpgme_ctx_t ctx) {
    return gpgme_set_keylist_mode(ctx, GPGME_KEYLIST_MODE_LOCAL | GPGME_KEYLIST_MODE_WITH_SECRET);
}

static inline gpgme_error_t liaison_gpgme_sign_detached(gpgme_ctx_t ctx, gpgme_data_t plain, gpgme_data_t sig) {
    return gpgme_op_sign(ctx, plain, sig, GPGME_SIG_MODE_DETACH);
}

/* Encrypt to the NULL-terminated RECIPIENTS, trusting them (the caller vouches
 * for the fingerprints); with SIGN, also sign with the context's signers. */
static inline gpgme_error_t liaison_gpgme_encrypt_trusted(gpgme_ctx_t ctx, gpgme_key_t recipients[],
                                                          int sign, gpgme_data_t plain, gpgme_data_t cipher) {
    gpgme_encrypt_flags_t flags = GPGME_ENCRYPT_ALWAYS_TRUST;
    return sign ? gpgme_op_encrypt_sign(ctx, recipients, flags, plain, cipher)
                : gpgme_op_encrypt(ctx, recipients, flags, plain, cipher);
}

static inline gpgme_error_t liaison_gpgme_export_public(gpgme_ctx_t ctx, const char *fingerprint, gpgme_data_t out) {
    return gpgme_op_export(ctx, fingerprint, 0, out);
}

/* Rewind a data object before reading it back. */
static inline int liaison_gpgme_data_rewind(gpgme_data_t dh) {
    return gpgme_data_seek(dh, 0, SEEK_SET) < 0 ? -1 : 0;
}

/* ---- gpg-agent over Assuan (signing without a gpg process per signature) ---- */

static inline unsigned int liaison_gpg_err_canceled(void)        { return GPG_ERR_CANCELED; }
static inline unsigned int liaison_gpg_err_ass_canceled(void)    { return GPG_ERR_ASS_CANCELED; }

/* A context that speaks Assuan to the server listening on SOCKET_PATH (the agent's socket). */
static inline gpgme_error_t liaison_gpgme_use_assuan_socket(gpgme_ctx_t ctx, const char *socket_path) {
    gpgme_error_t err = gpgme_set_protocol(ctx, GPGME_PROTOCOL_ASSUAN);
    if (err) return err;
    return gpgme_ctx_set_engine_info(ctx, GPGME_PROTOCOL_ASSUAN, socket_path, NULL);
}

/* Callback types spelled out once: D lines (data == NULL at END), INQUIRE (name == NULL: release *r_data). */
typedef gpgme_error_t (*liaison_assuan_data_cb)(void *opaque, const void *data, size_t length);
typedef gpgme_error_t (*liaison_assuan_inquire_cb)(void *opaque, const char *name, const char *args,
                                                   gpgme_data_t *r_data);

/* Sends COMMAND and waits for OK or ERR; the server's ERR lands in *OPERATION_ERROR, the
 * connection's own failure is the return value. One connection per context, kept between commands. */
static inline gpgme_error_t liaison_gpgme_assuan_transact(gpgme_ctx_t ctx, const char *command,
                                                          liaison_assuan_data_cb data_cb,
                                                          liaison_assuan_inquire_cb inquire_cb,
                                                          void *opaque, gpgme_error_t *operation_error) {
    return gpgme_op_assuan_transact_ext(ctx, command, data_cb, opaque, inquire_cb, opaque, NULL, NULL,
                                        operation_error);
}

/* gpgme's passphrase callback for loopback pinentry: write the passphrase and a newline to FD. */
typedef gpgme_error_t (*liaison_passphrase_cb)(void *hook, const char *uid_hint, const char *info,
                                               int previous_was_bad, int fd);

static inline void liaison_gpgme_set_passphrase_cb(gpgme_ctx_t ctx, liaison_passphrase_cb cb, void *hook) {
    gpgme_set_passphrase_cb(ctx, cb, hook);
}

static inline int liaison_gpgme_io_writen(int fd, const void *buffer, size_t count) {
    return gpgme_io_writen(fd, buffer, count);
}

/* The socket gpg-agent listens on for the default home (GNUPGHOME or ~/.gnupg), or NULL. */
static inline const char *liaison_gpgme_default_agent_socket(void) {
    return gpgme_get_dirinfo("agent-socket");
}

/* The gpgconf program gpgme itself uses, or NULL. */
static inline const char *liaison_gpgme_gpgconf_path(void) {
    return gpgme_get_dirinfo("gpgconf-name");
}

#endif
