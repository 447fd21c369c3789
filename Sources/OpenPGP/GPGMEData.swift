import CGPGME
import Foundation

/// A gpgme data object owned by Swift: released when the value goes away, never handed out of the module.
final class GPGMEData {
    let handle: gpgme_data_t

    /// An empty, growable memory buffer for gpgme to write into.
    init(home: String) throws(OpenPGPError) {
        var handle: gpgme_data_t?
        let error = gpgme_data_new(&handle)
        guard GPGMELibrary.code(error) == GPGErrorCode.noError, let handle else {
            throw .engine("allocate a data buffer", home: home, reason: GPGMELibrary.message(error))
        }
        self.handle = handle
    }

    /// A buffer holding a copy of `data`, so gpgme never points into Swift-managed memory.
    init(copying data: Data, home: String) throws(OpenPGPError) {
        var handle: gpgme_data_t?
        let error: gpgme_error_t
        if data.isEmpty {
            error = gpgme_data_new(&handle)
        } else {
            error = data.withUnsafeBytes { bytes in
                gpgme_data_new_from_mem(&handle, bytes.baseAddress!.assumingMemoryBound(to: CChar.self),
                                        bytes.count, 1)
            }
        }
        guard GPGMELibrary.code(error) == GPGErrorCode.noError, let handle else {
            throw .engine("copy data into a buffer", home: home, reason: GPGMELibrary.message(error))
        }
        self.handle = handle
    }

    deinit { gpgme_data_release(handle) }

    /// Everything in the buffer, from the start, read until gpgme reports the end.
    func readAll(home: String) throws(OpenPGPError) -> Data {
        guard liaison_gpgme_data_rewind(handle) == 0 else {
            throw .engine("rewind a data buffer", home: home, reason: String(cString: strerror(errno)))
        }
        var result = Data()
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { gpgme_data_read(handle, $0.baseAddress, $0.count) }
            if count == 0 { return result }
            guard count > 0 else {
                throw .engine("read a data buffer", home: home, reason: String(cString: strerror(errno)))
            }
            result.append(contentsOf: chunk[0..<count])
        }
    }
}
