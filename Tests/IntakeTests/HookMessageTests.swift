import Escalation
import Intake
import Testing

@Suite struct HookMessageTemplates {
    /// Every placeholder is filled; an unknown one, or a lone brace, stays as written.
    @Test func placeholdersAreFilledAndTheRestKept() {
        let fields = ["id": "K3F9", "customer": "acme", "tier_name": "CEO informed"]
        #expect(HookMessage.render("{id} for {customer}: {tier_name} {nope} {", fields) == "K3F9 for acme: CEO informed {nope} {")
        #expect(HookMessage.render("{{id}} {id-x}", fields) == "{K3F9} {id-x}")
    }

    /// Each trigger has a default title that says what happened.
    @Test func everyTriggerHasADefaultTitle() {
        for t in Hook.Trigger.allCases {
            #expect(HookMessage.defaultTitle(t).hasPrefix("[{severity}] {id} {customer}: "))
        }
    }
}
