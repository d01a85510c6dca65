import Foundation
import Glibc
import LoradClient
import Testing

extension EndToEndTests {
    /// `loractl export|merge --output -` against a real lorad: into a pipe it still works,
    /// and into a pipe nobody reads it fails after `limits.output_stall_timeout` with
    /// `output_stalled` and exit status 74, leaving the daemon serving.
    @Suite struct OutputStallTests {
        /// Runs loractl with `arguments`; its standard output is a pipe that this test reads
        /// to the end (`read` true) or never reads. Returns the status, what came out, and
        /// standard error.
        private func loractl(_ arguments: [String], readingOutput read: Bool, in daemon: DaemonProcess) throws
            -> (status: Int32, output: Data, stderr: String)
        {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: TestPaths.binary("loractl"))
            process.arguments = arguments + ["--socket", daemon.socketPath]
            let output = Pipe(), errors = daemon.folder.file("loractl-\(UUID().uuidString).err")
            FileManager.default.createFile(atPath: errors, contents: nil)
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = output
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
            try process.run()
            var data = Data()
            if read {
                // A slow reader: 4 KiB at a time.
                while true {
                    let chunk = try output.fileHandleForReading.read(upToCount: 4096) ?? Data()
                    if chunk.isEmpty { break }
                    data += chunk
                    usleep(200)
                }
            }
            process.waitUntilExit()
            return (process.terminationStatus, data, (try? String(contentsOfFile: errors, encoding: .utf8)) ?? "")
        }

        @Test func aPipeOutputWorksAndAnUnreadOneStallsWithExit74() throws {
            let daemon = try DaemonProcess(config: "[limits]\noutput_stall_timeout = \"500ms\"\n")
            let client = try daemon.readyWithPlainAndMeta()
            defer { client.close() }

            // Into a pipe read slowly: the same bytes as into a file.
            let file = daemon.folder.file("plain.safetensors")
            let exported = try loractl(["export", "plain", "--output", file], readingOutput: true, in: daemon)
            #expect(exported.status == 0, "\(exported.stderr)")
            let piped = try loractl(["export", "plain", "--output", "-"], readingOutput: true, in: daemon)
            #expect(piped.status == 0, "\(piped.stderr)")
            #expect(piped.output == (try Data(contentsOf: URL(fileURLWithPath: file))))

            let mergedFile = daemon.folder.file("merged.safetensors")
            let merge = ["merge", "--base", DaemonProcess.baseName, "--adapter", "plain:0.7", "--adapter", "meta:-0.3", "--output"]
            let merged = try loractl(merge + [mergedFile], readingOutput: true, in: daemon)
            #expect(merged.status == 0, "\(merged.stderr)")
            let mergedPipe = try loractl(merge + ["-"], readingOutput: true, in: daemon)
            #expect(mergedPipe.status == 0, "\(mergedPipe.stderr)")
            #expect(mergedPipe.output == (try Data(contentsOf: URL(fileURLWithPath: mergedFile))))

            // Into a pipe nobody reads (the base is five pipes' worth): output_stalled, 74.
            let started = ContinuousClock.now
            let stalled = try loractl(merge + ["-"], readingOutput: false, in: daemon)
            #expect(stalled.status == 74, "\(stalled.stderr)")
            #expect(stalled.stderr.contains("(output_stalled)") && stalled.stderr.contains("500ms"), "\(stalled.stderr)")
            #expect(ContinuousClock.now - started < .seconds(30))
            #expect(try client.ping(token: 5) == 5)
            #expect(try daemon.stop() == 0)
        }
    }
}
