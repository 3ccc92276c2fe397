import Escalation
import Foundation

/// JSON as every `--json` prints it: pretty, keys sorted, one writer
/// (JSONText) for the CLI, the HTTP API, hook payloads and the stream.
func printJSON(_ value: JSONValue) {
    FileHandle.standardOutput.write(JSONText.data(value, pretty: true))
    FileHandle.standardOutput.write(Data("\n".utf8))
}
