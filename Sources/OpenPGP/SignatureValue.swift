import Foundation

/// The signature value gpg-agent returns for PKSIGN, read from its canonical S-expression
/// (`(7:sig-val(5:eddsa(1:r32:…)(1:s32:…)))`, `(7:sig-val(3:rsa(1:s384:…)))`).
struct SignatureValue: Equatable {
    /// "eddsa", "rsa", … as the agent names the algorithm.
    let algorithm: String
    /// The parameters in the order the agent gave them, e.g. [("r", …), ("s", …)].
    let parameters: [(name: String, value: Data)]

    static func == (lhs: SignatureValue, rhs: SignatureValue) -> Bool {
        lhs.algorithm == rhs.algorithm && lhs.parameters.map(\.name) == rhs.parameters.map(\.name)
            && lhs.parameters.map(\.value) == rhs.parameters.map(\.value)
    }

    /// The value of parameter `name`, or nil.
    func parameter(_ name: String) -> Data? { parameters.first { $0.name == name }?.value }

    /// Parses the agent's reply; nil when it is not a `sig-val` expression.
    init?(canonical bytes: Data) {
        var reader = Reader(bytes: [UInt8](bytes))
        guard case .list(let top)? = reader.expression(), reader.atEnd,
              top.count == 2, top[0].atom == "sig-val", case .list(let body) = top[1],
              let algorithm = body.first?.atom else { return nil }
        var parameters: [(String, Data)] = []
        for element in body.dropFirst() {
            guard case .list(let pair) = element else { return nil }
            // (flags …) and (hash …) may accompany the values; only atoms with one value are parameters.
            guard pair.count == 2, let name = pair[0].atom, case .atom(let value) = pair[1] else { continue }
            parameters.append((name, Data(value)))
        }
        self.algorithm = algorithm
        self.parameters = parameters
    }

    private enum Element {
        case atom([UInt8])
        case list([Element])

        var atom: String? {
            if case .atom(let bytes) = self { return String(decoding: bytes, as: UTF8.self) }
            return nil
        }
    }

    /// Canonical S-expressions only (length-prefixed atoms), which is what the agent sends.
    private struct Reader {
        let bytes: [UInt8]
        var index = 0
        var depth = 0

        var atEnd: Bool { index == bytes.count }

        mutating func expression() -> Element? {
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: "(") {
                depth += 1
                guard depth < 16 else { return nil }
                index += 1
                var elements: [Element] = []
                while index < bytes.count, bytes[index] != UInt8(ascii: ")") {
                    guard let element = expression() else { return nil }
                    elements.append(element)
                }
                guard index < bytes.count else { return nil }
                index += 1
                depth -= 1
                return .list(elements)
            }
            var length = 0
            while index < bytes.count, let digit = Int(exactly: bytes[index]), (48...57).contains(digit) {
                length = length * 10 + digit - 48
                guard length <= bytes.count else { return nil }
                index += 1
            }
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":"), length > 0 || bytes[index - 1] == 48,
                  index + 1 + length <= bytes.count else { return nil }
            let start = index + 1
            index = start + length
            return .atom(Array(bytes[start..<index]))
        }
    }
}
