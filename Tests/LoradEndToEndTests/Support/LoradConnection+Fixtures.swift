import LoradClient
import LoradSystem
import LoradWire

extension LoradConnection {
    /// Imports the fixture adapter in `folder` (`diffusers_plain`, `diffusers_meta`) as
    /// `name`, checked against the `tiny` base, passing its weights file as lorad's clients
    /// do (an open descriptor).
    @discardableResult
    func importFixture(_ folder: String, as name: String) throws -> ImportReply {
        let file = try FileDescriptor.open(TestPaths.adapterFile(folder), .readOnly)
        defer { try? file.close() }
        return try importAdapter(
            name: name, files: [(name: "pytorch_lora_weights.safetensors", descriptor: file)], base: DaemonProcess.baseName)
    }

    /// Imports `diffusers_plain` as `plain` and `diffusers_meta` as `meta`.
    func importPlainAndMeta() throws {
        for (name, folder) in ReferenceMerges.adapterFolders.sorted(by: { $0.key < $1.key }) {
            try importFixture(folder, as: name)
        }
    }

    /// Opens a session on the `tiny` base in `mode`, closes the base segment's descriptor
    /// (tests that need it map the replies they get later), and returns the session id.
    func openTinySession(_ mode: SessionMode) throws -> UInt64 {
        let state = try openSession(base: DaemonProcess.baseName, mode: mode)
        state.closeDescriptors()
        return state.sessionID
    }
}

extension DaemonProcess {
    /// Waits until the daemon is ready (see `waitUntilReady`), imports `plain` and `meta`,
    /// and returns the (root, hence admin) connection it used.
    func readyWithPlainAndMeta() throws -> LoradConnection {
        let connection = try waitUntilReady()
        try connection.importPlainAndMeta()
        return connection
    }
}
