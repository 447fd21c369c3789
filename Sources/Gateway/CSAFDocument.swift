import Foundation

/// The parts of a CSAF 2.0 document (OASIS CSAF 2.0, profile `csaf_base`) that a case export fills in.
///
/// Property names are the standard's; absent optional members are left out of the JSON rather than written as
/// null, as the schema requires.
public struct CSAFDocument: Encodable, Sendable, Equatable {
    public var document: Document
    public var productTree: ProductTree?
    public var vulnerabilities: [Vulnerability]?

    enum CodingKeys: String, CodingKey {
        case document, vulnerabilities
        case productTree = "product_tree"
    }

    public struct Document: Encodable, Sendable, Equatable {
        public var category: String
        public var csafVersion: String
        public var publisher: Publisher
        public var title: String
        /// The language of the text Liaison writes (revision summaries, product names): `en`.
        public var lang: String?
        public var distribution: Distribution?
        public var notes: [Note]?
        public var tracking: Tracking

        enum CodingKeys: String, CodingKey {
            case category, publisher, title, lang, distribution, notes, tracking
            case csafVersion = "csaf_version"
        }
    }

    public struct Publisher: Encodable, Sendable, Equatable {
        /// `coordinator` for a CSIRT coordinating disclosure.
        public var category: String
        public var name: String
        /// An https URL of the publisher's domain.
        public var namespace: String
        public var contactDetails: String?

        enum CodingKeys: String, CodingKey {
            case category, name, namespace
            case contactDetails = "contact_details"
        }
    }

    public struct Distribution: Encodable, Sendable, Equatable {
        public var text: String?
        public var tlp: TLP?
    }

    /// CSAF 2.0 knows TLP 1.0 labels only: AMBER, GREEN, RED, WHITE.
    public struct TLP: Encodable, Sendable, Equatable {
        public var label: String
        public var url: String?
    }

    public struct Note: Encodable, Sendable, Equatable {
        public var category: String
        public var text: String
        public var title: String?
        public var audience: String?
    }

    public struct Tracking: Encodable, Sendable, Equatable {
        public var id: String
        public var status: String
        public var version: String
        public var revisionHistory: [Revision]
        public var initialReleaseDate: String
        public var currentReleaseDate: String
        public var generator: Generator?

        enum CodingKeys: String, CodingKey {
            case id, status, version, generator
            case revisionHistory = "revision_history"
            case initialReleaseDate = "initial_release_date"
            case currentReleaseDate = "current_release_date"
        }
    }

    public struct Revision: Encodable, Sendable, Equatable {
        public var date: String
        public var number: String
        public var summary: String
    }

    public struct Generator: Encodable, Sendable, Equatable {
        public struct Engine: Encodable, Sendable, Equatable {
            public var name: String
            public var version: String?
        }
        public var engine: Engine
        public var date: String?
    }

    public struct ProductTree: Encodable, Sendable, Equatable {
        public var branches: [Branch]
    }

    /// A branch holds either sub-branches or one product (the schema allows three members at most).
    public struct Branch: Encodable, Sendable, Equatable {
        public var category: String
        public var name: String
        public var branches: [Branch]?
        public var product: Product?
    }

    public struct Product: Encodable, Sendable, Equatable {
        public var name: String
        public var productId: String
        public var productIdentificationHelper: IdentificationHelper? = nil

        enum CodingKeys: String, CodingKey {
            case name
            case productId = "product_id"
            case productIdentificationHelper = "product_identification_helper"
        }
    }

    /// A product's CPE (2.2 URI or 2.3 formatted string) or package URL (CSAF 2.0 §3.1.3.3).
    public struct IdentificationHelper: Encodable, Sendable, Equatable {
        public var cpe: String?
        public var purl: String?
    }

    public struct Vulnerability: Encodable, Sendable, Equatable {
        public var title: String?
        public var ids: [Identifier]?
        public var notes: [Note]?
        public var involvements: [Involvement]?
        public var productStatus: ProductStatus?
        /// Why products are not affected (CSAF 2.0 §3.2.3.5), from the vendors' VEX justifications.
        public var flags: [Flag]? = nil

        enum CodingKeys: String, CodingKey {
            case title, ids, notes, involvements, flags
            case productStatus = "product_status"
        }
    }

    public struct Flag: Encodable, Sendable, Equatable {
        /// `component_not_present`, `inline_mitigations_already_exist`,
        /// `vulnerable_code_cannot_be_controlled_by_adversary`, `vulnerable_code_not_in_execute_path` or
        /// `vulnerable_code_not_present`.
        public var label: String
        public var productIds: [String]

        enum CodingKeys: String, CodingKey {
            case label
            case productIds = "product_ids"
        }
    }

    public struct Identifier: Encodable, Sendable, Equatable {
        public var systemName: String
        public var text: String

        enum CodingKeys: String, CodingKey {
            case text
            case systemName = "system_name"
        }
    }

    public struct Involvement: Encodable, Sendable, Equatable {
        /// `vendor`, `coordinator`, `discoverer`, `other` or `user`.
        public var party: String
        /// `completed`, `contact_attempted`, `disputed`, `in_progress`, `not_contacted` or `open`.
        public var status: String
        public var date: String?
        public var summary: String?
    }

    public struct ProductStatus: Encodable, Sendable, Equatable {
        public var fixed: [String]?
        public var knownAffected: [String]?
        public var knownNotAffected: [String]?
        public var underInvestigation: [String]?

        enum CodingKeys: String, CodingKey {
            case fixed
            case knownAffected = "known_affected"
            case knownNotAffected = "known_not_affected"
            case underInvestigation = "under_investigation"
        }

        var isEmpty: Bool {
            fixed == nil && knownAffected == nil && knownNotAffected == nil && underInvestigation == nil
        }
    }
}
