import Testing

@Test func placeholderLoradTensorsTests() { #expect(Bool(true)) }
