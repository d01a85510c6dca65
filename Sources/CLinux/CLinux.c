#define _GNU_SOURCE
#include "CLinux.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

const int clinux_seal_write = F_SEAL_WRITE;
const int clinux_seal_shrink = F_SEAL_SHRINK;
const int clinux_seal_grow = F_SEAL_GROW;
const int clinux_seal_seal = F_SEAL_SEAL;

int clinux_memfd_create_sealable(const char *name) {
    return memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
}

int clinux_add_seals(int fd, int seals) { return fcntl(fd, F_ADD_SEALS, seals); }
int clinux_get_seals(int fd) { return fcntl(fd, F_GET_SEALS); }
int clinux_open(const char *path, int flags, mode_t mode) { return open(path, flags, mode); }
int clinux_fcntl_getfl(int fd) { return fcntl(fd, F_GETFL); }
int clinux_fcntl_setfl(int fd, int flags) { return fcntl(fd, F_SETFL, flags); }

#define CLINUX_MAX_FDS 64

ssize_t clinux_send_with_fds(int sock, const void *buf, size_t len, const int *fds, int fd_count) {
    if (fd_count < 0 || fd_count > CLINUX_MAX_FDS) { errno = EINVAL; return -1; }
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    union { char buf[CMSG_SPACE(sizeof(int) * CLINUX_MAX_FDS)]; struct cmsghdr align; } control;
    if (fd_count > 0) {
        memset(&control, 0, sizeof control);
        msg.msg_control = control.buf;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)fd_count);
        struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)fd_count);
        memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * (size_t)fd_count);
    }
    return sendmsg(sock, &msg, MSG_NOSIGNAL);
}

ssize_t clinux_recv_with_fds(int sock, void *buf, size_t len, int *fds, int max_fds, int *fd_count, int *truncated) {
    *fd_count = 0;
    *truncated = 0;
    if (max_fds < 0 || max_fds > CLINUX_MAX_FDS) { errno = EINVAL; return -1; }
    struct iovec iov = { .iov_base = buf, .iov_len = len };
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    union { char buf[CMSG_SPACE(sizeof(int) * CLINUX_MAX_FDS)]; struct cmsghdr align; } control;
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof control.buf;
    ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    if (n < 0) return n;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        int *received = (int *)CMSG_DATA(c);
        for (size_t i = 0; i < count; i++) {
            if (*fd_count < max_fds) {
                fds[(*fd_count)++] = received[i];
            } else {
                close(received[i]);
                *truncated = 1;
            }
        }
    }
    if (msg.msg_flags & MSG_CTRUNC) *truncated = 1;
    return n;
}

int clinux_peer_credentials(int sock, pid_t *pid, uid_t *uid, gid_t *gid) {
    struct ucred cred;
    socklen_t size = sizeof cred;
    if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &size) != 0) return -1;
    *pid = cred.pid;
    *uid = cred.uid;
    *gid = cred.gid;
    return 0;
}
