import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import LoradAdapters
import LoradClient
import LoradStore
import LoradSystem
import LoradTensors

/// The exit codes of loractl (sysexits.h values).
enum ExitStatus: Int32 {
    case success = 0
    case failure = 1
    case usage = 64
    case dataError = 65
    case noInput = 66
    case unavailable = 69
    case cantCreate = 73
    case ioError = 74
    case tempFail = 75
    case noPermission = 77
}

/// Runs a command body, turning any error into one line on stderr and the exit
/// code that classifies it.
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch let error as ValidationError {
        throw error
    } catch {
        let (status, message) = classify(error)
        printError("loractl: \(message)")
        throw ExitCode(status.rawValue)
    }
}

/// Prints one line to standard error.
func printError(_ line: String) {
    var stream = StandardErrorStream()
    print(line, to: &stream)
}

/// Maps an error to its exit status and one-line message.
func classify(_ error: any Error) -> (ExitStatus, String) {
    switch error {
    case let error as AdapterError:
        if case .notFound = error { return (.noInput, error.description) }
        return (.dataError, error.description)
    case let error as SafetensorsError:
        return (.dataError, error.description)
    case let error as PackError:
        return (.dataError, error.description)
    case let error as SystemError:
        if error.isNotFound { return (.noInput, error.description) }
        if error.isPermissionDenied { return (.noPermission, error.description) }
        return (.failure, error.description)
    case let error as CommandError:
        return (error.status, error.message)
    case let error as LoradClientError:
        return (error.exitStatus, error.description)
    default:
        return (.failure, String(describing: error))
    }
}

/// A failure a command reports with a chosen exit status.
struct CommandError: Error {
    var status: ExitStatus
    var message: String
}

/// Standard error as a TextOutputStream.
struct StandardErrorStream: TextOutputStream {
    mutating func write(_ string: String) {
        writeStandardError(string)
    }
}

/// Writes text to file descriptor 2 as it is (no newline added).
func writeStandardError(_ text: String) {
    var bytes = Array(text.utf8)
    bytes.withUnsafeMutableBytes { raw in
        var offset = 0
        while offset < raw.count {
            let written = Glibc.write(STDERR_FILENO, raw.baseAddress! + offset, raw.count - offset)
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }
}
