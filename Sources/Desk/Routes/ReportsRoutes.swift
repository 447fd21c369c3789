import Foundation
import Gateway
import Hummingbird
import Registry
import Reports

/// The reports area: `/reports/quarter/{YYYYQN}` is the quarterly report's HTML page as `liaison report quarter
/// --format html` writes it (`?lang=ja` for Japanese labels, `?compare=YYYYQN` for the change against another
/// quarter), its stylesheet linked from `/reports/report.css` since the desk's Content-Security-Policy allows no
/// inline style; `/api/reports/quarter/{YYYYQN}` is the same report as `--format json`.
enum ReportsRoutes {
    /// Where the report page's stylesheet is served.
    static let stylesheetPath = "/reports/report.css"

    static func register(on router: DeskRouter, desk: Desk) {
        router.get("/reports") { _, _ in DeskRenderer.redirect(to: "/reports/quarter/" + DeskRenderer.currentQuarter()) }
        router.get(RouterPath(stylesheetPath)) { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: ReportRenderer.htmlStylesheet)))
        }
        router.get("/reports/quarter/{quarter}") { request, context -> Response in
            let report = try quarterReport(desk.services(for: context), quarter: context.parameters.require("quarter"),
                                           compare: request.uri.queryParameters["compare"].map(String.init))
            let language: ReportLanguage = context.language == .ja ? .ja : .en
            return DeskRenderer.htmlResponse(ReportRenderer.html(report, language: language, stylesheetHref: stylesheetPath))
        }
        router.get("/api/reports/quarter/{quarter}") { request, context -> Response in
            let report = try quarterReport(desk.services(for: context), quarter: context.parameters.require("quarter"),
                                           compare: request.uri.queryParameters["compare"].map(String.init))
            return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: ReportRenderer.render(report, format: .json, language: .en))))
        }
    }

    /// The quarter's report as `liaison report quarter` builds it: the event log verified first, the latest seal
    /// named when it is intact. A quarter that is not `YYYYQN` is a 400 with one line.
    static func quarterReport(_ services: WorkspaceServices, quarter text: String, compare: String?) throws -> QuarterReport {
        let quarter: Quarter
        let other: Quarter?
        do {
            quarter = try Quarter(parsing: text)
            other = try compare.flatMap(InboxRoutes.nonEmpty).map { try Quarter(parsing: $0) }
        } catch {
            throw HTTPError(.badRequest, message: "\(error)")
        }
        let reports = services.store.reports
        var integrity = try LogIntegrity.verify(reports)
        if integrity.intact { integrity.latestSeal = AuditSeals.latest(of: services.workspace)?.summary }
        return try QuarterReportBuilder.build(reports, quarter: quarter, timeZone: services.configuration.timeZone,
                                              compareTo: other, logIntegrity: integrity,
                                              defaultTLP: services.configuration.cases.tlp)
    }
}
