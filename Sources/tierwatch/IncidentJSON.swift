import Escalation
import Foundation

func printJSON(_ value: Any) throws {
    // The same bytes as Foundation's writer, without its locale-collated key
    // sort (see JSONText); Foundation's for what JSONText does not write.
    let data = try JSONText.data(value, pretty: true)
        ?? JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    FileHandle.standardOutput.write(data)
    FileHandle.standardOutput.write(Data("\n".utf8))
}

/// A JSONValue pretty-printed, as `printJSON` prints the same tree.
func printJSON(_ value: JSONValue) {
    FileHandle.standardOutput.write(JSONText.data(value, pretty: true))
    FileHandle.standardOutput.write(Data("\n".utf8))
}
