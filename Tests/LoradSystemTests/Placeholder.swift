import Testing

@Test func placeholderLoradSystem() { #expect(Bool(true)) }
