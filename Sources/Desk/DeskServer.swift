import Hummingbird

/// The team's desk: the web server `liaison serve` runs on the workspace's store.
public enum DeskServer {
    /// The address `liaison serve` listens on when `--listen` is not given.
    public static let defaultListen = "127.0.0.1:8080"
}
