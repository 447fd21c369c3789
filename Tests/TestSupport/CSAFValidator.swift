import Foundation

/// The independent CSAF 2.0 validator: `csaf validate --spec-version v20 --no-network` from the PyPI package
/// `csaf` (installed by scripts/setup and .ci/run). Schema plus the mandatory tests of §6.1; exit 0 when all pass.
public enum CSAFValidator {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    public static func check(_ file: URL) throws {
        guard let executable = locate() else {
            throw Failure(description: "the CSAF validator `csaf` is not installed: run scripts/setup (pip install csaf)")
        }
        let result = try runProcess(executable, ["validate", "--spec-version", "v20", "--no-network", file.path])
        let report = String(decoding: result.stdout, as: UTF8.self)
        guard result.status == 0, report.contains("Overall: PASS") else {
            throw Failure(description: "CSAF validation failed (exit \(result.status)):\n\(report)\(result.stderr)")
        }
    }

    public static func locate() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin"
        return path.split(separator: ":").map { "\($0)/csaf" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
