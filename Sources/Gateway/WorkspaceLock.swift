import Foundation

/// An exclusive lock on a workspace (flock(2) on `.liaison/run.lock`), held for the life of a `liaison run`.
///
/// The kernel drops the lock when the process ends, however it ends, so a crash never leaves it stale.
final class WorkspaceLock {
    private let descriptor: Int32
    let path: String

    /// Takes the lock, or throws a one-line error naming the process that holds it.
    init(stateDirectory: URL) throws {
        try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        path = stateDirectory.appendingPathComponent("run.lock").path
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw LockError("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            close(descriptor)
            throw LockError("another `liaison run` is already running on this workspace"
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

    struct LockError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
