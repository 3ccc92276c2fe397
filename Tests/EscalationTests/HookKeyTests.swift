import Escalation
import Testing

/// The hook key: one place builds and reads `OCCURRENCE#NAME`.
@Suite struct HookKeys {
    @Test func aHookKeyReadsBackWhatWasWritten() throws {
        let k = try #require(HookKey("K3F9/tier_started/ceo/1796024191095#page"))
        #expect(k.occurrence == "K3F9/tier_started/ceo/1796024191095" && k.name == "page" && k.trigger == "tier_started" && k.tier == "ceo")
        #expect(k.description == "K3F9/tier_started/ceo/1796024191095#page" && k.callOut == nil)
        #expect(HookKey("K3F9/acknowledged/noc1-4#ack")?.tier == nil, "no tier for an acknowledgement")
        #expect(HookKey("no hash here") == nil)
    }

    @Test func anAutomaticCallsKeyCarriesItsContactAndTry() throws {
        let k = HookKey.callOut(incident: "K3F9", tier: "management", startMillis: 1_796_024_191_095, contact: "am", attempt: 2)
        #expect(k.description == "K3F9/call_out/management/1796024191095/am/2#call-out")
        let back = try #require(HookKey(k.description)?.callOut)
        #expect(back.tier == "management" && back.contact == "am" && back.attempt == 2)
        #expect(HookKey("K3F9/call_out/management/1796024191095/am/x#call-out")?.callOut == nil, "a try that is no number")
        // An operator's call: try 0, its own name.
        let hand = HookKey.call(incident: "K3F9", tier: "management", millis: 5, contact: "am")
        #expect(hand.description == "K3F9/call/management/5/am/0#call" && hand.callOut?.attempt == 0 && hand.tier == "management")
    }
}
