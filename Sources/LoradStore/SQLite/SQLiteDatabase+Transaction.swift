/// An error that, thrown out of `SQLiteDatabase.transaction`, leaves the
/// transaction open instead of rolling it back.
///
/// Only fault-injection tests use it: it simulates a process that dies in the
/// middle of a transaction, whose uncommitted changes never reach the database.
/// The connection must be discarded afterwards (closing it rolls back).
protocol SQLiteAbandonsTransaction: Error {}

extension SQLiteDatabase {
    /// Runs `body` inside a transaction and commits when it returns; rolls back and
    /// rethrows when it throws.
    ///
    /// The outermost call uses `BEGIN IMMEDIATE`, which takes the write lock at
    /// once (waiting up to the busy timeout) so that two writers never deadlock on
    /// a lock upgrade. A nested call uses a savepoint, rolled back on its own.
    ///
    /// - Throws: what `body` throws, or `SQLiteError` when the transaction cannot
    ///   begin or commit (then nothing of `body` is kept).
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        let nested = isInTransaction
        try execute(nested ? "SAVEPOINT nested" : "BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute(nested ? "RELEASE nested" : "COMMIT")
            return result
        } catch let error as any SQLiteAbandonsTransaction {
            throw error
        } catch {
            // After a failed COMMIT SQLite may already have rolled back; then there
            // is nothing left to roll back.
            if isInTransaction { try? execute(nested ? "ROLLBACK TO nested; RELEASE nested" : "ROLLBACK") }
            throw error
        }
    }
}

extension SQLiteDatabase {
    /// Runs `body` inside a read transaction (`BEGIN DEFERRED`), so that every statement in
    /// it reads the same snapshot: with WAL, the database as of the first read, whatever
    /// another connection commits meanwhile. Without it each statement is a transaction of
    /// its own, and a record read in two queries can mix two states (its row from before a
    /// commit, its children from after). Ends with COMMIT (there is nothing to write), also
    /// when `body` throws. Inside a transaction already, runs `body` in it.
    ///
    /// - Throws: what `body` throws, or `SQLiteError` when the transaction cannot begin.
    public func readTransaction<T>(_ body: () throws -> T) throws -> T {
        guard !isInTransaction else { return try body() }
        try execute("BEGIN DEFERRED")
        defer { if isInTransaction { try? execute("COMMIT") } }
        return try body()
    }
}
