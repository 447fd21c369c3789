import Foundation

/// The identifiers a vendor may give for a product: a CPE (2.3 formatted string or 2.2 URI, NIST IR 7695) or a
/// package URL (purl-spec), checked with the patterns of the CSAF 2.0 schema (`product_identification_helper`).
public enum ProductIdentifier {
    // The CSAF 2.0 schema's CPE pattern, anchored at both ends for each alternative.
    private static let cpePattern = ##"^(?:cpe:2\.3:[aho\*\-](:(((\?*|\*?)([a-zA-Z0-9\-\._]|(\\[\\\*\?!"#\$%&'\(\)\+,/:;<=>@\[\]\^`\{\|\}~]))+(\?*|\*?))|[\*\-])){5}(:(([a-zA-Z]{2,3}(-([a-zA-Z]{2}|[0-9]{3}))?)|[\*\-]))(:(((\?*|\*?)([a-zA-Z0-9\-\._]|(\\[\\\*\?!"#\$%&'\(\)\+,/:;<=>@\[\]\^`\{\|\}~]))+(\?*|\*?))|[\*\-])){4}|[c][pP][eE]:/[AHOaho]?(:[A-Za-z0-9\._\-~%]*){0,6})$"##
    // purl-spec: `pkg:type/namespace/name@version?qualifiers#subpath`, type of letters, digits, `.`, `+`, `-`; no
    // space and no control character (purl-spec percent-encodes both).
    private static let purlPattern = #"^pkg:[A-Za-z\.\-\+][A-Za-z0-9\.\-\+]*/[^\s/\p{Cc}][^\s\p{Cc}]*$"#

    /// The longest identifier taken, in characters.
    public static let maximumLength = 500

    /// Whether `text` is a well-formed CPE 2.3 formatted string or CPE 2.2 URI.
    public static func isCPE(_ text: String) -> Bool {
        text.count >= 5 && text.count <= maximumLength && text.range(of: cpePattern, options: .regularExpression) != nil
    }

    /// Whether `text` is a well-formed package URL.
    public static func isPURL(_ text: String) -> Bool {
        text.count >= 7 && text.count <= maximumLength && text.range(of: purlPattern, options: .regularExpression) != nil
    }
}
