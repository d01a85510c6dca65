#define _GNU_SOURCE
#include "CLinux.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/vfs.h>
#include <sys/un.h>
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

// MARK: - AF_UNIX stream sockets

#define CLINUX_MAX_FDS 253  /* SCM_MAX_FD: the most one message may carry */

const int clinux_max_fds_per_message = CLINUX_MAX_FDS;
const int clinux_unix_path_max = (int)sizeof(((struct sockaddr_un *)0)->sun_path) - 1;
const int clinux_af_unix = AF_UNIX;
const int clinux_sock_stream = SOCK_STREAM;

int clinux_unix_stream_socket(int nonblocking) {
    return socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0), 0);
}

int clinux_unix_stream_socketpair(int fds[2], int nonblocking) {
    return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0), 0, fds);
}

/// Fills `address` with `path`; -1 with errno set when it does not fit.
static int clinux_unix_address(struct sockaddr_un *address, const char *path) {
    size_t length = strlen(path);
    if (length == 0) { errno = EINVAL; return -1; }
    if (length >= sizeof address->sun_path) { errno = ENAMETOOLONG; return -1; }
    memset(address, 0, sizeof *address);
    address->sun_family = AF_UNIX;
    memcpy(address->sun_path, path, length);
    return 0;
}

int clinux_unix_bind(int sock, const char *path) {
    struct sockaddr_un address;
    if (clinux_unix_address(&address, path) != 0) return -1;
    return bind(sock, (const struct sockaddr *)&address, sizeof address);
}

int clinux_unix_connect(int sock, const char *path) {
    struct sockaddr_un address;
    if (clinux_unix_address(&address, path) != 0) return -1;
    return connect(sock, (const struct sockaddr *)&address, sizeof address);
}

int clinux_unix_accept(int sock) { return accept4(sock, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK); }
int clinux_listen(int sock, int backlog) { return listen(sock, backlog); }
int clinux_shutdown(int sock, int how) { return shutdown(sock, how); }

int clinux_socket_kind(int sock, int *domain, int *type, int *listening) {
    socklen_t size = sizeof(int);
    if (getsockopt(sock, SOL_SOCKET, SO_DOMAIN, domain, &size) != 0) return -1;
    size = sizeof(int);
    if (getsockopt(sock, SOL_SOCKET, SO_TYPE, type, &size) != 0) return -1;
    size = sizeof(int);
    if (getsockopt(sock, SOL_SOCKET, SO_ACCEPTCONN, listening, &size) != 0) return -1;
    return 0;
}

ssize_t clinux_send_with_fds(int sock, const void *buf, size_t len, const int *fds, int fd_count) {
    if (fd_count < 0 || fd_count > CLINUX_MAX_FDS || (fd_count > 0 && (len == 0 || fds == NULL))) {
        errno = EINVAL;
        return -1;
    }
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
    // The control buffer is sized for max_fds, so the kernel installs (almost)
    // no descriptor the caller did not ask for; CMSG_SPACE rounds up, so one
    // or two more may still arrive and are closed below.
    union { char buf[CMSG_SPACE(sizeof(int) * CLINUX_MAX_FDS)]; struct cmsghdr align; } control;
    if (max_fds > 0) {
        msg.msg_control = control.buf;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)max_fds);
    }
    ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    if (n < 0) return n;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        // Bound the count by what the buffer holds, whatever cmsg_len says.
        size_t offset = (size_t)((char *)CMSG_DATA(c) - (char *)msg.msg_control);
        if (c->cmsg_len < CMSG_LEN(0) || offset > msg.msg_controllen) { *truncated = 1; continue; }
        size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        size_t room = (msg.msg_controllen - offset) / sizeof(int);
        if (count > room) { count = room; *truncated = 1; }
        int received;
        for (size_t i = 0; i < count; i++) {
            memcpy(&received, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            if (*fd_count < max_fds) {
                fds[(*fd_count)++] = received;
            } else {
                close(received);
                *truncated = 1;
            }
        }
    }
    if (msg.msg_flags & MSG_CTRUNC) *truncated = 1;
    return n;
}

int clinux_start_writeback(int fd, long long offset, long long length) {
    return sync_file_range(fd, (off64_t)offset, (off64_t)length, SYNC_FILE_RANGE_WRITE);
}

int clinux_set_direct_io(int fd, int enabled) {
    int flags = fcntl(fd, F_GETFL);
    if (flags == -1) return -1;
    int wanted = enabled ? (flags | O_DIRECT) : (flags & ~O_DIRECT);
    return wanted == flags ? 0 : fcntl(fd, F_SETFL, wanted);
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

int clinux_peer_groups(int sock, gid_t *groups, int capacity, int *count) {
    *count = 0;
    if (capacity < 0) { errno = EINVAL; return -1; }
    socklen_t size = (socklen_t)((size_t)capacity * sizeof(gid_t));
    int result = getsockopt(sock, SOL_SOCKET, SO_PEERGROUPS, capacity > 0 ? groups : NULL, &size);
    // On ERANGE the kernel stores the size the groups need in `size`.
    if (result == 0 || errno == ERANGE) *count = (int)(size / sizeof(gid_t));
    return result;
}

// MARK: - epoll and eventfd

#define CLINUX_EPOLL_MAX_EVENTS 256

const uint32_t clinux_epoll_in = EPOLLIN;
const uint32_t clinux_epoll_out = EPOLLOUT;
const uint32_t clinux_epoll_rdhup = EPOLLRDHUP;
const uint32_t clinux_epoll_pri = EPOLLPRI;
const uint32_t clinux_epoll_err = EPOLLERR;
const uint32_t clinux_epoll_hup = EPOLLHUP;
const uint32_t clinux_epoll_et = EPOLLET;
const uint32_t clinux_epoll_oneshot = EPOLLONESHOT;
const int clinux_epoll_max_events = CLINUX_EPOLL_MAX_EVENTS;
const int clinux_epoll_ctl_add = EPOLL_CTL_ADD;
const int clinux_epoll_ctl_mod = EPOLL_CTL_MOD;
const int clinux_epoll_ctl_del = EPOLL_CTL_DEL;

int clinux_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int clinux_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t token) {
    struct epoll_event event;
    memset(&event, 0, sizeof event);
    event.events = events;
    event.data.u64 = token;
    return epoll_ctl(epfd, op, fd, &event);
}

int clinux_epoll_wait(int epfd, clinux_epoll_event *out, int max, int timeout_ms) {
    if (max <= 0) { errno = EINVAL; return -1; }
    if (max > CLINUX_EPOLL_MAX_EVENTS) max = CLINUX_EPOLL_MAX_EVENTS;
    struct epoll_event events[CLINUX_EPOLL_MAX_EVENTS];
    int n = epoll_wait(epfd, events, max, timeout_ms);
    for (int i = 0; i < n; i++) {
        out[i].events = events[i].events;
        out[i].token = events[i].data.u64;
    }
    return n;
}

int clinux_eventfd_create(void) { return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK); }

// MARK: - Bounded writes to a client's descriptor

int clinux_poll_writable(int fd, int timeout_ms) {
    struct pollfd entry = {.fd = fd, .events = POLLOUT, .revents = 0};
    int ready = poll(&entry, 1, timeout_ms);
    if (ready <= 0) return ready;
    return 1;
}

ssize_t clinux_write_without_sigpipe(int fd, const void *buf, size_t len) {
    sigset_t pipe_only, previous;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    if (pthread_sigmask(SIG_BLOCK, &pipe_only, &previous) != 0) return write(fd, buf, len);
    ssize_t count = write(fd, buf, len);
    int saved = errno;
    /* A write the reader's close interrupts returns what it wrote and raises SIGPIPE too. */
    if (!sigismember(&previous, SIGPIPE)) {
        sigset_t pending;
        if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE)) {
            struct timespec now = {0, 0};
            while (sigtimedwait(&pipe_only, NULL, &now) == -1 && errno == EINTR) {}
        }
    }
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    errno = saved;
    return count;
}

int clinux_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int clinux_filesystem_type(int fd, unsigned long long *type) {
    struct statfs status;
    if (fstatfs(fd, &status) != 0) return -1;
    *type = (unsigned long long)status.f_type;
    return 0;
}

// MARK: - Interrupting a blocked system call of another thread

static void clinux_wakeup_handler(int signal) { (void)signal; }
static pthread_once_t clinux_wakeup_once = PTHREAD_ONCE_INIT;
static int clinux_wakeup_error = 0;

int clinux_wakeup_signal(void) { return SIGRTMIN + 5; }

static void clinux_wakeup_install_once(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = clinux_wakeup_handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0; /* no SA_RESTART: the interrupted call returns EINTR */
    if (sigaction(clinux_wakeup_signal(), &action, NULL) != 0) clinux_wakeup_error = errno;
}

int clinux_wakeup_install(void) {
    pthread_once(&clinux_wakeup_once, clinux_wakeup_install_once);
    if (clinux_wakeup_error != 0) { errno = clinux_wakeup_error; return -1; }
    return 0;
}

int clinux_wakeup_unblock(int *was_blocked) {
    sigset_t wakeup, previous;
    sigemptyset(&wakeup);
    sigaddset(&wakeup, clinux_wakeup_signal());
    int error = pthread_sigmask(SIG_UNBLOCK, &wakeup, &previous);
    if (error != 0) return error;
    *was_blocked = sigismember(&previous, clinux_wakeup_signal()) == 1;
    return 0;
}

int clinux_wakeup_restore(int was_blocked) {
    if (!was_blocked) return 0;
    sigset_t wakeup;
    sigemptyset(&wakeup);
    sigaddset(&wakeup, clinux_wakeup_signal());
    return pthread_sigmask(SIG_BLOCK, &wakeup, NULL);
}

unsigned long clinux_thread_self(void) { return (unsigned long)pthread_self(); }

int clinux_wakeup_thread(unsigned long thread) { return pthread_kill((pthread_t)thread, clinux_wakeup_signal()); }
