import Foundation

/// The envelope sender of each notification (VERP): `local+LSN-XXXXXXXX@domain`, so a bounce delivered to it names
/// its notification even when the report itself cannot be read.
public enum VERPAddress {
    /// `vuls@csirt.example` and `LSN-7QK2M9XH` → `vuls+LSN-7QK2M9XH@csirt.example`; the address unchanged when VERP
    /// is off (`sender.verp: false`, for relays that refuse such senders).
    public static func envelopeSender(_ address: String, trackingRef: String, enabled: Bool = true) -> String {
        guard enabled, let at = address.lastIndex(of: "@") else { return address }
        return "\(address[..<at])+\(trackingRef)\(address[at...])"
    }

    /// The tracking reference in a VERP address such as `vuls+LSN-7QK2M9XH@csirt.example` (any case), else nil.
    public static func trackingRef(in address: String) -> String? {
        guard let at = address.lastIndex(of: "@"), let plus = address[..<at].lastIndex(of: "+") else { return nil }
        let tag = address[address.index(after: plus)..<at]
        guard let reference = TrackingReference.find(in: String(tag)), reference.count == tag.count else { return nil }
        return reference
    }
}
