import Foundation

#if FUZZING
/// libFuzzer's entry point (built with -sanitize=fuzzer -DFUZZING; libFuzzer supplies main).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    FuzzTarget.selected.run(UnsafeBufferPointer(start: data, count: size))
    return 0
}
#else
/// Without libFuzzer the same binary replays inputs: `tierwatch-fuzz TARGET FILE…`
/// runs each file through the target (the seed corpus and every crash found
/// are replayed this way by the tests).
@main
struct Replay {
    static func main() {
        let args = Array(CommandLine.arguments.dropFirst())
        guard let name = args.first, let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("usage: tierwatch-fuzz \(FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")) FILE...\n".utf8))
            exit(2)
        }
        var count = 0
        for path in args.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("tierwatch-fuzz: cannot read \(path)\n".utf8))
                exit(2)
            }
            data.withUnsafeBytes { target.run($0.bindMemory(to: UInt8.self)) }
            count += 1
        }
        print("\(name): \(count) inputs replayed, no crash")
    }
}
#endif
