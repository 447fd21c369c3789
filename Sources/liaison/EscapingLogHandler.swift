import Logging

/// The log handler of the command line: swift-log lines on standard error, with every control and format
/// character of the message and of the metadata (keys and values, the handler's own, the metadata provider's and
/// an attached error's) escaped by `CommandSupport.visible`, so text from outside quoted in a line (a subject, a
/// Message-ID, a name, a server reply) can neither forge a line (CR, LF) nor drive the terminal (ESC, bidi
/// overrides). One log event stays one line.
///
/// ```swift
/// LoggingSystem.bootstrap { label in EscapingLogHandler(StreamLogHandler.standardError(label: label)) }
/// ```
struct EscapingLogHandler: LogHandler {
    /// Writes the escaped lines; holds no metadata of its own (this handler merges it first).
    private var inner: StreamLogHandler
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    /// Wraps `inner`, taking over its metadata and metadata provider.
    init(_ inner: StreamLogHandler) {
        var inner = inner
        metadata = inner.metadata
        metadataProvider = inner.metadataProvider
        inner.metadata = [:]
        inner.metadataProvider = nil
        self.inner = inner
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        var escaped = LogEvent(level: event.level, message: "\(CommandSupport.visible(event.message.description))",
                               metadata: merged.isEmpty ? nil : Self.visible(merged), source: event.source,
                               file: event.file, function: event.function, line: event.line)
        escaped.error = nil
        inner.log(event: escaped)
    }

    /// `metadata` with each key and each string (nested in arrays and dictionaries too) escaped.
    static func visible(_ metadata: Logger.Metadata) -> Logger.Metadata {
        Logger.Metadata(metadata.map { (CommandSupport.visible($0.key), visible($0.value)) }, uniquingKeysWith: { first, _ in first })
    }

    private static func visible(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): .string(CommandSupport.visible(text))
        case .stringConvertible(let item): .string(CommandSupport.visible(item.description))
        case .array(let items): .array(items.map(visible))
        case .dictionary(let entries): .dictionary(visible(entries))
        }
    }
}
