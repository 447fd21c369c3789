import Foundation

/// An exclusive lock on a workspace's service (flock(2) on `.liaison/run.lock`), held for the life of a
/// `liaison run` or `liaison serve --run`: one `GatewayService` per workspace.
///
/// The kernel drops the lock when the process ends, however it ends, so a crash never leaves it stale.
///
/// ```swift
/// let lock = try WorkspaceLock(stateDirectory: workspace.stateURL)   // throws while another service runs
/// try service.run(until: stop)
/// withExtendedLifetime(lock) {}
/// ```
public final class WorkspaceLock: Sendable {
    private let descriptor: Int32
    /// The lock file's path.
    public let path: String

    /// Takes the lock, writing this process's id into the file.
    ///
    /// Throws `WorkspaceLock.LockError` with one line naming the process that holds it (or why the file cannot
    /// be opened).
    public init(stateDirectory: URL) throws {
        try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        path = stateDirectory.appendingPathComponent("run.lock").path
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw LockError("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            close(descriptor)
            throw LockError("another `liaison run` (or `liaison serve --run`) is already running on this workspace"
                            + (holder.map { $0.isEmpty ? "" : " (process \($0))" } ?? "") + "; lock file \(path)")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
    }

    deinit {
        _ = ftruncate(descriptor, 0)
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    /// The lock is held by another process, or its file cannot be opened: one sentence.
    public struct LockError: Error, CustomStringConvertible, Sendable {
        public let description: String
        init(_ description: String) { self.description = description }
    }
}
