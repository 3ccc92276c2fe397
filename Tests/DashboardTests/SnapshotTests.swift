import Dashboard
import Testing

/// Frames at a fixed clock (2026-11-26 18:00:00 UTC), asserted as text:
/// a reviewer reads the test and sees the screen.
@Suite struct SnapshotTests {
    @Test func anEmptyStoreSaysNothingIsRecordedYet() {
        #expect(Scenes.empty().view(width: 80, height: 24).text == """
         tierwatch · 0 open · 18:00:00 UTC (19:00 local) · alice · read-write · /srv/n…
        ┌─ Incidents · 0 shown · by urgency ───────────────────────────────────────────┐
        │   ID    SEV  STATE  TIER NEXT                 CUSTOMER   TITLE               │
        │  No incidents recorded in this store yet.                                    │
        └──────────────────────────────────────────────────────────────────────────────┘
        ┌─ No incident selected ───────────────────────────────────────────────────────┐
        │ Press n to open an incident, or : for the command line.                      │
        │                                                                              │
        │                                                                              │
        │                                                                              │
        │                                                                              │
        │                                                                              │
        │                                                                              │
        │                                                                              │
        │                                                                              │
        │                                                                              │
        │                                                                              │
        │                                                                              │
        │                                                                              │
        │                                                                              │
        │                                                                              │
        └──────────────────────────────────────────────────────────────────────────────┘

        F1Help F2Ack F3Escalate F4Resolve F5Update F6Note F7New F8Filter F9Sort F10Quit
        """)
    }

    @Test func oneFreshIncidentAt80x24() {
        #expect(Scenes.fresh().view(width: 80, height: 24).text == """
         tierwatch · 1 open · 18:00:00 UTC (19:00 local) · alice · read-write · /srv/n…
        ┌─ Incidents · 1 shown · by urgency ───────────────────────────────────────────┐
        │   ID    SEV  STATE  TIER NEXT                 CUSTOMER   TITLE               │
        │ ● K3F9  sev1 open   T1   T1 due        09:00  acme       SIP trunk down      │
        └──────────────────────────────────────────────────────────────────────────────┘
        ┌─ K3F9 · SIP trunk down ──────────────────────────────────────────────────────┐
        │ acme · sev1 · open · opened by alice 17:59Z (1m ago)                         │
        │ next: T1 due 09:00 · customer update 14:00 · policy production-priority v2   │
        │┌─ Tiers ────────────────────────────────────────────────────────────────────┐│
        ││ ✓ T0 Escalated            done    from 17:59Z                       ██████ ││
        ││ ● T1 Management notified  active  from 17:59Z   due 18:09Z    09:00 ░░░░░░ ││
        ││ ○ T2 Technical resources… pending at 18:09Z                   09:00 ░░░░░░ ││
        ││ ○ T3 CEO informed         pending at 18:29Z                   29:00 ░░░░░░ ││
        │└────────────────────────────────────────────────────────────────────────────┘│
        │┌─ Contacts · T1 Management notifi─┐┌─ Timeline · newest first ──────────────┐│
        ││ ○ Jane Roe (account)  +1 555 0101││ 17:59Z alice      opened sev1 for acme:││
        ││ ○ Director of Customer Support  n││                                        ││
        ││ ○ VP of Customer Experience  no p││                                        ││
        ││                                  ││                                        ││
        ││                                  ││                                        ││
        │└──────────────────────────────────┘└────────────────────────────────────────┘│
        └──────────────────────────────────────────────────────────────────────────────┘

        F1Help F2Ack F3Escalate F4Resolve F5Update F6Note F7New F8Filter F9Sort F10Quit
        """)
    }

    @Test func theHelpOverlayListsEveryKey() {
        #expect(Scenes.help().view(width: 80, height: 24).text == """
         tierwatch · 4 open · 18:00:00 UTC (19:00 local) · alice · read-write · /srv/n…
        ┌─ Incidents · 4 shown · by urgency ───────────────────────────────────────────┐
        │ ┌─ Keys ───────────────────────────────────────────────────────────────────┐ │
        │ │ ↑ ↓  j k         select an incident (or a tier, or a contact: see Tab)   │r│
        │ │ Tab  Shift-Tab   move between the list, the tiers and the contacts       │d│
        │ │ a   F2           acknowledge the selected incident                       │r│
        │ │ e   F3           escalate to the next tier (asks to confirm)             │n│
        └─│ r   F4           resolve (asks for an optional message)                  │─┘
        ┌─│ u   F5           record a customer status update (message)               │─┐
        │ │ m   F6           add a note                                              │l│
        │ │ n   F7           open a new incident (title, customer, severity)         │ │
        │┌│ Space  Enter     on a contact: record a call (reached, voicemail, no ans │┐│
        │││ :                command line: :ack K3F9  :notify K3F9 am  :resolve K3F9 │││
        │││ /   F8           filter the list (Esc clears)                            │││
        │││ s   F9           sort by urgency, severity or opening time               │││
        │││ A                show or hide resolved incidents                         │││
        │└│ PgUp  PgDn       scroll the timeline                                     │┘│
        │┌│ ?   F1           this help (any key closes it)                           │┐│
        │││ q   F10          quit                                                    │││
        │││                                                                          │││
        │└│ Any key closes this help.                                                │┘│
        └─└──────────────────────────────────────────────────────────────────────────┘─┘

        F1Help F2Ack F3Escalate F4Resolve F5Update F6Note F7New F8Filter F9Sort F10Quit
        """)
    }

    @Test func aTooSmallScreenSaysWhatItNeeds() {
        #expect(Scenes.several().view(width: 60, height: 20).text == """









                         Terminal too small: 60×20.
                      tierwatch needs at least 80×24.
                        Enlarge the window; q quits.








        """)
    }

    @Test func controlCharactersInTitlesBecomeVisible() {
        #expect(Scenes.evil().view(width: 80, height: 24).text == """
         tierwatch · 1 open · 18:00:00 UTC (19:00 local) · alice · read-write · /srv/n…
        ┌─ Incidents · 1 shown · by urgency ───────────────────────────────────────────┐
        │   ID    SEV  STATE  TIER NEXT                 CUSTOMER   TITLE               │
        │ ● EV11  sev2 open   T1   T1 due        08:00  acme␛[31m  evil␛]0;pwned␇␛[2J�6│
        └──────────────────────────────────────────────────────────────────────────────┘
        ┌─ EV11 · evil␛]0;pwned␇␛[2J�6n␍␊�gnp.exe 東京 ────────────────────────────────┐
        │ acme␛[31m · sev2 · open · opened by alice 17:58Z (2m ago)                    │
        │ next: T1 due 08:00 · customer update 13:00 · policy production-priority v2   │
        │┌─ Tiers ────────────────────────────────────────────────────────────────────┐│
        ││ ✓ T0 Escalated            done    from 17:58Z                       ██████ ││
        ││ ● T1 Management notified  active  from 17:58Z   due 18:08Z    08:00 █░░░░░ ││
        ││ ○ T2 Technical resources… pending at 18:08Z                   08:00 █░░░░░ ││
        ││ ○ T3 CEO informed         pending at 18:28Z                   28:00 ░░░░░░ ││
        │└────────────────────────────────────────────────────────────────────────────┘│
        │┌─ Contacts · T1 Management notifi─┐┌─ Timeline · newest first ──────────────┐│
        ││ ○ Account Manager (account)  no p││ 17:58Z alice      opened sev2 for acme␛││
        ││ ○ Director of Customer Support  n││                                        ││
        ││ ○ VP of Customer Experience  no p││                                        ││
        ││                                  ││                                        ││
        ││                                  ││                                        ││
        │└──────────────────────────────────┘└────────────────────────────────────────┘│
        └──────────────────────────────────────────────────────────────────────────────┘

        F1Help F2Ack F3Escalate F4Resolve F5Update F6Note F7New F8Filter F9Sort F10Quit
        """)
    }

    @Test func theViewerShowsItsBannerAndRefusesActions() {
        #expect(Scenes.readOnlyRefusal().view(width: 80, height: 24).text == """
         tierwatch · 4 open · 18:00:00 UTC (19:00 local) ·  READ-ONLY VIEWER  · alice ·
        ┌─ Incidents · 4 shown · by urgency ───────────────────────────────────────────┐
        │   ID    SEV  STATE  TIER NEXT                 CUSTOMER   TITLE               │
        │ ! 20AJ  sev1 acked  T2   update due   -07:00  initech    SIP trunk down in Fr│
        │ ! G2D9  sev2 open   T2   T1 due       -02:00  acme       Voicemail to email d│
        │ ● TSF2  sev3 acked  T1   T1 due        05:00  acme       Call recording expor│
        │ ● D4H4  sev1 open   T1   T1 due        09:00  globex     Inbound calls failin│
        └──────────────────────────────────────────────────────────────────────────────┘
        ┌─ 20AJ · SIP trunk down in Frankfurt PoP ─────────────────────────────────────┐
        │ initech · sev1 · acknowledged · opened by alex 17:38Z (22m ago) · acked by al│
        │ next: update due -07:00 · policy production-priority v2                      │
        │┌─ Tiers ────────────────────────────────────────────────────────────────────┐│
        ││ ✓ T0 Escalated            done    from 17:38Z                       ██████ ││
        ││ ✓ T1 Management notified  done    from 17:38Z   due 17:48Z          ██████ ││
        ││ ✓ T2 Technical resources… done    from 17:42Z   due 17:52Z          ██████ ││
        ││ ○ T3 CEO informed         pending at 18:02Z                   02:00 █████░ ││
        │└────────────────────────────────────────────────────────────────────────────┘│
        │┌─ Contacts · T2 Technical resourc─┐┌─ Timeline · newest first ──────────────┐│
        ││ ○ Platform Engineering  no phone ││ 17:50Z alex       note: Carrier ticket ││
        ││ ○ Premise Engineering  no phone s││ 17:43Z alex       Telecom (Technical re││
        │└──────────────────────────────────┘└────────────────────────────────────────┘│
        └──────────────────────────────────────────────────────────────────────────────┘
        read-only viewer: cannot acknowledge (run tierwatch without 'view' to act)
        F1Help F8Filter F9Sort F10Quit                                        READ-ONLY
        """)
    }

    @Test func severalIncidentsAt120x40WithOneOverdue() {
        #expect(Scenes.several().view(width: 120, height: 40).text == """
         tierwatch · 4 open · 18:00:00 UTC (19:00 local) · alice · read-write · /srv/noc/store
        ┌─ Incidents · 4 shown · by urgency ───────────────────────────────────────────────────────────────────────────────────┐
        │   ID    SEV  STATE    TIER          NEXT                 CUSTOMER   TITLE                                            │
        │ ! 20AJ  sev1 acked    T2 technical  update due   -07:00  initech    SIP trunk down in Frankfurt PoP                  │
        │ ! G2D9  sev2 open     T2 technical  T1 due       -02:00  acme       Voicemail to email delayed                       │
        │ ● TSF2  sev3 acked    T1 management T1 due        05:00  acme       Call recording exports failing                   │
        │ ● D4H4  sev1 open     T1 management T1 due        09:00  globex     Inbound calls failing for all DIDs               │
        └──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┘
        ┌─ 20AJ · SIP trunk down in Frankfurt PoP ─────────────────────────────────────────────────────────────────────────────┐
        │ initech · sev1 · acknowledged · opened by alex 17:38Z (22m ago) · acked by alex 17:39Z                               │
        │ next: update due -07:00 · policy production-priority v2                                                              │
        │┌─ Tiers ────────────────────────────────────────────────────────────────────────────────────────────────────────────┐│
        ││ ✓ T0 Escalated                       done    from 17:38Z                       ███████████████████████████████████ ││
        ││ ✓ T1 Management notified             done    from 17:38Z   due 17:48Z          ███████████████████████████████████ ││
        ││ ✓ T2 Technical resources engaged     done    from 17:42Z   due 17:52Z          ███████████████████████████████████ ││
        ││ ○ T3 CEO informed                    pending at 18:02Z                   02:00 ███████████████████████████████░░░░ ││
        │└────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┘│
        │┌─ Contacts · T2 Technical resources engaged ───────┐┌─ Timeline · newest first ─────────────────────────────────────┐│
        ││ ○ Platform Engineering  no phone set              ││ 17:50Z alex       note: Carrier ticket 55123 opened           ││
        ││      not yet called                               ││ 17:43Z alex       Telecom (Technical resources engaged): reach││
        ││ ○ Premise Engineering  no phone set               ││ 17:42Z alex       escalated to Technical resources engaged    ││
        ││      not yet called                               ││ 17:41Z alex       VP of Customer Experience (Management notifi││
        ││ ✓ Telecom  no phone set                           ││ 17:41Z alex       Director of Customer Support (Management not││
        ││      reached by alex 17:43Z                       ││ 17:41Z alex       Account Manager (Management notified): reach││
        ││ ○ Network Operations  no phone set                ││ 17:39Z alex       acknowledged                                ││
        ││      not yet called                               ││ 17:38Z alex       opened sev1 for initech: SIP trunk down in F││
        ││                                                   ││                                                               ││
        ││                                                   ││                                                               ││
        ││                                                   ││                                                               ││
        ││                                                   ││                                                               ││
        ││                                                   ││                                                               ││
        ││                                                   ││                                                               ││
        ││                                                   ││                                                               ││
        ││                                                   ││                                                               ││
        ││                                                   ││                                                               ││
        ││                                                   ││                                                               ││
        │└───────────────────────────────────────────────────┘└───────────────────────────────────────────────────────────────┘│
        └──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┘

        F1Help  F2Ack   F3Escalate F4Resolve F5Update F6Note  F7New   F8Filter F9Sort  F10Quit
        """)
    }
}
