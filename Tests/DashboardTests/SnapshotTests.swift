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

        ?Help aAck eEscalate rResolve uUpdate mNote nNew /Filter sSort TabPane qQuit
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
        │ ▶ Call Jane Roe +1 555 0101 — not called yet — T1 Management notified due in…│
        │┌─ Tiers ────────────────────────────────────────────────────────────────────┐│
        ││ ✓ T0 Escalated            done    from 17:59Z                       ██████ ││
        ││ ● T1 Management notified  active  from 17:59Z   due 18:09Z    09:00 ░░░░░░ ││
        ││ ○ T2 Technical resources… pending at 18:09Z                   09:00 ░░░░░░ ││
        ││ ○ T3 CEO informed         pending at 18:29Z                   29:00 ░░░░░░ ││
        │└────────────────────────────────────────────────────────────────────────────┘│
        │┌─ Contacts · T1 Management notif…─┐┌─ Timeline · newest first ──────────────┐│
        ││ ○ Jane Roe (account)  +1 555 010…││ 17:59Z alice      opened sev1 for acme…││
        ││ ○ Director of Customer Support  …││                                        ││
        ││ ○ VP of Customer Experience  no …││                                        ││
        ││                                  ││                                        ││
        ││                                  ││                                        ││
        │└──────────────────────────────────┘└────────────────────────────────────────┘│
        └──────────────────────────────────────────────────────────────────────────────┘

        ?Help aAck eEscalate rResolve uUpdate mNote nNew /Filter sSort TabPane qQuit
        """)
    }

    @Test func theHelpOverlayListsEveryKey() {
        #expect(Scenes.help().view(width: 80, height: 24).text == """
         tierwatch · 4 open · 18:00:00 UTC (19:00 local) · alice · read-write · /srv/n…
        ┌─ Incidents · 4 shown · by urgency ───────────────────────────────────────────┐
        │┌─ Keys ─────────────────────────────────────────────────────────────────────┐│
        ││ ↑ ↓  j k       select an incident (a tier, a contact, an entry: Tab)       ││
        ││ Tab  S-Tab     move between list, tiers, contacts and timeline             ││
        ││ a   F2         acknowledge the selected incident                           ││
        ││ e   F3         escalate to the next tier (y/n to confirm)                  ││
        └│ r   F4         resolve (optional message, then y/n to confirm)             │┘
        ┌│ u   F5  m  F6  record a customer update / add a note                       │┐
        ││ n   F7         open a new incident (title, customer, severity)             ││
        ││ r v n          in the contacts pane: reached, voicemail, no answer         ││
        ││ Space  Enter   contacts: record a call · timeline: open an entry           ││
        ││ :              commands: :ack K3F9  :notify K3F9 am  :resolve K3F9 done    ││
        ││ /   F8         filter the list (Esc clears)                                ││
        ││ s   F9         sort by urgency, severity or opening time                   ││
        ││ A              show or hide resolved incidents                             ││
        ││ PgUp  PgDn     scroll the timeline                                         ││
        ││ ?   F1         this help                                                   ││
        ││ q   F10        quit                                                        ││
        ││                                                                            ││
        ││ Any key closes this help.                                                  ││
        └└────────────────────────────────────────────────────────────────────────────┘┘

        ?Help aAck eEscalate rResolve uUpdate mNote nNew /Filter sSort TabPane qQuit
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
        │ ● EV11  sev2 open   T1   T1 due        08:00  acme␛[31m  evil␛]0;pwned␇␛[2J�…│
        └──────────────────────────────────────────────────────────────────────────────┘
        ┌─ EV11 · evil␛]0;pwned␇␛[2J�6n␍␊�gnp.exe 東京 ────────────────────────────────┐
        │ acme␛[31m · sev2 · open · opened by alice 17:58Z (2m ago)                    │
        │ ▶ Call Account Manager (no number on file) — not called yet — T1 Management …│
        │┌─ Tiers ────────────────────────────────────────────────────────────────────┐│
        ││ ✓ T0 Escalated            done    from 17:58Z                       ██████ ││
        ││ ● T1 Management notified  active  from 17:58Z   due 18:08Z    08:00 █░░░░░ ││
        ││ ○ T2 Technical resources… pending at 18:08Z                   08:00 █░░░░░ ││
        ││ ○ T3 CEO informed         pending at 18:28Z                   28:00 ░░░░░░ ││
        │└────────────────────────────────────────────────────────────────────────────┘│
        │┌─ Contacts · T1 Management notif…─┐┌─ Timeline · newest first ──────────────┐│
        ││ ○ Account Manager (account)  no …││ 17:58Z alice      opened sev2 for acme…││
        ││ ○ Director of Customer Support  …││                                        ││
        ││ ○ VP of Customer Experience  no …││                                        ││
        ││                                  ││                                        ││
        ││                                  ││                                        ││
        │└──────────────────────────────────┘└────────────────────────────────────────┘│
        └──────────────────────────────────────────────────────────────────────────────┘

        ?Help aAck eEscalate rResolve uUpdate mNote nNew /Filter sSort TabPane qQuit
        """)
    }

    @Test func theViewerShowsItsBannerAndRefusesActions() {
        #expect(Scenes.readOnlyRefusal().view(width: 80, height: 24).text == """
         tierwatch · 4 open · 18:00:00 UTC (19:00 local) ·  READ-ONLY VIEWER  · alice ·
        ┌─ Incidents · 4 shown · by urgency ───────────────────────────────────────────┐
        │   ID    SEV  STATE  TIER NEXT                 CUSTOMER   TITLE               │
        │ ! 20AJ  sev1 acked  T2   update due   -07:00  initech    SIP trunk down in F…│
        │ ! G2D9  sev2 open   T2   T1 due       -02:00  acme       Voicemail to email …│
        │ ● TSF2  sev3 acked  T1   T1 due        05:00  acme       Call recording expo…│
        │ ● D4H4  sev1 open   T1   T1 due        09:00  globex     Inbound calls faili…│
        └──────────────────────────────────────────────────────────────────────────────┘
        ┌─ 20AJ · SIP trunk down in Frankfurt PoP ─────────────────────────────────────┐
        │ initech · sev1 · acknowledged · opened by alex 17:38Z (22m ago) · acked by a…│
        │ ▶ Send the customer a status update — customer update overdue 07:00          │
        │┌─ Tiers ────────────────────────────────────────────────────────────────────┐│
        ││ ✓ T0 Escalated            done    from 17:38Z                       ██████ ││
        ││ ✓ T1 Management notified  done    from 17:38Z   due 17:48Z          ██████ ││
        ││ ✓ T2 Technical resources… done    from 17:42Z   due 17:52Z          ██████ ││
        ││ ○ T3 CEO informed         pending at 18:02Z                   02:00 █████░ ││
        │└────────────────────────────────────────────────────────────────────────────┘│
        │┌─ Contacts · T2 Technical resour…─┐┌─ Timeline · newest first ──────────────┐│
        ││ ○ Platform Engineering  no phone…││ 17:50Z alex       note: Carrier ticket…││
        ││ ○ Premise Engineering  no phone …││ 17:43Z alex       Telecom (Technical r…││
        │└──────────────────────────────────┘└────────────────────────────────────────┘│
        └──────────────────────────────────────────────────────────────────────────────┘
        read-only viewer: cannot acknowledge (run tierwatch without 'view' to act)
        ?Help /Filter sSort AResolved TabPane qQuit                           READ-ONLY
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
        │ ▶ Send the customer a status update — customer update overdue 07:00                                                  │
        │┌─ Tiers ────────────────────────────────────────────────────────────────────────────────────────────────────────────┐│
        ││ ✓ T0 Escalated                       done    from 17:38Z                       ███████████████████████████████████ ││
        ││ ✓ T1 Management notified             done    from 17:38Z   due 17:48Z          ███████████████████████████████████ ││
        ││ ✓ T2 Technical resources engaged     done    from 17:42Z   due 17:52Z          ███████████████████████████████████ ││
        ││ ○ T3 CEO informed                    pending at 18:02Z                   02:00 ███████████████████████████████░░░░ ││
        │└────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┘│
        │┌─ Contacts · T2 Technical resources engaged ───────┐┌─ Timeline · newest first ─────────────────────────────────────┐│
        ││ ○ Platform Engineering  no phone set              ││ 17:50Z alex       note: Carrier ticket 55123 opened           ││
        ││      not yet called                               ││ 17:43Z alex       Telecom (Technical resources engaged): reac…││
        ││ ○ Premise Engineering  no phone set               ││ 17:42Z alex       escalated to Technical resources engaged    ││
        ││      not yet called                               ││ 17:41Z alex       VP of Customer Experience (Management notif…││
        ││ ✓ Telecom  no phone set                           ││ 17:41Z alex       Director of Customer Support (Management no…││
        ││      reached by alex 17:43Z                       ││ 17:41Z alex       Account Manager (Management notified): reac…││
        ││ ○ Network Operations  no phone set                ││ 17:39Z alex       acknowledged                                ││
        ││      not yet called                               ││ 17:38Z alex       opened sev1 for initech: SIP trunk down in …││
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

        ?Help aAck eEscalate rResolve uUpdate mNote nNew /Filter sSort TabPane qQuit
        """)
    }
}
