import LoradTensors

extension Catalog {
    /// The `adapters` row as read before its children are attached.
    private struct Row {
        var id: Int64
        var record: AdapterRecord
        var targetCount: Int
    }

    /// The records whose `adapters` row (aliased `a`) matches `condition`, sorted by
    /// name then version, with tags, bases and targets attached.
    ///
    /// - Throws: `CatalogError.corrupt` for a row that breaks the catalog's own
    ///   rules (the file was edited or damaged), `SQLiteError`.
    func records(where condition: String, _ values: [SQLiteValue]) throws -> [AdapterRecord] {
        let rows = try database.rows(
            """
            SELECT a.id, a.name, a.version, a.description, a.created, a.rank, a.alpha, a.layout, a.prefix,
                a.target_count, a.dtypes, a.original_bytes, a.packed_bytes, a.blob
            FROM adapters a WHERE \(condition) ORDER BY a.name, a.version
            """,
            values, Self.decode)
        let tags = try database.prepare("SELECT tag FROM adapter_tags WHERE adapter_id = ? ORDER BY tag")
        let bases = try database.prepare(
            "SELECT fingerprint, base_name FROM adapter_bases WHERE adapter_id = ? ORDER BY fingerprint, base_name")
        let targets = try database.prepare("SELECT target FROM adapter_targets WHERE adapter_id = ? ORDER BY position")
        return try rows.map { row in
            var record = row.record
            record.tags = try tags.rows([.integer(row.id)]) { $0.text(0) }
            record.bases = try bases.rows([.integer(row.id)]) { CompatibleBase(fingerprint: $0.text(0), name: $0.text(1)) }
            record.targets = try targets.rows([.integer(row.id)]) { $0.text(0) }
            guard record.targets.count == row.targetCount else {
                throw CatalogError.corrupt(
                    "\(record.reference) lists \(record.targets.count) targets but records \(row.targetCount)")
            }
            return record
        }
    }

    /// Decodes one `adapters` row, checking what the schema cannot.
    private static func decode(_ row: SQLiteRow) throws -> Row {
        let id = row.int64(0)
        let name = row.text(1)
        let version = row.int(2)
        let label = "adapter row \(id) (\(Identifier.quoted(name))@\(version))"
        guard Identifier.problem(with: name, maxLength: AdapterReference.maxNameLength) == nil,
            (1...AdapterReference.maxVersion).contains(version)
        else {
            throw CatalogError.corrupt("\(label) has an invalid name or version")
        }
        guard let blob = BlobDigest(hex: row.text(13)) else {
            throw CatalogError.corrupt("\(label): blob digest \(Identifier.quoted(row.text(13))) is not 64 lowercase hex digits")
        }
        let dtypeText = row.text(10)
        var dtypes: [DType] = []
        for spelling in dtypeText.split(separator: ",") {
            guard let dtype = DType(rawValue: String(spelling)) else {
                throw CatalogError.corrupt("\(label): unknown dtype \(Identifier.quoted(String(spelling)))")
            }
            dtypes.append(dtype)
        }
        let rank = row.int(5)
        let originalBytes = row.int(11)
        let packedBytes = row.int(12)
        guard rank >= 1, originalBytes >= 0, packedBytes >= 0 else {
            throw CatalogError.corrupt("\(label) has a negative size or a rank below 1")
        }
        let record = AdapterRecord(
            name: name, version: version, description: row.text(3), created: row.int64(4), tags: [], bases: [],
            rank: rank, alpha: row.optionalDouble(6), layout: row.text(7), prefix: row.text(8), targets: [],
            dtypes: dtypes, originalBytes: originalBytes, packedBytes: packedBytes, blob: blob)
        return Row(id: id, record: record, targetCount: row.int(9))
    }
}
