/// Which host names stay on this machine, so that plain SMTP to them exposes nothing on a network.
public enum LoopbackHost {
    /// True for 127.0.0.0/8 in dotted-quad form, ::1 (any spelling), and localhost (libcurl never resolves it
    /// through DNS).
    public static func isLoopback(_ host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("[") && name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name == "localhost" || name == "localhost." { return true }
        if isIPv4Loopback(name) { return true }
        return isIPv6Loopback(name)
    }

    private static func isIPv4Loopback(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        var octets: [Int] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = Int(part), value <= 255 else { return false }
            octets.append(value)
        }
        return octets[0] == 127
    }

    private static func isIPv6Loopback(_ name: String) -> Bool {
        // Expand "::" and check for seven zero groups followed by 1.
        guard name.contains(":"), name.allSatisfy({ $0.isHexDigit || $0 == ":" }) else { return false }
        let halves = name.components(separatedBy: "::")
        guard halves.count <= 2 else { return false }
        func groups(_ text: String) -> [String]? {
            if text.isEmpty { return [] }
            let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            return parts.allSatisfy({ !$0.isEmpty && $0.count <= 4 }) ? parts : nil
        }
        guard let head = groups(halves[0]) else { return false }
        var all = head
        if halves.count == 2 {
            guard let tail = groups(halves[1]), head.count + tail.count < 8 else { return false }
            all += Array(repeating: "0", count: 8 - head.count - tail.count) + tail
        }
        guard all.count == 8 else { return false }
        let values = all.compactMap { UInt16($0, radix: 16) }
        return values.count == 8 && values.dropLast().allSatisfy { $0 == 0 } && values.last == 1
    }
}
