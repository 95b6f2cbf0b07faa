/* Copied from the project's shared diagnostics (shared/tools/stopwin, see its README) so that
 * the tests need nothing outside the repository, with one addition (apr_socket_close, below).
 * The tests that stop httpd under load run it as a detector (conftest.py stopwin_env). */
/* stopwin.c -- LD_PRELOAD probe for the event MPM's hard-stop race (its README).
 *
 * Build:  gcc -shared -fPIC -O2 -o stopwin.so stopwin.c -ldl -I/usr/include/apr-1.0
 * Use:    LD_PRELOAD=/path/stopwin.so STOPWIN_HOLD_MS=300 apache2 -k start ...
 *         (children inherit it; lines go to stderr = the main ErrorLog)
 *
 * ap_queue_info_push_pool/free_idle_pools live in the apache2 executable, which comes first
 * in the symbol scope, so they cannot be interposed; the libapr calls they make can, and
 * dladdr() on the return address tells which MPM function made them.
 * - apr_atomic_casptr() called from ap_queue_info_push_pool and succeeding: the closed
 *   connection's pool is now on the recycled list while the closing worker's
 *   worker_sockets[] slot still names its socket (cleared only when process_socket()
 *   returns, event.c:2253/2273). Hold that worker STOPWIN_HOLD_MS ms: the few-instruction
 *   window becomes milliseconds. Same after apr_pool_destroy() from push_pool (the
 *   max_recycled_pools == 0 branch, i.e. after the listener's free_idle_pools).
 * - apr_pool_destroy() from ap_queue_info_free_idle_pools: logged (listener, during a stop).
 * - apr_os_sock_get(): probes sock with write() into a pipe (EFAULT = unmapped) before the
 *   real read; logs STALE + caller symbol, then abort() (STOPWIN_ABORT=1, for a core) or
 *   returns APR_EBADF so the run survives and can be counted.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <apr_network_io.h>
#include <apr_portable.h>
#include <apr_pools.h>

static void note(const char *what, const void *p, const void *caller)
{
    struct timespec ts;
    Dl_info di;
    const char *cn = (caller && dladdr(caller, &di) && di.dli_sname) ? di.dli_sname : "?";
    const char *path = getenv("STOPWIN_LOG");
    FILE *f = path ? fopen(path, "a") : NULL;
    clock_gettime(CLOCK_REALTIME, &ts);
    fprintf(f ? f : stderr, "[stopwin %ld.%06ld pid %d tid %ld] %s %p (from %s)\n", (long)ts.tv_sec,
            ts.tv_nsec / 1000, (int)getpid(), (long)syscall(SYS_gettid), what, p, cn);
    if (f) fclose(f);
}

static int called_from(const void *ret, const char *fn)
{
    Dl_info di;
    return ret && dladdr(ret, &di) && di.dli_sname && !strcmp(di.dli_sname, fn);
}

static void hold(const char *what, const void *p, const void *caller)
{
    const char *ms = getenv("STOPWIN_HOLD_MS");
    if (!ms || atoi(ms) <= 0) return;
    note(what, p, caller);
    usleep((useconds_t)atoi(ms) * 1000);
    note("hold over", p, caller);
}

void *apr_atomic_casptr(volatile void **mem, void *with, const void *cmp)
{
    static void *(*real)(volatile void **, void *, const void *);
    const void *ret = __builtin_return_address(0);
    void *prev;
    if (!real) real = (void *(*)(volatile void **, void *, const void *))dlsym(RTLD_NEXT, "apr_atomic_casptr");
    prev = real(mem, with, cmp);
    if (prev == cmp && called_from(ret, "ap_queue_info_push_pool"))
        hold("pool recycled, closing worker held with its slot set", with, ret);
    return prev;
}

void apr_pool_destroy(apr_pool_t *p)
{
    static void (*real)(apr_pool_t *);
    const void *ret = __builtin_return_address(0);
    if (!real) real = (void (*)(apr_pool_t *))dlsym(RTLD_NEXT, "apr_pool_destroy");
    if (called_from(ret, "ap_queue_info_free_idle_pools"))
        note("listener destroys a recycled connection pool", p, ret);
    real(p);
    if (called_from(ret, "ap_queue_info_push_pool"))
        hold("pool destroyed, closing worker held with its slot set", p, ret);
}

static int mapped(const void *p, size_t n)
{
    int fds[2], ok;
    ssize_t w;
    char buf[64];
    if (pipe(fds) != 0) return 1;
    w = write(fds[1], p, n);
    ok = w == (ssize_t)n || errno != EFAULT;
    if (w > 0 && read(fds[0], buf, sizeof(buf)) < 0) { /* drained */ }
    close(fds[0]);
    close(fds[1]);
    return ok;
}

apr_status_t apr_os_sock_get(apr_os_sock_t *thesock, apr_socket_t *sock)
{
    static apr_status_t (*real)(apr_os_sock_t *, apr_socket_t *);
    const void *ret = __builtin_return_address(0);
    if (!real) real = (apr_status_t (*)(apr_os_sock_t *, apr_socket_t *))dlsym(RTLD_NEXT, "apr_os_sock_get");
    if (sock && !mapped(sock, 16)) {
        note("STALE apr_socket_t (unmapped) passed to apr_os_sock_get", sock, ret);
        if (getenv("STOPWIN_ABORT")) abort();
        *thesock = -1;
        return APR_EBADF;
    }
    return real(thesock, sock);
}

/* The test suite's addition: after a STALE slot, close_socket_nonblocking_() goes on to
 * apr_socket_close() on the same freed memory (the fault of the report). Refused here too
 * (from any caller: the MPM's closer is static, dladdr cannot name it),
 * so that a child that hit the MPM's race survives it and the tests count it (a STALE line)
 * instead of failing on a crash that is httpd's. */
apr_status_t apr_socket_close(apr_socket_t *sock)
{
    static apr_status_t (*real)(apr_socket_t *);
    const void *ret = __builtin_return_address(0);
    if (!real) real = (apr_status_t (*)(apr_socket_t *))dlsym(RTLD_NEXT, "apr_socket_close");
    if (sock && !mapped(sock, 16)) {
        note("STALE apr_socket_t (unmapped) passed to apr_socket_close", sock, ret);
        if (getenv("STOPWIN_ABORT")) abort();
        return APR_EBADF;
    }
    return real(sock);
}

/* close_socket_nonblocking_() sets the timeout first (apr_socket_timeout_set(csd, 0)): on a stale
 * slot that is the first read of freed memory, so it gets the same check. */
apr_status_t apr_socket_timeout_set(apr_socket_t *sock, apr_interval_time_t t)
{
    static apr_status_t (*real)(apr_socket_t *, apr_interval_time_t);
    const void *ret = __builtin_return_address(0);
    if (!real) real = (apr_status_t (*)(apr_socket_t *, apr_interval_time_t))dlsym(RTLD_NEXT, "apr_socket_timeout_set");
    if (t == 0 && sock && !mapped(sock, 16)) {
        note("STALE apr_socket_t (unmapped) passed to apr_socket_timeout_set", sock, ret);
        if (getenv("STOPWIN_ABORT")) abort();
        return APR_EBADF;
    }
    return real(sock, t);
}
