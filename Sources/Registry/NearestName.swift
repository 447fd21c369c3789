/// The known name nearest to a mistyped one, for "did you mean" in error lines: a case id, an organisation id,
/// a partner or a liaison.yaml field.
///
/// ```swift
/// NearestName.closest(to: "cert-c", in: ["jvn-jp", "cert-cc", "cpni"])   // "cert-cc"
/// ```
public enum NearestName {
    /// The candidate nearest to a misspelt one, if it is near enough to be a likely typo.
    public static func closest(to name: String, in candidates: [String]) -> String? {
        let lowered = name.lowercased()
        if let same = candidates.first(where: { $0.lowercased() == lowered || $0.replacingOccurrences(of: "_", with: "").lowercased() == lowered.replacingOccurrences(of: "_", with: "") }) {
            return same
        }
        let scored = candidates.map { ($0, editDistance(lowered, $0.lowercased())) }.min { $0.1 < $1.1 }
        guard let (best, distance) = scored, distance <= (best.count <= 5 ? 1 : 2) else { return nil }
        return best
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours.
    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var table = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }

    /// `; did you mean NAME?` to end an error line, or an empty string when nothing is near.
    public static func suggestion(for name: String, in candidates: [String]) -> String {
        closest(to: name, in: candidates).map { "; did you mean \($0)?" } ?? ""
    }
}
