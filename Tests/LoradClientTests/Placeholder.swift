import Testing

@Test func placeholderLoradClientTests() { #expect(Bool(true)) }
