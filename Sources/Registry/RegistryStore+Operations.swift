import Foundation

extension RegistryStore {
    /// The received-mail operations over this store (`ingest`, `inbox`).
    public var inbound: InboundStore { InboundStore(writer: writer) }


    /// The reads of the unreachable-organisations list (`report unreachable`).
    public var unreachable: UnreachableQueries { UnreachableQueries(writer) }
}
