import Testing

@Test func placeholderLoradDaemonTests() { #expect(Bool(true)) }
