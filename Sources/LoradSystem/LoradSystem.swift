// LoradSystem: syscall wrappers
