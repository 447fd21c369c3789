/// The release of Liaison, printed by `liaison --version`. Raised by hand with each release.
enum LiaisonVersion {
    static let current = "0.9.0"
}
