extension Policy {
    /// The process of DESIGN.md, as the YAML a user prints with
    /// `tierwatch policy show --yaml` and edits.
    public static let builtInYAML = """
    # tierwatch built-in policy: the escalation process of a carrier-grade
    # voice hosting provider's support desk. 24/7/365: no business hours.
    # [process] marks a number the process itself sets; [tierwatch] marks a
    # default tierwatch chose so that every step with people to call can
    # fall overdue on screen. Change either to suit your desk.
    name: production-priority
    version: 2
    customer_updates: 15m            # [tierwatch] proactive status-update cadence; omit for none
    tiers:
      - id: escalated
        name: Escalated
        contacts: [{ id: desk, name: Customer Obsession Team }]
        require: none                 # all | any | none: which contacts must be reached for the tier to be done
      - id: management
        name: Management notified
        notify_within: 10m            # [process] all three contacted within 10 minutes of the escalation
        contacts:
          - { id: am, name: Account Manager, role: account }
          - { id: director-support, name: Director of Customer Support }
          - { id: vp-cx, name: VP of Customer Experience }
      - id: technical
        name: Technical resources engaged
        start: { after: 10m, from: open }      # [tierwatch] starts by itself then at the latest, or earlier when the Account Manager escalates
        notify_within: 10m            # [tierwatch] a technical team engaged within 10 minutes of the tier's start
        require: any
        contacts: [Platform Engineering, Premise Engineering, Telecom, Network Operations]  # a bare string is a name; its id is the name as a slug
      - id: ceo
        name: CEO informed
        start: { after: 20m, from: technical } # [process] 20 minutes after the technical tier *started*, if still unresolved
        notify_within: 5m             # [tierwatch] the CEO informed within 5 minutes of the tier's start
        contacts: [{ id: ceo, name: CEO }]
    customers:                        # per-customer overrides: each customer has its own Account Manager
      acme: { am: { name: Jane Roe, phone: "+1 555 0101", email: jane@example.com } }

    """

    /// The built-in policy, parsed. It is tested to parse, so the force is safe.
    public static let builtIn: Policy = {
        do { return try Policy(yaml: builtInYAML, file: "<built-in>") } catch { fatalError("built-in policy: \(error)") }
    }()
}
