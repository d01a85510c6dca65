/// Folders of this source checkout that tests read from, found from this file's own
/// compile-time path (`#filePath`), so they work from any working directory.
///
/// The paths are absolute when SwiftPM builds the package (it passes absolute source
/// paths). Nothing here touches the file system; a missing folder shows up as the
/// reading test's own "no such file" error.
public enum RepositoryPaths {
    /// The package root (the folder holding Package.swift), without a trailing slash.
    public static let root: String = {
        // <root>/Tests/LoradTestSupport/RepositoryPaths.swift -> <root>
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()

    /// `Tests/Fixtures`: the real-library fixture sets described in its SOURCE.md.
    public static var fixtures: String { root + "/Tests/Fixtures" }
}
