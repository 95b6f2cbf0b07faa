/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_c1_io.c -- c1's connection I/O. See h2_c1_io.h.
 *
 * Reads go through c1's input filters without blocking (bytes pending inside mod_ssl are
 * drained). The engine writes frames into one output buffer; DATA payloads are copied in
 * from memory items or pread from files, or (h2c, files of MAP_MIN bytes and more) added
 * as buckets pointing into a mapping of the file. A pass goes through c1's output
 * filters without a FLUSH and ends with a boundary bucket; the core writes it without
 * blocking (see "writing without blocking" below). Output buffers go down as transient
 * buckets and are reused after the pass; over TLS the H2_C1_TLS_OUT filter gathers
 * mod_ssl's records into bigger writes. Mappings and descriptors are released once the
 * core holds nothing.
 */
#include <stddef.h>   /* before APR: offsetof for its ring macros (else UB via NULL) */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "apr_strings.h"
#include "apr_portable.h"
#include "httpd.h"
#include "http_config.h"
#include "http_connection.h"
#include "http_log.h"
#include "http_core.h"
#include "util_filter.h"

#include "h2_log.h"
#include "h2_c1.h"
#include "h2_c1_io.h"

APLOG_USE_MODULE(h2);

#define OBUF_SIZE        (64 * 1024)
#define PASS_MAX         (256 * 1024)
#define READ_CHUNK       (64 * 1024)
#define MAP_WINDOW       (8 * 1024 * 1024)
#define MAP_MIN          (1024 * 1024)
/* TLS record overhead of a pass of full-size records (at most 100 octets a record) */
#define TLS_PASS_MARGIN  1024
/* TLS warm-up: plaintext per TLS record, so that a record fits one TCP segment (MSS 1460
 * minus TCP/IP options and the TLS record overhead) */
#define TLS_SMALL_WRITE  1300

/* A file mapping or descriptor still referenced by buckets on their way out. */
typedef struct h2_c1_defer {
    struct h2_c1_defer *next;
    char *map;
    apr_size_t map_len;
    int fd;
} h2_c1_defer;

static void c1_io_defer(h2_c1 *c1, char *map, apr_size_t map_len, int fd)
{
    h2_c1_defer *d = malloc(sizeof(*d));
    if (!d) {
        /* cannot defer: release now (only reachable when memory is gone anyway) */
        if (map) munmap(map, map_len);
        if (fd >= 0) close(fd);
        return;
    }
    d->map = map;
    d->map_len = map_len;
    d->fd = fd;
    d->next = c1->io.defer;
    c1->io.defer = d;
}

static void c1_io_defer_run(h2_c1 *c1)
{
    h2_c1_defer *d;
    while ((d = c1->io.defer)) {
        c1->io.defer = d->next;
        if (d->map) munmap(d->map, d->map_len);
        if (d->fd >= 0) close(d->fd);
        free(d);
    }
}

/* c1: dispose of a FILE item (its mapping may still be referenced by output buckets) */
static void c1_io_file_done(h2_c1 *c1, h2_oitem *oi)
{
    if (c1->hub) {   /* NULL once c1_cleanup freed it: the count does not matter then */
        h2_hub_lock(c1->hub);
        --c1->hub->out_fds;      /* counted by c2 when it queued the item */
        h2_hub_unlock(c1->hub);
    }
    c1_io_defer(c1, oi->map, oi->map_len, oi->fd);
    oi->map = NULL;
    oi->fd = -1;
}

void h2_c1_io_file_done_all(h2_c1 *c1, h2_strm *strm)
{
    h2_oitem *oi;
    for (oi = strm->out_head; oi; oi = oi->next)
        if (oi->type == H2_OI_FILE) c1_io_file_done(c1, oi);
}

/* ---------------------------------------------------------------------------------- */
/* output buffer */

static void c1_io_set_limit(h2_c1 *c1)
{
    c1->io.olim = (c1->io.tls_warming && c1->io.ocap > TLS_SMALL_WRITE) ? TLS_SMALL_WRITE
                                                                        : c1->io.ocap;
}

/* A metadata bucket that only ends a run of data buckets: mod_ssl's coalescing filter
 * does not merge data across it (so small pieces become records of their own during the
 * TLS warm-up, and nothing small waits in its buffer for more), and unlike FLUSH it does
 * not make the core output filter write with blocking. */
static apr_status_t c1_io_boundary_read(apr_bucket *b, const char **str, apr_size_t *len,
                                        apr_read_type_e block)
{
    (void)b;
    (void)block;
    *str = NULL;
    *len = 0;
    return APR_SUCCESS;
}

static const apr_bucket_type_t c1_io_boundary_type = {
    "H2BOUNDARY", 5, APR_BUCKET_METADATA, apr_bucket_destroy_noop, c1_io_boundary_read,
    apr_bucket_setaside_noop, apr_bucket_split_notimpl, apr_bucket_simple_copy
};

static void c1_io_add_boundary(h2_c1 *c1)
{
    apr_bucket *b = apr_bucket_alloc(sizeof(*b), c1->c->bucket_alloc);
    APR_BUCKET_INIT(b);
    b->free = apr_bucket_free;
    b->list = c1->c->bucket_alloc;
    b->length = 0;
    b->start = 0;
    b->data = NULL;
    b->type = &c1_io_boundary_type;
    APR_BRIGADE_INSERT_TAIL(c1->io.bbout, b);
}

/* ---------------------------------------------------------------------------------- */
/* file reads
 *
 * A DATA payload from a file is not read when its frame is made: its place in obuf is
 * reserved and the read waits in c1->io.rd, where the payloads of the next frames of the
 * same file join it (the file bytes follow each other; in obuf a frame header lies
 * between them). One preadv() then fills them all before obuf goes out (c1_io_emit): a
 * 100 KB response takes 2 reads instead of 9 (the 16 KB frames, and the pieces of those
 * that cross a buffer). The descriptor stays open until then: it is closed only once
 * the output that follows was passed (c1_io_defer_run). */

static void c1_io_set_error(h2_c1 *c1, apr_status_t rv);

/* Make the waiting reads. 0, or -1 when the file could not be read (the error is logged
 * and the connection aborted: its frames promised bytes it cannot have). */
static int c1_io_read_now(h2_c1 *c1)
{
    struct iovec *iov = c1->io.rd.iov;
    int n = c1->io.rd.n;
    apr_off_t off = c1->io.rd.off;
    c1->io.rd.n = 0;
    c1->io.rd.len = 0;
    while (n > 0) {
        ssize_t r = preadv(c1->io.rd.fd, iov, n, off);
        if (r <= 0) {
            if (r < 0 && errno == EINTR) continue;
            ap_log_cerror(APLOG_MARK, APLOG_ERR, r < 0 ? errno : 0, c1->c, H2LOGNO(00301)
                          "h2: reading file data failed (the file shrank?), connection "
                          "aborted");
            c1_io_set_error(c1, r < 0 ? APR_FROM_OS_ERROR(errno) : APR_EOF);
            return -1;
        }
        off += r;
        /* a short read: go on after the bytes it gave */
        while (n > 0 && (size_t)r >= iov->iov_len) {
            r -= (ssize_t)iov->iov_len;
            ++iov;
            --n;
        }
        if (n > 0) {
            iov->iov_base = (char *)iov->iov_base + r;
            iov->iov_len -= (size_t)r;
        }
    }
    return 0;
}

/* Read len bytes of fd at off into dst before obuf goes out. */
static int c1_io_read_later(h2_c1 *c1, int fd, apr_off_t off, char *dst, apr_size_t len)
{
    if (c1->io.rd.n && (c1->io.rd.fd != fd || c1->io.rd.off + (apr_off_t)c1->io.rd.len != off
                        || c1->io.rd.n == H2_C1_IO_RDV)
        && c1_io_read_now(c1) < 0)
        return -1;
    if (!c1->io.rd.n) {
        c1->io.rd.fd = fd;
        c1->io.rd.off = off;
    }
    c1->io.rd.iov[c1->io.rd.n].iov_base = dst;
    c1->io.rd.iov[c1->io.rd.n].iov_len = len;
    c1->io.rd.n++;
    c1->io.rd.len += len;
    return 0;
}

static void c1_io_emit(h2_c1 *c1)
{
    apr_bucket *b;
    if (c1->io.rd.n && c1_io_read_now(c1) < 0)
        c1->io.olen = 0;   /* not sent: the connection is aborted */
    if (!c1->io.olen) return;
    if (c1->io.ninflight < H2_C1_IO_KEEP) {
        /* ours again after the pass (c1_io_pass) */
        b = apr_bucket_transient_create(c1->io.obuf, c1->io.olen, c1->c->bucket_alloc);
        c1->io.inflight[c1->io.ninflight++] = c1->io.obuf;
    }
    else {
        b = apr_bucket_heap_create(c1->io.obuf, c1->io.olen, free, c1->c->bucket_alloc);
    }
    APR_BRIGADE_INSERT_TAIL(c1->io.bbout, b);
    c1->io.batch_bytes += c1->io.olen;
    if (c1->io.tls_warming) {
        /* one TLS record per piece: mod_ssl writes each piece between boundaries as a
         * record of its own */
        c1_io_add_boundary(c1);
        c1->io.tls_warm_bytes += (apr_int64_t)c1->io.olen;
        if (c1->io.tls_warm_bytes >= c1->cfg->tls_warmup_size)
            c1->io.tls_warming = 0;
    }
    c1->io.obuf = c1->io.nspare ? c1->io.spare[--c1->io.nspare] : malloc(OBUF_SIZE);
    c1->io.ocap = c1->io.obuf ? OBUF_SIZE : 0;
    c1->io.olen = 0;
    c1_io_set_limit(c1);
}

/* The brigade was passed: the buffers it pointed to are free again (no bucket refers to
 * them any more: transient buckets are copied by whoever sets them aside). */
static void c1_io_recycle(h2_c1 *c1)
{
    while (c1->io.ninflight > 0) {
        char *buf = c1->io.inflight[--c1->io.ninflight];
        if (c1->io.nspare < H2_C1_IO_KEEP) c1->io.spare[c1->io.nspare++] = buf;
        else free(buf);
    }
}

void h2_c1_io_trim(h2_c1 *c1)
{
    while (c1->io.nspare > 0) free(c1->io.spare[--c1->io.nspare]);
    if (c1->io.obuf && !c1->io.olen && !c1->io.ninflight) {
        /* taken again by the next output (c1_io_obuf_ensure) */
        free(c1->io.obuf);
        c1->io.obuf = NULL;
        c1->io.ocap = c1->io.olim = 0;
    }
    if (c1->io.tbuf && !c1->io.tlen) {
        free(c1->io.tbuf);
        c1->io.tbuf = NULL;
    }
}

/* ---------------------------------------------------------------------------------- */
/* TLS output batches */

/* mod_ssl passes every TLS record (16 KB of data at most) down on its own and the core
 * writes each one with a syscall of its own, so TCP sends a segment per record. This
 * filter sits between mod_ssl and the core on c1 (TLS only): it copies the records into
 * one buffer and passes that when it is full (TLS_BATCH) or at the next metadata bucket:
 * every pass of c1 ends with a boundary bucket (and so each warm-up piece: its small
 * record still goes out on its own), mod_ssl's own writes (alerts) with a FLUSH, the
 * connection with an EOC. So it never holds bytes when c1 waits for POLLOUT or hands the
 * connection back (h2_c1_io_pending counts them anyway), and it never blocks: it passes
 * at most TLS_BATCH bytes at a time, below the core's FlushMaxThreshold, as transient
 * buckets the core copies when it must keep them. A round of 100 KB responses then takes
 * two writes instead of seven, and the kernel's work per byte on the connection halves. */
#define TLS_BATCH (64 * 1024)

static ap_filter_rec_t *c1_tls_out_handle;

static apr_status_t c1_io_tls_pass(ap_filter_t *f, h2_c1 *c1, apr_bucket *b)
{
    apr_bucket_brigade *bb = c1->io.bbtls;
    apr_status_t rv;
    if (c1->io.tlen) {
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_transient_create(c1->io.tbuf, c1->io.tlen,
                                                                f->c->bucket_alloc));
        c1->io.tlen = 0;
    }
    if (b) APR_BRIGADE_INSERT_TAIL(bb, b);
    if (APR_BRIGADE_EMPTY(bb)) return APR_SUCCESS;
    rv = ap_pass_brigade(f->next, bb);
    apr_brigade_cleanup(bb);
    return rv;
}

static apr_status_t c1_io_tls_out_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    h2_c1 *c1 = f->ctx;
    apr_status_t rv = APR_SUCCESS;
    apr_bucket *b;
    if (c1->io.tls_off) return ap_pass_brigade(f->next, bb);
    while (rv == APR_SUCCESS && (b = APR_BRIGADE_FIRST(bb)) != APR_BRIGADE_SENTINEL(bb)) {
        const char *data;
        apr_size_t len;
        APR_BUCKET_REMOVE(b);
        if (APR_BUCKET_IS_METADATA(b) || b->length == (apr_size_t)-1
            || APR_BUCKET_IS_FILE(b)
            || (!c1->io.tbuf && !(c1->io.tbuf = malloc(TLS_BATCH)))) {
            /* what is gathered goes first, then this bucket */
            rv = c1_io_tls_pass(f, c1, b);
            continue;
        }
        rv = apr_bucket_read(b, &data, &len, APR_BLOCK_READ);
        while (rv == APR_SUCCESS && len) {
            apr_size_t k = TLS_BATCH - c1->io.tlen;
            if (k > len) k = len;
            memcpy(c1->io.tbuf + c1->io.tlen, data, k);
            c1->io.tlen += k;
            data += k;
            len -= k;
            if (c1->io.tlen == TLS_BATCH) rv = c1_io_tls_pass(f, c1, NULL);
        }
        apr_bucket_destroy(b);
    }
    if (rv != APR_SUCCESS) {
        c1->io.tlen = 0;
        apr_brigade_cleanup(bb);
    }
    return rv;
}

void h2_c1_io_register_hooks(void)
{
    /* after mod_ssl (AP_FTYPE_CONNECTION + 5) has made the records, before mod_logio and
     * the core (AP_FTYPE_NETWORK - 1, AP_FTYPE_NETWORK) write them */
    c1_tls_out_handle = ap_register_output_filter("H2_C1_TLS_OUT", c1_io_tls_out_filter,
                                                  NULL, AP_FTYPE_CONNECTION + 8);
}

/* The output buffer is released while the connection is parked (h2_c1_io_trim) and
 * taken again (a spare, or malloc) when output is produced. */
static void c1_io_obuf_ensure(h2_c1 *c1)
{
    if (c1->io.obuf) return;
    c1->io.obuf = c1->io.nspare ? c1->io.spare[--c1->io.nspare] : malloc(OBUF_SIZE);
    c1->io.ocap = c1->io.obuf ? OBUF_SIZE : 0;
    c1->io.olen = 0;
    c1_io_set_limit(c1);
}

static int c1_io_room(h2_c1 *c1)
{
    c1_io_obuf_ensure(c1);
    if (c1->io.olen >= c1->io.olim)
        c1_io_emit(c1);
    return c1->io.olim > c1->io.olen;
}

int h2_c1_io_append(h2_c1 *c1, const void *p, size_t n)
{
    const char *s = p;
    while (n) {
        size_t k;
        if (!c1_io_room(c1)) return -1;
        k = c1->io.olim - c1->io.olen;
        if (k > n) k = n;
        memcpy(c1->io.obuf + c1->io.olen, s, k);
        c1->io.olen += k;
        s += k;
        n -= k;
    }
    return 0;
}

/* ---------------------------------------------------------------------------------- */
/* writing without blocking
 *
 * httpd 2.4's core output filter writes without blocking and keeps what the socket does
 * not take (c->data_in_output_filters), unless the brigade holds a FLUSH bucket or its
 * buffered memory exceeds FlushMaxThreshold: then it blocks until everything is written.
 * So c1 never passes a FLUSH, passes at most pass_max bytes (below the threshold) at a
 * time and only when the core holds nothing, and then asks the core to write what it
 * holds (the network filter called with no brigade, as the event MPM does in write
 * completion). What the socket does not take waits there, at most one pass: the loop
 * then waits for POLLOUT and produces no more frames until it is written. */

static ap_filter_t *c1_io_net_filter(h2_c1 *c1)
{
    ap_filter_t *f = c1->c->output_filters;
    while (f && f->next) f = f->next;
    return (f && f->frec && f->frec->name && !strcasecmp(f->frec->name, "core")) ? f : NULL;
}

static void c1_io_set_error(h2_c1 *c1, apr_status_t rv)
{
    if (!c1->io.write_status) c1->io.write_status = rv;
    c1->c->aborted = 1;
}

/* Let the core write what it holds, without blocking. */
static apr_status_t c1_io_drain(h2_c1 *c1)
{
    ap_filter_t *net = c1_io_net_filter(c1);
    apr_status_t rv;
    if (c1->io.tlen && c1->io.tls_f) {
        /* cannot be (every pass ends with a boundary); should it: on to the core */
        if ((rv = c1_io_tls_pass(c1->io.tls_f, c1, NULL)) != APR_SUCCESS) {
            c1->io.tlen = 0;
            c1_io_set_error(c1, rv);
            return rv;
        }
        c1->c->data_in_output_filters = 1;
    }
    if (!c1->c->data_in_output_filters) return APR_SUCCESS;
    if (!net) {
        /* not the core at the end of the chain: we cannot write without blocking */
        apr_bucket_brigade *bb = c1->io.bbout;
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_flush_create(c1->c->bucket_alloc));
        rv = ap_pass_brigade(c1->c->output_filters, bb);
        apr_brigade_cleanup(bb);
        c1_io_recycle(c1);
    }
    else {
        rv = net->frec->filter_func.out_func(net, NULL);
    }
    if (rv != APR_SUCCESS && !APR_STATUS_IS_EAGAIN(rv)) {
        c1_io_set_error(c1, rv);
        return rv;
    }
    if (!c1->c->data_in_output_filters) {
        /* everything is on the wire: mappings and descriptors are free */
        c1_io_defer_run(c1);
        c1->io.stall_since = 0;
    }
    return APR_SUCCESS;
}

/* httpd 2.4's core output filter keeps a write of less than 4096 bytes without a FLUSH
 * (should_send_brigade's THRESHOLD_MIN_WRITE) and creates a per-connection pool for it
 * (setaside_remaining_output) that lives as long as the connection. A FLUSH makes it
 * write at once, but blocks when the socket does not take everything. So: a FLUSH only
 * for few bytes (below that threshold, TLS records included) when the kernel's send
 * queue holds next to nothing (SIOCOUTQ: unsent and unacknowledged bytes) and the send
 * buffer is large: then the write fits the socket's buffer and cannot block. */
#define SMALL_WRITE_MAX   (4096 - 512)
#define SMALL_WRITE_QUEUE 4096
#define SMALL_WRITE_SNDBUF (16 * 1024)

static int c1_io_small_write_fits(h2_c1 *c1, apr_size_t n)
{
#if defined(__linux__) && defined(TIOCOUTQ)
    apr_os_sock_t fd;
    int queued = 0;
    /* not while the child stops: the MPM closes sockets then, and a FLUSHed write that
     * meets a closing socket lost the final GOAWAY (test_71_stop_idle_goaway) */
    if (!n || n > SMALL_WRITE_MAX || c1->io.tlen || c1->io.no_small_flush
        || h2_c1_child_is_stopping())
        return 0;
    if (apr_os_sock_get(&fd, c1->sock) != APR_SUCCESS) return 0;
    if (!c1->io.sndbuf) {
        int v = 0;
        socklen_t vl = sizeof(v);
        c1->io.sndbuf = getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, &vl) == 0 && v > 0 ? v : -1;
    }
    if (c1->io.sndbuf < SMALL_WRITE_SNDBUF) return 0;   /* unknown (-1) or small */
    if (ioctl(fd, TIOCOUTQ, &queued) != 0 || queued < 0) return 0;
    return (apr_size_t)queued + n <= SMALL_WRITE_QUEUE;
#else
    (void)c1;
    (void)n;
    return 0;
#endif
}

/* Pass what was produced through c1's output filters and let the core write it. */
static apr_status_t c1_io_pass(h2_c1 *c1)
{
    apr_status_t rv;
    c1_io_emit(c1);
    if (APR_BRIGADE_EMPTY(c1->io.bbout))
        return APR_SUCCESS;
    if (!c1->c->data_in_output_filters && c1_io_small_write_fits(c1, c1->io.batch_bytes)) {
        /* few bytes that the socket takes at once: with a FLUSH the core writes them now
         * instead of setting them aside (a deferred-write pool per connection, which
         * stays as long as the connection: 8 KB and more of each idle connection) */
        APR_BRIGADE_INSERT_TAIL(c1->io.bbout, apr_bucket_flush_create(c1->c->bucket_alloc));
    }
    else if (!c1->io.tls_warming)
        c1_io_add_boundary(c1);   /* nothing stays in mod_ssl's coalescing buffer */
    rv = ap_pass_brigade(c1->c->output_filters, c1->io.bbout);
    apr_brigade_cleanup(c1->io.bbout);
    c1->io.written += c1->io.batch_bytes;
    c1_io_recycle(c1);   /* written, or copied by whoever set it aside */
    c1->io.batch_bytes = 0;
    if (c1->is_tls) c1->io.tls_last_write = apr_time_now();
    if (rv != APR_SUCCESS) {
        c1_io_set_error(c1, rv);
        c1_io_defer_run(c1);
        return rv;
    }
    if (!c1->c->data_in_output_filters)
        c1->c->data_in_output_filters = 1;  /* the core may hold a small piece: ask it */
    return c1_io_drain(c1);
}

int h2_c1_io_pending(h2_c1 *c1)
{
    return c1->c->data_in_output_filters || c1->io.olen || c1->io.tlen
           || !APR_BRIGADE_EMPTY(c1->io.bbout);
}

/* 4 passes' worth: a burst of requests answered at once still fits, and a client that
 * sends more while it reads nothing is held before its backlog matters */
#define H2_C1_IN_HOLD (256 * 1024)

int h2_c1_io_backlogged(h2_c1 *c1)
{
    return c1->engine && h2_session_out_pending(c1->engine) > H2_C1_IN_HOLD
           && h2_c1_io_pending(c1);
}

/* ---------------------------------------------------------------------------------- */
/* engine callbacks (c1 thread) */

/* Make sure [foff, foff + k) of a FILE item is mapped (windows of MAP_WINDOW bytes; a
 * window that is done goes to the deferred list). 0 when mapping is not possible. */
static int c1_io_file_map(h2_c1 *c1, h2_oitem *oi, apr_size_t k)
{
    static long pagesize;
    apr_off_t start;
    size_t len;
    void *m;
    if (oi->map && oi->foff >= oi->map_off
        && oi->foff + (apr_off_t)k <= oi->map_off + (apr_off_t)oi->map_len)
        return 1;
    /* small remainders: pread is cheaper than mapping (munmap costs TLB shootdowns) */
    if (oi->fd < 0 || !oi->can_map || (!oi->map && oi->len < MAP_MIN)) return 0;
    if (!pagesize) pagesize = sysconf(_SC_PAGESIZE);
    if (oi->map) {
        c1_io_defer(c1, oi->map, oi->map_len, -1);
        oi->map = NULL;
    }
    start = oi->foff - (oi->foff % pagesize);
    len = (size_t)(oi->foff - start) + oi->len;
    if (len > MAP_WINDOW) len = MAP_WINDOW;
    if (start + (apr_off_t)len < oi->foff + (apr_off_t)k) return 0;
    m = mmap(NULL, len, PROT_READ, MAP_SHARED, oi->fd, start);
    if (m == MAP_FAILED) return 0;
    oi->map = m;
    oi->map_off = start;
    oi->map_len = len;
    return 1;
}

int h2_c1_io_write_body(h2_c1 *c1, uint32_t sid, h2_strm *strm, size_t len, int end_stream)
{
    apr_size_t mem_taken = 0;
    /* Only c1 removes items and only from the head; workers append at the tail and never
     * touch queued items' data. So the bytes are copied without the lock; the lock is
     * taken for the queue bookkeeping. */
    while (len > 0) {
        h2_oitem *oi;
        size_t k;
        h2_hub_lock(c1->hub);
        oi = strm->out_head;
        h2_hub_unlock(c1->hub);
        if (!oi) return -1; /* cannot happen: data_available counted it */
        k = oi->len < len ? oi->len : len;
        if (oi->type == H2_OI_MEM) {
            if (h2_c1_io_append(c1, oi->data + oi->off, k) < 0) return -1;
            oi->off += k;
            mem_taken += k;
        }
        else if (!c1->is_tls && c1_io_file_map(c1, oi, k)) {
            /* h2c: the bytes go out straight from the page cache mapping */
            apr_bucket *b;
            c1_io_emit(c1);
            b = apr_bucket_immortal_create(oi->map + (oi->foff - oi->map_off), k,
                                           c1->c->bucket_alloc);
            APR_BRIGADE_INSERT_TAIL(c1->io.bbout, b);
            c1->io.batch_bytes += k;
            oi->foff += (apr_off_t)k;
        }
        else {
            /* the bytes are read before obuf goes out (c1_io_read_now) */
            size_t done = 0;
            while (done < k) {
                size_t want;
                if (!c1_io_room(c1) || c1->c->aborted) return -1;
                want = c1->io.olim - c1->io.olen;
                if (want > k - done) want = k - done;
                if (c1_io_read_later(c1, oi->fd, oi->foff, c1->io.obuf + c1->io.olen,
                                     want) < 0)
                    return -1;
                c1->io.olen += want;
                oi->foff += (apr_off_t)want;
                done += want;
            }
        }
        len -= k;
        h2_hub_lock(c1->hub);
        oi->len -= k;
        strm->out_total -= k;
        strm->out_sent += (apr_off_t)k;
        if (oi->len == 0) {
            strm->out_head = oi->next;
            if (!strm->out_head) strm->out_tail = NULL;
            if (h2_hub_spare_put_locked(c1->hub, oi)) oi = NULL;
        }
        else {
            oi = NULL;
        }
        h2_hub_unlock(c1->hub);
        if (oi) {
            if (oi->type == H2_OI_FILE) c1_io_file_done(c1, oi);
            free(oi);
        }
    }
    h2_hub_lock(c1->hub);
    strm->out_mem -= mem_taken;
    if (end_stream) strm->eos_sent = 1;
    if (strm->out_waiting && strm->out_mem < c1->hub->stream_max_mem) {
        strm->out_waiting = 0;
        h2_strm_signal(strm);
    }
    if (strm->log_waiting && strm->out_total <= H2_LOG_SLACK) {
        strm->log_waiting = 0;
        h2_strm_signal(strm);
    }
    h2_hub_unlock(c1->hub);
    strm->last_progress = apr_time_now();
    return 0;
}

/* ---------------------------------------------------------------------------------- */
/* I/O */

/* Read what is there without blocking and feed the engine. Returns APR_SUCCESS (read
 * something), APR_EAGAIN (nothing there), or an error / APR_EOF. */
apr_status_t h2_c1_io_read(h2_c1 *c1, apr_read_type_e block)
{
    apr_status_t rv;
    int got = 0;
    if (h2_c1_io_backlogged(c1)) return APR_EAGAIN;
    for (;;) {
        apr_bucket *b;
        rv = ap_get_brigade(c1->c->input_filters, c1->io.bbin, AP_MODE_READBYTES, block,
                            READ_CHUNK);
        if (rv != APR_SUCCESS) break;
        if (APR_BRIGADE_EMPTY(c1->io.bbin)) { rv = APR_EAGAIN; break; }
        while ((b = APR_BRIGADE_FIRST(c1->io.bbin)) != APR_BRIGADE_SENTINEL(c1->io.bbin)) {
            const char *data;
            apr_size_t len;
            if (APR_BUCKET_IS_EOS(b)) {
                apr_brigade_cleanup(c1->io.bbin);
                return APR_EOF;
            }
            rv = apr_bucket_read(b, &data, &len, APR_BLOCK_READ);
            if (rv != APR_SUCCESS) { apr_brigade_cleanup(c1->io.bbin); return rv; }
            ap_log_cerror(APLOG_MARK, APLOG_TRACE3, 0, c1->c, H2LOGNO(00312)
                          "h2: %ld bytes in", (long)len);
            if (len) {
                int erv;
                c1->io.read_total += (apr_off_t)len;
                erv = h2_session_recv(c1->engine, (const uint8_t *)data, len, h2_c1_now_ms());
                got = 1;
                if (erv != H2_SESS_OK) {
                    apr_brigade_cleanup(c1->io.bbin);
                    c1->done = 1;
                    return APR_EGENERAL;
                }
            }
            apr_bucket_delete(b);
        }
        block = APR_NONBLOCK_READ;
        if (!h2_session_want_read(c1->engine)) break;
    }
    if (got) c1->io.last_input = apr_time_now();
    if (got && (APR_STATUS_IS_EAGAIN(rv) || rv == APR_SUCCESS)) return APR_SUCCESS;
    return rv;
}

/* H2TLSWarmUpSize / H2TLSCoolDownSecs: a TLS connection starts with small records (each
 * fits one TCP segment, so the client can decrypt as packets arrive while the congestion
 * window is small) and goes back to them after the output was idle for the cool-down. */
static void c1_io_tls_cooldown(h2_c1 *c1)
{
    apr_time_t cool;
    if (!c1->is_tls || c1->io.tls_warming || c1->cfg->tls_warmup_size <= 0
        || c1->cfg->tls_cooldown_secs <= 0)
        return;
    cool = apr_time_from_sec(c1->cfg->tls_cooldown_secs);
    if (c1->io.tls_last_write && apr_time_now() - c1->io.tls_last_write < cool)
        return;
    c1->io.tls_warming = 1;
    c1->io.tls_warm_bytes = 0;
    c1_io_set_limit(c1);  /* olen may be above it: the next c1_io_room passes what is there */
}

apr_status_t h2_c1_io_write(h2_c1 *c1)
{
    apr_status_t rv;
    int n = 0;
    if (c1->c->aborted) return APR_ECONNABORTED;
    c1_io_tls_cooldown(c1);
    /* first what the socket did not take last time */
    if ((rv = c1_io_drain(c1)) != APR_SUCCESS) return rv;
    if (c1->c->data_in_output_filters) return APR_SUCCESS;   /* not writable yet */
    while (h2_session_want_write(c1->engine)) {
        size_t produced = 0;
        int erv = h2_session_send(c1->engine, c1->io.tls_warming ? c1->io.pass_warm
                                                                 : c1->io.pass_max,
                                  &produced);
        if (erv != H2_SESS_OK) {
            c1->done = 1;
            c1_io_pass(c1);
            return APR_EGENERAL;
        }
        if (!produced) break;
        if ((rv = c1_io_pass(c1)) != APR_SUCCESS) return rv;
        if (c1->c->data_in_output_filters) break;   /* the socket is full: wait */
        if (++n > 16) {
            /* fairness: look at input and workers now and then */
            break;
        }
    }
    if (c1->io.olen || !APR_BRIGADE_EMPTY(c1->io.bbout))
        rv = c1_io_pass(c1);
    return rv;
}

apr_status_t h2_c1_io_write_last(h2_c1 *c1)
{
    apr_status_t rv = h2_c1_io_write(c1);
    size_t produced = 0;
    if (rv != APR_SUCCESS || c1->c->aborted || !h2_c1_io_pending(c1)
        || !h2_session_want_write(c1->engine))
        return rv;
    /* The socket is full and the session's last frames (GOAWAY) are still in the engine:
     * put them behind what waits in the core (a few KB more, far below the threshold
     * that would make the core block); the MPM writes them when it closes. */
    h2_session_send(c1->engine, 4096, &produced);
    c1_io_emit(c1);
    if (!APR_BRIGADE_EMPTY(c1->io.bbout)) {
        c1_io_add_boundary(c1);
        rv = ap_pass_brigade(c1->c->output_filters, c1->io.bbout);
        apr_brigade_cleanup(c1->io.bbout);
        c1_io_recycle(c1);
        if (rv != APR_SUCCESS) c1_io_set_error(c1, rv);
    }
    return rv;
}

int h2_c1_io_flush_for(h2_c1 *c1, apr_interval_time_t max_wait)
{
    apr_time_t end = apr_time_now() + max_wait;
    while (!c1->c->aborted && c1->c->data_in_output_filters) {
        apr_pollfd_t pfd;
        apr_int32_t n;
        apr_time_t now = apr_time_now();
        if (now >= end) break;
        memset(&pfd, 0, sizeof(pfd));
        pfd.desc_type = APR_POLL_SOCKET;
        pfd.desc.s = c1->sock;
        pfd.reqevents = APR_POLLOUT;
        pfd.p = c1->c->pool;
        /* short steps: a socket the MPM closes meanwhile does not wake a poll */
        apr_poll(&pfd, 1, &n, end - now < apr_time_from_msec(50) ? end - now
                                                                 : apr_time_from_msec(50));
        if (c1_io_drain(c1) != APR_SUCCESS) break;
    }
    return !c1->c->data_in_output_filters;
}

int h2_c1_io_stalled(h2_c1 *c1, apr_time_t now, int writable)
{
    if (!c1->c->data_in_output_filters || writable) {
        c1->io.stall_since = 0;
        return 0;
    }
    if (!c1->io.stall_since) {
        c1->io.stall_since = now;
        return 0;
    }
    return now - c1->io.stall_since >= c1->io.stall_timeout;
}

/* The kernel's queue of unsent bytes on c1's socket is kept to about this (Linux
 * TCP_NOTSENT_LOWAT): the scheduler decides the order of frames only for what has not
 * been written yet, and with send buffers autotuned to megabytes, a response that
 * becomes ready late (a CSS file) would otherwise wait behind everything the kernel
 * holds of the images before it. With the mark, a write takes until that many bytes
 * wait unsent (plus the segment being filled), POLLOUT comes when fewer than half of it
 * wait, and the rest of a pass waits in the core; the bytes in flight (the congestion
 * window) are not limited. 16 KB: Cloudflare's value; a compile-time constant, because
 * the one figure an operator could want to tune it for (a path whose RTT is so long that
 * the write wake-ups cannot keep it full) is met by a large enough mark already: the
 * kernel has 8-16 KB queued at each wake-up, a c1 loop round takes microseconds. 0: not
 * set. */
#ifndef H2_C1_NOTSENT_LOWAT
#define H2_C1_NOTSENT_LOWAT (16 * 1024)
#endif

static void c1_io_set_lowat(h2_c1 *c1)
{
#if defined(__linux__) && defined(TCP_NOTSENT_LOWAT)
    apr_os_sock_t fd;
    int v = H2_C1_NOTSENT_LOWAT;
    if (v <= 0 || !c1->sock || apr_os_sock_get(&fd, c1->sock) != APR_SUCCESS) return;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &v, sizeof(v)) != 0)
        ap_log_cerror(APLOG_MARK, APLOG_TRACE1, errno, c1->c, H2LOGNO(00981)
                      "h2: TCP_NOTSENT_LOWAT not set");   /* not TCP (a UNIX socket) */
#else
    (void)c1;
#endif
}

apr_status_t h2_c1_io_init(h2_c1 *c1)
{
    conn_rec *c = c1->c;
    core_server_config *core = ap_get_core_module_config(c->base_server->module_config);
    apr_size_t threshold = core && core->flush_max_threshold ? core->flush_max_threshold
                                                             : 64 * 1024;
    c1->io.bbin = apr_brigade_create(c->pool, c->bucket_alloc);
    c1->io.bbout = apr_brigade_create(c->pool, c->bucket_alloc);
    c1->io.obuf = malloc(OBUF_SIZE);
    c1->io.ocap = c1->io.obuf ? OBUF_SIZE : 0;
    c1->io.olim = c1->io.ocap;
    /* A pass stays below FlushMaxThreshold, TLS record overhead included, so the core
     * never blocks on it (h2_session_send's bound is hard for DATA frames): full-size
     * records add at most a few hundred bytes to 64 KB; the 1300-byte records of the
     * warm-up up to 8%. Over TLS the pass is then one write (TLS_BATCH). */
    c1->io.pass_max = threshold - (c1->is_tls ? TLS_PASS_MARGIN : 0);
    c1->io.pass_warm = threshold - threshold / 8;
    if (c1->io.pass_max < 4096) c1->io.pass_max = 4096;   /* FlushMaxThreshold < 5 KB */
    if (c1->io.pass_warm < 4096) c1->io.pass_warm = 4096;
    if (c1->io.pass_max > PASS_MAX) c1->io.pass_max = PASS_MAX;
    if (c1->io.pass_warm > PASS_MAX) c1->io.pass_warm = PASS_MAX;
    c1->io.stall_timeout = c->base_server->timeout > 0 ? c->base_server->timeout
                                                      : apr_time_from_sec(60);
    c1_io_set_lowat(c1);
    if (c1->is_tls) {
        c1->io.bbtls = apr_brigade_create(c->pool, c->bucket_alloc);
        c1->io.tls_f = ap_add_output_filter_handle(c1_tls_out_handle, c1, NULL, c);
    }
    return APR_SUCCESS;
}

void h2_c1_io_cleanup(h2_c1 *c1)
{
    c1->io.rd.n = 0;   /* nothing goes out any more */
    apr_brigade_cleanup(c1->io.bbout);
    c1_io_recycle(c1);
    c1_io_defer_run(c1);
    c1->io.tls_off = 1;   /* a write at the connection's very end passes straight on */
    c1->io.tlen = 0;
    h2_c1_io_trim(c1);
    free(c1->io.obuf);
    c1->io.obuf = NULL;
}
