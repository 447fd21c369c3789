// liaison-bench: prints timings; never run as tests.
switch CommandLine.arguments.dropFirst().first {
case "report":
    try ReportBenchmark.run()
default:
    print("usage: liaison-bench report")
}
