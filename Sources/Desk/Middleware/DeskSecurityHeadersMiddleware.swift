import HTTPTypes
import Hummingbird

extension HTTPField.Name {
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    /// The CSRF token of a script's request.
    public static let xCSRFToken = HTTPField.Name("X-CSRF-Token")!
}
