import Foundation
import URLMasking

/// SQLite's busy handler for the registry: keeps waiting while another process holds the write lock, backing
/// off up to a tenth of a second between tries, and after half a second of waiting says once which process
/// holds the lock.
///
/// `@unchecked Sendable`: the mutable state (`waitingSince`, `announced`) is only touched while holding `lock`.
final class BusyWaiter: @unchecked Sendable {
    private let databasePath: String
    private let notice: (@Sendable (String) -> Void)?
    private let lock = NSLock()
    private var waitingSince: Date?
    private var announced = false

    /// How long a write waits before the notice is given.
    static let noticeAfter: TimeInterval = 0.5

    init(databasePath: String, notice: (@Sendable (String) -> Void)?) {
        self.databasePath = databasePath
        self.notice = notice
    }

    /// Called by SQLite with the number of tries so far for this lock; sleeps a little and says to try again.
    func shouldRetry(tries: Int) -> Bool {
        let now = Date()
        let announce: Bool = lock.withLock {
            if tries == 0 || waitingSince == nil { waitingSince = now }
            guard !announced, let since = waitingSince, now.timeIntervalSince(since) >= Self.noticeAfter else { return false }
            announced = true
            return true
        }
        if announce, let notice {
            notice(Self.waitingLine(holder: LockHolder.find(databasePath: databasePath)))
        }
        let delay = min(0.1, 0.002 * Double(1 << min(tries, 6)))
        Thread.sleep(forTimeInterval: delay)
        return true
    }

    static func waitingLine(holder: LockHolder?) -> String {
        guard let holder else {
            return "Waiting for the registry database: another process holds its write lock."
        }
        return "Waiting for the registry database: \(holder.description) holds its write lock."
    }
}

/// The process holding SQLite's write lock on a database, found in Linux's `/proc/locks` (the WAL write lock is
/// byte 120 of the `-shm` file; a rollback-journal database's RESERVED lock is byte 0x40000001 of the file).
struct LockHolder: Sendable, Equatable, CustomStringConvertible {
    let pid: Int32
    /// Its command line with any password in a URL masked, or nil when it cannot be read.
    let commandLine: String?

    var description: String {
        if let commandLine { return "process \(pid) (\(commandLine))" }
        return "process \(pid)"
    }

    /// The holder of the write lock of the database at `databasePath`, or nil when none is seen (or this
    /// system has no `/proc/locks`).
    static func find(databasePath: String) -> LockHolder? {
        guard let locks = try? String(contentsOfFile: "/proc/locks", encoding: .utf8) else { return nil }
        var targets: [(inode: UInt64, offset: UInt64)] = []
        for (path, offset) in [(databasePath + "-shm", UInt64(120)), (databasePath, UInt64(0x4000_0001))] {
            var info = stat()
            if stat(path, &info) == 0 { targets.append((UInt64(info.st_ino), offset)) }
        }
        let ownPid = getpid()
        for line in locks.split(separator: "\n") {
            // "1: POSIX  ADVISORY  WRITE 1234 08:01:5678 120 120", or with "->" for a waiter.
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 8, !fields.contains("->"), fields[1] == "POSIX" || fields[1] == "OFDLCK",
                  fields[3] == "WRITE", let pid = Int32(fields[4]), pid != ownPid, pid > 0 else { continue }
            let device = fields[5].split(separator: ":")
            guard device.count == 3, let inode = UInt64(device[2]), let start = UInt64(fields[6]) else { continue }
            let end = fields[7] == "EOF" ? UInt64.max : (UInt64(fields[7]) ?? 0)
            if targets.contains(where: { $0.inode == inode && start <= $0.offset && $0.offset <= end }) {
                return LockHolder(pid: pid, commandLine: commandLine(of: pid))
            }
        }
        return nil
    }

    /// `/proc/PID/cmdline` as one line: arguments joined by spaces, passwords in URLs masked, controls escaped.
    static func commandLine(of pid: Int32) -> String? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else { return nil }
        let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        let shown = arguments.map { argument in
            SecretMasking.maskingURLPasswords(in: argument).unicodeScalars.map { scalar in
                scalar.properties.generalCategory == .control ? "\\u{\(String(scalar.value, radix: 16))}" : String(scalar)
            }.joined()
        }
        return shown.joined(separator: " ")
    }
}
