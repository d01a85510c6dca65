import Testing

@Test func placeholderloractlTests() { #expect(Bool(true)) }
