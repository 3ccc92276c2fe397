import Foundation
import Testing

/// The command line as people type it: options before the subcommand, a
/// version, a near miss named, unknown ids with one exit code.
@Suite(.serialized) struct CommandLineShape {
    @Test func globalOptionsMayComeBeforeTheSubcommand() {
        let s = TempStore(); defer { s.cleanup() }
        let raise = Binary.run(["--store", s.path, "--operator", "dana", "raise", "--title", "Before the verb"])
        #expect(raise.status == 0, "\(raise.stderr)")
        let id = raise.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let list = Binary.run(["--store=\(s.path)", "list"])
        #expect(list.status == 0 && list.stdout.contains("Before the verb"))
        let show = Binary.run(["--store", s.path, "show", id, "--json"])
        #expect(show.status == 0 && show.stdout.contains("\"opened_by\" : \"dana\""))
    }

    @Test func anOptionTypedLaterWinsAndHelpTakesNoStore() {
        let a = TempStore(), b = TempStore(); defer { a.cleanup(); b.cleanup() }
        a.raise("In store A")
        b.raise("In store B")
        let r = Binary.run(["--store", a.path, "list", "--store", b.path])
        #expect(r.status == 0 && r.stdout.contains("In store B") && !r.stdout.contains("In store A"))
        let policy = Binary.run(["--store", a.path, "policy", "show"])
        #expect(policy.status == 0 && policy.stdout.contains("production-priority"))
        #expect(Binary.run(["--store", a.path, "help", "list"]).status == 0)
    }

    @Test func versionNamesTheStoreFormat() {
        let r = Binary.run(["--version"])
        #expect(r.status == 0 && r.stdout.hasPrefix("tierwatch 0.") && r.stdout.contains("store format 2"))
    }

    @Test func aMistypedCommandIsNamedWithTheNearestOne() {
        let r = Binary.run(["lst"])
        #expect(r.status == 2 && r.stderr.contains("unknown command 'lst'; did you mean 'list'?"))
        let help = Binary.run(["help", "nosuch"])
        #expect(help.status == 2 && help.stderr.contains("no command 'nosuch'"))
        #expect(Binary.run(["help", "list"]).status == 0)
    }

    @Test func anEmptyStoreOptionIsAnErrorNotTheDefaultStore() {
        let r = Binary.run(["list", "--store", ""])
        #expect(r.status == 2 && r.stderr.contains("--store is empty"))
    }

    @Test func unknownIncidentTierAndContactExitOneWithTheNearestName() {
        let s = TempStore(); defer { s.cleanup() }
        let id = s.raise()
        let near = String(id.dropLast()) + (id.last == "Z" ? "Y" : "Z")
        let incident = s.tw("ack", near)
        #expect(incident.status == 1 && incident.stderr.contains("unknown incident '\(near)'; did you mean '\(id)'?"), "\(incident.stderr)")
        let tier = s.tw("escalate", id, "--to", "tecnical")
        #expect(tier.status == 1 && tier.stderr.contains("did you mean 'technical'?"))
        let contact = s.tw("notify", id, "vpcx")
        #expect(contact.status == 1 && contact.stderr.contains("did you mean 'vp-cx'?"))
    }

    @Test func shellCompletionOffersTheStoresIncidentIDs() {
        let s = TempStore(); defer { s.cleanup() }
        let id = s.raise()
        let r = Binary.run(["---completion", "ack", "--", "positional@0", "4", "0", "tierwatch", "--store", s.path, "ack", ""])
        #expect(r.status == 0 && r.stdout.split(separator: "\n").map(String.init) == [id])
        let script = Binary.run(["--generate-completion-script", "bash"])
        #expect(script.status == 0 && script.stdout.contains("---completion ack -- positional@0"))
    }

    @Test func doctorSaysWhatAFileOrASymlinkIs() throws {
        let s = TempStore(); defer { s.cleanup() }
        s.raise()
        writeFixture(atPath: s.path + "/a-file", contents: Data("x".utf8))
        let file = Binary.run(["doctor", "--store", s.path + "/a-file"])
        #expect(file.status == 1 && file.stdout.contains("is not a directory: it cannot be a store") && !file.stdout.contains("not readable"))
        symlink("/etc/hostname", s.path + "/events/planted.log")
        let link = s.tw("doctor")
        #expect(link.stdout.contains("events/planted.log is a symbolic link") && !link.stdout.contains("planted.log is writable by everyone"))
    }
}
