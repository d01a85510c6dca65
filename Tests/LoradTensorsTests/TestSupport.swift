import LoradSystem
import LoradTensors
import Testing

/// A fresh temp folder under /tmp, removed by `cleanup()`.
struct TempFolder {
    let path: String

    init() throws {
        path = try DurableFile.makeTemporaryDirectory(prefix: "lorad-tensors-tests-")
    }

    func file(_ name: String) -> String { path + "/" + name }

    func cleanup() { try? DurableFile.removeTree(path) }
}

/// A safetensors file made by hand: the 8-byte length of `json`, `json`, `data`.
func handMade(_ json: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
    let header = Array(json.utf8)
    let length = declaredLength ?? UInt64(header.count)
    return withUnsafeBytes(of: length.littleEndian) { Array($0) } + header + data
}

/// Parses `file` bytes.
func parse(_ file: [UInt8]) throws -> SafetensorsHeader {
    try file.withUnsafeBytes { try SafetensorsHeader.parse($0) }
}

/// Parses `file` and returns the error it throws, or nil when it parses.
func parseError(_ file: [UInt8]) -> SafetensorsError? {
    catchError { try parse(file) }
}

/// The SafetensorsError `body` throws, or nil when it returns. Any other error
/// is recorded as a test issue.
func catchError<T>(_ body: () throws -> T) -> SafetensorsError? {
    do {
        _ = try body()
        return nil
    } catch let error as SafetensorsError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

/// Little-endian bytes of `values`.
func littleEndianBytes(_ values: [Float]) -> [UInt8] {
    values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
}

/// Reads a whole file.
func readFile(_ path: String) throws -> [UInt8] {
    try MappedRegion(path: path).withUnsafeBytes { Array($0) }
}
