import Testing

@Test func placeholderLoradStoreTests() { #expect(Bool(true)) }
