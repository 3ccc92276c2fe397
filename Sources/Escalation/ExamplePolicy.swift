extension Policy {
    /// The built-in process with a directory and on-call schedules for
    /// every team: what `tierwatch demo` runs and `tierwatch policy show
    /// --example` prints to start a real one from. The people are
    /// fictional and the numbers are from the range reserved for fiction
    /// (+1 555 0100 to 0199). The built-in policy itself names roles only:
    /// a desk with no policy file must never be shown a made-up person.
    public static let exampleYAML = """
    # tierwatch example policy: the built-in process, with a people
    # directory and on-call schedules for every team. Fictional people;
    # numbers from the range reserved for fiction. Replace them with yours.
    name: production-priority
    version: 3
    customer_updates: 15m
    people:
      - { id: noor, name: Noor Haddad, phone: "+1 555 0110", email: noor@example.com, zone: Europe/Berlin }
      - { id: tomas, name: Tomás Ruiz, phone: "+1 555 0111", email: tomas@example.com, zone: Europe/Berlin }
      - { id: kim, name: Kim Park, phone: "+1 555 0120", email: kim@example.com, zone: America/New_York, note: account management lead }
      - { id: jane, name: Jane Roe, phone: "+1 555 0101", email: jane@example.com, zone: America/New_York }
      - { id: omar, name: Omar Said, phone: "+1 555 0121", email: omar@example.com, zone: Europe/Berlin }
      - { id: lena, name: Lena Vogel, phone: "+1 555 0122", email: lena@example.com, zone: Europe/Berlin }
      - { id: maria, name: Maria Jensen, phones: ["+1 555 0130", "+1 555 0131"], email: maria@example.com, zone: Europe/Berlin }
      - { id: david, name: David Osei, phone: "+1 555 0132", email: david@example.com, zone: America/New_York }
      - { id: ruth, name: Ruth Adler, phone: "+1 555 0133", email: ruth@example.com, zone: America/New_York, note: "CEO: say the incident id first" }
      - { id: ana, name: Ana Lima, phone: "+1 555 0140", email: ana@example.com, zone: Europe/Berlin }
      - { id: ben, name: Ben Okafor, phone: "+1 555 0141", email: ben@example.com, zone: Europe/Berlin }
      - { id: cho, name: Cho Min-jun, phone: "+1 555 0142", email: cho@example.com, zone: Asia/Seoul }
      - { id: dev, name: Dev Patel, phone: "+1 555 0150", email: dev@example.com, zone: Europe/London }
      - { id: eva, name: Eva Novak, phone: "+1 555 0151", email: eva@example.com, zone: Europe/Berlin }
      - { id: finn, name: Finn Berg, phone: "+1 555 0160", email: finn@example.com, zone: Europe/Berlin }
      - { id: gia, name: Gia Romano, phone: "+1 555 0161", email: gia@example.com, zone: Europe/Rome }
      - { id: hugo, name: Hugo Blanc, phone: "+1 555 0162", email: hugo@example.com, zone: Europe/Paris }
      - { id: ines, name: Ines Costa, phone: "+1 555 0170", email: ines@example.com, zone: America/New_York }
      - { id: jon, name: Jon Berg, phone: "+1 555 0171", email: jon@example.com, zone: America/New_York }
      - { id: kai, name: Kai Weber, phone: "+1 555 0172", email: kai@example.com, zone: Europe/Berlin }
    schedules:
      - id: noc-desk
        name: NOC desk lead
        zone: Europe/Berlin
        rotations:
          - { people: [noor, tomas], shift: 12h, handoff: "08:00", start: 2026-01-05 }
      - id: platform
        name: Platform Engineering on call
        zone: Europe/Berlin
        rotations:                   # weekly, Monday 09:00 Berlin time, all year (DST included)
          - { people: [ana, ben, cho], shift: weekly, handoff: "Mon 09:00", start: 2026-01-05 }
      - id: premise
        name: Premise Engineering on call
        zone: Europe/London
        rotations:
          - { people: [dev, eva], shift: weekly, handoff: "Mon 09:00", start: 2026-01-05 }
      - id: telecom
        name: Telecom on call
        zone: Europe/Berlin
        rotations:
          - { people: [finn, gia, hugo], shift: daily, handoff: "08:00", start: 2026-01-05 }
      - id: netops
        name: Network Operations on call
        zone: America/New_York
        rotations:                   # the first layer that covers the instant wins
          - { people: [ines], shift: weekly, handoff: "Mon 09:00", start: 2026-01-05, only: { days: Mon-Fri, hours: "09:00-17:00" } }
          - { people: [jon, kai], shift: weekly, handoff: "Mon 09:00", start: 2026-01-05 }
    tiers:
      - id: escalated
        name: Escalated
        contacts: [{ id: desk, name: Customer Obsession Team, schedule: noc-desk }]
        require: none
      - id: management
        name: Management notified
        notify_within: 10m
        contacts:
          - { id: am, name: Account Manager, role: account, person: kim }
          - { id: director-support, name: Director of Customer Support, person: maria }
          - { id: vp-cx, name: VP of Customer Experience, person: david }
      - id: technical
        name: Technical resources engaged
        start: { after: 10m, from: open }
        notify_within: 10m
        require: any
        contacts:
          - { id: platform-engineering, name: Platform Engineering, schedule: platform }
          - { id: premise-engineering, name: Premise Engineering, schedule: premise }
          - { id: telecom, name: Telecom, schedule: telecom }
          - { id: network-operations, name: Network Operations, schedule: netops }
      - id: ceo
        name: CEO informed
        start: { after: 20m, from: technical }
        notify_within: 5m
        contacts: [{ id: ceo, name: CEO, person: ruth }]
    customers:                        # each customer has its own Account Manager
      acme: { am: { person: jane } }
      globex: { am: { person: omar } }
      initech: { am: { person: lena } }

    """

    /// The example policy, parsed (tested to parse).
    public static let example: Policy = {
        do { return try Policy(yaml: exampleYAML, file: "<example>") } catch { fatalError("example policy: \(error)") }
    }()
}
