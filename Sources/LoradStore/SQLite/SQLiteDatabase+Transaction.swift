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
        if isInTransaction {
            try execute("SAVEPOINT nested")
            do {
                let result = try body()
                try execute("RELEASE nested")
                return result
            } catch let error as any SQLiteAbandonsTransaction {
                throw error
            } catch {
                try? execute("ROLLBACK TO nested")
                try? execute("RELEASE nested")
                throw error
            }
        }
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch let error as any SQLiteAbandonsTransaction {
            throw error
        } catch {
            // After a failed COMMIT SQLite may already have rolled back; ROLLBACK
            // then reports "no transaction is active", which is fine.
            if isInTransaction { try? execute("ROLLBACK") }
            throw error
        }
    }
}
