// liaison-bench NAME: prints the figures of one benchmark. Build with -c release for figures worth quoting.
import Logging
import Registry

// Figures are of the work, not of logging it.
LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .error
    return handler
}
let benchmarks = ["mail", "registry", "notify", "report", "outbox", "signing", "throughput", "imap", "bounces DIR", "audit [EVENTS]", "desk [--no-callgrind]", "postgres-send [VENDORS [PROCESSES [CONNECTIONS]]]"]
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
case "signing":
    try SigningBenchmark.run()
case "throughput":
    try ThroughputBenchmark.run(vendors: CommandLine.arguments.dropFirst(2).first.flatMap(Int.init) ?? 10_000,
                                connections: CommandLine.arguments.dropFirst(3).first.flatMap(Int.init)
                                    ?? WorkspaceConfiguration.SMTP.defaultMaxConnections)
case "imap":
    try IMAPBenchmark.run()
case "audit":
    try AuditBenchmark.run(events: CommandLine.arguments.dropFirst(2).first.flatMap(Int.init) ?? 100_000)
case "desk":
    try DeskBenchmark.run(arguments: Array(CommandLine.arguments.dropFirst(2)))
case "postgres-send":
    try PostgresSendBenchmark.run(vendors: CommandLine.arguments.dropFirst(2).first.flatMap(Int.init) ?? 3_000,
                                  processes: CommandLine.arguments.dropFirst(3).first.flatMap(Int.init) ?? 2,
                                  connections: CommandLine.arguments.dropFirst(4).first.flatMap(Int.init) ?? 2)
case "bounces":
    try BounceBenchmark.run(Array(CommandLine.arguments.dropFirst(2)))
default:
    print("usage: liaison-bench \(benchmarks.joined(separator: "|"))")
}
