import Glibc

/// Writing a line to the process's standard error, for messages printed
/// before logging is set up (such as a configuration error at start-up).
public enum StandardError {
    /// Writes `line` and a newline to file descriptor 2. Errors (a closed
    /// stderr) are ignored: there is nowhere left to report them.
    ///
    /// The corresponding C function is `write`.
    public static func writeLine(_ line: String) {
        try? FileDescriptor(rawValue: STDERR_FILENO).write(Array((line + "\n").utf8))
    }
}
