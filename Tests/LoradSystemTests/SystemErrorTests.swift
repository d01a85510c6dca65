import Glibc
import LoradSystem
import Testing

@Test func systemErrorDescriptionNamesOperationPathAndErrno() {
    let error = SystemError(errno: ENOENT, operation: "open", path: "/x/y")
    #expect(error.description == "open /x/y: No such file or directory (ENOENT)")
    #expect(error.isNotFound)
    #expect(!error.isPermissionDenied)
}

@Test func systemErrorWithoutPath() {
    let error = SystemError(errno: EBADF, operation: "fsync")
    #expect(error.description == "fsync: Bad file descriptor (EBADF)")
}

@Test func systemErrorPermissionHelpers() {
    #expect(SystemError(errno: EACCES, operation: "open").isPermissionDenied)
    #expect(SystemError(errno: EPERM, operation: "open").isPermissionDenied)
    #expect(SystemError(errno: EEXIST, operation: "open").isAlreadyExisting)
}

@Test func systemErrorRareErrnoHasNumericName() {
    let error = SystemError(errno: 4000, operation: "x")
    #expect(error.errnoName == "errno 4000")
    #expect(error.description.hasPrefix("x: "))
}

@Test func openingAMissingFileThrowsNotFoundWithPath() throws {
    let error = #expect(throws: SystemError.self) {
        _ = try FileDescriptor.open("/nonexistent-lorad/file", .readOnly)
    }
    #expect(error?.isNotFound == true)
    #expect(error?.description == "open /nonexistent-lorad/file: No such file or directory (ENOENT)")
}
