/// Text cut to a bound in UTF-8 bytes without splitting a character, for the protocol's
/// length-bounded strings (error messages, reasons, names echoed back) when a longer text
/// must still be sent. Pure; never fails.
public enum BoundedText {
    /// `text` when it is at most `limit` UTF-8 bytes; otherwise its longest prefix of whole
    /// characters that leaves room for `ellipsis` within `limit`, followed by `ellipsis`
    /// (e.g. `"..."`; the default adds nothing).
    public static func cut(_ text: String, toBytes limit: Int, ellipsis: String = "") -> String {
        guard text.utf8.count > limit else { return text }
        return joined(text.lazy.map(String.init), toBytes: limit, ellipsis: ellipsis)
    }

    /// The concatenation of `pieces` when it is at most `limit` UTF-8 bytes; otherwise the
    /// longest run of whole leading pieces that leaves room for `ellipsis` within `limit`,
    /// followed by `ellipsis`. Reads the pieces only until the bound is passed, so a lazy
    /// sequence (characters escaped one by one, say) is never transformed to its end.
    public static func joined(_ pieces: some Sequence<String>, toBytes limit: Int, ellipsis: String = "") -> String {
        let reserve = ellipsis.utf8.count
        var result = ""
        var used = 0
        var kept = 0
        for piece in pieces {
            used += piece.utf8.count
            guard used <= limit else { return String(decoding: result.utf8.prefix(kept), as: UTF8.self) + ellipsis }
            result += piece
            if used + reserve <= limit { kept = used }
        }
        return result
    }
}
