import CGPGME

/// A reference to a gpgme key, unreferenced when the value goes away; never handed out of the module.
final class GPGMEKey {
    let pointer: gpgme_key_t

    /// Takes over the reference that gpgme handed out (`gpgme_get_key`, `gpgme_op_keylist_next`).
    init(adopting pointer: gpgme_key_t) { self.pointer = pointer }

    deinit { gpgme_key_unref(pointer) }

    var fingerprint: String { GPGMELibrary.string(pointer.pointee.fpr)?.uppercased() ?? "" }
}
