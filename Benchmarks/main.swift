// liaison-bench NAME: prints the figures of one benchmark.
let name = CommandLine.arguments.dropFirst().first
switch name {
case "registry":
    try RegistryBenchmark.run()
default:
    print("usage: liaison-bench registry")
}
