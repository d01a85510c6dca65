import Testing

@Test func placeholderLoradAdaptersTests() { #expect(Bool(true)) }
