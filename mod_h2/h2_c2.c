/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_c2.c -- stream connections and requests on workers. See h2_c2.h.
 *
 * Filters on a c2 (registered in h2_c2_register_hooks):
 *   H2_C2_IN       (network, c2 input): request body from the stream's input queue.
 *   H2_C2_RESPONSE (protocol, per request): replaces HTTP_HEADER: takes r->status and
 *                  r->headers_out, drops bodies of HEAD/204/304, queues trailers.
 *   H2_C2_OUT      (network, c2 output): body bytes and file references into the
 *                  stream's bounded output queue; 1xx interim responses that httpd
 *                  writes as HTTP/1.1 text (ap_send_interim_response) are parsed here.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apr_strings.h"
#include "apr_lib.h"
#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_connection.h"
#include "http_protocol.h"
#include "http_request.h"
#include "http_vhost.h"
#include "http_log.h"
#include "util_filter.h"
#include "util_time.h"
#include "apr_atomic.h"
#include "scoreboard.h"
#ifdef HAVE_TIMES
#include <sys/times.h>
#endif

#include "h2_log.h"
#include "h2_ctx.h"
#include "h2_stream.h"
#include "h2_c2.h"
#include "h2_config.h"
#include "h2_push.h"

APLOG_USE_MODULE(h2);

#define ITEM_MIN        (16 * 1024)     /* memory item capacity */
#define FILE_REF_MIN    (32 * 1024)     /* file buckets at least this long travel as fds */
#define WAKE_BYTES      (32 * 1024)     /* wake c1 after this many queued bytes */
#define CONSUME_NOTIFY  (16 * 1024)

static ap_filter_rec_t *c2_in_handle;
static ap_filter_rec_t *c2_out_handle;
static ap_filter_rec_t *c2_resp_handle;
static module *ssl_module_p;
static module *mpm_module_p;
static module *logio_module_p;
static int modules_looked_up;

static void lookup_modules(void)
{
    static const char *const mpms[] = { "event.c", "worker.c", "prefork.c", "motorz.c", NULL };
    int i;
    ssl_module_p = ap_find_linked_module("mod_ssl.c");
    logio_module_p = ap_find_linked_module("mod_logio.c");
    for (i = 0; mpms[i] && !mpm_module_p; ++i)
        mpm_module_p = ap_find_linked_module(mpms[i]);
    modules_looked_up = 1;
}

typedef struct c2_cache {
    apr_pool_t *pool;    /* cleared after every stream */
} c2_cache;

static void wake_locked(h2_strm *strm, int *pwake)
{
    h2_strm_mark_dirty(strm, pwake);
}

/* ---------------------------------------------------------------------------------- */
/* output queue (worker side) */

/* Wait until the stream may queue more memory. Lock held. Returns 0, or -1 if the stream
 * is gone or the client did not make room within the stream timeout (H2StreamTimeout). */
static int wait_room(h2_strm *strm, conn_rec *c2, int inline_mode)
{
    h2_hub *hub = strm->hub;
    apr_time_t deadline = 0;
    while (!strm->aborted && !inline_mode && strm->out_mem >= hub->stream_max_mem) {
        int wake = 0;
        apr_time_t now = apr_time_now();
        if (!deadline) {
            h2_conn_ctx *ctx = h2_ctx_get(c2);
            apr_interval_time_t t = h2_config_stream_timeout(c2->base_server, ctx->r);
            deadline = now + (t > 0 ? t : apr_time_from_sec(60));
        }
        else if (now >= deadline) {
            ap_log_cerror(APLOG_MARK, APLOG_DEBUG, 0, c2, H2LOGNO(00501)
                          "h2 stream %u: client made no room for the response in time",
                          (unsigned)strm->id);
            strm->rst_code = H2_CANCEL;
            wake_locked(strm, &wake);
            if (wake) {
                apr_thread_mutex_unlock(hub->lock);
                h2_hub_wake(hub);
                apr_thread_mutex_lock(hub->lock);
            }
            return -1;
        }
        strm->out_waiting = 1;
        wake_locked(strm, &wake);
        if (wake) {
            apr_thread_mutex_unlock(hub->lock);
            h2_hub_wake(hub);
            apr_thread_mutex_lock(hub->lock);
            continue;
        }
        apr_thread_cond_timedwait(strm->cond, hub->lock, apr_time_from_sec(1));
    }
    return strm->aborted ? -1 : 0;
}

static h2_oitem *mem_item(apr_size_t need)
{
    apr_size_t cap = need < ITEM_MIN ? ITEM_MIN : need;
    h2_oitem *oi = malloc(sizeof(*oi) + cap);
    if (!oi) return NULL;
    oi->next = NULL;
    oi->type = H2_OI_MEM;
    oi->len = 0;
    oi->off = 0;
    oi->cap = cap;
    oi->fd = -1;
    oi->foff = 0;
    oi->map = NULL;
    oi->map_off = 0;
    oi->map_len = 0;
    oi->can_map = 0;
    return oi;
}

typedef struct ochain {
    h2_oitem *head, *tail;
    apr_size_t mem, total;
} ochain;

static void chain_add(ochain *ch, h2_oitem *oi)
{
    if (ch->tail) ch->tail->next = oi; else ch->head = oi;
    ch->tail = oi;
}

/* space in the chain's tail memory item for n more bytes (allocating as needed) */
static char *chain_space(ochain *ch, apr_size_t n, apr_size_t *avail)
{
    h2_oitem *oi = ch->tail;
    if (!oi || oi->type != H2_OI_MEM || oi->len == oi->cap) {
        oi = mem_item(n);
        if (!oi) return NULL;
        chain_add(ch, oi);
    }
    *avail = oi->cap - oi->len;
    return oi->data + oi->len;
}

static void chain_commit(ochain *ch, apr_size_t n)
{
    ch->tail->len += n;
    ch->mem += n;
    ch->total += n;
}

static int chain_mem(ochain *ch, const char *data, apr_size_t len)
{
    while (len) {
        apr_size_t avail;
        char *p = chain_space(ch, len, &avail);
        if (!p) return -1;
        if (avail > len) avail = len;
        memcpy(p, data, avail);
        chain_commit(ch, avail);
        data += avail;
        len -= avail;
    }
    return 0;
}

static int chain_file(ochain *ch, apr_bucket *b, int copy)
{
    apr_bucket_file *fb = b->data;
    apr_os_file_t fd;
    apr_off_t off = b->start;
    apr_size_t len = b->length;
    if (apr_os_file_get(&fd, fb->fd) != APR_SUCCESS) return -1;
    if (!copy && len >= FILE_REF_MIN) {
        h2_oitem *oi = malloc(sizeof(*oi));
        if (!oi) return -1;
        oi->next = NULL;
        oi->type = H2_OI_FILE;
        oi->len = len;
        oi->cap = oi->off = 0;
        oi->foff = off;
        oi->map = NULL;
        oi->map_off = 0;
        oi->map_len = 0;
        oi->can_map = fb->can_mmap;
        oi->fd = dup(fd);
        if (oi->fd < 0) { free(oi); return -1; }
        chain_add(ch, oi);
        ch->total += len;
        return 0;
    }
    while (len) {
        apr_size_t avail;
        ssize_t r;
        char *p = chain_space(ch, len, &avail);
        if (!p) return -1;
        if (avail > len) avail = len;
        r = pread(fd, p, avail, off);
        if (r <= 0) return -1;
        chain_commit(ch, (apr_size_t)r);
        off += r;
        len -= (apr_size_t)r;
    }
    return 0;
}

static void chain_free(ochain *ch)
{
    h2_oitem *oi;
    while ((oi = ch->head)) {
        ch->head = oi->next;
        if (oi->type == H2_OI_FILE) close(oi->fd);
        free(oi);
    }
    ch->tail = NULL;
}

/* Append a chain to the stream's queue, with lock held. */
static void queue_chain(h2_strm *strm, ochain *ch)
{
    if (!ch->head) return;
    if (strm->out_tail) strm->out_tail->next = ch->head; else strm->out_head = ch->head;
    strm->out_tail = ch->tail;
    strm->out_mem += ch->mem;
    strm->out_total += ch->total;
    ch->head = ch->tail = NULL;
    ch->mem = ch->total = 0;
}

/* ---------------------------------------------------------------------------------- */
/* response headers */

typedef struct nv_collect {
    h2_nv *nv;
    size_t n, cap;
    apr_pool_t *p;
} nv_collect;

static int collect_nv(void *baton, const char *key, const char *value)
{
    nv_collect *nc = baton;
    if (!key || !value) return 1;
    if (nc->n == nc->cap) {
        size_t ncap = nc->cap ? nc->cap * 2 : 32;
        h2_nv *nnv = apr_palloc(nc->p, ncap * sizeof(h2_nv));
        if (nc->n) memcpy(nnv, nc->nv, nc->n * sizeof(h2_nv));
        nc->nv = nnv;
        nc->cap = ncap;
    }
    nc->nv[nc->n].name = (const uint8_t *)key;
    nc->nv[nc->n].name_len = strlen(key);
    nc->nv[nc->n].value = (const uint8_t *)value;
    nc->nv[nc->n].value_len = strlen(value);
    nc->nv[nc->n].flags = 0;
    ++nc->n;
    return 1;
}

static h2_hdrs *table_to_hdrs(apr_pool_t *p, apr_table_t *t, int status)
{
    nv_collect nc;
    memset(&nc, 0, sizeof(nc));
    nc.p = p;
    if (t) apr_table_do(collect_nv, &nc, t, NULL);
    return h2_hdrs_from_nv(nc.nv, nc.n, status);
}

/* H2MaxHeaderBlockLen: is the response header block longer than allowed? Measured before
 * compression: each field's name and value plus 6 octets of representation overhead. */
static int c2_block_too_long(request_rec *r, h2_strm *strm, const h2_hdrs *hdrs)
{
    int limit = h2_config_sget(r->connection->base_server)->max_header_block_len;
    apr_size_t len = 4, i;   /* :status */
    if (limit <= 0) return 0;
    for (i = 0; i < hdrs->n; ++i)
        len += hdrs->nv[i].name_len + hdrs->nv[i].value_len + 6;
    if (len <= (apr_size_t)limit) return 0;
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, H2LOGNO(00800)
                  "h2 stream %u: response header block of %" APR_SIZE_T_FMT " bytes is over "
                  "H2MaxHeaderBlockLen %d: stream reset", (unsigned)strm->id, len, limit);
    return 1;
}

static void make_response(h2_conn_ctx *ctx, request_rec *r)
{
    h2_strm *strm = ctx->strm;
    h2_hub *hub = strm->hub;
    apr_table_t *h;
    h2_hdrs *hdrs;
    int status = r->status;
    h2_push_req *pushes = NULL;
    int dep = H2_PUSH_DEP_NONE, weight = 16;

    if (!apr_is_empty_table(r->err_headers_out))
        r->headers_out = apr_table_overlay(r->pool, r->err_headers_out, r->headers_out);
    h = r->headers_out;
    if (r->content_type)
        apr_table_setn(h, "Content-Type", ap_make_content_type(r, r->content_type));
    if (r->content_encoding)
        apr_table_setn(h, "Content-Encoding", r->content_encoding);
    if (r->content_languages && r->content_languages->nelts > 0)
        apr_table_setn(h, "Content-Language",
                       apr_array_pstrcat(r->pool, r->content_languages, ','));
    if (!r->proxyreq || !apr_table_get(h, "Date")) {
        char *date = apr_palloc(r->pool, APR_RFC822_DATE_LEN);
        ap_recent_rfc822_date(date, apr_time_now());
        apr_table_setn(h, "Date", date);
    }
    if (!r->proxyreq || !apr_table_get(h, "Server")) {
        const char *banner = ap_get_server_banner();
        if (banner && *banner) apr_table_setn(h, "Server", banner);
    }
    if (r->no_cache && !apr_table_get(h, "Expires")) {
        char *date = apr_palloc(r->pool, APR_RFC822_DATE_LEN);
        ap_recent_rfc822_date(date, r->request_time);
        apr_table_addn(h, "Expires", date);
    }
    if (status == HTTP_NO_CONTENT || status == HTTP_NOT_MODIFIED || r->header_only)
        ctx->body_off = 1;
    if (status == HTTP_NO_CONTENT)
        apr_table_unset(h, "Content-Length");
    apr_table_unset(h, "Transfer-Encoding");
    /* server push (h2_push.h): Link preload, X-Associated-Content (never sent on),
     * H2PushResource not yet announced by a 103 */
    if (strm->push_ok && h2_push_c2_allowed(r, strm->pushed_on != 0))
        pushes = h2_push_c2_collect(r, h, status, strm->scheme, strm->authority,
                                    !apr_table_get(r->notes, "H2_PUSH_RES_DONE"));
    else
        apr_table_unset(h, "X-Associated-Content");
    if (strm->pushed_on)
        h2_push_c2_priority(r, apr_table_get(h, "Content-Type"), &dep, &weight);
    hdrs = table_to_hdrs(r->pool, h, status);
    r->sent_bodyct = 1;
    ctx->resp_sent = 1;
    if (hdrs && c2_block_too_long(r, strm, hdrs)) {
        /* H2MaxHeaderBlockLen: the stream is reset instead, as mod_http2 does */
        int wake = 0;
        h2_hdrs_free(hdrs);
        h2_push_list_free(pushes);
        ctx->body_off = 1;
        apr_thread_mutex_lock(hub->lock);
        strm->rst_code = H2_PROTOCOL_ERROR;
        wake_locked(strm, &wake);
        apr_thread_mutex_unlock(hub->lock);
        if (wake) h2_hub_wake(hub);
        return;
    }
    apr_thread_mutex_lock(hub->lock);
    strm->resp = hdrs;
    strm->pushes = pushes;
    strm->push_dep = dep;
    strm->push_weight = weight;
    apr_thread_mutex_unlock(hub->lock);
}

/* H2_C2_RESPONSE: the response of a request on c2 */
static apr_status_t c2_response_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    request_rec *r = f->r;
    h2_conn_ctx *ctx = h2_ctx_get(f->c);
    apr_bucket *b, *next;

    if (!ctx || !ctx->is_c2) {
        ap_remove_output_filter(f);
        return ap_pass_brigade(f->next, bb);
    }
    for (b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb); b = next) {
        next = APR_BUCKET_NEXT(b);
        if (AP_BUCKET_IS_ERROR(b) && !ctx->resp_sent) {
            ap_bucket_error *eb = b->data;
            if (eb->status >= 400 && eb->status < 600) {
                /* an error before any response: let httpd produce the error response */
                int st = eb->status;
                apr_brigade_cleanup(bb);
                ap_die(st, r);
                return AP_FILTER_ERROR;
            }
            continue;
        }
        if (AP_BUCKET_IS_ERROR(b) && ctx->resp_sent) {
            /* error after the response started: reset the stream */
            h2_hub *hub = ctx->strm->hub;
            apr_thread_mutex_lock(hub->lock);
            ctx->strm->rst_code = H2_INTERNAL_ERROR;
            apr_thread_mutex_unlock(hub->lock);
            continue;
        }
        if (!ctx->resp_sent && (APR_BUCKET_IS_EOS(b) || APR_BUCKET_IS_FLUSH(b)
                                || !APR_BUCKET_IS_METADATA(b))) {
            make_response(ctx, r);
        }
        if (APR_BUCKET_IS_EOS(b)) {
            if (r->trailers_out && !apr_is_empty_table(r->trailers_out) && !ctx->body_off) {
                h2_hdrs *t = table_to_hdrs(r->pool, r->trailers_out, 0);
                h2_hub *hub = ctx->strm->hub;
                apr_thread_mutex_lock(hub->lock);
                if (!ctx->strm->trailers) ctx->strm->trailers = t; else h2_hdrs_free(t);
                apr_thread_mutex_unlock(hub->lock);
            }
        }
        else if (ctx->body_off && !APR_BUCKET_IS_METADATA(b)) {
            apr_bucket_delete(b);
        }
    }
    return ap_pass_brigade(f->next, bb);
}

/* worker: queue an interim (1xx) response with the pushes it announces for c1. Takes
 * ownership of pushes. */
static void c2_queue_interim(h2_strm *strm, apr_pool_t *p, apr_table_t *t, int status,
                             h2_push_req *pushes)
{
    h2_hub *hub = strm->hub;
    h2_interim *im, **pp;
    int wake = 0;
    im = malloc(sizeof(*im));
    if (!im) { h2_push_list_free(pushes); return; }
    im->next = NULL;
    im->pushes = pushes;
    im->hdrs = table_to_hdrs(p, t, status);
    if (!im->hdrs) { h2_push_list_free(pushes); free(im); return; }
    apr_thread_mutex_lock(hub->lock);
    for (pp = &strm->interims; *pp; pp = &(*pp)->next)
        ;
    *pp = im;
    wake_locked(strm, &wake);
    apr_thread_mutex_unlock(hub->lock);
    if (wake) h2_hub_wake(hub);
}

/* Parse an HTTP/1.x interim response text (status line + fields) into an interim item. */
static void parse_interim(h2_conn_ctx *ctx, const char *text, apr_size_t len, apr_pool_t *p)
{
    h2_strm *strm = ctx->strm;
    char *s = apr_pstrmemdup(p, text, len), *line, *last;
    int status = 0;
    apr_table_t *t = apr_table_make(p, 5);
    h2_push_req *pushes = NULL;

    line = apr_strtok(s, "\r\n", &last);
    if (!line || strncmp(line, "HTTP/", 5)) return;
    line = strchr(line, ' ');
    if (line) status = atoi(line + 1);
    if (status < 100 || status >= 200 || status == 101) return;
    while ((line = apr_strtok(NULL, "\r\n", &last))) {
        char *colon = strchr(line, ':');
        if (!colon) continue;
        *colon++ = 0;
        while (*colon == ' ' || *colon == '\t') ++colon;
        apr_table_addn(t, line, colon);
    }
    if (status == 103 && ctx->r && strm->push_ok
        && h2_push_c2_allowed(ctx->r, strm->pushed_on != 0))
        pushes = h2_push_c2_collect(ctx->r, t, 103, strm->scheme, strm->authority, 0);
    c2_queue_interim(strm, p, t, status, pushes);
}

static void queue_interim_100(h2_conn_ctx *ctx)
{
    static const char txt[] = "HTTP/1.1 100 Continue\r\n\r\n";
    parse_interim(ctx, txt, sizeof(txt) - 1, ctx->r ? ctx->r->pool : NULL);
}

/* The request is over: the EOR bucket logs it (log_transaction) and destroys its pool;
 * the request is counted in c1's scoreboard slot. httpd's own count (ap_increment_counts,
 * which the EOR bucket runs when ExtendedStatus is on) calls times(), whose cost grows
 * with the threads of the child (the MPM's and our workers: over a microsecond per
 * stream, 6% of a 1 KB response). So c2 has no scoreboard handle while the EOR bucket
 * runs, and the request is counted here as httpd counts it, with the slot's CPU times
 * refreshed at most once a second per child. */
static void c2_request_done(conn_rec *c2, apr_bucket *eor, request_rec *r)
{
    static APR_OPTIONAL_FN_TYPE(ap_logio_get_last_bytes) *logio_last_bytes;
    static apr_uint32_t times_sec;
    ap_sb_handle_t *sbh = c2->sbh;
    apr_off_t bytes = 0;
    if (r && !(r->method_number == M_GET && r->method && r->method[0] == 'H'))
        bytes = r->bytes_sent;
    c2->sbh = NULL;
    apr_bucket_destroy(eor);
    c2->sbh = sbh;
    if (sbh && r && ap_extended_status) {
        worker_score *ws = ap_get_scoreboard_worker(sbh);
#ifdef HAVE_TIMES
        apr_uint32_t sec = (apr_uint32_t)apr_time_sec(apr_time_now());
#endif
        if (!logio_last_bytes)
            logio_last_bytes = APR_RETRIEVE_OPTIONAL_FN(ap_logio_get_last_bytes);
        if (logio_last_bytes) bytes = logio_last_bytes(c2);
        /* as ap_increment_counts; workers of one connection share the slot: these are
         * statistics (see c2_setup) */
        ws->access_count++;
        ws->my_access_count++;
        ws->conn_count++;
        ws->bytes_served += bytes;
        ws->my_bytes_served += bytes;
        ws->conn_bytes += bytes;
#ifdef HAVE_TIMES
        if (apr_atomic_xchg32(&times_sec, sec) != sec) times(&ws->times);
#endif
    }
}

/* H2_C2_OUT: everything that reaches c2's connection output */
static apr_status_t c2_out_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    conn_rec *c2 = f->c;
    h2_conn_ctx *ctx = h2_ctx_get(c2);
    h2_strm *strm = ctx->strm;
    h2_hub *hub = strm->hub;
    apr_bucket *b, *eor = NULL;
    ochain ch = { NULL, NULL, 0, 0 };
    int eos = 0, flush = 0, wake = 0, copy_files;
    apr_status_t rv = APR_SUCCESS;
    int inline_mode = (c2->current_thread == NULL);

    copy_files = ctx->r ? h2_config_copy_files(c2->base_server, ctx->r) : 0;
    /* H2OutputBuffering off: every write goes to the client at once */
    if (ctx->r && !h2_config_output_buffering(c2->base_server, ctx->r)) flush = 1;
    while ((b = APR_BRIGADE_FIRST(bb)) != APR_BRIGADE_SENTINEL(bb)) {
        if (AP_BUCKET_IS_EOR(b)) {
            APR_BUCKET_REMOVE(b);
            eor = b;
            continue;
        }
        if (APR_BUCKET_IS_EOS(b)) {
            eos = 1;
        }
        else if (APR_BUCKET_IS_FLUSH(b)) {
            flush = 1;
        }
        else if (!APR_BUCKET_IS_METADATA(b) && b->length != 0) {
            if (!ctx->resp_sent) {
                /* HTTP/1.x text before the final response: an interim response */
                const char *data;
                apr_size_t len;
                if (apr_bucket_read(b, &data, &len, APR_BLOCK_READ) == APR_SUCCESS && len)
                    parse_interim(ctx, data, len, c2->pool);
            }
            else if (!eos) {
                if (ch.mem >= WAKE_BYTES || ch.total >= 4 * WAKE_BYTES) {
                    /* hand over what we have before copying more */
                    apr_thread_mutex_lock(hub->lock);
                    if (wait_room(strm, c2, inline_mode) < 0) {
                        apr_thread_mutex_unlock(hub->lock);
                        rv = APR_ECONNABORTED;
                        break;
                    }
                    queue_chain(strm, &ch);
                    wake_locked(strm, &wake);
                    apr_thread_mutex_unlock(hub->lock);
                    if (wake) { h2_hub_wake(hub); wake = 0; }
                    ctx->since_wake = 0;
                }
                if (APR_BUCKET_IS_FILE(b)) {
                    if (chain_file(&ch, b, copy_files) < 0) { rv = APR_EGENERAL; break; }
                }
                else {
                    const char *data;
                    apr_size_t len;
                    rv = apr_bucket_read(b, &data, &len, APR_BLOCK_READ);
                    if (rv != APR_SUCCESS) break;
                    if (chain_mem(&ch, data, len) < 0) { rv = APR_ENOMEM; break; }
                }
            }
        }
        apr_bucket_delete(b);
    }
    apr_brigade_cleanup(bb);

    if (rv == APR_SUCCESS && (ch.head || eos || flush)) {
        apr_thread_mutex_lock(hub->lock);
        if (ch.head && wait_room(strm, c2, inline_mode) < 0) {
            rv = APR_ECONNABORTED;
        }
        else {
            ctx->since_wake += ch.total;
            queue_chain(strm, &ch);
            if (eos) strm->out_eos = 1;
            if (eos || flush || ctx->since_wake >= WAKE_BYTES) {
                wake_locked(strm, &wake);
                ctx->since_wake = 0;
            }
        }
        apr_thread_mutex_unlock(hub->lock);
        if (wake) h2_hub_wake(hub);
    }
    chain_free(&ch);
    if (rv != APR_SUCCESS) c2->aborted = 1;
    if (eor) {
        request_rec *r = ctx->r;
        ctx->r = NULL;
        c2_request_done(c2, eor, r);  /* logs and counts the request, destroys its pool */
    }
    return rv;
}

/* ---------------------------------------------------------------------------------- */
/* request body */

static apr_status_t c2_in_filter(ap_filter_t *f, apr_bucket_brigade *bb, ap_input_mode_t mode,
                                 apr_read_type_e block, apr_off_t readbytes)
{
    conn_rec *c2 = f->c;
    h2_conn_ctx *ctx = h2_ctx_get(c2);
    h2_strm *strm = ctx->strm;
    h2_hub *hub = strm->hub;
    apr_size_t got = 0, want;
    int wake = 0, eos = 0;
    apr_status_t rv = APR_SUCCESS;
    apr_interval_time_t timeout;

    if (mode == AP_MODE_INIT) return APR_SUCCESS;
    if (ctx->body_error) return APR_ENOSPC;
    if (readbytes <= 0) readbytes = 64 * 1024;
    if (ctx->r && strm->req_has_body && !strm->in_no_flow) {
        /* LimitRequestBody, as HTTP_IN (which c2 does not use) enforces it */
        apr_off_t limit = ap_get_limit_req_body(ctx->r);
        if (limit > 0 && readbytes > limit - ctx->body_read + 1)
            readbytes = limit - ctx->body_read + 1;  /* never hand over more than limit+1 */
        if (limit > 0 && (ctx->body_read > limit
                          || (strm->req_content_length > 0
                              && strm->req_content_length > limit))) {
            apr_bucket_brigade *eb = apr_brigade_create(ctx->r->pool, c2->bucket_alloc);
            ctx->body_error = 1;
            APR_BRIGADE_INSERT_TAIL(eb, ap_bucket_error_create(HTTP_REQUEST_ENTITY_TOO_LARGE,
                                                               NULL, ctx->r->pool,
                                                               c2->bucket_alloc));
            APR_BRIGADE_INSERT_TAIL(eb, apr_bucket_eos_create(c2->bucket_alloc));
            return ap_pass_brigade(ctx->r->output_filters, eb);
        }
    }
    if (ctx->r && ctx->r->expecting_100 && !ctx->resp_sent && strm->req_has_body) {
        ctx->r->expecting_100 = 0;
        queue_interim_100(ctx);
    }
    if (readbytes > 64 * 1024) readbytes = 64 * 1024;
    want = (apr_size_t)readbytes;
    timeout = h2_config_stream_timeout(c2->base_server, ctx->r);
    if (timeout <= 0) timeout = apr_time_from_sec(60);

    apr_thread_mutex_lock(hub->lock);
    for (;;) {
        /* a request without (more) body ends cleanly even when the stream is gone */
        if (strm->in_head || strm->in_eos || !strm->req_has_body) break;
        if (strm->aborted) { rv = APR_ECONNABORTED; break; }
        if (block == APR_NONBLOCK_READ) { rv = APR_EAGAIN; break; }
        strm->in_waiting = 1;
        if (strm->in_consumed) wake_locked(strm, &wake);
        if (wake) {
            apr_thread_mutex_unlock(hub->lock);
            h2_hub_wake(hub);
            wake = 0;
            apr_thread_mutex_lock(hub->lock);
            continue;
        }
        if (APR_STATUS_IS_TIMEUP(apr_thread_cond_timedwait(strm->cond, hub->lock, timeout))
            && !strm->in_head && !strm->in_eos && !strm->aborted) {
            rv = APR_TIMEUP;
            break;
        }
    }
    if (rv == APR_SUCCESS) {
        h2_ichunk *ic = strm->in_head;
        while (ic && got < want) {
            apr_size_t k = ic->len - ic->off;
            const char *start = ic->data + ic->off;
            if (k > want - got) k = want - got;
            if (mode == AP_MODE_GETLINE) {
                const char *nl = memchr(start, '\n', k);
                if (nl) { k = (apr_size_t)(nl - start) + 1; want = got + k; }
            }
            APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_heap_create(start, k, NULL, c2->bucket_alloc));
            got += k;
            if (mode != AP_MODE_SPECULATIVE) {
                ic->off += k;
                if (ic->off == ic->len) {
                    strm->in_head = ic->next;
                    if (!strm->in_head) strm->in_tail = NULL;
                    free(ic);
                    ic = strm->in_head;
                }
            }
            else {
                ic = ic->next;
            }
        }
        if (mode != AP_MODE_SPECULATIVE) {
            ctx->body_read += (apr_off_t)got;
            strm->in_bytes -= got;
            strm->in_consumed += got;
            if (strm->in_consumed >= CONSUME_NOTIFY || (!strm->in_head && !strm->in_eos))
                wake_locked(strm, &wake);
        }
        if (!strm->in_head && (strm->in_eos || !strm->req_has_body)) {
            eos = 1;
            if (strm->in_trailers && ctx->r && mode != AP_MODE_SPECULATIVE) {
                size_t i;
                for (i = 0; i < strm->in_trailers->n; ++i)
                    apr_table_add(ctx->r->trailers_in,
                                  (const char *)strm->in_trailers->nv[i].name,
                                  (const char *)strm->in_trailers->nv[i].value);
                h2_hdrs_free(strm->in_trailers);
                strm->in_trailers = NULL;
            }
        }
    }
    apr_thread_mutex_unlock(hub->lock);
    if (wake) h2_hub_wake(hub);
    if (eos && mode != AP_MODE_SPECULATIVE)
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(c2->bucket_alloc));
    if (rv == APR_SUCCESS && !got && !eos)
        rv = block == APR_NONBLOCK_READ ? APR_EAGAIN : APR_EOF;
    return rv;
}

/* ---------------------------------------------------------------------------------- */
/* hooks */

/* create_request, REALLY_LAST: runs after http_core added HTTP_HEADER and friends for
 * the request; on a c2 we take the response ourselves. */
static int c2_create_request(request_rec *r)
{
    h2_conn_ctx *ctx = h2_ctx_get(r->connection);
    ap_filter_t *f, *next;
    int have_resp = 0;
    if (!ctx || !ctx->is_c2) return DECLINED;
    for (f = r->proto_output_filters; f && f->c == r->connection; f = next) {
        next = f->next;
        if (f->frec == c2_resp_handle) have_resp = 1;
        else if (!strcasecmp(f->frec->name, "HTTP_HEADER")
                 || !strcasecmp(f->frec->name, "CHUNK"))
            ap_remove_output_filter(f);
    }
    for (f = r->output_filters; f && f->c == r->connection; f = next) {
        next = f->next;
        if (!strcasecmp(f->frec->name, "HTTP_HEADER") || !strcasecmp(f->frec->name, "CHUNK"))
            ap_remove_output_filter(f);
    }
    if (!have_resp && !r->main)
        ap_add_output_filter_handle(c2_resp_handle, NULL, r, r->connection);
    return DECLINED;
}

/* H2EarlyHints on: a 103 before the handler runs (RFC 8297) with the H2EarlyHint fields
 * and a Link preload field per H2PushResource; with push allowed, those resources are
 * promised together with the 103 (and not again with the final response). */
static void send_early_hints(h2_conn_ctx *ctx, request_rec *r)
{
    const h2_dir_config *d = h2_config_rget(r);
    apr_table_t *t;
    h2_strm *strm = ctx->strm;
    h2_push_req *pushes;
    int i, push_ok;
    if (!d || ctx->resp_sent || !h2_config_early_hints(r->server, r))
        return;
    t = apr_table_make(r->pool, 5);
    for (i = 0; d->early_hints && i < d->early_hints->nelts; ++i) {
        const h2_early_hint *eh = &APR_ARRAY_IDX(d->early_hints, i, h2_early_hint);
        apr_table_add(t, eh->name, eh->value);
    }
    push_ok = strm->push_ok && h2_push_c2_allowed(r, strm->pushed_on != 0);
    pushes = h2_push_c2_config_links(r, t, push_ok);
    if (apr_is_empty_table(t)) return;
    if (push_ok) apr_table_setn(r->notes, "H2_PUSH_RES_DONE", "1");
    c2_queue_interim(strm, r->pool, t, 103, pushes);
}

static int c2_fixups(request_rec *r)
{
    h2_conn_ctx *ctx = h2_ctx_get(r->connection);
    if (!ctx || !ctx->is_c2) return DECLINED;
    if (!r->main && !r->prev)
        send_early_hints(ctx, r);
    /* mod_http2's values: H2PUSH "on" when the client accepts pushes and H2Push is on
     * here (a pushed request too: it was promised, so the client accepts them);
     * H2_STREAM_TAG "<child>-<connection serial>-<stream id>"; H2_PUSHED "PUSHED" */
    apr_table_setn(r->subprocess_env, "HTTP2", "on");
    {
        const char *on = (ctx->strm->push_ok || ctx->strm->pushed_on)
                         && h2_config_push(r->server, r) ? "on" : "off";
        apr_table_setn(r->subprocess_env, "H2PUSH", on);
        apr_table_setn(r->subprocess_env, "H2_PUSH", on);
    }
    apr_table_setn(r->subprocess_env, "H2_STREAM_ID",
                   apr_psprintf(r->pool, "%u", (unsigned)ctx->strm->id));
    {
        conn_rec *m = r->connection->master;
        const h2_conn_ctx *mctx = m ? h2_ctx_get(m) : NULL;
        const char *tag = mctx && mctx->tag ? mctx->tag
                          : apr_psprintf(r->pool, "%ld", m ? m->id : 0L);
        apr_table_setn(r->subprocess_env, "H2_STREAM_TAG",
                       apr_psprintf(r->pool, "%s-%u", tag, (unsigned)ctx->strm->id));
    }
    if (ctx->strm->pushed_on) {
        apr_table_setn(r->subprocess_env, "H2_PUSHED", "PUSHED");
        apr_table_setn(r->subprocess_env, "H2_PUSHED_ON",
                       apr_psprintf(r->pool, "%u", (unsigned)ctx->strm->pushed_on));
    }
    else {
        apr_table_setn(r->subprocess_env, "H2_PUSHED", "");
        apr_table_setn(r->subprocess_env, "H2_PUSHED_ON", "");
    }
    return DECLINED;
}

void h2_c2_register_hooks(void)
{
    c2_in_handle = ap_register_input_filter("H2_C2_IN", c2_in_filter, NULL, AP_FTYPE_NETWORK);
    c2_out_handle = ap_register_output_filter("H2_C2_OUT", c2_out_filter, NULL,
                                              AP_FTYPE_NETWORK);
    c2_resp_handle = ap_register_output_filter("H2_C2_RESPONSE", c2_response_filter, NULL,
                                               AP_FTYPE_PROTOCOL);
    /* REALLY_LAST: after http_core's create_request added the HTTP/1 filters we replace */
    ap_hook_create_request(c2_create_request, NULL, NULL, APR_HOOK_REALLY_LAST);
    /* fixups: the stream's environment variables, for every (sub/redirected) request */
    ap_hook_fixups(c2_fixups, NULL, NULL, APR_HOOK_MIDDLE);
}

/* ---------------------------------------------------------------------------------- */
/* c2 setup and request processing */

static conn_rec *c2_setup(h2_strm *strm, h2_worker_ctx *w, apr_pool_t **ppool)
{
    conn_rec *c1 = strm->hub->c;
    conn_rec *c2;
    apr_pool_t *pool;
    h2_conn_ctx *ctx;

    if (w) {
        c2_cache *cc = w->c2_cache;
        if (!cc) {
            cc = apr_pcalloc(w->pool, sizeof(*cc));
            apr_pool_create(&cc->pool, w->pool);
            apr_pool_tag(cc->pool, "h2_c2");
            w->c2_cache = cc;
        }
        pool = cc->pool;
    }
    else {
        apr_pool_create(&pool, c1->pool);
    }
    *ppool = pool;
    c2 = apr_pcalloc(pool, sizeof(*c2));
    c2->pool = pool;
    c2->base_server = c1->base_server;
    c2->vhost_lookup_data = c1->vhost_lookup_data;
    c2->local_addr = c1->local_addr;
    c2->client_addr = c1->client_addr;
    c2->client_ip = c1->client_ip;
    c2->remote_host = c1->remote_host;
    c2->remote_logname = c1->remote_logname;
    c2->local_ip = c1->local_ip;
    c2->local_host = c1->local_host;
    c2->id = (c1->id << 16) ^ (long)strm->id;
    c2->conn_config = ap_create_conn_config(pool);
    c2->notes = apr_table_make(pool, 5);
    c2->bucket_alloc = w ? w->bucket_alloc : c1->bucket_alloc;
    c2->cs = NULL;
    c2->double_reverse = c1->double_reverse;
    c2->keepalive = AP_CONN_CLOSE;
    c2->log = c1->log;
    c2->master = c1;
    /* The scoreboard: requests on streams are counted (and shown by mod_status) in c1's
     * slot, as mod_status shows HTTP/1.1 requests in their connection's slot. Workers of
     * one connection may update the slot at the same time; the counters are statistics
     * (a lost increment under concurrency is tolerated, as for any scoreboard reader).
     * c1's handle lives in c1's pool, which outlives every c2 (h2_c1_drain). */
    c2->sbh = c1->sbh;
#if APR_HAS_THREADS
    c2->current_thread = w ? w->thread : NULL;
#endif
    /* the client socket for modules that ask (never read or written on c2) */
    ap_set_core_module_config(c2->conn_config, ap_get_core_module_config(c1->conn_config));
    /* mod_ssl: the stream looks like the same TLS connection */
    if (ssl_module_p)
        ap_set_module_config(c2->conn_config, ssl_module_p,
                             ap_get_module_config(c1->conn_config, ssl_module_p));
    /* The MPM's request hooks expect its per-connection state: give them a zeroed block of
     * their own, so that nothing they write lands in c1's state from this thread. */
    if (mpm_module_p)
        ap_set_module_config(c2->conn_config, mpm_module_p, apr_pcalloc(pool, 4096));
    /* mod_logio counts bytes per connection (set up in pre_connection, which c2 skips) */
    if (logio_module_p)
        ap_set_module_config(c2->conn_config, logio_module_p, apr_pcalloc(pool, 256));
    ctx = apr_pcalloc(pool, sizeof(*ctx));
    ctx->is_c2 = 1;
    ctx->proto = strm->hub->proto;
    ctx->c1 = strm->c1;
    ctx->strm = strm;
    ap_set_module_config(c2->conn_config, &h2_module, ctx);
    ap_add_input_filter_handle(c2_in_handle, NULL, NULL, c2);
    ap_add_output_filter_handle(c2_out_handle, NULL, NULL, c2);
    return c2;
}

static int cookie_join(h2_hdrs *req, apr_pool_t *p, const char **out)
{
    size_t i;
    int n = 0;
    const char *v = NULL;
    for (i = 0; i < req->n; ++i) {
        if (req->nv[i].name_len == 6 && !memcmp(req->nv[i].name, "cookie", 6)) {
            v = v ? apr_pstrcat(p, v, "; ", (const char *)req->nv[i].value, NULL)
                  : (const char *)req->nv[i].value;
            ++n;
        }
    }
    *out = v;
    return n;
}

static request_rec *build_request(conn_rec *c2, h2_strm *strm, int *pstatus)
{
    request_rec *r = ap_create_request(c2);
    h2_conn_ctx *ctx = h2_ctx_get(c2);
    const char *uri, *cookie;
    size_t i;
    int limit = c2->base_server->limit_req_fieldsize;

    ctx->r = r;
    *pstatus = 0;
    r->request_time = apr_time_now();
    r->method = strm->method ? strm->method : "GET";
    r->method_number = ap_method_number_of(r->method);
    if (r->method_number == M_GET && r->method[0] == 'H') r->header_only = 1;
    r->protocol = "HTTP/2.0";
    r->proto_num = HTTP_VERSION(2, 0);
    uri = strm->path;
    if (r->method_number == M_CONNECT && strm->authority) uri = strm->authority;
    else if (strm->scheme && strm->authority && *strm->authority
             && h2_config_proxy_requests(c2->base_server)) {
        /* H2ProxyRequests on: the absolute form, as an HTTP/1.1 proxy request line has it,
         * so that mod_proxy (ProxyRequests) takes a request for another origin */
        uri = apr_pstrcat(r->pool, strm->scheme, "://", strm->authority,
                          strm->path ? strm->path : "", NULL);
    }
    if (!uri || !*uri) uri = "/";
    r->the_request = apr_pstrcat(r->pool, r->method, " ", uri, " HTTP/2.0", NULL);
    if (strm->req) {
        for (i = 0; i < strm->req->n; ++i) {
            const h2_nv *nv = &strm->req->nv[i];
            if (limit > 0 && nv->name_len + nv->value_len + 2 > (size_t)limit) {
                *pstatus = HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE;
                apr_table_setn(r->notes, "error-notes", "Size of a request header field "
                               "exceeds server limit.");
            }
            if (nv->name_len == 6 && !memcmp(nv->name, "cookie", 6)) continue;
            apr_table_addn(r->headers_in, (const char *)nv->name, (const char *)nv->value);
        }
        /* repeated fields become one "a, b" value, as ap_get_mime_headers does */
        apr_table_compress(r->headers_in, APR_OVERLAP_TABLES_MERGE);
        if (cookie_join(strm->req, r->pool, &cookie)) apr_table_setn(r->headers_in, "Cookie", cookie);
    }
    if (strm->authority && *strm->authority) {
        /* :authority wins over Host (RFC 9113 §8.3.1) */
        apr_table_setn(r->headers_in, "Host", strm->authority);
    }
    if (strm->req_has_body && strm->req_content_length < 0
        && !apr_table_get(r->headers_in, "Content-Length")) {
        /* body of unknown length: let modules see it as streamed */
        r->read_chunked = 1;
    }
    if (strm->req_too_large) *pstatus = HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE;
    {
        /* a request target with whitespace or controls could never come in a request
         * line: 400 as HTTP/1.1 would answer */
        const unsigned char *u;
        for (u = (const unsigned char *)uri; *u; ++u) {
            if (*u <= 0x20 || *u == 0x7f) {
                if (!*pstatus) *pstatus = HTTP_BAD_REQUEST;
                uri = "/";
                break;
            }
        }
    }
    ap_parse_uri(r, uri);
    r->per_dir_config = r->server->lookup_defaults;
    /* no pre_read_request: its users (the MPMs) keep per-connection state of c1 only */
    return r;
}

static void process_request(conn_rec *c2, h2_strm *strm)
{
    int status = 0;
    request_rec *r = build_request(c2, strm, &status);
    h2_conn_ctx *ctx = h2_ctx_get(c2);

    if (!status) {
        if (!ap_check_request_header(r)) {
            status = r->status >= 400 ? r->status : HTTP_BAD_REQUEST;
        }
        else {
            r->per_dir_config = r->server->lookup_defaults;
            if (!ap_is_allowed_protocol(c2->master, NULL, r->server, ctx->proto)) {
                /* the vhost the :authority selects does not speak h2 on this connection */
                status = HTTP_MISDIRECTED_REQUEST;
            }
        }
    }
    if (!status) {
        int rv = ap_run_post_read_request(r);
        if (rv != OK && rv != DECLINED) status = rv;
    }
    if (status) {
        r->status = HTTP_OK;
        ap_die(status, r);
        ap_process_request_after_handler(r);
        return;
    }
    r->status = HTTP_OK;
    ap_process_request(r);
}

void h2_c2_process(void *baton, h2_worker_ctx *w)
{
    h2_strm *strm = baton;
    h2_hub *hub = strm->hub;
    apr_pool_t *pool = NULL;
    conn_rec *c2;
    int wake = 0;

    if (!modules_looked_up) lookup_modules();
    c2 = c2_setup(strm, w, &pool);
    if (!strm->aborted)
        process_request(c2, strm);
    {
        h2_conn_ctx *ctx = h2_ctx_get(c2);
        apr_thread_mutex_lock(hub->lock);
        if (!strm->out_eos) {
            /* handler never completed the body */
            if (ctx->resp_sent && !strm->aborted) strm->rst_code = H2_INTERNAL_ERROR;
            strm->out_eos = 1;
        }
        strm->c2_done = 1;
        wake_locked(strm, &wake);
        apr_thread_mutex_unlock(hub->lock);
        /* strm may be released by c1 from here on */
        if (wake) h2_hub_wake(hub);
    }
    if (w) apr_pool_clear(pool);
    else apr_pool_destroy(pool);
}

/* ---------------------------------------------------------------------------------- */

int h2_c2_upgrade_stream(h2_strm *strm, request_rec *r)
{
    apr_array_header_t *arr;
    const apr_table_entry_t *e;
    h2_nv *nv;
    int i, n = 0;
    size_t sz;
    char *p;
    const char *host = apr_table_get(r->headers_in, "Host");
    const char *path = r->unparsed_uri ? r->unparsed_uri : "/";
    apr_bucket_brigade *bb;
    int eos = 0;

    arr = (apr_array_header_t *)apr_table_elts(r->headers_in);
    e = (const apr_table_entry_t *)arr->elts;
    nv = apr_pcalloc(r->pool, sizeof(h2_nv) * (arr->nelts + 1));
    for (i = 0; i < arr->nelts; ++i) {
        if (!e[i].key || !e[i].val) continue;
        if (!strcasecmp(e[i].key, "Connection") || !strcasecmp(e[i].key, "Upgrade")
            || !strcasecmp(e[i].key, "HTTP2-Settings") || !strcasecmp(e[i].key, "Host")
            || !strcasecmp(e[i].key, "Transfer-Encoding") || !strcasecmp(e[i].key, "Keep-Alive"))
            continue;
        nv[n].name = (const uint8_t *)e[i].key;
        nv[n].name_len = strlen(e[i].key);
        nv[n].value = (const uint8_t *)e[i].val;
        nv[n].value_len = strlen(e[i].val);
        ++n;
    }
    strm->req = h2_hdrs_from_nv(nv, (size_t)n, 0);
    sz = strlen(r->method) + strlen(path) + (host ? strlen(host) : 0) + 8;
    p = malloc(sz);
    if (!p || !strm->req) { free(p); return -1; }
    strm->method = p; strcpy(p, r->method); p += strlen(p) + 1;
    strm->scheme = p; strcpy(p, "http"); p += 5;
    strm->path = p; strcpy(p, path); p += strlen(p) + 1;
    if (host) { strm->authority = p; strcpy(p, host); }
    strm->req_content_length = -1;

    /* read the request body (its size was checked when the upgrade was proposed) */
    bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    while (!eos) {
        apr_bucket *b;
        if (ap_get_brigade(r->input_filters, bb, AP_MODE_READBYTES, APR_BLOCK_READ,
                           64 * 1024) != APR_SUCCESS)
            break;
        for (b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb); b = APR_BUCKET_NEXT(b)) {
            const char *data;
            apr_size_t len;
            if (APR_BUCKET_IS_EOS(b)) { eos = 1; break; }
            if (apr_bucket_read(b, &data, &len, APR_BLOCK_READ) == APR_SUCCESS && len
                && h2_strm_in_append(strm, data, len) != 0) {
                break;
            }
        }
        apr_brigade_cleanup(bb);
    }
    strm->in_eos = 1;
    strm->in_eos_seen = 1;
    strm->req_has_body = strm->in_bytes > 0;
    /* the request's body came over HTTP/1.1: nothing for flow control */
    strm->in_no_flow = 1;
    return 0;
}
