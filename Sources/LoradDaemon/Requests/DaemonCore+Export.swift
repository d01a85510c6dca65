import LoradAdapters
import LoradStore
import LoradSystem
import LoradTensors
import LoradWire

extension DaemonCore {
    /// EXPORT: writes the adapter in diffusers layout (``LoraAdapter/diffusersTensors()`` and
    /// ``LoraAdapter/diffusersMetadata()``) to the client's descriptor, from its position.
    func exportAdapter(_ request: ExportRequest, _ context: RequestContext) throws -> ExportReply {
        let output = try context.descriptor(request.output, field: "output")
        let record = try store.resolve(try DaemonCore.storeReference(request.adapter))
        let adapter = try decodedAdapter(record)
        let bytes = try SafetensorsWriter.serialize(tensors: adapter.diffusersTensors(), metadata: adapter.diffusersMetadata())
        try context.token.check()
        try bytes.withUnsafeBytes { try DaemonCore.write($0, to: output) }
        return ExportReply(bytesWritten: UInt64(bytes.count))
    }
}
