import LoradAdapters
import LoradStore
import LoradSystem
import LoradTensors
import LoradWire

extension DaemonCore {
    /// EXPORT: writes the adapter in diffusers layout (``LoraAdapter/diffusersTensors()`` and
    /// ``LoraAdapter/diffusersMetadata()``) to the client's descriptor, from its position,
    /// under the stall timeout (``ClientOutput``).
    func exportAdapter(_ request: ExportRequest, _ context: RequestContext) throws -> ExportReply {
        let descriptor = try context.descriptor(request.output, field: "output")
        return try withClientOutput(descriptor, context) { output in
            let record = try store.resolve(try DaemonCore.storeReference(request.adapter))
            let adapter = try decodedAdapter(record)
            let bytes = try SafetensorsWriter.serialize(tensors: adapter.diffusersTensors(), metadata: adapter.diffusersMetadata())
            try context.token.check()
            try bytes.withUnsafeBytes { try output.write($0) }
            return ExportReply(bytesWritten: UInt64(output.bytesWritten))
        }
    }
}
