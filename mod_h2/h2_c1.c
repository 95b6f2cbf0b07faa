/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_c1.c -- the session loop on the client connection's thread. See h2_c1.h.
 *
 * One loop iteration: read everything c1's input filters have (non-blocking, so bytes
 * pending inside mod_ssl are drained), feed the engine; collect what workers reported
 * (one wakeup per batch); let the engine produce frames into one output buffer; pass
 * them through c1's output filters with a single FLUSH; then wait on the socket and the
 * workers' wakeup pipe together.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <sys/mman.h>

#include "apr_strings.h"
#include "apr_time.h"
#include "apr_general.h"
#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_connection.h"
#include "http_protocol.h"
#include "http_log.h"
#include "ap_mpm.h"
#include "mod_ssl.h"

#include "h2_log.h"
#include "h2_ctx.h"
#include "h2_c1.h"
#include "h2_c2.h"
#include "h2_push.h"
#include "h2_workers.h"
#include "h2_c1_idle.h"

APLOG_USE_MODULE(h2);

#define OBUF_SIZE        (64 * 1024)
#define SEND_CHUNK       (512 * 1024)
#define READ_CHUNK       (64 * 1024)
#define MAP_WINDOW       (8 * 1024 * 1024)
#define MAP_MIN          (1024 * 1024)
/* TLS warm-up: plaintext per TLS record, so that a record fits one TCP segment (MSS 1460
 * minus TCP/IP options and the TLS record overhead) */
#define TLS_SMALL_WRITE  1300

/* A file mapping or descriptor still referenced by buckets on their way out. */
typedef struct h2_defer {
    struct h2_defer *next;
    char *map;
    apr_size_t map_len;
    int fd;
} h2_defer;

static void defer_release(h2_c1 *c1, char *map, apr_size_t map_len, int fd)
{
    h2_defer *d = malloc(sizeof(*d));
    if (!d) {
        /* cannot defer: release now (only reachable when memory is gone anyway) */
        if (map) munmap(map, map_len);
        if (fd >= 0) close(fd);
        return;
    }
    d->map = map;
    d->map_len = map_len;
    d->fd = fd;
    d->next = c1->defer;
    c1->defer = d;
}

static void defer_run(h2_c1 *c1)
{
    h2_defer *d;
    while ((d = c1->defer)) {
        c1->defer = d->next;
        if (d->map) munmap(d->map, d->map_len);
        if (d->fd >= 0) close(d->fd);
        free(d);
    }
}

/* c1: dispose of a FILE item (its mapping may still be referenced by output buckets) */
static void oitem_file_done(h2_c1 *c1, h2_oitem *oi)
{
    defer_release(c1, oi->map, oi->map_len, oi->fd);
    oi->map = NULL;
    oi->fd = -1;
}

static apr_uint64_t now_ms(void)
{
    return (apr_uint64_t)(apr_time_now() / 1000);
}

/* ---------------------------------------------------------------------------------- */
/* header blocks */

h2_hdrs *h2_hdrs_from_nv(const h2_nv *nv, size_t n, int status)
{
    size_t i, sz = sizeof(h2_hdrs) + n * sizeof(h2_nv);
    h2_hdrs *h;
    char *p;
    for (i = 0; i < n; ++i)
        sz += nv[i].name_len + nv[i].value_len + 2;
    h = malloc(sz);
    if (!h) return NULL;
    h->status = status;
    h->n = n;
    h->nv = (h2_nv *)(h + 1);
    p = (char *)(h->nv + n);
    for (i = 0; i < n; ++i) {
        memcpy(p, nv[i].name, nv[i].name_len);
        p[nv[i].name_len] = 0;
        h->nv[i].name = (const uint8_t *)p;
        h->nv[i].name_len = nv[i].name_len;
        p += nv[i].name_len + 1;
        memcpy(p, nv[i].value, nv[i].value_len);
        p[nv[i].value_len] = 0;
        h->nv[i].value = (const uint8_t *)p;
        h->nv[i].value_len = nv[i].value_len;
        h->nv[i].flags = nv[i].flags;
        p += nv[i].value_len + 1;
    }
    return h;
}

void h2_hdrs_free(h2_hdrs *h)
{
    free(h);
}

/* ---------------------------------------------------------------------------------- */
/* wakeups */

void h2_c1_mark_dirty(h2_strm *strm, int *pwake)
{
    h2_c1 *c1 = strm->c1;
    if (!strm->dirty) {
        strm->dirty = 1;
        strm->next_dirty = c1->dirty_head;
        c1->dirty_head = strm;
    }
    if (!c1->wake_pending) {
        c1->wake_pending = 1;
        *pwake = 1;
    }
}

void h2_c1_wake(h2_c1 *c1)
{
    if (c1->pollset)
        apr_pollset_wakeup(c1->pollset);
}

int h2_c1_is_h2(conn_rec *c)
{
    h2_conn_ctx *ctx;
    if (!c) return 0;
    ctx = h2_ctx_get(c);
    if (ctx && (ctx->proto || ctx->is_c2)) return 1;
    return c->master ? h2_c1_is_h2(c->master) : 0;
}

/* ---------------------------------------------------------------------------------- */
/* output buffer */

static void ob_set_limit(h2_c1 *c1)
{
    c1->olim = (c1->tls_warming && c1->ocap > TLS_SMALL_WRITE) ? TLS_SMALL_WRITE : c1->ocap;
}

static void ob_emit(h2_c1 *c1)
{
    apr_bucket *b;
    if (!c1->olen) return;
    b = apr_bucket_heap_create(c1->obuf, c1->olen, free, c1->c->bucket_alloc);
    APR_BRIGADE_INSERT_TAIL(c1->bbout, b);
    c1->batch_bytes += c1->olen;
    c1->obuf = malloc(OBUF_SIZE);
    c1->ocap = c1->obuf ? OBUF_SIZE : 0;
    c1->olen = 0;
    ob_set_limit(c1);
}

static apr_status_t pass_out(h2_c1 *c1, int flush);

static int ob_room(h2_c1 *c1)
{
    if (c1->olen >= c1->olim) {
        if (c1->tls_warming) {
            /* one TLS record per flush: mod_ssl writes each flushed piece as a record */
            if (pass_out(c1, 1) != APR_SUCCESS) return 0;
        }
        else {
            ob_emit(c1);
        }
    }
    return c1->olim > c1->olen;
}

static int ob_append(h2_c1 *c1, const void *p, size_t n)
{
    const char *s = p;
    while (n) {
        size_t k;
        if (!ob_room(c1)) return -1;
        k = c1->olim - c1->olen;
        if (k > n) k = n;
        memcpy(c1->obuf + c1->olen, s, k);
        c1->olen += k;
        s += k;
        n -= k;
    }
    return 0;
}

/* Pass what was produced through c1's output filters; flush: add a FLUSH bucket. */
static apr_status_t pass_out(h2_c1 *c1, int flush)
{
    apr_status_t rv;
    ob_emit(c1);
    if (APR_BRIGADE_EMPTY(c1->bbout))
        return APR_SUCCESS;
    if (flush)
        APR_BRIGADE_INSERT_TAIL(c1->bbout, apr_bucket_flush_create(c1->c->bucket_alloc));
    rv = ap_pass_brigade(c1->c->output_filters, c1->bbout);
    apr_brigade_cleanup(c1->bbout);
    if (c1->tls_warming) {
        c1->tls_warm_bytes += (apr_int64_t)c1->batch_bytes;
        if (c1->tls_warm_bytes >= c1->cfg->tls_warmup_size) {
            c1->tls_warming = 0;
            ob_set_limit(c1);
        }
    }
    if (c1->is_tls) c1->tls_last_write = apr_time_now();
    c1->batch_bytes = 0;
    if (flush || rv != APR_SUCCESS) defer_run(c1);
    if (rv != APR_SUCCESS) {
        c1->write_status = rv;
        c1->c->aborted = 1;
    }
    return rv;
}

/* ---------------------------------------------------------------------------------- */
/* streams */

h2_strm *h2_c1_strm_new(h2_c1 *c1, uint32_t id)
{
    h2_strm *strm = c1->free_strms;
    if (strm) {
        apr_thread_cond_t *cond = strm->cond;
        c1->free_strms = strm->next_free;
        memset(strm, 0, sizeof(*strm));
        strm->cond = cond;
    }
    else {
        strm = apr_pcalloc(c1->c->pool, sizeof(*strm));
        if (apr_thread_cond_create(&strm->cond, c1->c->pool) != APR_SUCCESS)
            return NULL;
    }
    strm->c1 = c1;
    strm->id = id;
    strm->req_content_length = -1;
    strm->next_active = c1->active_head;
    if (c1->active_head) c1->active_head->prev_active = strm;
    c1->active_head = strm;
    ++c1->strms_active;
    return strm;
}

static void strm_release(h2_c1 *c1, h2_strm *strm)
{
    h2_oitem *oi;
    h2_ichunk *ic;
    h2_interim *im;
    while ((oi = strm->out_head)) {
        strm->out_head = oi->next;
        if (oi->type == H2_OI_FILE) oitem_file_done(c1, oi);
        free(oi);
    }
    while ((ic = strm->in_head)) {
        strm->in_head = ic->next;
        free(ic);
    }
    while ((im = strm->interims)) {
        strm->interims = im->next;
        h2_hdrs_free(im->hdrs);
        h2_push_list_free(im->pushes);
        free(im);
    }
    h2_push_list_free(strm->pushes);
    strm->pushes = NULL;
    h2_hdrs_free(strm->req);
    h2_hdrs_free(strm->resp);
    h2_hdrs_free(strm->trailers);
    h2_hdrs_free(strm->in_trailers);
    free(strm->method);
    strm->req = strm->resp = strm->trailers = strm->in_trailers = NULL;
    strm->method = NULL;
    if (strm->id && c1->engine && !strm->closed)
        h2_session_set_stream_data(c1->engine, strm->id, NULL);
    if (strm->prev_active) strm->prev_active->next_active = strm->next_active;
    else c1->active_head = strm->next_active;
    if (strm->next_active) strm->next_active->prev_active = strm->prev_active;
    strm->next_active = strm->prev_active = NULL;
    strm->next_free = c1->free_strms;
    c1->free_strms = strm;
    --c1->strms_active;
}

/* The pollset (socket + wakeup pipe) exists while the session is busy. */
static apr_status_t ensure_pollset(h2_c1 *c1)
{
    apr_status_t rv;
    if (c1->pollset) return APR_SUCCESS;
    apr_pool_create(&c1->ps_pool, c1->c->pool);
    apr_pool_tag(c1->ps_pool, "h2_pollset");
    rv = apr_pollset_create(&c1->pollset, 2, c1->ps_pool, APR_POLLSET_WAKEABLE);
    if (rv != APR_SUCCESS) {
        c1->pollset = NULL;
        apr_pool_destroy(c1->ps_pool);
        c1->ps_pool = NULL;
        return rv;
    }
    c1->sockfd.p = c1->ps_pool;
    return apr_pollset_add(c1->pollset, &c1->sockfd);
}

/* Only when no worker can reach the session (nothing attached, nothing running). */
static void drop_pollset(h2_c1 *c1)
{
    if (!c1->pollset) return;
    c1->pollset = NULL;
    apr_pool_destroy(c1->ps_pool);
    c1->ps_pool = NULL;
}

/* Worker job of a session: process its pending streams one after another, so that a
 * worker that finished a stream takes the next one without a trip through the pool's
 * queue (and without sleeping). The session stays alive while attached > 0. */
static void session_job(void *baton, h2_worker_ctx *w)
{
    h2_c1 *c1 = baton;
    apr_thread_mutex_lock(c1->lock);
    for (;;) {
        h2_strm *strm = c1->pending_head;
        if (!strm) break;
        c1->pending_head = strm->next_pending;
        if (!c1->pending_head) c1->pending_tail = NULL;
        --c1->pending_n;
        apr_thread_mutex_unlock(c1->lock);
        h2_c2_process(strm, w);
        apr_thread_mutex_lock(c1->lock);
    }
    --c1->attached;
    apr_thread_mutex_unlock(c1->lock);
    /* c1 may be gone from here on */
}

static void strm_dispatch(h2_c1 *c1, h2_strm *strm)
{
    strm->dispatched = 1;
    strm->next_pending = NULL;
    /* H2PUSH and push collection on the worker: may the client be pushed to at all? */
    strm->push_ok = !strm->pushed_on
                    && h2_session_peer_setting(c1->engine, H2_SET_ENABLE_PUSH) != 0;
    if (!h2_workers_get()) {
        /* no worker pool (prefork): process on this thread; output is unbounded then
         * (nobody else could drain it) */
        h2_c2_process(strm, NULL);
        return;
    }
    if (c1->new_tail) c1->new_tail->next_pending = strm; else c1->new_head = strm;
    c1->new_tail = strm;
}

void h2_c1_strm_dispatch(h2_c1 *c1, h2_strm *strm)
{
    strm_dispatch(c1, strm);
}

void h2_c1_strm_release(h2_c1 *c1, h2_strm *strm)
{
    strm_release(c1, strm);
}

/* Hand the streams collected during a read to workers: one lock, as few jobs as needed. */
static void dispatch_new(h2_c1 *c1)
{
    h2_workers *w = h2_workers_get();
    int need, i;
    if (!c1->new_head) return;
    ensure_pollset(c1);   /* workers wake us through it */
    apr_thread_mutex_lock(c1->lock);
    if (c1->pending_tail) c1->pending_tail->next_pending = c1->new_head;
    else c1->pending_head = c1->new_head;
    c1->pending_tail = c1->new_tail;
    for (; c1->new_head; c1->new_head = c1->new_head->next_pending) ++c1->pending_n;
    c1->new_tail = NULL;
    /* one connection gets at most half of the workers: a client stalling its streams
     * (zero windows, bodies that never come) must not take every worker of the child */
    {
        int cap = w ? h2_workers_max(w) / 2 : 1;
        if (cap < 2) cap = 2;
        /* every attached worker is busy with a stream (a long one, e.g. a page whose
         * handler waits, must not hold up the streams queued behind it): pending
         * streams get workers of their own, up to the cap */
        need = c1->pending_n;
        if (need > cap - c1->attached) need = cap - c1->attached;
    }
    if (need < 0) need = 0;
    c1->attached += need;
    apr_thread_mutex_unlock(c1->lock);
    for (i = 0; i < need; ++i) {
        if (!w || h2_workers_submit(w, session_job, c1) != APR_SUCCESS) {
            /* shutting down: run what is pending here */
            session_job(c1, NULL);
        }
    }
}

/* ---------------------------------------------------------------------------------- */
/* engine callbacks (c1 thread) */

/* Make sure [foff, foff + k) of a FILE item is mapped (windows of MAP_WINDOW bytes; a
 * window that is done goes to the deferred list). 0 when mapping is not possible. */
static int file_map(h2_c1 *c1, h2_oitem *oi, apr_size_t k)
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
        defer_release(c1, oi->map, oi->map_len, -1);
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

static int cb_send_bytes(void *ud, const uint8_t *p, size_t n)
{
    return ob_append(ud, p, n);
}

static long cb_data_available(void *ud, uint32_t sid, void *sud, size_t max, int *eos)
{
    h2_c1 *c1 = ud;
    h2_strm *strm = sud;
    apr_size_t n;
    *eos = 0;
    if (!strm) return -1;
    apr_thread_mutex_lock(c1->lock);
    n = strm->out_total;
    if (n > max) n = max;
    if (strm->out_eos && n == strm->out_total) {
        if (strm->trailers && !strm->trailers_submitted) {
            h2_session_submit_trailers(c1->engine, sid, strm->trailers->nv, strm->trailers->n);
            strm->trailers_submitted = 1;
        }
        *eos = 1;
    }
    else if (n < max) {
        strm->deferred = 1;
    }
    apr_thread_mutex_unlock(c1->lock);
    return (long)n;
}

/* Write the next len body bytes of a stream (after its DATA frame header). */
static int write_body(h2_c1 *c1, uint32_t sid, h2_strm *strm, size_t len, int end_stream);

static int cb_send_data(void *ud, uint32_t sid, void *sud, const uint8_t hdr[H2_FRAME_HDR_LEN],
                        size_t len, int end_stream)
{
    h2_c1 *c1 = ud;
    if (ob_append(c1, hdr, H2_FRAME_HDR_LEN) < 0) return -1;
    return write_body(c1, sid, sud, len, end_stream);
}

/* H2Padding: DATA frames with padding */
static int cb_send_data_padded(void *ud, uint32_t sid, void *sud, const uint8_t *prefix,
                               size_t prefix_len, size_t len, const uint8_t *padding,
                               size_t pad_len, int end_stream)
{
    h2_c1 *c1 = ud;
    if (ob_append(c1, prefix, prefix_len) < 0) return -1;
    if (write_body(c1, sid, sud, len, end_stream) < 0) return -1;
    return pad_len ? ob_append(c1, padding, pad_len) : 0;
}

static int write_body(h2_c1 *c1, uint32_t sid, h2_strm *strm, size_t len, int end_stream)
{
    apr_size_t mem_taken = 0;
    /* Only c1 removes items and only from the head; workers append at the tail and never
     * touch queued items' data. So the bytes are copied without the lock; the lock is
     * taken for the queue bookkeeping. */
    while (len > 0) {
        h2_oitem *oi;
        size_t k;
        apr_thread_mutex_lock(c1->lock);
        oi = strm->out_head;
        apr_thread_mutex_unlock(c1->lock);
        if (!oi) return -1; /* cannot happen: data_available counted it */
        k = oi->len < len ? oi->len : len;
        if (oi->type == H2_OI_MEM) {
            if (ob_append(c1, oi->data + oi->off, k) < 0) return -1;
            oi->off += k;
            mem_taken += k;
        }
        else if (!c1->is_tls && file_map(c1, oi, k)) {
            /* h2c: the bytes go out straight from the page cache mapping */
            apr_bucket *b;
            ob_emit(c1);
            b = apr_bucket_immortal_create(oi->map + (oi->foff - oi->map_off), k,
                                           c1->c->bucket_alloc);
            APR_BRIGADE_INSERT_TAIL(c1->bbout, b);
            c1->batch_bytes += k;
            oi->foff += (apr_off_t)k;
        }
        else {
            size_t done = 0;
            while (done < k) {
                ssize_t r;
                size_t want;
                if (!ob_room(c1)) return -1;
                want = c1->olim - c1->olen;
                if (want > k - done) want = k - done;
                r = pread(oi->fd, c1->obuf + c1->olen, want, oi->foff);
                if (r <= 0) {
                    ap_log_cerror(APLOG_MARK, APLOG_ERR, r < 0 ? errno : 0, c1->c, H2LOGNO(00301)
                                  "h2 stream %u: reading file data failed", (unsigned)sid);
                    return -1;
                }
                c1->olen += (size_t)r;
                oi->foff += r;
                done += (size_t)r;
            }
        }
        len -= k;
        apr_thread_mutex_lock(c1->lock);
        oi->len -= k;
        strm->out_total -= k;
        if (oi->len == 0) {
            strm->out_head = oi->next;
            if (!strm->out_head) strm->out_tail = NULL;
        }
        else {
            oi = NULL;
        }
        apr_thread_mutex_unlock(c1->lock);
        if (oi) {
            if (oi->type == H2_OI_FILE) oitem_file_done(c1, oi);
            free(oi);
        }
    }
    apr_thread_mutex_lock(c1->lock);
    strm->out_mem -= mem_taken;
    if (end_stream) strm->eos_sent = 1;
    if (strm->out_waiting && strm->out_mem < c1->stream_max_mem) {
        strm->out_waiting = 0;
        apr_thread_cond_signal(strm->cond);
    }
    apr_thread_mutex_unlock(c1->lock);
    strm->last_progress = apr_time_now();
    return 0;
}

static int cb_on_request(void *ud, const h2_request *req)
{
    h2_c1 *c1 = ud;
    h2_strm *strm = h2_c1_strm_new(c1, req->stream_id);
    size_t sz;
    char *p;
    if (!strm) return -1;
    strm->req = h2_hdrs_from_nv(req->fields, req->nfields, 0);
    /* pseudo headers in one block */
    sz = req->method_len + req->scheme_len + req->authority_len + req->path_len + 4;
    p = malloc(sz);
    if (!strm->req || !p) { free(p); strm_release(c1, strm); return -1; }
#define PUT(field, src, n) do { strm->field = p; if (src) memcpy(p, src, n); p[n] = 0; p += (n) + 1; } while (0)
    PUT(method, req->method, req->method_len);
    PUT(scheme, req->scheme, req->scheme_len);
    PUT(authority, req->authority, req->authority_len);
    PUT(path, req->path, req->path_len);
#undef PUT
    if (!req->scheme) strm->scheme = NULL;
    if (!req->authority) strm->authority = NULL;
    if (!req->path) strm->path = NULL;
    strm->req_too_large = req->too_large;
    strm->req_content_length = req->content_length;
    strm->req_has_body = !req->end_stream;
    h2_session_set_stream_data(c1->engine, req->stream_id, strm);
    if (!h2_workers_get() && strm->req_has_body) {
        /* no worker threads (prefork): the stream runs on this thread once its body is
         * here; the body is buffered (consumed at once so the client keeps sending) */
        strm->inline_wait = 1;
        return 0;
    }
    strm_dispatch(c1, strm);
    return 0;
}

int h2_strm_in_append(h2_strm *strm, const char *data, apr_size_t len)
{
    h2_ichunk *ic = malloc(sizeof(*ic) + len);
    if (!ic) return -1;
    ic->next = NULL;
    ic->len = len;
    ic->off = 0;
    memcpy(ic->data, data, len);
    if (strm->in_tail) strm->in_tail->next = ic; else strm->in_head = ic;
    strm->in_tail = ic;
    strm->in_bytes += len;
    return 0;
}

static int cb_on_data(void *ud, uint32_t sid, void *sud, const uint8_t *data, size_t len)
{
    h2_c1 *c1 = ud;
    h2_strm *strm = sud;
    if (!strm || !len) {
        if (len) h2_session_consume(c1->engine, sid, len);
        return 0;
    }
    apr_thread_mutex_lock(c1->lock);
    if (strm->c2_done || strm->aborted) {
        apr_thread_mutex_unlock(c1->lock);
        h2_session_consume(c1->engine, sid, len);
        return 0;
    }
    if (h2_strm_in_append(strm, (const char *)data, len) != 0) {
        apr_thread_mutex_unlock(c1->lock);
        return -1;
    }
    if (strm->inline_wait) {
        h2_session_consume(c1->engine, sid, len);
        strm->in_no_flow = 1;
    }
    if (strm->in_waiting) {
        strm->in_waiting = 0;
        apr_thread_cond_signal(strm->cond);
    }
    apr_thread_mutex_unlock(c1->lock);
    return 0;
}

static int cb_on_request_end(void *ud, uint32_t sid, void *sud, const h2_nv *trailers, size_t n)
{
    h2_c1 *c1 = ud;
    h2_strm *strm = sud;
    h2_hdrs *t = NULL;
    (void)sid;
    if (!strm) return 0;
    if (n) t = h2_hdrs_from_nv(trailers, n, 0);
    apr_thread_mutex_lock(c1->lock);
    strm->in_eos = 1;
    strm->in_trailers = t;
    strm->in_eos_seen = 1;
    if (strm->in_waiting) {
        strm->in_waiting = 0;
        apr_thread_cond_signal(strm->cond);
    }
    apr_thread_mutex_unlock(c1->lock);
    if (strm->inline_wait) {
        strm->inline_wait = 0;
        strm_dispatch(c1, strm);
    }
    return 0;
}

static void cb_on_stream_close(void *ud, uint32_t sid, void *sud, uint32_t code, int by_peer)
{
    h2_c1 *c1 = ud;
    h2_strm *strm = sud;
    int release;
    if (!strm) return;
    strm->closed = 1;
    apr_thread_mutex_lock(c1->lock);
    if (!strm->dispatched) {
        strm->inline_wait = 0;
        strm->c2_done = 1;  /* never ran */
    }
    if (code != H2_NO_ERROR || !strm->eos_sent) {
        strm->aborted = 1;
        apr_thread_cond_signal(strm->cond);
    }
    release = strm->c2_done && !strm->dirty;
    apr_thread_mutex_unlock(c1->lock);
    ap_log_cerror(APLOG_MARK, APLOG_TRACE1, 0, c1->c, H2LOGNO(00302)
                  "h2 stream %u closed (%s, %s)", (unsigned)sid, h2_error_name(code),
                  by_peer ? "by peer" : "by us");
    if (release) strm_release(c1, strm);
}

static void cb_on_conn_error(void *ud, uint32_t code, const char *reason)
{
    h2_c1 *c1 = ud;
    ap_log_cerror(APLOG_MARK, APLOG_DEBUG, 0, c1->c, H2LOGNO(00303)
                  "h2 connection error %s: %s", h2_error_name(code), reason ? reason : "");
}

static void cb_on_stream_error(void *ud, uint32_t sid, uint32_t code, const char *reason)
{
    h2_c1 *c1 = ud;
    ap_log_cerror(APLOG_MARK, APLOG_TRACE1, 0, c1->c, H2LOGNO(00304)
                  "h2 stream %u error %s: %s", (unsigned)sid, h2_error_name(code),
                  reason ? reason : "");
}

static void cb_on_goaway(void *ud, uint32_t last_sid, uint32_t code)
{
    h2_c1 *c1 = ud;
    ap_log_cerror(APLOG_MARK, APLOG_DEBUG, 0, c1->c, H2LOGNO(00315)
                  "h2: client sent GOAWAY (last stream %u, %s)", (unsigned)last_sid,
                  h2_error_name(code));
}

/* ---------------------------------------------------------------------------------- */
/* worker news */

static void process_dirty(h2_c1 *c1)
{
    h2_strm *list, *strm;
    apr_thread_mutex_lock(c1->lock);
    list = c1->dirty_head;
    c1->dirty_head = NULL;
    c1->wake_pending = 0;
    apr_thread_mutex_unlock(c1->lock);

    /* Take what each stream has under the lock, talk to the engine (HPACK encoding of
     * responses, ...) without it: workers are not held up meanwhile. */
    while ((strm = list)) {
        h2_interim *interims, *im;
        h2_hdrs *resp = NULL;
        h2_push_req *pushes = NULL;
        apr_size_t consumed;
        uint32_t rst_code;
        int out_eos, has_trailers, c2_done, end, discard;
        apr_size_t out_total;

        apr_thread_mutex_lock(c1->lock);
        list = strm->next_dirty;
        strm->dirty = 0;
        discard = 0;
        if (strm->c2_done && strm->in_head) {
            /* the request is over: body bytes it did not read go back to the windows
             * (through h2_session_discard_body while the request is still coming) */
            h2_ichunk *ic;
            apr_size_t unread = 0;
            while ((ic = strm->in_head)) {
                strm->in_head = ic->next;
                unread += ic->len - ic->off;
                free(ic);
            }
            strm->in_tail = NULL;
            strm->in_bytes = 0;
            if (strm->in_eos_seen) strm->in_consumed += unread;
        }
        if (strm->c2_done && !strm->in_eos_seen && !strm->body_discarded) {
            strm->body_discarded = 1;
            discard = 1;
        }
        consumed = strm->in_consumed;
        strm->in_consumed = 0;
        interims = strm->interims;
        strm->interims = NULL;
        if (!strm->resp_submitted) {
            resp = strm->resp;
            strm->resp = NULL;
            if (resp) {
                pushes = strm->pushes;
                strm->pushes = NULL;
            }
        }
        rst_code = strm->rst_code;
        strm->rst_code = 0;
        out_eos = strm->out_eos;
        out_total = strm->out_total;
        has_trailers = strm->trailers != NULL;
        c2_done = strm->c2_done;
        apr_thread_mutex_unlock(c1->lock);

        if (consumed && !strm->closed && !strm->in_no_flow)
            h2_session_consume(c1->engine, strm->id, consumed);
        if (discard && !strm->closed && !strm->in_no_flow) {
            /* §8.1: the response does not need the rest of the request body; the engine
             * credits the windows and resets the stream with NO_ERROR after our END_STREAM */
            h2_session_discard_body(c1->engine, strm->id);
        }
        while ((im = interims)) {
            interims = im->next;
            if (im->pushes && !strm->closed) {
                /* promises go out before the 103 that announces them */
                h2_push_c1_promise(c1, strm, im->pushes);
                im->pushes = NULL;
            }
            h2_push_list_free(im->pushes);
            if (!strm->closed)
                h2_session_submit_response(c1->engine, strm->id, im->hdrs->status,
                                           im->hdrs->nv, im->hdrs->n, 0);
            h2_hdrs_free(im->hdrs);
            free(im);
        }
        if (resp) {
            if (!strm->closed) {
                /* a Priority response field, H2PushPriority; then promises before the
                 * HEADERS that reference them (§8.4) */
                h2_push_c1_response_priority(c1, strm, resp->nv, resp->n);
                if (pushes) h2_push_c1_promise(c1, strm, pushes);
                pushes = NULL;
                end = out_eos && !out_total && !has_trailers;
                h2_session_submit_response(c1->engine, strm->id, resp->status,
                                           resp->nv, resp->n, end);
                strm->resp_submitted = 1;
                strm->last_progress = apr_time_now();
                if (end) strm->eos_sent = 1;
            }
            h2_hdrs_free(resp);
        }
        h2_push_list_free(pushes);
        if (!strm->closed) {
            if (rst_code) {
                h2_session_submit_rst(c1->engine, strm->id, rst_code);
            }
            else if (strm->resp_submitted && strm->deferred && (out_total || out_eos)) {
                strm->deferred = 0;
                h2_session_resume_data(c1->engine, strm->id);
            }
            else if (c2_done && !strm->resp_submitted) {
                /* the worker ended without a response */
                h2_session_submit_rst(c1->engine, strm->id, H2_INTERNAL_ERROR);
            }

        }
        if (c2_done && strm->closed) {
            int again;
            apr_thread_mutex_lock(c1->lock);
            again = strm->dirty;   /* cannot be: c2 is done; be safe anyway */
            apr_thread_mutex_unlock(c1->lock);
            if (!again) strm_release(c1, strm);
        }
    }
}

/* ---------------------------------------------------------------------------------- */
/* I/O */

/* Read what is there without blocking and feed the engine. Returns APR_SUCCESS (read
 * something), APR_EAGAIN (nothing there), or an error / APR_EOF. */
static apr_status_t read_input(h2_c1 *c1, apr_read_type_e block)
{
    apr_status_t rv;
    int got = 0;
    for (;;) {
        apr_bucket *b;
        rv = ap_get_brigade(c1->c->input_filters, c1->bbin, AP_MODE_READBYTES, block, READ_CHUNK);
        if (rv != APR_SUCCESS) break;
        if (APR_BRIGADE_EMPTY(c1->bbin)) { rv = APR_EAGAIN; break; }
        while ((b = APR_BRIGADE_FIRST(c1->bbin)) != APR_BRIGADE_SENTINEL(c1->bbin)) {
            const char *data;
            apr_size_t len;
            if (APR_BUCKET_IS_EOS(b)) {
                apr_brigade_cleanup(c1->bbin);
                return APR_EOF;
            }
            rv = apr_bucket_read(b, &data, &len, APR_BLOCK_READ);
            if (rv != APR_SUCCESS) { apr_brigade_cleanup(c1->bbin); return rv; }
            ap_log_cerror(APLOG_MARK, APLOG_TRACE3, 0, c1->c, H2LOGNO(00312)
                          "h2: %ld bytes in", (long)len);
            if (len) {
                int erv = h2_session_recv(c1->engine, (const uint8_t *)data, len, now_ms());
                got = 1;
                if (erv != H2_SESS_OK) {
                    apr_brigade_cleanup(c1->bbin);
                    c1->done = 1;
                    return APR_EGENERAL;
                }
            }
            apr_bucket_delete(b);
        }
        block = APR_NONBLOCK_READ;
        if (!h2_session_want_read(c1->engine)) break;
    }
    if (got && (APR_STATUS_IS_EAGAIN(rv) || rv == APR_SUCCESS)) return APR_SUCCESS;
    return rv;
}

/* H2TLSWarmUpSize / H2TLSCoolDownSecs: a TLS connection starts with small records (each
 * fits one TCP segment, so the client can decrypt as packets arrive while the congestion
 * window is small) and goes back to them after the output was idle for the cool-down. */
static void tls_check_cooldown(h2_c1 *c1)
{
    apr_time_t cool;
    if (!c1->is_tls || c1->tls_warming || c1->cfg->tls_warmup_size <= 0
        || c1->cfg->tls_cooldown_secs <= 0)
        return;
    cool = apr_time_from_sec(c1->cfg->tls_cooldown_secs);
    if (c1->tls_last_write && apr_time_now() - c1->tls_last_write < cool)
        return;
    c1->tls_warming = 1;
    c1->tls_warm_bytes = 0;
    ob_set_limit(c1);  /* olen may be above it: the next ob_room passes what is there */
}

static apr_status_t write_output(h2_c1 *c1)
{
    apr_status_t rv = APR_SUCCESS;
    int n = 0;
    tls_check_cooldown(c1);
    while (h2_session_want_write(c1->engine)) {
        size_t produced = 0;
        int erv = h2_session_send(c1->engine, SEND_CHUNK, &produced);
        if (erv != H2_SESS_OK) {
            c1->done = 1;
            pass_out(c1, 1);
            return APR_EGENERAL;
        }
        if (!produced) break;
        rv = pass_out(c1, 1);
        if (rv != APR_SUCCESS) return rv;
        if (++n > 8) {
            /* fairness: look at input and workers now and then */
            break;
        }
    }
    if (c1->olen || !APR_BRIGADE_EMPTY(c1->bbout))
        rv = pass_out(c1, 1);
    return rv;
}

/* Responses the client does not take (zero window) must not hold the connection
 * forever: reset streams whose queued output made no progress for the stream timeout. */
static void check_stalls(h2_c1 *c1)
{
    apr_time_t now = apr_time_now();
    h2_strm *s;
    if (now < c1->next_stall_check) return;
    c1->next_stall_check = now + apr_time_from_sec(1);
    apr_thread_mutex_lock(c1->lock);
    for (s = c1->active_head; s; s = s->next_active) {
        if (!s->closed && s->resp_submitted && !s->eos_sent && s->out_total > 0
            && now - s->last_progress > c1->stream_timeout) {
            ap_log_cerror(APLOG_MARK, APLOG_DEBUG, 0, c1->c, H2LOGNO(00316)
                          "h2 stream %u: client took no data for %" APR_TIME_T_FMT "s, reset",
                          (unsigned)s->id, apr_time_sec(now - s->last_progress));
            h2_session_submit_rst(c1->engine, s->id, H2_CANCEL);
            s->last_progress = now;
        }
    }
    apr_thread_mutex_unlock(c1->lock);
}

/* No worker holds or reports anything for this session. */
static int c1_quiet(h2_c1 *c1)
{
    int quiet;
    apr_thread_mutex_lock(c1->lock);
    quiet = !c1->dirty_head && c1->attached == 0;
    apr_thread_mutex_unlock(c1->lock);
    return quiet;
}

static int mpm_stopping(void)
{
    int state = AP_MPMQ_RUNNING;
    ap_mpm_query(AP_MPMQ_MPM_STATE, &state);
    return state == AP_MPMQ_STOPPING;
}

/* Any thread owning the connection (the c1 thread, the MPM's thread in pre_close, the
 * stopping thread for a parked connection): make sure the client gets the final GOAWAY
 * (NO_ERROR, the last stream we processed) before the connection closes. Nothing when
 * the session sent it already or the connection is broken. how: H2_C1_PASS_FLUSH write
 * now; H2_C1_PASS_NOFLUSH pass without FLUSH (the caller's flush follows);
 * H2_C1_PASS_NONBLOCK write now with a zero socket timeout. Returns 1 when sent. */
int h2_c1_goaway_final(h2_c1 *c1, int how, const char *why)
{
    h2_session_stats st;
    apr_interval_time_t old = 0;
    int n = 0;
    if (!c1->engine || c1->c->aborted) return 0;
    h2_session_get_stats(c1->engine, &st);
    if (st.goaway_sent && st.goaway_sent_last_id != H2_STREAM_ID_MASK) return 0;
    if (h2_session_submit_goaway(c1->engine, 0, H2_NO_ERROR, why) != H2_SESS_OK) return 0;
    while (h2_session_want_write(c1->engine) && n++ < 16) {
        size_t produced = 0;
        if (h2_session_send(c1->engine, SEND_CHUNK, &produced) != H2_SESS_OK || !produced)
            break;
    }
    if (how == H2_C1_PASS_NONBLOCK) {
        apr_socket_timeout_get(c1->sock, &old);
        apr_socket_timeout_set(c1->sock, 0);
    }
    pass_out(c1, how != H2_C1_PASS_NOFLUSH);
    if (how == H2_C1_PASS_NONBLOCK) apr_socket_timeout_set(c1->sock, old);
    c1->goaway_sent = 1;
    return 1;
}

/* ---------------------------------------------------------------------------------- */
/* setup */

/* RFC 9113 §9.2: TLS 1.2 or later; with TLS 1.2 only ephemeral key exchange and AEAD
 * ciphers (the §9.2.2 / Appendix A block list is everything else). */
static int tls_adequate(h2_c1 *c1)
{
    APR_OPTIONAL_FN_TYPE(ssl_var_lookup) *lookup = APR_RETRIEVE_OPTIONAL_FN(ssl_var_lookup);
    const char *proto, *cipher;
    if (!lookup) return 1;
    proto = lookup(c1->c->pool, c1->s, c1->c, NULL, "SSL_PROTOCOL");
    cipher = lookup(c1->c->pool, c1->s, c1->c, NULL, "SSL_CIPHER");
    if (!proto || !*proto) return 1;
    if (!strcmp(proto, "SSLv3") || !strcmp(proto, "TLSv1") || !strcmp(proto, "TLSv1.1"))
        return 0;
    if (!strcmp(proto, "TLSv1.2") && cipher) {
        if (strncmp(cipher, "ECDHE-", 6) && strncmp(cipher, "DHE-", 4)) return 0;
        if (!ap_strstr_c(cipher, "GCM") && !ap_strstr_c(cipher, "CHACHA20")
            && !ap_strstr_c(cipher, "CCM"))
            return 0;
    }
    return 1;
}

static h2_c1 *c1_create(conn_rec *c)
{
    h2_c1 *c1 = apr_pcalloc(c->pool, sizeof(*c1));
    h2_session_config cfg;
    static const h2_session_callbacks cbs = {
        cb_send_bytes, cb_data_available, cb_send_data, cb_on_request, cb_on_data,
        cb_on_request_end, cb_on_stream_close, cb_on_conn_error, cb_on_stream_error,
        cb_on_goaway, NULL, cb_send_data_padded
    };
    APR_OPTIONAL_FN_TYPE(ssl_is_https) *is_https = APR_RETRIEVE_OPTIONAL_FN(ssl_is_https);
    int limit;

    c1->c = c;
    c1->s = c->base_server;
    c1->cfg = h2_config_sget(c1->s);
    c1->is_tls = is_https && is_https(c);
    c1->proto = c1->is_tls ? "h2" : "h2c";
    c1->sock = ap_get_conn_socket(c);
    c1->bbin = apr_brigade_create(c->pool, c->bucket_alloc);
    c1->bbout = apr_brigade_create(c->pool, c->bucket_alloc);
    c1->stream_max_mem = (apr_size_t)c1->cfg->stream_max_mem;
    c1->stream_timeout = h2_config_stream_timeout(c1->s, NULL);
    if (c1->stream_timeout <= 0) c1->stream_timeout = apr_time_from_sec(60);
    c1->obuf = malloc(OBUF_SIZE);
    c1->ocap = c1->obuf ? OBUF_SIZE : 0;
    c1->olim = c1->ocap;
    if (apr_thread_mutex_create(&c1->lock, APR_THREAD_MUTEX_DEFAULT, c->pool) != APR_SUCCESS)
        return NULL;
    c1->sockfd.desc_type = APR_POLL_SOCKET;
    c1->sockfd.desc.s = c1->sock;
    c1->sockfd.reqevents = APR_POLLIN;
    c1->sockfd.client_data = c1;

    h2_session_config_init(&cfg);
    cfg.max_concurrent_streams = (uint32_t)c1->cfg->max_streams;
    cfg.initial_window_size = (uint32_t)c1->cfg->window_size;
    cfg.max_frame_size = (uint32_t)c1->cfg->max_frame_size;
    cfg.header_table_size = (uint32_t)c1->cfg->header_table_size;
    limit = c1->s->limit_req_fieldsize > 0 ? c1->s->limit_req_fieldsize : 8190;
    cfg.max_header_list_size = (uint32_t)(limit + 32) > 65536u ? (uint32_t)(limit + 32) : 65536u;
    cfg.max_header_fields = c1->s->limit_req_fields > 0 ? (uint32_t)c1->s->limit_req_fields : 1000;
    cfg.conn_window_size = (uint32_t)c1->cfg->conn_window_size;
    cfg.max_continuations = (uint32_t)c1->cfg->max_continuations;
    cfg.max_resets = (uint32_t)c1->cfg->reset_budget;
    cfg.max_glitches = (uint32_t)c1->cfg->reset_budget;
    cfg.max_control_queued = (uint32_t)c1->cfg->control_budget;
    cfg.max_empty_frames = (uint32_t)c1->cfg->empty_frame_budget;
    cfg.max_data_frame_len = (uint32_t)c1->cfg->max_data_frame_len;
    if (c1->cfg->padding_bits > 0) {
        cfg.padding_bits = (uint32_t)c1->cfg->padding_bits;
        if (apr_generate_random_bytes((unsigned char *)&cfg.padding_seed,
                                      sizeof(cfg.padding_seed)) != APR_SUCCESS)
            cfg.padding_seed = (uint64_t)apr_time_now() ^ (uint64_t)(apr_uintptr_t)c1;
    }
    c1->engine = h2_session_new(&cfg, &cbs, c1);
    if (!c1->engine) return NULL;
    c1->push_diary = h2_push_diary_create(c1->cfg->push_diary_size);
    return c1;
}

static apr_status_t c1_cleanup(void *data)
{
    h2_c1 *c1 = data;
    h2_strm *strm;
    if (c1->engine) {
        h2_session_free(c1->engine);
        c1->engine = NULL;
    }
    while ((strm = c1->free_strms)) c1->free_strms = strm->next_free;
    apr_brigade_cleanup(c1->bbout);
    defer_run(c1);
    free(c1->obuf);
    c1->obuf = NULL;
    h2_push_diary_free(c1->push_diary);
    c1->push_diary = NULL;
    return APR_SUCCESS;
}

/* The connection is going away: stop every stream and wait for the workers running
 * them (they use memory of this connection). */
static void drain_workers(h2_c1 *c1)
{
    for (;;) {
        h2_strm *s, *next;
        apr_int32_t n;
        const apr_pollfd_t *out;
        apr_thread_mutex_lock(c1->lock);
        for (s = c1->active_head; s; s = s->next_active) {
            s->closed = 1;
            if (!s->dispatched) s->c2_done = 1;
            if (!s->aborted) {
                s->aborted = 1;
                apr_thread_cond_signal(s->cond);
            }
        }
        apr_thread_mutex_unlock(c1->lock);
        process_dirty(c1);
        apr_thread_mutex_lock(c1->lock);
        for (s = c1->active_head; s; s = next) {
            next = s->next_active;
            if (s->c2_done && !s->dirty) {
                apr_thread_mutex_unlock(c1->lock);
                strm_release(c1, s);
                apr_thread_mutex_lock(c1->lock);
                next = c1->active_head; /* list changed: start over */
            }
        }
        {
            int attached = c1->attached;
            apr_thread_mutex_unlock(c1->lock);
            if (c1->strms_active <= 0 && attached <= 0) break;
        }
        if (ensure_pollset(c1) == APR_SUCCESS)
            apr_pollset_poll(c1->pollset, apr_time_from_msec(100), &n, &out);
        else
            apr_sleep(apr_time_from_msec(10));
    }
}

/* ---------------------------------------------------------------------------------- */

int h2_c1_run(conn_rec *c, request_rec *upgrade_r, const char *http2_settings)
{
    h2_conn_ctx *ctx = h2_ctx_create(c);
    h2_c1 *c1 = ctx->c1;
    int async = 0, can_waitio = 0;
    apr_interval_time_t idle_timeout;
    apr_time_t idle_deadline = 0;

    if (!c1) {
        c1 = c1_create(c);
        if (!c1) {
            ap_log_cerror(APLOG_MARK, APLOG_ERR, 0, c, H2LOGNO(00305)
                          "h2: could not set up the session");
            return DONE;
        }
        ctx->c1 = c1;
        if (!ctx->proto) ctx->proto = c1->proto;
        apr_pool_cleanup_register(c->pool, c1, c1_cleanup, apr_pool_cleanup_null);
        c1->started_ms = now_ms();
        if (c1->is_tls && c1->cfg->modern_tls_only && !tls_adequate(c1)) {
            ap_log_cerror(APLOG_MARK, APLOG_INFO, 0, c, H2LOGNO(00306)
                          "h2: TLS version or cipher not adequate for HTTP/2 (H2ModernTLSOnly)");
            h2_session_submit_goaway(c1->engine, 0, H2_INADEQUATE_SECURITY, "TLS");
            write_output(c1);
            c->keepalive = AP_CONN_CLOSE;
            return DONE;
        }
        if (ctx->preface_consumed) {
            /* direct mode read the preface already: the engine still wants it first */
            ctx->preface_consumed = 0;
            h2_session_recv(c1->engine, (const uint8_t *)H2_PREFACE, H2_PREFACE_LEN, now_ms());
        }
        if (upgrade_r) {
            h2_strm *strm = h2_c2_upgrade_stream(c1, upgrade_r);
            if (!strm || h2_session_upgrade(c1->engine, http2_settings,
                                            strlen(http2_settings), strm) != H2_SESS_OK) {
                ap_log_cerror(APLOG_MARK, APLOG_DEBUG, 0, c, H2LOGNO(00307)
                              "h2c upgrade: bad HTTP2-Settings");
                c->keepalive = AP_CONN_CLOSE;
                return DONE;
            }
            strm_dispatch(c1, strm);
            dispatch_new(c1);
        }
        ap_log_cerror(APLOG_MARK, APLOG_DEBUG, 0, c, H2LOGNO(00308)
                      "h2: session started (%s)", c1->proto);
    }

    if (h2_c1_idle_unpark(c))
        ap_log_cerror(APLOG_MARK, APLOG_TRACE2, 0, c, H2LOGNO(00652)
                      "h2 loop: woken by a graceful stop");
    ap_mpm_query(AP_MPMQ_IS_ASYNC, &async);
#ifdef AP_MPMQ_CAN_WAITIO
    if (ap_mpm_query(AP_MPMQ_CAN_WAITIO, &can_waitio) != APR_SUCCESS) can_waitio = 0;
#endif
    if (!c->cs) async = 0;
    if (upgrade_r) async = 0; /* inside an HTTP/1.1 request: stay */
    idle_timeout = c1->s->keep_alive_timeout > 0 ? c1->s->keep_alive_timeout
                                                  : apr_time_from_sec(5);
    if (c->cs) c->cs->state = CONN_STATE_PROCESSING;

    while (!c1->done && !c->aborted) {
        apr_status_t rv;
        apr_int32_t nev = 0;
        const apr_pollfd_t *ev;
        apr_interval_time_t wait;
        int idle_wait = 0;

        rv = read_input(c1, APR_NONBLOCK_READ);
        ap_log_cerror(APLOG_MARK, APLOG_TRACE2, rv, c, H2LOGNO(00310)
                      "h2 loop: read, active=%d want_write=%d", c1->strms_active,
                      h2_session_want_write(c1->engine));
        if (rv != APR_SUCCESS && !APR_STATUS_IS_EAGAIN(rv)) {
            if (!c1->done && !APR_STATUS_IS_EOF(rv))
                ap_log_cerror(APLOG_MARK, APLOG_DEBUG, rv, c, H2LOGNO(00309)
                              "h2: reading from client");
            c1->done = 1;
        }
        dispatch_new(c1);
        process_dirty(c1);
        dispatch_new(c1);   /* pushed streams promised while processing responses */
        if (!c1->mpm_stopping_seen && mpm_stopping()) {
            c1->mpm_stopping_seen = 1;
            ap_log_cerror(APLOG_MARK, APLOG_DEBUG, 0, c, H2LOGNO(00314)
                          "h2: child is stopping, sending GOAWAY");
            h2_session_submit_goaway(c1->engine, 1, H2_NO_ERROR, "shutdown");
        }
        if (c1->strms_active) check_stalls(c1);
        h2_session_tick(c1->engine, now_ms());
        if (write_output(c1) != APR_SUCCESS && !c1->done) c1->done = 1;
        if (c1->done) break;
        if (h2_session_is_done(c1->engine)) break;
        if (h2_session_want_write(c1->engine)) continue;
        {
            /* news marked from inside our own callbacks: handle before waiting */
            int news;
            apr_thread_mutex_lock(c1->lock);
            news = c1->dirty_head != NULL;
            apr_thread_mutex_unlock(c1->lock);
            if (news) continue;
        }

        if (c1->strms_active == 0 && !c1_quiet(c1)) {
            /* a worker is just leaving this session: look again very soon */
            wait = apr_time_from_msec(1);
        }
        else if (c1->strms_active == 0) {
            if (c1->mpm_stopping_seen) break;   /* the end path sends the final GOAWAY */
            if (async && !c->data_in_input_filters) {
                /* idle: give the thread back; the MPM calls us again when bytes arrive.
                 * CONN_STATE_ASYNC_WAITIO: the MPM waits for input within Timeout and
                 * never sheds it under load (its keep-alive queue is closed wholesale
                 * when all its threads are busy); see docs/ARCHITECTURE.md. */
                if (!h2_c1_idle_park(c1)) break;   /* the child is stopping */
                c->keepalive = AP_CONN_KEEPALIVE;
#ifdef AP_MPMQ_CAN_WAITIO
                if (can_waitio) {
                    c->cs->state = CONN_STATE_ASYNC_WAITIO;
                    c->cs->sense = CONN_SENSE_WANT_READ;
                }
                else
#endif
                c->cs->state = CONN_STATE_WRITE_COMPLETION;
                drop_pollset(c1);   /* c1_quiet: no worker can reach it */
                ap_log_cerror(APLOG_MARK, APLOG_TRACE2, 0, c, H2LOGNO(00311)
                              "h2 loop: idle, back to the MPM (%s)",
                              can_waitio ? "wait-io" : "keep-alive");
                return OK;
            }
            {
                /* wait in steps of a second: a graceful stop is noticed in time */
                apr_time_t now = apr_time_now();
                if (!idle_deadline) idle_deadline = now + idle_timeout;
                wait = idle_deadline > now ? idle_deadline - now : 0;
                if (wait > apr_time_from_sec(1)) wait = apr_time_from_sec(1);
            }
            idle_wait = 1;
        }
        else {
            /* streams in progress: look at stalls once a second */
            wait = apr_time_from_sec(1);
            if (c1->mpm_stopping_seen) wait = apr_time_from_msec(200);
        }
        {
            apr_uint64_t t = h2_session_next_timer(c1->engine);
            if (t) {
                apr_uint64_t n = now_ms();
                apr_interval_time_t tw = t > n ? apr_time_from_msec(t - n) : 0;
                if (tw < wait) wait = tw;
            }
        }
        if ((rv = ensure_pollset(c1)) != APR_SUCCESS) {
            ap_log_cerror(APLOG_MARK, APLOG_ERR, rv, c, H2LOGNO(00317)
                          "h2: cannot create a pollset");
            break;
        }
        rv = apr_pollset_poll(c1->pollset, wait, &nev, &ev);
        if (!idle_wait) idle_deadline = 0;
        if (APR_STATUS_IS_TIMEUP(rv) && idle_wait && !c1->mpm_stopping_seen
            && apr_time_now() >= idle_deadline && !h2_session_next_timer(c1->engine)) {
            /* keep-alive timeout on a connection we keep on this thread */
            h2_session_submit_goaway(c1->engine, 0, H2_NO_ERROR, "timeout");
            write_output(c1);
            break;
        }
        /* APR_EINTR: woken by a worker; readable: loop reads */
    }

    /* connection ends */
    {
        h2_session_stats st;
        h2_session_get_stats(c1->engine, &st);
        ap_log_cerror(APLOG_MARK, APLOG_DEBUG, c1->write_status, c, H2LOGNO(00313)
                      "h2: session ends (done=%d, aborted=%d, engine done=%d, streams=%d, "
                      "goaway sent=%d recv=%d, requests=%lu)",
                      c1->done, c->aborted, h2_session_is_done(c1->engine), c1->strms_active,
                      st.goaway_sent, st.goaway_received, (unsigned long)st.requests);
    }
    if (c1->engine && !c->aborted) {
        write_output(c1);
        /* no silent close: the final GOAWAY (also after the first step of a graceful
         * shutdown, or when the client went away first: harmless then) */
        h2_c1_goaway_final(c1, H2_C1_PASS_FLUSH, c1->mpm_stopping_seen ? "shutdown" : NULL);
    }
    dispatch_new(c1);
    drain_workers(c1);
    c->keepalive = AP_CONN_CLOSE;
    if (c->cs) c->cs->state = CONN_STATE_LINGER;
    return DONE;
}
