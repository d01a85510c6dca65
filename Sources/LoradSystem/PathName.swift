/// Splitting paths into folder and base name, as plain strings (no file-system access).
public enum PathName {
    /// The last path component (trailing slashes ignored): `a/b.json` gives `b.json`.
    public static func base(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return String(trimmed) }
        return String(trimmed[trimmed.index(after: slash)...])
    }

    /// The folder part of a path: `a/b.json` gives `a`, `b.json` gives `.`, `/b` gives `/`.
    public static func folder(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// `name` inside `folder`.
    public static func join(_ folder: String, _ name: String) -> String {
        folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }
}

extension PathName {
    /// The extension of a file name, lowercased, without the dot (`a.Safetensors` gives
    /// `safetensors`); empty when there is none.
    public static func fileExtension(_ name: String) -> String {
        guard let dot = name.lastIndex(of: ".") else { return "" }
        return name[name.index(after: dot)...].lowercased()
    }
}
