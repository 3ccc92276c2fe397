import Escalation
import Testing

/// A year's store holds a million events in memory: an event must not grow.
@Test func anEventInMemoryStaysAt152Bytes() {
    #expect(MemoryLayout<IncidentEvent>.stride <= 152, "IncidentEvent is \(MemoryLayout<IncidentEvent>.stride) bytes; Action \(MemoryLayout<Action>.size)")
    #expect(CalledPerson(PersonRef(id: "ana", name: "Ana Lima")).ref?.name == "Ana Lima" && (nil as CalledPerson).ref == nil)
    #expect(CalledPerson(PersonRef(id: "ana", name: "Ana Lima")) == CalledPerson(PersonRef(id: "ana", name: "Ana Lima")), "one entry per person")
}
