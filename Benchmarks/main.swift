// liaison-bench NAME: prints the figures of one benchmark. Build with -c release for figures worth quoting.
import Logging

// Figures are of the work, not of logging it.
LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .error
    return handler
}
let benchmarks = ["mail", "registry", "notify", "report", "outbox"]
switch CommandLine.arguments.dropFirst().first {
case "mail":
    try MailBenchmark.run()
case "registry":
    try RegistryBenchmark.run()
case "notify":
    try NotifyBenchmark.run()
case "report":
    try ReportBenchmark.run()
case "outbox":
    try OutboxBenchmark.run()
default:
    print("usage: liaison-bench \(benchmarks.joined(separator: "|"))")
}
