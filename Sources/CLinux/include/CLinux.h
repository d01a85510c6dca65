#ifndef LORAD_CLINUX_H
#define LORAD_CLINUX_H
// The C shim: what Glibc's Swift overlay does not expose (macros, _GNU_SOURCE
// declarations, variadic calls, packed structs). Every function here is a thin,
// allocation-free wrapper; errors are returned as -1 with errno set, exactly like
// the C call. EINTR is NOT retried here: the Swift wrappers do that.

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/// memfd_create(2) with MFD_CLOEXEC | MFD_ALLOW_SEALING.
int clinux_memfd_create_sealable(const char *name);
/// fcntl(fd, F_ADD_SEALS, seals).
int clinux_add_seals(int fd, int seals);
/// fcntl(fd, F_GET_SEALS).
int clinux_get_seals(int fd);
/// The seal bits, as the kernel defines them.
extern const int clinux_seal_write;
extern const int clinux_seal_shrink;
extern const int clinux_seal_grow;
extern const int clinux_seal_seal;

/// open(2) without the variadic mode argument problem.
int clinux_open(const char *path, int flags, mode_t mode);
/// fcntl(fd, F_GETFL) / F_SETFL.
int clinux_fcntl_getfl(int fd);
int clinux_fcntl_setfl(int fd, int flags);

// MARK: - AF_UNIX stream sockets

/// The most descriptors one clinux_send_with_fds / clinux_recv_with_fds call
/// carries (the kernel's own limit, SCM_MAX_FD, is 253).
extern const int clinux_max_fds_per_message;
/// The longest socket path, in bytes without the terminating NUL, that fits
/// in sockaddr_un.sun_path (107 on Linux).
extern const int clinux_unix_path_max;

/// socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC [| SOCK_NONBLOCK], 0).
int clinux_unix_stream_socket(int nonblocking);
/// socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC [| SOCK_NONBLOCK], 0, fds).
int clinux_unix_stream_socketpair(int fds[2], int nonblocking);
/// bind(2) to a filesystem path; ENAMETOOLONG when it does not fit sun_path,
/// EINVAL when it is empty.
int clinux_unix_bind(int sock, const char *path);
/// connect(2) to a filesystem path; same path checks as clinux_unix_bind.
int clinux_unix_connect(int sock, const char *path);
/// accept4(2) with SOCK_CLOEXEC | SOCK_NONBLOCK; the peer address is not returned.
int clinux_unix_accept(int sock);
/// listen(2).
int clinux_listen(int sock, int backlog);
/// shutdown(2); how is 0 (read), 1 (write) or 2 (both).
int clinux_shutdown(int sock, int how);
/// The socket's SO_DOMAIN, SO_TYPE and SO_ACCEPTCONN, for checking an
/// inherited (socket-activated) descriptor. Fails with ENOTSOCK for non-sockets.
int clinux_socket_kind(int sock, int *domain, int *type, int *listening);
/// AF_UNIX, as an int.
extern const int clinux_af_unix;
/// SOCK_STREAM, as an int.
extern const int clinux_sock_stream;

/// Sends `len` bytes and `fd_count` descriptors (SCM_RIGHTS) with sendmsg(2)
/// and MSG_NOSIGNAL (a closed peer gives EPIPE, not SIGPIPE). Returns bytes sent
/// or -1. EINVAL when fd_count is negative or above clinux_max_fds_per_message,
/// or when descriptors are given with zero bytes (a stream socket would drop them).
ssize_t clinux_send_with_fds(int sock, const void *buf, size_t len, const int *fds, int fd_count);
/// Receives up to `len` bytes and up to `max_fds` descriptors with recvmsg(2)
/// and MSG_CMSG_CLOEXEC. On return *fd_count holds the descriptors received and
/// *truncated is 1 if the control data or descriptors were cut (MSG_CTRUNC, or
/// more descriptors arrived than max_fds: the extra ones are closed here, so
/// nothing leaks). The caller owns the *fd_count descriptors in `fds`, also
/// when *truncated is 1. On -1, *fd_count is 0. EINVAL when max_fds is negative
/// or above clinux_max_fds_per_message.
ssize_t clinux_recv_with_fds(int sock, void *buf, size_t len, int *fds, int max_fds, int *fd_count, int *truncated);
/// sync_file_range(fd, offset, length, SYNC_FILE_RANGE_WRITE): starts writeback
/// of a range without waiting for it.
int clinux_start_writeback(int fd, long long offset, long long length);
/// Sets (enabled != 0) or clears O_DIRECT on an open file with fcntl(F_SETFL),
/// keeping its other status flags. -1 with errno (EINVAL: the file system does
/// not support direct I/O).
int clinux_set_direct_io(int fd, int enabled);
/// SO_PEERCRED of a connected AF_UNIX socket.
int clinux_peer_credentials(int sock, pid_t *pid, uid_t *uid, gid_t *gid);
/// SO_PEERGROUPS (Linux 4.13+) of a connected AF_UNIX socket: the peer's supplementary
/// groups as the kernel recorded them at connect, into `groups` (room for `capacity`).
/// On success *count holds how many were written. -1 with ERANGE when they do not fit:
/// *count then holds how many there are; ENOPROTOOPT on kernels without SO_PEERGROUPS.
int clinux_peer_groups(int sock, gid_t *groups, int capacity, int *count);

// MARK: - epoll and eventfd

/// One epoll event, not packed (struct epoll_event is packed on x86-64, which
/// Swift should not have to care about).
typedef struct clinux_epoll_event {
    uint32_t events;
    uint64_t token;
} clinux_epoll_event;

/// The EPOLL* bits.
extern const uint32_t clinux_epoll_in;
extern const uint32_t clinux_epoll_out;
extern const uint32_t clinux_epoll_rdhup;
extern const uint32_t clinux_epoll_pri;
extern const uint32_t clinux_epoll_err;
extern const uint32_t clinux_epoll_hup;
extern const uint32_t clinux_epoll_et;
extern const uint32_t clinux_epoll_oneshot;
/// The most events one clinux_epoll_wait call returns.
extern const int clinux_epoll_max_events;

/// epoll_create1(EPOLL_CLOEXEC).
int clinux_epoll_create(void);
/// The EPOLL_CTL_* operations.
extern const int clinux_epoll_ctl_add;
extern const int clinux_epoll_ctl_mod;
extern const int clinux_epoll_ctl_del;
/// epoll_ctl(2) with one of the operations above; `token` is stored in the
/// event's data.u64 and comes back with every event of `fd`.
int clinux_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t token);
/// epoll_wait(2) into `out` (at most min(max, clinux_epoll_max_events) events).
int clinux_epoll_wait(int epfd, clinux_epoll_event *out, int max, int timeout_ms);

/// eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK).
int clinux_eventfd_create(void);

// MARK: - Bounded writes to a client's descriptor

/// poll(2) on one descriptor for POLLOUT, at most `timeout_ms` milliseconds (-1: no
/// limit). Returns 1 when it is writable or in error (POLLERR, POLLHUP: the next write
/// reports why), 0 when the time ran out, -1 with errno (EINTR included).
int clinux_poll_writable(int fd, int timeout_ms);
/// write(2) that never raises SIGPIPE: a pipe or socket whose reader is gone gives -1 with
/// EPIPE only. SIGPIPE is blocked on the calling thread around the call and the one the
/// write raised, if any, is consumed; the thread's signal mask is restored.
ssize_t clinux_write_without_sigpipe(int fd, const void *buf, size_t len);
/// pipe2(fds, O_CLOEXEC): fds[0] the read end, fds[1] the write end, both blocking.
int clinux_pipe_cloexec(int fds[2]);
/// fstatfs(2): the file system type (f_type) of the file `fd` is open on.
int clinux_filesystem_type(int fd, unsigned long long *type);

// MARK: - Interrupting a blocked system call of another thread

/// The signal that interrupts: SIGRTMIN + 5 (a real-time signal nothing else in lorad
/// uses). Its handler does nothing.
int clinux_wakeup_signal(void);
/// Installs the wakeup signal's handler (once per process; later calls do nothing):
/// a function that returns at once, without SA_RESTART, so a blocking system call it
/// interrupts fails with EINTR or returns what it did so far. 0, or -1 with errno.
int clinux_wakeup_install(void);
/// Unblocks the wakeup signal for the calling thread; *was_blocked says whether it was
/// blocked before (pass it to clinux_wakeup_restore). 0, or an errno value.
int clinux_wakeup_unblock(int *was_blocked);
/// Blocks the wakeup signal for the calling thread when `was_blocked` is not 0 (lorad passes
/// 1: blocked after every interruptible call). 0, or an errno value.
int clinux_wakeup_restore(int was_blocked);
/// The calling thread, for clinux_wakeup_thread.
unsigned long clinux_thread_self(void);
/// Sends the wakeup signal to `thread` (a value of clinux_thread_self() from a thread
/// that is still running). 0, or an errno value.
int clinux_wakeup_thread(unsigned long thread);

#endif
