import Testing

@Test func placeholderLoradWireTests() { #expect(Bool(true)) }
