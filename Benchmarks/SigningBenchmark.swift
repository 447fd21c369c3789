import Foundation
import OpenPGP
import TestSupport

/// `liaison-bench signing`: signatures per second, side by side, for Ed25519 and RSA-3072 over messages of
/// about 2.5 KB: gpg as a process per signature, gpgme's normal signing (one gpg run each), the agent path
/// (PKSIGN over Assuan, packet built here) on one thread and on every core, and gpg-agent's own PKSIGN rate
/// (one gpg-connect-agent: SIGKEY once, then SETHASH and PKSIGN) as the ceiling.
enum SigningBenchmark {
    static let body = Data((0..<40).map { "Line \($0) of a coordinated vulnerability notice, quoted-printable text.\r\n" }
        .joined().utf8)

    static func run() throws {
        print("signing: messages of \(body.count) bytes; rates in signatures per second "
              + "(\(ProcessInfo.processInfo.activeProcessorCount) cores)")
        print("  key        gpg process   gpgme sign   agent path  agent path, all cores   agent PKSIGN alone  path/agent")
        for (algorithm, counts) in [(GnuPGHome.KeyAlgorithm.ed25519, (process: 40, gpgme: 60, agent: 3_000)),
                                    (GnuPGHome.KeyAlgorithm.rsa3072, (process: 20, gpgme: 30, agent: 300))] {
            let home = try GnuPGHome.make()
            defer { home.shutdown() }
            let signer = try home.generateKey(name: "Bench", email: "bench@example.org", algorithm: algorithm)
            let dataFile = home.path + "/body.txt"
            try body.write(to: URL(fileURLWithPath: dataFile))

            let process = try rate(counts.process) {
                let result = try home.gpg(["-u", signer, "--armor", "--detach-sign", "-o", "-", dataFile])
                guard result.status == 0 else { throw Failure(description: "gpg --detach-sign: \(result.stderr)") }
            }
            let gpgme = try OpenPGPContext(homeDirectory: home.path)
            gpgme.signsThroughAgent = false
            let normal = try rate(counts.gpgme) { _ = try gpgme.signDetached(body, signer: signer) }

            let context = try OpenPGPContext(homeDirectory: home.path)
            _ = try context.signDetached(body, signer: signer)  // the key's first signature is gpg's
            let agent = try rate(counts.agent) { _ = try context.signDetached(body, signer: signer) }
            guard context.lastSignatureRoute == .agent else { throw Failure(description: "the agent path was not taken") }
            let parallel = try parallelRate(counts.agent, home: home, signer: signer)
            let alone = try agentRate(counts.agent, home: home, signer: signer, algorithm: algorithm)

            print(String(format: "  %-9@ %11.1f %12.1f %12.1f %23.1f %20.1f %10.0f%%", algorithm.rawValue as NSString,
                         process, normal, agent, parallel, alone, 100 * agent / alone))
        }
    }

    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Runs `work` `count` times; returns runs per second.
    static func rate(_ count: Int, _ work: () throws -> Void) throws -> Double {
        let start = Date()
        for _ in 0..<count { try work() }
        return Double(count) / Date().timeIntervalSince(start)
    }

    /// One context per core, `count` signatures in all.
    static func parallelRate(_ count: Int, home: GnuPGHome, signer: String) throws -> Double {
        let workers = ProcessInfo.processInfo.activeProcessorCount
        let failures = NSLock()
        nonisolated(unsafe) var failed: (any Error)?
        let start = Date()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            do {
                let context = try OpenPGPContext(homeDirectory: home.path)
                for _ in 0..<(count / workers) { _ = try context.signDetached(body, signer: signer) }
            } catch {
                failures.withLock { failed = error }
            }
        }
        if let failed { throw failed }
        return Double(count / workers * workers) / Date().timeIntervalSince(start)
    }

    /// gpg-agent alone: one gpg-connect-agent sends SIGKEY, SETHASH, PKSIGN `count` times.
    static func agentRate(_ count: Int, home: GnuPGHome, signer: String,
                          algorithm: GnuPGHome.KeyAlgorithm) throws -> Double {
        let listed = try home.gpg(["--with-colons", "--with-keygrip", "--list-secret-keys", signer])
        guard let grip = String(decoding: listed.stdout, as: UTF8.self).split(separator: "\n")
            .first(where: { $0.hasPrefix("grp:") })?.split(separator: ":", omittingEmptySubsequences: false)[9] else {
            throw Failure(description: "no keygrip for \(signer)")
        }
        let (hash, digest) = algorithm == .ed25519 ? (8, String(repeating: "AB", count: 32))
                                                   : (10, String(repeating: "AB", count: 64))
        let script = "SIGKEY \(grip)\n" + String(repeating: "SETHASH \(hash) \(digest)\nPKSIGN\n", count: count) + "/bye\n"
        let start = Date()
        let result = try runProcess("/usr/bin/gpg-connect-agent", ["--homedir", home.path], input: Data(script.utf8))
        let elapsed = Date().timeIntervalSince(start)
        let answers = String(decoding: result.stdout, as: UTF8.self).components(separatedBy: "sig-val").count - 1
        guard answers == count else { throw Failure(description: "gpg-agent signed \(answers) of \(count)") }
        return Double(count) / elapsed
    }
}
