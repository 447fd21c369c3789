import Crypto
import Foundation

/// The hash algorithms a signature made through gpg-agent may use (RFC 4880 §9.4 numbers).
enum SignatureHash: UInt8 {
    case sha256 = 8
    case sha384 = 9
    case sha512 = 10

    /// gpgme's name for it, as `DetachedSignature.hashAlgorithm` carries it.
    var name: String {
        switch self {
        case .sha256: "SHA256"
        case .sha384: "SHA384"
        case .sha512: "SHA512"
        }
    }

    /// The digest of `parts`, one after the other.
    func digest(_ parts: [Data]) -> Data {
        switch self {
        case .sha256: Self.run(SHA256(), parts)
        case .sha384: Self.run(SHA384(), parts)
        case .sha512: Self.run(SHA512(), parts)
        }
    }

    private static func run<H: HashFunction>(_ hasher: H, _ parts: [Data]) -> Data {
        var hasher = hasher
        for part in parts { hasher.update(data: part) }
        return Data(hasher.finalize())
    }
}

/// An RFC 4880 version 4 detached signature of type 0x00 (binary document), laid out as GnuPG 2.2 writes it:
/// hashed subpackets issuer fingerprint (33, v4) then signature creation time (2); unhashed issuer key ID (16);
/// the left 16 bits of the hash; the algorithm's MPIs.
struct SignaturePacket {
    /// Public-key algorithm number: 1 (RSA), 3 (RSA sign-only), 22 (EdDSA).
    let publicKeyAlgorithm: UInt8
    let hash: SignatureHash
    /// The v4 fingerprint of the (sub)key that signs: 20 bytes.
    let issuerFingerprint: [UInt8]
    /// Signature creation time, seconds since 1970 (UTC).
    let created: UInt32

    /// Version, type, algorithms and hashed subpackets: the part that is hashed after the document.
    var hashedPart: Data {
        var subpackets: [UInt8] = [22, 33, 4] + issuerFingerprint
        subpackets += [5, 2] + Self.bigEndian(created, bytes: 4)
        var part: [UInt8] = [4, 0x00, publicKeyAlgorithm, hash.rawValue]
        part += Self.bigEndian(UInt32(subpackets.count), bytes: 2) + subpackets
        return Data(part)
    }

    /// The digest to sign: document, hashed part, then the v4 trailer (0x04 0xFF, hashed part length).
    func digest(of document: Data) -> Data {
        let hashed = hashedPart
        let trailer = Data([4, 0xFF] + Self.bigEndian(UInt32(hashed.count), bytes: 4))
        return hash.digest([document, hashed, trailer])
    }

    /// The whole packet (old-format header, tag 2) around `digest` and the signature values `mpis`.
    func packet(digest: Data, mpis: [Data]) -> Data {
        var body = [UInt8](hashedPart)
        let keyID = issuerFingerprint.suffix(8)
        let unhashed: [UInt8] = [9, 16] + keyID
        body += Self.bigEndian(UInt32(unhashed.count), bytes: 2) + unhashed
        body += digest.prefix(2)
        for value in mpis { body += Self.mpi(value) }

        var header: [UInt8]
        switch body.count {
        case ..<256: header = [0x88, UInt8(body.count)]
        case ..<65_536: header = [0x89] + Self.bigEndian(UInt32(body.count), bytes: 2)
        default: header = [0x8A] + Self.bigEndian(UInt32(body.count), bytes: 4)
        }
        return Data(header + body)
    }

    /// An unsigned big-endian integer as an OpenPGP MPI: bit count, then the bytes without leading zeros.
    static func mpi(_ value: Data) -> [UInt8] {
        let bytes = value.drop { $0 == 0 }
        guard let first = bytes.first else { return [0, 0] }
        let bits = (bytes.count - 1) * 8 + (8 - first.leadingZeroBitCount)
        return bigEndian(UInt32(bits), bytes: 2) + bytes
    }

    static func bigEndian(_ value: UInt32, bytes: Int) -> [UInt8] {
        (0..<bytes).reversed().map { UInt8(truncatingIfNeeded: value >> (8 * UInt32($0))) }
    }
}

/// ASCII armor (RFC 4880 §6.2) as gpg writes it: no headers, 64 columns, CRC-24 checksum, LF line ends.
enum Armor {
    static func signature(_ packet: Data) -> Data {
        var text = "-----BEGIN PGP SIGNATURE-----\n\n"
        let encoded = packet.base64EncodedString()
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 64, limitedBy: encoded.endIndex) ?? encoded.endIndex
            text += encoded[index..<end] + "\n"
            index = end
        }
        let crc = crc24(packet)
        text += "=" + Data(SignaturePacket.bigEndian(crc, bytes: 3)).base64EncodedString() + "\n"
        text += "-----END PGP SIGNATURE-----\n"
        return Data(text.utf8)
    }

    static func crc24(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xB7_04CE
        for byte in data {
            crc ^= UInt32(byte) << 16
            for _ in 0..<8 {
                crc <<= 1
                if crc & 0x100_0000 != 0 { crc ^= 0x186_4CFB }
            }
        }
        return crc & 0xFF_FFFF
    }
}
