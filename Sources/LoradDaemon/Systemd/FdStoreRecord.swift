import LoradAdapters
import LoradStore
import LoradTensors
import LoradWire

/// What lorad stores beside a base segment in systemd's file descriptor store (as a small
/// sealed memfd of its own, ``FdStoreName/record(base:)``), to check on restart that the
/// segment still matches the configured source before adopting it (pure).
///
/// Encoded as one JSON object:
/// `{"format":"lorad-fd-store-record","version":1,"base":...,"path":...,"segment_size":...,
/// "segment_header_sha256":...,"files":[{"path","role","dev","ino","size","mtime_sec",
/// "mtime_nsec","sha256"}...]}`. Decoding bounds every length and rejects anything else
/// with ``FdStoreRecordError``; it never traps.
public struct FdStoreRecord: Sendable, Hashable {
    /// The `format` value.
    public static let format = "lorad-fd-store-record"
    /// The `version` this code writes and reads.
    public static let version: UInt64 = 1
    /// The largest record accepted, in bytes.
    public static let maximumEncodedLength = 1 << 20
    /// The most source files (index and shards) a record lists.
    public static let maximumFiles = 4096
    /// The longest path accepted, in bytes (`PATH_MAX`).
    public static let maximumPathLength = 4096

    /// The configured base name.
    public var base: String
    /// The configured path (a file or a folder), as written in the configuration.
    public var path: String
    /// The base segment's size in bytes.
    public var segmentSize: UInt64
    /// SHA-256 (hex) of the base segment's safetensors header (8-byte length + JSON), which
    /// ties the record to the one segment it was stored with.
    public var segmentHeaderSHA256: String
    /// The files the segment was built from: the index first when there is one, then each
    /// safetensors file in path order.
    public var files: [SourceFileIdentity]

    /// Makes a record from its parts.
    public init(base: String, path: String, segmentSize: UInt64, segmentHeaderSHA256: String, files: [SourceFileIdentity]) {
        self.base = base
        self.path = path
        self.segmentSize = segmentSize
        self.segmentHeaderSHA256 = segmentHeaderSHA256
        self.files = files
    }

    /// The JSON bytes.
    public func encoded() -> [UInt8] {
        let files = self.files.map { file in
            JSONText.object([
                ("path", JSONText.string(file.path)), ("role", JSONText.string(file.role.rawValue)),
                ("dev", String(file.device)), ("ino", String(file.inode)), ("size", String(file.size)),
                ("mtime_sec", String(file.modificationSeconds)), ("mtime_nsec", String(file.modificationNanoseconds)),
                ("sha256", JSONText.string(file.sha256)),
            ])
        }
        let record = JSONText.object([
            ("format", JSONText.string(Self.format)), ("version", String(Self.version)), ("base", JSONText.string(base)),
            ("path", JSONText.string(path)), ("segment_size", String(segmentSize)),
            ("segment_header_sha256", JSONText.string(segmentHeaderSHA256)), ("files", JSONText.array(files)),
        ])
        return Array(record.utf8)
    }

    /// Decodes a record.
    /// - Throws: ``FdStoreRecordError`` for bytes that are too long, not UTF-8 JSON, of
    ///   another format or version, or with a field missing, mistyped or out of bounds.
    public init(decoding bytes: UnsafeRawBufferPointer) throws(FdStoreRecordError) {
        guard bytes.count <= Self.maximumEncodedLength else {
            throw FdStoreRecordError("\(bytes.count) bytes, more than the \(Self.maximumEncodedLength)-byte limit")
        }
        guard String(validating: bytes, as: UTF8.self) != nil else { throw FdStoreRecordError("not UTF-8") }
        let root: JSONValue
        do throws(JSONParser.Failure) {
            root = try JSONParser.parse(bytes)
        } catch {
            throw FdStoreRecordError("invalid JSON: \(error)")
        }
        guard case .object = root else { throw FdStoreRecordError("not a JSON object") }
        let format = try Self.string(root, "format", maxBytes: 64)
        guard format == Self.format else { throw FdStoreRecordError("format \"\(format)\", not \"\(Self.format)\"") }
        let version = try Self.unsigned(root, "version")
        guard version == Self.version else { throw FdStoreRecordError("version \(version), this lorad reads \(Self.version)") }
        base = try Self.string(root, "base", maxBytes: WireLimits.maxNameBytes)
        guard WireName.isValid(base) else { throw FdStoreRecordError("base name \"\(base)\" is not a valid name") }
        path = try Self.string(root, "path", maxBytes: Self.maximumPathLength)
        segmentSize = try Self.unsigned(root, "segment_size")
        segmentHeaderSHA256 = try Self.digest(root, "segment_header_sha256")
        guard case .array(let items)? = root["files"] else { throw FdStoreRecordError("no \"files\" array") }
        guard (1...Self.maximumFiles).contains(items.count) else {
            throw FdStoreRecordError("\(items.count) files, expected 1 to \(Self.maximumFiles)")
        }
        var files: [SourceFileIdentity] = []
        for item in items {
            guard case .object = item else { throw FdStoreRecordError("a \"files\" item is not an object") }
            let roleText = try Self.string(item, "role", maxBytes: 16)
            guard let role = SourceFileIdentity.Role(rawValue: roleText) else {
                throw FdStoreRecordError("unknown file role \"\(roleText)\"")
            }
            let nanoseconds = try Self.signed(item, "mtime_nsec")
            guard (0..<1_000_000_000).contains(nanoseconds) else {
                throw FdStoreRecordError("mtime_nsec \(nanoseconds) is outside 0..<1000000000")
            }
            files.append(
                SourceFileIdentity(
                    path: try Self.string(item, "path", maxBytes: Self.maximumPathLength), role: role,
                    device: try Self.unsigned(item, "dev"), inode: try Self.unsigned(item, "ino"),
                    size: try Self.unsigned(item, "size"), modificationSeconds: try Self.signed(item, "mtime_sec"),
                    modificationNanoseconds: nanoseconds, sha256: try Self.digest(item, "sha256")))
        }
        self.files = files
    }

    /// Decodes a record from an array.
    /// - Throws: ``FdStoreRecordError``.
    public init(decoding bytes: [UInt8]) throws(FdStoreRecordError) {
        let outcome = bytes.withUnsafeBytes { raw in
            Result { () throws(FdStoreRecordError) in try FdStoreRecord(decoding: raw) }
        }
        self = try outcome.get()
    }

    /// Why a stored base described by this record may not stand in for base `name` at
    /// `path` whose files look like `current` now, or nil when it may: the first difference.
    public func mismatch(name: String, path configuredPath: String, current: [SourceFileIdentity]) -> String? {
        if base != name { return "the record is for base \(base), not \(name)" }
        if path != configuredPath { return "the configured path changed (\(path) -> \(configuredPath))" }
        if files.count != current.count {
            return "the model has \(current.count) file(s) now, \(files.count) when it was stored"
        }
        for (recorded, now) in zip(files, current) {
            if let difference = recorded.mismatch(now) { return difference }
        }
        return nil
    }

    private static func field(_ object: JSONValue, _ name: String) throws(FdStoreRecordError) -> JSONValue {
        guard let value = object[name] else { throw FdStoreRecordError("no \"\(name)\" field") }
        return value
    }

    private static func string(_ object: JSONValue, _ name: String, maxBytes: Int) throws(FdStoreRecordError) -> String {
        guard case .string(let text) = try field(object, name) else { throw FdStoreRecordError("\"\(name)\" is not a string") }
        guard !text.isEmpty, text.utf8.count <= maxBytes else {
            throw FdStoreRecordError("\"\(name)\" has \(text.utf8.count) bytes, expected 1 to \(maxBytes)")
        }
        return text
    }

    private static func unsigned(_ object: JSONValue, _ name: String) throws(FdStoreRecordError) -> UInt64 {
        guard case .integer(let value) = try field(object, name) else {
            throw FdStoreRecordError("\"\(name)\" is not a non-negative integer")
        }
        return value
    }

    private static func signed(_ object: JSONValue, _ name: String) throws(FdStoreRecordError) -> Int64 {
        switch try field(object, name) {
        case .integer(let value) where value <= UInt64(Int64.max): return Int64(value)
        case .number(let text):
            if let value = Int64(text) { return value }
        default: break
        }
        throw FdStoreRecordError("\"\(name)\" is not a 64-bit integer")
    }

    private static func digest(_ object: JSONValue, _ name: String) throws(FdStoreRecordError) -> String {
        let text = try string(object, name, maxBytes: 64)
        guard BlobDigest(hex: text) != nil else { throw FdStoreRecordError("\"\(name)\" is not 64 lowercase hex digits") }
        return text
    }
}
