import Escalation
import Testing

@Suite struct BuiltInPolicy {
    @Test func isTheDesignProcess() throws {
        let p = Policy.builtIn
        #expect(p.name == "production-priority")
        #expect(p.customerUpdates == .minutes(15))
        #expect(p.tiers.map(\.id) == ["escalated", "management", "technical", "ceo"])
        #expect(p.tiers[0].require == .none)
        #expect(p.tiers[1].notifyWithin == .minutes(10))
        #expect(p.tiers[1].require == .all)
        #expect(p.tiers[1].contacts.map(\.id) == ["am", "director-support", "vp-cx"])
        #expect(p.tiers[2].start == StartRule(after: .minutes(10), from: .open))
        #expect(p.tiers[2].require == .any)
        #expect(p.tiers[2].contacts.map(\.id) == ["platform-engineering", "premise-engineering", "telecom", "network-operations"])
        #expect(p.tiers[3].start == StartRule(after: .minutes(20), from: .tier("technical")))
    }

    @Test func appliesPerCustomerContacts() {
        let p = Policy.builtIn
        let am = p.contacts(ofTier: 1, customer: "acme")[0]
        #expect(am == Contact(id: "am", name: "Jane Roe", role: "account", phone: "+1 555 0101", email: "jane@example.com"))
        #expect(p.contacts(ofTier: 1, customer: "globex")[0].name == "Account Manager")
        #expect(p.contacts(ofTier: 1, customer: nil)[0].phone == nil)
    }

    @Test func findsContactsByIdOrNameIgnoringCase() {
        #expect(Policy.builtIn.findContact("AM")?.contact.id == "am")
        #expect(Policy.builtIn.findContact("network operations")?.tier == 2)
        #expect(Policy.builtIn.findContact("nobody") == nil)
    }

    @Test func minimalPolicyGetsDefaults() throws {
        let p = try Policy(yaml: "name: x\ntiers:\n  - { id: a, name: A, contacts: [Bob] }\n", file: "p.yaml")
        #expect(p.version == 1 && p.customerUpdates == nil && p.tiers[0].require == .all)
        #expect(p.tiers[0].contacts == [Contact(id: "bob", name: "Bob")])
    }
}

@Suite struct PolicyErrors {
    /// Asserts the exact `file:line:column: error:` and a phrase of the message.
    func expectError(_ yaml: String, _ place: String, _ phrase: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try Policy(yaml: yaml, file: "p.yaml")
            Issue.record("expected an error at \(place)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.description.hasPrefix("p.yaml:\(place): error: "), "\(error)", sourceLocation: sourceLocation)
            #expect(error.message.contains(phrase), "\(error)", sourceLocation: sourceLocation)
        }
    }

    let head = "name: x\ntiers:\n"

    @Test func unknownKeyIsPointedAt() {
        expectError(head + "  - id: a\n    name: A\n    contcts: [Bob]\n", "5:5", "unknown key 'contcts'")
        expectError("name: x\nversoin: 2\ntiers: []\n", "2:1", "unknown key 'versoin'")
    }

    @Test func badDurations() {
        expectError(head + "  - id: a\n    name: A\n    notify_within: 10 minutes\n    contacts: [Bob]\n", "5:20", "bad duration '10 minutes'")
        expectError("name: x\ncustomer_updates: 1.5h\ntiers:\n  - { id: a, name: A, contacts: [Bob] }\n", "2:19", "bad duration")
        expectError(head + "  - { id: a, name: A, contacts: [Bob] }\n  - { id: b, name: B, contacts: [C], start: { after: soon } }\n", "4:54", "bad duration 'soon'")
    }

    @Test func duplicateIds() {
        expectError(head + "  - { id: a, name: A, contacts: [Bob] }\n  - { id: a, name: B, contacts: [Carol] }\n", "4:11", "duplicate tier id 'a'")
        expectError(head + "  - { id: a, name: A, contacts: [Bob] }\n  - { id: b, name: B, contacts: [Bob] }\n", "4:34", "duplicate contact id 'bob'")
    }

    @Test func startMustNameAnEarlierTier() {
        expectError(head + "  - { id: a, name: A, contacts: [Bob] }\n  - { id: b, name: B, contacts: [C], start: { after: 5m, from: c } }\n  - { id: c, name: C, contacts: [D] }\n",
                    "4:64", "'from: c' must be 'open' or the id of an earlier tier")
        expectError(head + "  - { id: a, name: A, contacts: [Bob] }\n  - { id: b, name: B, contacts: [C], start: { after: 5m, from: nowhere } }\n",
                    "4:64", "'from: nowhere'")
        expectError(head + "  - { id: a, name: A, contacts: [Bob] }\n  - { id: b, name: B, contacts: [C], start: { after: 5m, from: b } }\n",
                    "4:64", "cannot start from itself")
        expectError(head + "  - { id: a, name: A, contacts: [Bob], start: { from: open } }\n", "3:47", "'start' needs 'after'")
    }

    @Test func contactsNeedNames() {
        expectError(head + "  - id: a\n    name: A\n    contacts:\n      - { id: bob, phone: '1' }\n", "6:9", "a contact needs a name")
        expectError(head + "  - id: a\n    name: A\n    contacts: ['  ']\n", "5:16", "a contact needs a name")
    }

    @Test func aTierThatRequiresContactsNeedsSome() {
        expectError(head + "  - id: a\n    name: A\n", "3:5", "requires contacts")
        expectError(head + "  - { id: a, name: A, require: most, contacts: [Bob] }\n", "3:32", "'require' must be all, any or none")
    }

    @Test func structureErrors() {
        expectError("", "1:1", "empty")
        expectError("name: x\n", "1:1", "missing key 'tiers'")
        expectError("name: x\ntiers: []\n", "2:8", "non-empty list")
        expectError("- a\n- b\n", "1:1", "the policy must be a mapping")
        expectError(head + "  - { id: A!, name: A, contacts: [Bob] }\n", "3:11", "must use only a-z")
        expectError("name: x\ntiers:\n  - { id: a, name: A, contacts: [Bob] }\ncustomers:\n  acme: { boss: { name: Z } }\n", "5:11", "unknown contact 'boss'")
        expectError(head + "  - { id: a, name: A, unless: paged, contacts: [Bob] }\n", "3:31", "'unless' can only be 'acknowledged'")
    }

    @Test func yamlSyntaxErrorsCarryTheirPlace() {
        expectError("name: x\ntiers:\n  - { id: a, name: A\n", "4:1", "invalid YAML")
        expectError("name: x\nname: y\ntiers: []\n", "1:1", "duplicate key")
    }
}

@Suite struct FindingTiersAndContacts {
    @Test func tiersByIdNameOrIndex() {
        let p = Policy.builtIn
        #expect(p.findTier("technical") == 2 && p.findTier("CEO informed") == 3 && p.findTier("T1") == 1)
        #expect(p.findTier("t9") == nil && p.findTier("nowhere") == nil)
    }

    @Test func contactsByTheCustomersOverrideName() {
        let p = Policy.builtIn
        #expect(p.findContact("jane roe", customer: "acme")?.contact.id == "am")
        #expect(p.findContact("jane roe", customer: "globex") == nil)
        #expect(p.findContact("Telecom", customer: nil)?.tier == 2)
    }
}
