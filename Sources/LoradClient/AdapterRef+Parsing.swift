import LoradWire

extension AdapterRef {
    /// Parses `NAME` or `NAME@VERSION` (VERSION a decimal from 1): `disney@2`.
    ///
    /// Returns nil when the name part is empty or VERSION is not a positive 32-bit decimal.
    /// The name grammar is not checked here (the request methods do).
    public init?(parsing text: String) {
        guard let at = text.lastIndex(of: "@") else {
            guard !text.isEmpty else { return nil }
            self.init(name: text)
            return
        }
        let name = String(text[..<at])
        let digits = text[text.index(after: at)...]
        guard !name.isEmpty, !digits.isEmpty, digits.count <= 10, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
            let version = UInt32(digits), version >= 1
        else { return nil }
        self.init(name: name, version: version)
    }

    /// `name` or `name@version`, the form `init(parsing:)` reads.
    public var text: String { version.map { "\(name)@\($0)" } ?? name }
}
