import Foundation

/// A throwaway CA and a server certificate it signed for 127.0.0.1 and localhost, made with the openssl command.
public struct SMTPSinkCertificate: Sendable {
    /// The CA certificate (PEM) a client must trust.
    public let caFile: String
    /// The server certificate (PEM).
    public let certificateFile: String
    /// The server's private key (PEM, unencrypted).
    public let keyFile: String

    /// Makes the CA and the server certificate in `directory` (valid for two days, P-256 keys);
    /// `extraNames` are further DNS names the server certificate covers.
    public static func make(in directory: URL, extraNames: [String] = []) throws -> SMTPSinkCertificate {
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        let extensions = """
            subjectAltName = IP:127.0.0.1, DNS:localhost\(extraNames.map { ", DNS:\($0)" }.joined())
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature
            extendedKeyUsage = serverAuth

            """
        try Data(extensions.utf8).write(to: URL(fileURLWithPath: path("server.ext")))
        try openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                     "-keyout", path("ca.key"), "-out", path("ca.pem"), "-days", "2",
                     "-subj", "/CN=Liaison Test CA",
                     "-addext", "basicConstraints=critical,CA:TRUE",
                     "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        try openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                     "-keyout", path("server.key"), "-out", path("server.csr"), "-subj", "/CN=localhost"])
        try openssl(["x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"),
                     "-CAcreateserial", "-out", path("server.pem"), "-days", "2",
                     "-extfile", path("server.ext")])
        return SMTPSinkCertificate(caFile: path("ca.pem"), certificateFile: path("server.pem"),
                                   keyFile: path("server.key"))
    }

    private static func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SMTPSinkError("openssl \(arguments.prefix(2).joined(separator: " ")) failed: "
                                + String(decoding: message, as: UTF8.self))
        }
    }
}
