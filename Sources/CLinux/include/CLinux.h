#ifndef LORAD_CLINUX_H
#define LORAD_CLINUX_H
// The C shim: what Glibc's Swift overlay does not expose (macros, _GNU_SOURCE
// declarations, variadic calls). Every function here is a thin, allocation-free
// wrapper; errors are returned as -1 with errno set, exactly like the C call.

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

/// Sends `len` bytes and `fd_count` descriptors (SCM_RIGHTS) with sendmsg(2)
/// and MSG_NOSIGNAL. Returns bytes sent or -1.
ssize_t clinux_send_with_fds(int sock, const void *buf, size_t len, const int *fds, int fd_count);
/// Receives up to `len` bytes and up to `max_fds` descriptors with recvmsg(2)
/// and MSG_CMSG_CLOEXEC. On return *fd_count holds the descriptors received and
/// *truncated is 1 if the control data or descriptors were cut (MSG_CTRUNC).
ssize_t clinux_recv_with_fds(int sock, void *buf, size_t len, int *fds, int max_fds, int *fd_count, int *truncated);
/// SO_PEERCRED of a connected AF_UNIX socket.
int clinux_peer_credentials(int sock, pid_t *pid, uid_t *uid, gid_t *gid);

#endif
