import Glibc

extension ProcessEnvironment {
    /// The running process's environment: the variables called `names` that are set, the
    /// real uid, physical memory, online cores, the working directory and
    /// ``LiveSystemLookups``.
    ///
    /// The corresponding C functions are `getenv`, `getuid`, `sysconf` and `getcwd`.
    /// Memory is `_SC_PHYS_PAGES * _SC_PAGESIZE` (0 if unknown); cores are
    /// `_SC_NPROCESSORS_ONLN`, at least 1; the directory is `/` if `getcwd` fails.
    public static func current(reading names: [String]) -> ProcessEnvironment {
        var variables: [String: String] = [:]
        for name in names {
            if let value = getenv(name) { variables[name] = String(cString: value) }
        }
        let pages = sysconf(Int32(_SC_PHYS_PAGES))
        let pageSize = sysconf(Int32(_SC_PAGESIZE))
        let product = pages.multipliedReportingOverflow(by: pageSize)
        let memory = pages > 0 && pageSize > 0 && !product.overflow ? product.partialValue : 0
        var directory = "/"
        if let path = getcwd(nil, 0) {
            directory = String(cString: path)
            free(path)
        }
        return ProcessEnvironment(
            variables: variables, uid: UInt32(getuid()), physicalMemory: memory,
            coreCount: max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))), currentDirectory: directory,
            system: LiveSystemLookups())
    }
}
