import ArgumentParser
import Foundation
import Gateway
import Registry

extension CaseCommand {
    /// `liaison case answer-link CASE ORG [--revoke]`
    struct AnswerLink: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "answer-link",
            abstract: "Print an organisation's answer link for a case again, or revoke it.",
            discussion: """
                The link (answer.base_url in liaison.yaml, then /answer/<token>) lets the vendor answer without an \
                account: a status per product, a statement, a contact, or a VEX document. Every case message carries \
                it when answer.base_url is set. It stays valid until the case is published plus answer.grace_days \
                (30 by default), and at most answer.open_days (365) after it was issued while the case is open. \
                Without a current link, one is issued now. --revoke invalidates it at once; the next message (or \
                this command without --revoke) issues a new one.
                Example: liaison case answer-link 'JVNVU#12345678' kagayaki
                """)
        @OptionGroup var workspace: WorkspaceOptions
        @Argument(help: "Case id.") var caseId: String
        @Argument(help: "Organisation id (a participant of the case).") var organization: String
        @Flag(help: "Invalidate the organisation's link for the case.") var revoke = false

        func run() throws {
            try CommandSupport.reportingErrors {
                let env = try GatewayEnvironment(workspace)
                let links = try env.answerLinks()
                if revoke {
                    let count = try links.revoke(caseId: caseId, organizationId: organization, actor: env.actor)
                    print(count == 0 ? "\(caseId) \(organization): no valid answer link to revoke"
                                     : "\(caseId) \(organization): answer link revoked; the next message carries a new one")
                    return
                }
                guard env.configuration.answer.baseURL != nil else {
                    throw ValidationError("answer.base_url is not set in liaison.yaml: messages carry no answer link")
                }
                guard let link = try links.currentOrIssue(caseId: caseId, organizationId: organization, actor: env.actor),
                      let url = link.url else {
                    throw ValidationError("\(caseId) takes no more answers (withdrawn, or published more than answer.grace_days ago)")
                }
                print(url)
                CommandSupport.printError("valid until \(env.dates.timeText(link.expiresAt))\(link.issued ? " (issued now)" : "")")
            }
        }
    }
}
