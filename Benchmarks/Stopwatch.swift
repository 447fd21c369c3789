import Foundation

/// Seconds `body` took on the monotonic clock, with what it returned.
func timed<T>(_ body: () throws -> T) rethrows -> (result: T, seconds: Double) {
    let start = DispatchTime.now()
    let result = try body()
    return (result, Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
}

/// Runs `body`, prints `label` padded to 40 columns and the seconds it took (`%8.3f s`), and returns its result.
func measure<T>(_ label: String, _ body: () throws -> T) rethrows -> T {
    let (result, seconds) = try timed(body)
    print(label.padding(toLength: 40, withPad: " ", startingAt: 0) + String(format: "%8.3f s", seconds))
    return result
}
