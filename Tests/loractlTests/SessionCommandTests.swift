import ArgumentParser
import LoradWire
import Testing
@testable import loractl

@Suite struct SessionCommandTests {
    @Test func adaptersSplitLikeAdapterSpecThenNameAtVersion() throws {
        let command = try SessionCommand.parse([
            "--base", "cogvideox-5b", "--adapter", "disney@2:0.8", "--adapter", "watercolor:-0.3",
            "--adapter", "plain", "--dump", "/tmp/out",
        ])
        #expect(command.mode == .fused)
        #expect(command.base == "cogvideox-5b")
        #expect(command.dump == "/tmp/out")
        let set = try AdapterSpec.storeAdapters(command.adapters)
        #expect(set == [
            WeightedAdapter(adapter: AdapterRef(name: "disney", version: 2), weight: 0.8),
            WeightedAdapter(adapter: AdapterRef(name: "watercolor"), weight: -0.3),
            WeightedAdapter(adapter: AdapterRef(name: "plain"), weight: 1),
        ])
    }

    @Test func factorsModeAndNoAdaptersParse() throws {
        let command = try SessionCommand.parse(["--base", "b", "--mode", "factors", "--dump", "d"])
        #expect(command.mode == .factors)
        #expect(command.adapters.isEmpty)
    }

    @Test(arguments: [["--adapter", "x@0:1"], ["--adapter", "x@:1"], ["--adapter", ":0.5"], ["--mode", "lazy"]])
    func badArgumentsAreUsageErrors(extra: [String]) {
        #expect(throws: (any Error).self) {
            _ = try SessionCommand.parse(["--base", "b", "--dump", "d"] + extra)
        }
    }

    @Test func anAdapterSpecWithAColonInTheNameKeepsIt() throws {
        // AdapterSpec only splits before a plain decimal; the name grammar is checked later.
        let adapter = try #require(AdapterSpec(argument: "a:b")?.storeAdapter)
        #expect(adapter.adapter.name == "a:b")
        #expect(adapter.weight == 1)
    }
}
