import Dashboard
import Surface
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

        ? Help a Ack e Escalate r Resolve u Update m Note n New Tab Pane q Quit
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
        │ ▶ Call Jane Roe +1 555 0101 — T1 due 09:00 — not called yet                  │
        │┌─ Tiers ────────────────────────────────────────────────────────────────────┐│
        ││ ✓ T0 Escalated            done    from 17:59Z                       ██████ ││
        ││ ● T1 Management notified  active  from 17:59Z   due 18:09Z    09:00 ░░░░░░ ││
        ││ ○ T2 Technical resources… pending at 18:09Z                   09:00 ░░░░░░ ││
        ││ ○ T3 CEO informed         pending at 18:29Z                   29:00 ░░░░░░ ││
        │└────────────────────────────────────────────────────────────────────────────┘│
        │┌─ Contacts · T1 Management notif…─┐┌─ Timeline · newest first ──────────────┐│
        ││▶○ Jane Roe  +1 555 0101  account…││ 17:59Z alice      opened sev1 for acme…││
        ││ ○ Director of Customer Support  …││                                        ││
        ││ ○ VP of Customer Experience  no …││                                        ││
        ││                                  ││                                        ││
        ││                                  ││                                        ││
        │└──────────────────────────────────┘└────────────────────────────────────────┘│
        └──────────────────────────────────────────────────────────────────────────────┘

        ? Help a Ack e Escalate r Resolve u Update m Note n New Tab Pane q Quit
        """)
    }

    @Test func theHelpOverlayListsEveryKey() {
        #expect(Scenes.help().view(width: 80, height: 24).text == """
         tierwatch · 4 open · 18:00:00 UTC (19:00 local) · alice · read-write · /srv/n…
        ┌┌─ Keys ─────────────────────────────────────────────────────────────────────┐┐
        ││ ↑ k  ↓ j       select an incident (a tier, a contact, an entry: Tab)       ││
        ││ Tab  S-Tab     move between list, tiers, contacts and timeline             ││
        ││ a F2           acknowledge the selected incident                           ││
        ││ e F3           escalate to the next tier (y/n to confirm)                  ││
        ││ r F4           resolve (optional message, then y/n to confirm)             ││
        └│ u F5  m F6     send the customer an update (edit, ^D sends) / add a note   │┘
        ┌│ n F7           open a new incident (title, customer, severity)             │┐
        ││ c  r  v  n     in the contacts pane: dial · reached, voicemail, no answer  ││
        ││ Enter Space    contacts: record a call · timeline: open an entry           ││
        ││ :              commands: :ack K3F9  :notify K3F9 am  :resolve K3F9 done    ││
        ││ / F8  Esc      filter the list · clear the filter                          ││
        ││ s F9           sort by urgency, severity or opening time                   ││
        ││ A              show or hide incidents resolved in the last day             ││
        ││ o              who is on call: every schedule, until when, who is next     ││
        ││ R              the compliance report (7, 30, 90 days; c customer)          ││
        ││ P  H           replay the selected incident · the shift handover           ││
        ││ PgUp  PgDn     scroll the timeline                                         ││
        ││ Home  End      the first and the last incident                             ││
        ││ ? h F1  q F10  this help · quit                                            ││
        └│ Any key closes this help.                                                  │┘
         └────────────────────────────────────────────────────────────────────────────┘
        any key Close
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
        │ ▶ Call Account Manager (no number on file) — T1 due 08:00 — not called yet   │
        │┌─ Tiers ────────────────────────────────────────────────────────────────────┐│
        ││ ✓ T0 Escalated            done    from 17:58Z                       ██████ ││
        ││ ● T1 Management notified  active  from 17:58Z   due 18:08Z    08:00 █░░░░░ ││
        ││ ○ T2 Technical resources… pending at 18:08Z                   08:00 █░░░░░ ││
        ││ ○ T3 CEO informed         pending at 18:28Z                   28:00 ░░░░░░ ││
        │└────────────────────────────────────────────────────────────────────────────┘│
        │┌─ Contacts · T1 Management notif…─┐┌─ Timeline · newest first ──────────────┐│
        ││▶○ Account Manager  no number on …││ 17:58Z alice      opened sev2 for acme…││
        ││ ○ Director of Customer Support  …││                                        ││
        ││ ○ VP of Customer Experience  no …││                                        ││
        ││                                  ││                                        ││
        ││                                  ││                                        ││
        │└──────────────────────────────────┘└────────────────────────────────────────┘│
        └──────────────────────────────────────────────────────────────────────────────┘

        ? Help a Ack e Escalate r Resolve u Update m Note n New Tab Pane q Quit
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
        │ ▶ Send the customer a status update — update due -07:00                      │
        │┌─ Tiers ────────────────────────────────────────────────────────────────────┐│
        ││ ✓ T0 Escalated            done    from 17:38Z                       ██████ ││
        ││ ✓ T1 Management notified  done    from 17:38Z   due 17:48Z          ██████ ││
        ││ ✓ T2 Technical resources… done    from 17:42Z   due 17:52Z          ██████ ││
        ││ ○ T3 CEO informed         pending at 18:02Z                   02:00 █████░ ││
        │└────────────────────────────────────────────────────────────────────────────┘│
        │┌─ Contacts · T2 Technical resour…─┐┌─ Timeline · newest first ──────────────┐│
        ││ ○ Platform Engineering  no numbe…││ 17:50Z alex       note: Carrier ticket…││
        ││ ○ Premise Engineering  no number…││ 17:43Z alex       Telecom (Technical r…││
        │└─────────────────── 2 more below ─┘└────────────────────────────────────────┘│
        └──────────────────────────────────────────────────────────────────────────────┘
        read-only viewer: cannot acknowledge (run tierwatch without 'view' to act)
        ? Help o On call / Filter s Sort A Resolved Tab Pane q Quit           READ-ONLY
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
        │ ▶ Send the customer a status update — customer update due -07:00                                                     │
        │┌─ Tiers ────────────────────────────────────────────────────────────────────────────────────────────────────────────┐│
        ││ ✓ T0 Escalated                       done    from 17:38Z                       ███████████████████████████████████ ││
        ││ ✓ T1 Management notified             done    from 17:38Z   due 17:48Z          ███████████████████████████████████ ││
        ││ ✓ T2 Technical resources engaged     done    from 17:42Z   due 17:52Z          ███████████████████████████████████ ││
        ││ ○ T3 CEO informed                    pending at 18:02Z                   02:00 ███████████████████████████████░░░░ ││
        │└────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┘│
        │┌─ Contacts · T2 Technical resources engaged ───────┐┌─ Timeline · newest first ─────────────────────────────────────┐│
        ││ ○ Platform Engineering  no number on file         ││ 17:50Z alex       note: Carrier ticket 55123 opened           ││
        ││      not yet called                               ││ 17:43Z alex       Telecom (Technical resources engaged): reac…││
        ││ ○ Premise Engineering  no number on file          ││ 17:42Z alex       escalated to Technical resources engaged    ││
        ││      not yet called                               ││ 17:41Z alex       VP of Customer Experience (Management notif…││
        ││ ✓ Telecom  no number on file                      ││ 17:41Z alex       Director of Customer Support (Management no…││
        ││      reached by alex 17:43Z                       ││ 17:41Z alex       Account Manager (Management notified): reac…││
        ││ ○ Network Operations  no number on file           ││ 17:39Z alex       acknowledged                                ││
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

        ? Help a Ack e Escalate r Resolve u Update m Note n New o On call / Filter s Sort Tab Pane q Quit
        """)
    }

    // The next action and the contacts pane, a countdown over ten hours and
    // a long timeline entry, each at the three sizes an operator meets.

    @Test func breachedManagementAt80x24() {
        #expect(Scenes.breachedManagement().view(width: 80, height: 24).text == """
         tierwatch · 1 open · 18:00:00 UTC (19:00 local) · alice · read-write · /srv/n…
        ┌─ Incidents · 1 shown · by urgency ───────────────────────────────────────────┐
        │   ID    SEV  STATE  TIER NEXT                 CUSTOMER   TITLE               │
        │ ! M4NG  sev1 open   T2   T1 due       -03:00  acme       Outbound calls drop…│
        └──────────────────────────────────────────────────────────────────────────────┘
        ┌─ M4NG · Outbound calls dropping after 30 s ──────────────────────────────────┐
        │ acme · sev1 · open · opened by alice 17:47Z (13m ago)                        │
        │ ▶ Call Director of Customer Support (no number on file) — T1 due -03:00 — no…│
        │┌─ Tiers ────────────────────────────────────────────────────────────────────┐│
        ││ ✓ T0 Escalated            done    from 17:47Z                       ██████ ││
        ││ ! T1 Management notified  overdue from 17:47Z   due 17:57Z   -03:00 ██████ ││
        ││ ● T2 Technical resources… active  from 17:57Z   due 18:07Z    07:00 █░░░░░ ││
        ││ ○ T3 CEO informed         pending at 18:17Z                   17:00 ░░░░░░ ││
        │└────────────────────────────────────────────────────────────────────────────┘│
        │┌─ Contacts · T1 Management notif…─┐┌─ Timeline · newest first ──────────────┐│
        ││ ✓ Jane Roe  +1 555 0101  account…││ 17:58Z alice      VP of Customer Exper…││
        ││▶○ Director of Customer Support  …││ 17:49Z alice      Jane Roe (Management…││
        ││ ~ VP of Customer Experience  no …││ 17:47Z alice      opened sev1 for acme…││
        ││                                  ││                                        ││
        ││                                  ││                                        ││
        │└──────────────────────────────────┘└────────────────────────────────────────┘│
        └──────────────────────────────────────────────────────────────────────────────┘

        ? Help a Ack e Escalate r Resolve u Update m Note n New Tab Pane q Quit
        """)
    }

    @Test func breachedManagementAt120x40() {
        #expect(Scenes.breachedManagement().view(width: 120, height: 40).text == """
         tierwatch · 1 open · 18:00:00 UTC (19:00 local) · alice · read-write · /srv/noc/store
        ┌─ Incidents · 1 shown · by urgency ───────────────────────────────────────────────────────────────────────────────────┐
        │   ID    SEV  STATE    TIER          NEXT                 CUSTOMER   TITLE                                            │
        │ ! M4NG  sev1 open     T2 technical  T1 due       -03:00  acme       Outbound calls dropping after 30 s               │
        └──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┘
        ┌─ M4NG · Outbound calls dropping after 30 s ──────────────────────────────────────────────────────────────────────────┐
        │ acme · sev1 · open · opened by alice 17:47Z (13m ago)                                                                │
        │ ▶ Call Director of Customer Support (no number on file) — T1 Management notified due -03:00 — not called yet         │
        │┌─ Tiers ────────────────────────────────────────────────────────────────────────────────────────────────────────────┐│
        ││ ✓ T0 Escalated                       done    from 17:47Z                       ███████████████████████████████████ ││
        ││ ! T1 Management notified             overdue from 17:47Z   due 17:57Z   -03:00 ███████████████████████████████████ ││
        ││ ● T2 Technical resources engaged     active  from 17:57Z   due 18:07Z    07:00 ██████████░░░░░░░░░░░░░░░░░░░░░░░░░ ││
        ││ ○ T3 CEO informed                    pending at 18:17Z                   17:00 █████░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░ ││
        │└────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┘│
        │┌─ Contacts · T1 Management notified ───────────────┐┌─ Timeline · newest first ─────────────────────────────────────┐│
        ││ ✓ Jane Roe  +1 555 0101  account · jane@example.c…││ 17:58Z alice      VP of Customer Experience (Management notif…││
        ││      reached by alice 17:49Z                      ││ 17:49Z alice      Jane Roe (Management notified): reached     ││
        ││ ○ Director of Customer Support  no number on file ││ 17:47Z alice      opened sev1 for acme: Outbound calls droppi…││
        ││      ▶ call next · not yet called                 ││                                                               ││
        ││ ~ VP of Customer Experience  no number on file    ││                                                               ││
        ││      no answer by alice 17:58Z                    ││                                                               ││
        ││                                                   ││                                                               ││
        ││ T2 active, due 18:07Z · Technical resources engag…││                                                               ││
        ││  ○ Platform Engineering (no number on file)       ││                                                               ││
        ││  ○ Premise Engineering (no number on file)        ││                                                               ││
        ││  ○ Telecom (no number on file)                    ││                                                               ││
        ││  ○ Network Operations (no number on file)         ││                                                               ││
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

        ? Help a Ack e Escalate r Resolve u Update m Note n New o On call / Filter s Sort Tab Pane q Quit
        """)
    }

    @Test func breachedManagementAt200x60() {
        #expect(Scenes.breachedManagement().view(width: 200, height: 60).text == """
         tierwatch · 1 open · 18:00:00 UTC (19:00 local) · alice · read-write · /srv/noc/store
        ┌─ Incidents · 1 shown · by urgency ───────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┐
        │   ID    SEV  STATE    TIER            NEXT                 CUSTOMER       TITLE                                                                                                                      │
        │ ! M4NG  sev1 open     T2 technical    T1 due       -03:00  acme           Outbound calls dropping after 30 s                                                                                         │
        └──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┘
        ┌─ M4NG · Outbound calls dropping after 30 s ──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┐
        │ acme · sev1 · open · opened by alice 17:47Z (13m ago)                                                                                                                                                │
        │ ▶ Call Director of Customer Support (no number on file) — T1 Management notified due -03:00 — not called yet · customer update due 02:00                                                             │
        │┌─ Tiers ────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┐│
        ││ ✓ T0 Escalated                       done    from 17:47Z                       ███████████████████████████████████████████████████████████████████████████████████████████████████████████████████ ││
        ││ ! T1 Management notified             overdue from 17:47Z   due 17:57Z   -03:00 ███████████████████████████████████████████████████████████████████████████████████████████████████████████████████ ││
        ││ ● T2 Technical resources engaged     active  from 17:57Z   due 18:07Z    07:00 ██████████████████████████████████░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░ ││
        ││ ○ T3 CEO informed                    pending at 18:17Z                   17:00 █████████████████░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░ ││
        │└────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┘│
        │┌─ Contacts · T1 Management notified ───────────────────────────────────────────────────┐┌─ Timeline · newest first ─────────────────────────────────────────────────────────────────────────────────┐│
        ││ ✓ Jane Roe  +1 555 0101  account · jane@example.com                                   ││ 17:58Z alice      VP of Customer Experience (Management notified): no answer                              ││
        ││      reached by alice 17:49Z                                                          ││ 17:49Z alice      Jane Roe (Management notified): reached                                                 ││
        ││ ○ Director of Customer Support  no number on file                                     ││ 17:47Z alice      opened sev1 for acme: Outbound calls dropping after 30 s                                ││
        ││      ▶ call next · not yet called                                                     ││                                                                                                           ││
        ││ ~ VP of Customer Experience  no number on file                                        ││                                                                                                           ││
        ││      no answer by alice 17:58Z                                                        ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││ T2 active, due 18:07Z · Technical resources engaged                                   ││                                                                                                           ││
        ││  ○ Platform Engineering (no number on file)                                           ││                                                                                                           ││
        ││  ○ Premise Engineering (no number on file)                                            ││                                                                                                           ││
        ││  ○ Telecom (no number on file)                                                        ││                                                                                                           ││
        ││  ○ Network Operations (no number on file)                                             ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        │└───────────────────────────────────────────────────────────────────────────────────────┘└───────────────────────────────────────────────────────────────────────────────────────────────────────────┘│
        └──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┘

        ? Help a Ack e Escalate r Resolve u Update m Note n New o On call / Filter s Sort Tab Pane q Quit
        """)
    }

    @Test func aCountdownOverTenHoursAt80x24() {
        #expect(Scenes.longCountdown().view(width: 80, height: 24).text == """
         tierwatch · 1 open · 18:00:00 UTC (19:00 local) · alice · read-write · /srv/n…
        ┌─ Incidents · 1 shown · by urgency ───────────────────────────────────────────┐
        │   ID    SEV  STATE  TIER NEXT                 CUSTOMER   TITLE               │
        │ ● L0NG  sev4 open   T1   T1 due       13h55m  globex     Intermittent fax fa…│
        └──────────────────────────────────────────────────────────────────────────────┘
        ┌─ L0NG · Intermittent fax failures ───────────────────────────────────────────┐
        │ globex · sev4 · open · opened by alice 17:55Z (5m ago)                       │
        │ ▶ Call Problem Manager (no number on file) — T1 due 13h55m — not called yet  │
        │┌─ Tiers ────────────────────────────────────────────────────────────────────┐│
        ││ ✓ T0 Desk                 done    from 17:55Z                       ██████ ││
        ││ ● T1 Next-day review      active  from 17:55Z   due 07:55Z   13h55m ░░░░░░ ││
        │└────────────────────────────────────────────────────────────────────────────┘│
        │┌─ Contacts · T1 Next-day review ──┐┌─ Timeline · newest first ──────────────┐│
        ││ ○ Problem Manager  no number on …││ 17:55Z alice      opened sev4 for glob…││
        ││      ▶ call next · not yet called││                                        ││
        ││                                  ││                                        ││
        ││                                  ││                                        ││
        ││                                  ││                                        ││
        ││                                  ││                                        ││
        ││                                  ││                                        ││
        │└──────────────────────────────────┘└────────────────────────────────────────┘│
        └──────────────────────────────────────────────────────────────────────────────┘

        ? Help a Ack e Escalate r Resolve u Update m Note n New Tab Pane q Quit
        """)
    }

    @Test func aCountdownOverTenHoursAt120x40() {
        #expect(Scenes.longCountdown().view(width: 120, height: 40).text == """
         tierwatch · 1 open · 18:00:00 UTC (19:00 local) · alice · read-write · /srv/noc/store
        ┌─ Incidents · 1 shown · by urgency ───────────────────────────────────────────────────────────────────────────────────┐
        │   ID    SEV  STATE    TIER          NEXT                 CUSTOMER   TITLE                                            │
        │ ● L0NG  sev4 open     T1 review     T1 due       13h55m  globex     Intermittent fax failures                        │
        └──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┘
        ┌─ L0NG · Intermittent fax failures ───────────────────────────────────────────────────────────────────────────────────┐
        │ globex · sev4 · open · opened by alice 17:55Z (5m ago)                                                               │
        │ ▶ Call Problem Manager (no number on file) — T1 Next-day review due 13h55m — not called yet                          │
        │┌─ Tiers ────────────────────────────────────────────────────────────────────────────────────────────────────────────┐│
        ││ ✓ T0 Desk                            done    from 17:55Z                       ███████████████████████████████████ ││
        ││ ● T1 Next-day review                 active  from 17:55Z   due 07:55Z   13h55m ░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░ ││
        │└────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┘│
        │┌─ Contacts · T1 Next-day review ───────────────────┐┌─ Timeline · newest first ─────────────────────────────────────┐│
        ││ ○ Problem Manager  no number on file              ││ 17:55Z alice      opened sev4 for globex: Intermittent fax fa…││
        ││      ▶ call next · not yet called                 ││                                                               ││
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
        ││                                                   ││                                                               ││
        │└───────────────────────────────────────────────────┘└───────────────────────────────────────────────────────────────┘│
        └──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┘

        ? Help a Ack e Escalate r Resolve u Update m Note n New o On call / Filter s Sort Tab Pane q Quit
        """)
    }

    @Test func aCountdownOverTenHoursAt200x60() {
        #expect(Scenes.longCountdown().view(width: 200, height: 60).text == """
         tierwatch · 1 open · 18:00:00 UTC (19:00 local) · alice · read-write · /srv/noc/store
        ┌─ Incidents · 1 shown · by urgency ───────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┐
        │   ID    SEV  STATE    TIER            NEXT                 CUSTOMER       TITLE                                                                                                                      │
        │ ● L0NG  sev4 open     T1 review       T1 due       13h55m  globex         Intermittent fax failures                                                                                                  │
        └──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┘
        ┌─ L0NG · Intermittent fax failures ───────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┐
        │ globex · sev4 · open · opened by alice 17:55Z (5m ago)                                                                                                                                               │
        │ ▶ Call Problem Manager (no number on file) — T1 Next-day review due 13h55m — not called yet                                                                                                          │
        │┌─ Tiers ────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┐│
        ││ ✓ T0 Desk                            done    from 17:55Z                       ███████████████████████████████████████████████████████████████████████████████████████████████████████████████████ ││
        ││ ● T1 Next-day review                 active  from 17:55Z   due 07:55Z   13h55m ░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░ ││
        │└────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┘│
        │┌─ Contacts · T1 Next-day review ───────────────────────────────────────────────────────┐┌─ Timeline · newest first ─────────────────────────────────────────────────────────────────────────────────┐│
        ││ ○ Problem Manager  no number on file                                                  ││ 17:55Z alice      opened sev4 for globex: Intermittent fax failures                                       ││
        ││      ▶ call next · not yet called                                                     ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        │└───────────────────────────────────────────────────────────────────────────────────────┘└───────────────────────────────────────────────────────────────────────────────────────────────────────────┘│
        └──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┘

        ? Help a Ack e Escalate r Resolve u Update m Note n New o On call / Filter s Sort Tab Pane q Quit
        """)
    }

    @Test func aLongTimelineEntryOpenedAt80x24() {
        #expect(Scenes.longNote().view(width: 80, height: 24).text == """
         tierwatch · 1 open · 18:00:00 UTC (19:00 local) · alice · read-write · /srv/n…
        ┌─ Incidents · 1 shown · by urgency ───────────────────────────────────────────┐
        │   ID    SEV  STATE  TIER NEXT                 CUSTOMER   TITLE               │
        │ ● T1ME  sev2 open   T1   T1 due        06:00  initech    SIP trunk down in F…│
        └──────────────────────────────────────────────────────────────────────────────┘
        ┌─ T1ME · SIP trunk down in Frankfurt PoP ─────────────────────────────────────┐
        │ initech · sev2 · open · opened by alice 17:56Z (4m ago)                      │
        │ ┌─ T1ME · timeline entry 1 of 2, newest first ─────────────────────────────┐ │
        │┌│ 17:59:00Z by alice                                                       │┐│
        │││ note: Carrier says the fault is in their Frankfurt core; ticket 55123;   │││
        │││ they are rerouting via Amsterdam, expect 20 minutes of one-way audio on  │││
        │││ trunk groups 4 and 7 while BGP converges; next call with their NOC at    │││
        │││ 18:30Z.                                                                  │││
        │└│ Event noc1/2.                                                            │┘│
        │┌│                                                                          │┐│
        │││ Any key closes this.                                                     │││
        ││└──────────────────────────────────────────────────────────────────────────┘││
        ││ ○ VP of Customer Experience  no …││                                        ││
        ││                                  ││                                        ││
        ││                                  ││                                        ││
        │└──────────────────────────────────┘└────────────────────────────────────────┘│
        └──────────────────────────────────────────────────────────────────────────────┘

        any key Close
        """)
    }

    @Test func aLongTimelineEntryOpenedAt120x40() {
        #expect(Scenes.longNote().view(width: 120, height: 40).text == """
         tierwatch · 1 open · 18:00:00 UTC (19:00 local) · alice · read-write · /srv/noc/store
        ┌─ Incidents · 1 shown · by urgency ───────────────────────────────────────────────────────────────────────────────────┐
        │   ID    SEV  STATE    TIER          NEXT                 CUSTOMER   TITLE                                            │
        │ ● T1ME  sev2 open     T1 management T1 due        06:00  initech    SIP trunk down in Frankfurt PoP                  │
        └──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┘
        ┌─ T1ME · SIP trunk down in Frankfurt PoP ─────────────────────────────────────────────────────────────────────────────┐
        │ initech · sev2 · open · opened by alice 17:56Z (4m ago)                                                              │
        │ ▶ Call Account Manager (no number on file) — T1 Management notified due 06:00 — not called yet                       │
        │┌─ Tiers ────────────────────────────────────────────────────────────────────────────────────────────────────────────┐│
        ││ ✓ T0 Escalated                       done    from 17:56Z                       ███████████████████████████████████ ││
        ││ ● T1 Management notified             active  from 17:56Z   due 18:06Z    06:00 ██████████████░░░░░░░░░░░░░░░░░░░░░ ││
        ││ ○ T2 Technical resources engaged     pending at 18:06Z                   06:00 ██████████████░░░░░░░░░░░░░░░░░░░░░ ││
        ││ ○ T3 CEO informed                    pending at 18:26Z                   26:00 ░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░ ││
        │└────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┘│
        │┌─ Contacts · T1 Management notified ───────────────┐┌─ Timeline · newest first · Enter opens ───────────────────────┐│
        ││ ○ Accou┌─ T1ME · timeline entry 1 of 2, newest first ─────────────────────────────────────────────────────┐heir Fr…││
        ││      ▶ │ 17:59:00Z by alice                                                                               │own in …││
        ││ ○ Direc│ note: Carrier says the fault is in their Frankfurt core; ticket 55123; they are rerouting via    │        ││
        ││      no│ Amsterdam, expect 20 minutes of one-way audio on trunk groups 4 and 7 while BGP converges; next  │        ││
        ││ ○ VP of│ call with their NOC at 18:30Z.                                                                   │        ││
        ││      no│ Event noc1/2.                                                                                    │        ││
        ││        │                                                                                                  │        ││
        ││        │ Any key closes this.                                                                             │        ││
        ││        └──────────────────────────────────────────────────────────────────────────────────────────────────┘        ││
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
        ││                                                   ││                                                               ││
        ││                                                   ││                                                               ││
        │└───────────────────────────────────────────────────┘└───────────────────────────────────────────────────────────────┘│
        └──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┘

        any key Close
        """)
    }

    @Test func aLongTimelineEntryOpenedAt200x60() {
        #expect(Scenes.longNote().view(width: 200, height: 60).text == """
         tierwatch · 1 open · 18:00:00 UTC (19:00 local) · alice · read-write · /srv/noc/store
        ┌─ Incidents · 1 shown · by urgency ───────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┐
        │   ID    SEV  STATE    TIER            NEXT                 CUSTOMER       TITLE                                                                                                                      │
        │ ● T1ME  sev2 open     T1 management   T1 due        06:00  initech        SIP trunk down in Frankfurt PoP                                                                                            │
        └──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┘
        ┌─ T1ME · SIP trunk down in Frankfurt PoP ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┐
        │ initech · sev2 · open · opened by alice 17:56Z (4m ago)                                                                                                                                              │
        │ ▶ Call Account Manager (no number on file) — T1 Management notified due 06:00 — not called yet · customer update due 11:00                                                                           │
        │┌─ Tiers ────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┐│
        ││ ✓ T0 Escalated                       done    from 17:56Z                       ███████████████████████████████████████████████████████████████████████████████████████████████████████████████████ ││
        ││ ● T1 Management notified             active  from 17:56Z   due 18:06Z    06:00 ██████████████████████████████████████████████░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░ ││
        ││ ○ T2 Technical resources engaged     pending at 18:06Z                   06:00 ██████████████████████████████████████████████░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░ ││
        ││ ○ T3 CEO informed                    pending at 18:26Z                   26:00 ░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░ ││
        │└────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┘│
        │┌─ Contacts · T1 Management notified ───────────────────────────────────────────────────┐┌─ Timeline · newest first · Enter opens ───────────────────────────────────────────────────────────────────┐│
        ││ ○ Account Manager  no number on file  account                                         ││ 17:59Z alice      note: Carrier says the fault is in their Frankfurt core; ticket 55123; they are rerouti…││
        ││      ▶ call next · not yet called                                                     ││ 17:56Z alice      opened sev2 for initech: SIP trunk down in Frankfurt PoP                                ││
        ││ ○ Director of Customer Support  no number on file                                     ││                                                                                                           ││
        ││      not yet called                                                                   ││                                                                                                           ││
        ││ ○ VP of Customer Experience  no number on file                                        ││                                                                                                           ││
        ││      not yet called                                                                   ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                ┌─ T1ME · timeline entry 1 of 2, newest first ─────────────────────────────────────────────────────┐                                                ││
        ││                                                │ 17:59:00Z by alice                                                                               │                                                ││
        ││                                                │ note: Carrier says the fault is in their Frankfurt core; ticket 55123; they are rerouting via    │                                                ││
        ││                                                │ Amsterdam, expect 20 minutes of one-way audio on trunk groups 4 and 7 while BGP converges; next  │                                                ││
        ││                                                │ call with their NOC at 18:30Z.                                                                   │                                                ││
        ││                                                │ Event noc1/2.                                                                                    │                                                ││
        ││                                                │                                                                                                  │                                                ││
        ││                                                │ Any key closes this.                                                                             │                                                ││
        ││                                                └──────────────────────────────────────────────────────────────────────────────────────────────────┘                                                ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        ││                                                                                       ││                                                                                                           ││
        │└───────────────────────────────────────────────────────────────────────────────────────┘└───────────────────────────────────────────────────────────────────────────────────────────────────────────┘│
        └──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┘

        any key Close
        """)
    }
}
