// liaison-bench BENCHMARK: prints figures; never run as a test.
switch CommandLine.arguments.dropFirst().first {
case "mail": try MailBenchmark.run()
default: print("usage: liaison-bench mail")
}
