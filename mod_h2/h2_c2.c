/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_c2.c -- stream connections and requests on workers. See h2_c2.h.
 *
 * Filters on a c2 (registered in h2_c2_register_hooks):
 *   H2_C2_IN       (network, c2 input): request body from the stream's input queue,
 *                  waiting at most the c2 socket's timeout (Timeout, narrowed by
 *                  mod_reqtimeout), LimitRequestBody (413).
 *   H2_C2_RESPONSE (protocol, per request): replaces HTTP_HEADER: takes r->status and
 *                  r->headers_out, drops bodies of HEAD/204/304, queues trailers.
 *   H2_C2_OUT      (network, c2 output): body bytes and file references into the
 *                  stream's bounded output queue (memory and descriptors); 1xx interim
 *                  responses that httpd writes as HTTP/1.1 text (ap_send_interim_response)
 *                  are collected whole and parsed here.
 */
#include <stddef.h>   /* before APR: offsetof for its ring macros (else UB via NULL) */
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
#include "scoreboard.h"

#include "h2_log.h"
#include "h2_ctx.h"
#include "h2_stream.h"
#include "h2_c2.h"
#include "h2_config.h"
#include "h2_push.h"
#include "h2_hints.h"
#include "h2_ws.h"
#include "h2_vars.h"

APLOG_USE_MODULE(h2);

#define ITEM_MIN        H2_ITEM_MIN     /* memory item capacity */
#define FILE_REF_MIN    (32 * 1024)     /* file buckets at least this long travel as fds */
#define WAKE_BYTES      (32 * 1024)     /* wake c1 after this many queued bytes */
#define CONSUME_NOTIFY  (16 * 1024)

static ap_filter_rec_t *c2_in_handle;
static ap_filter_rec_t *c2_out_handle;
static ap_filter_rec_t *c2_resp_handle;

static int c2_process_connection(conn_rec *c2);
/* The placeholder socket of inline processing (no worker pool: one thread per process).
 * Created in child_init. */
static apr_socket_t *c2_inline_sock;
/* mod_logio's counters (%I, %O): set in child_init, read-only afterwards */
static APR_OPTIONAL_FN_TYPE(ap_logio_add_bytes_out) *c2_logio_add_out;
static APR_OPTIONAL_FN_TYPE(ap_logio_add_bytes_in) *c2_logio_add_in;

typedef struct c2_cache {
    apr_pool_t *pool;    /* cleared after every stream */
    apr_socket_t *sock;  /* the worker's placeholder socket, lives as long as the worker */
} c2_cache;

static void wake_locked(h2_strm *strm, int *pwake)
{
    h2_strm_mark_dirty(strm, pwake);
}

/* ---------------------------------------------------------------------------------- */
/* output queue (worker side) */

/* Has the stream lost its client (lock held)? Reset, connection gone, or the child
 * stopping (then every connection of the child is gone). */
static int c2_gone(const h2_strm *strm)
{
    return strm->aborted || h2_workers_stopping();
}

/* Wait until the stream may queue more memory. Lock held. Returns 0, or -1 if the stream
 * is gone or the client did not make room within the stream timeout (H2StreamTimeout). */
static int wait_room(h2_strm *strm, conn_rec *c2, int inline_mode)
{
    h2_hub *hub = strm->hub;
    apr_time_t deadline = 0;
    while (!c2_gone(strm) && strm->out_mem >= hub->stream_max_mem) {
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
                h2_hub_unlock(hub);
                h2_hub_wake(hub);
                h2_hub_lock(hub);
            }
            return -1;
        }
        strm->out_waiting = 1;
        wake_locked(strm, &wake);
        if (inline_mode) {
            /* on c1's thread: c1's I/O sends what the windows allow and reads the
             * client's WINDOW_UPDATEs */
            apr_interval_time_t step = deadline - now;
            apr_status_t rv;
            if (step > apr_time_from_sec(1)) step = apr_time_from_sec(1);
            h2_hub_unlock(hub);
            rv = hub->inline_pump(hub->inline_baton, step);
            h2_hub_lock(hub);
            if (rv != APR_SUCCESS && !APR_STATUS_IS_TIMEUP(rv)) return -1;
            continue;
        }
        if (wake) {
            h2_hub_unlock(hub);
            h2_hub_wake(hub);
            h2_hub_lock(hub);
            continue;
        }
        h2_strm_wait(strm, apr_time_from_sec(1));
    }
    return c2_gone(strm) ? -1 : 0;
}

static h2_oitem *mem_item(h2_hub *hub, apr_size_t need)
{
    apr_size_t cap = need < ITEM_MIN ? ITEM_MIN : need;
    h2_oitem *oi = (hub && cap == ITEM_MIN) ? h2_hub_spare_take(hub) : NULL;
    if (oi) return oi;
    oi = malloc(sizeof(*oi) + cap);
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
    int fds;             /* FILE items (descriptors) in the chain */
    h2_hub *hub;         /* where spare memory items come from (NULL: malloc only) */
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
        oi = mem_item(ch->hub, n);
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
        ++ch->fds;
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

/* Descriptors held for output are bounded (a client that never opens its window must not
 * pin the process's descriptors, e.g. with a multi-range response): a file piece travels
 * as a descriptor only while the stream holds fewer than FDS_PER_STREAM and the
 * connection fewer than H2_FDS_PER_CONN (WebSocket pipes count too); past that it is copied and counts against the
 * stream's memory budget (H2StreamMaxMemSize) like any other body bytes. */
#define FDS_PER_STREAM  8

static int c2_fd_allowed(h2_strm *strm, const ochain *ch)
{
    h2_hub *hub = strm->hub;
    const h2_oitem *oi;
    int n = ch->fds, ok;
    h2_hub_lock(hub);
    for (oi = strm->out_head; oi && n < FDS_PER_STREAM; oi = oi->next)
        if (oi->type == H2_OI_FILE) ++n;
    ok = n < FDS_PER_STREAM && hub->out_fds + ch->fds < H2_FDS_PER_CONN;
    h2_hub_unlock(hub);
    return ok;
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
    strm->hub->out_fds += ch->fds;
    ch->head = ch->tail = NULL;
    ch->mem = ch->total = 0;
    ch->fds = 0;
}

/* ---------------------------------------------------------------------------------- */
/* response headers */

/* mod_ssl refuses a renegotiation on a secondary connection with 403 and this note (on
 * the request, or on the one an ErrorDocument redirect came from). */
static int c2_renegotiation_refused(request_rec *r)
{
    for (; r; r = r->prev)
        if (apr_table_get(r->notes, "ssl-renegotiate-forbidden")) return 1;
    return 0;
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

    if (status == HTTP_FORBIDDEN && c2_renegotiation_refused(r)) {
        /* mod_ssl wanted a TLS renegotiation or post-handshake authentication (a
         * per-directory client certificate or cipher suite), which a connection carrying
         * other streams cannot have: RFC 9113 §9.2.1, the client retries over HTTP/1.1 */
        int wake = 0;
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, H2LOGNO(00705)
                      "h2 stream %u: TLS renegotiation needed, HTTP_1_1_REQUIRED",
                      (unsigned)strm->id);
        ctx->body_off = 1;
        ctx->resp_sent = 1;
        r->sent_bodyct = 1;
        h2_hub_lock(hub);
        strm->rst_code = H2_HTTP_1_1_REQUIRED;
        wake_locked(strm, &wake);
        h2_hub_unlock(hub);
        if (wake) h2_hub_wake(hub);
        return;
    }
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
    /* learned early hints (h2_hints.h): this response teaches its path's Link preloads,
     * or makes the path forget them */
    if (!strm->pushed_on)
        h2_hints_c2_learn(r, strm->method, strm->scheme, strm->authority, strm->path,
                          status, h);
    /* server push (h2_push.h): Link preload, X-Associated-Content (never sent on),
     * H2PushResource not yet announced by a 103 */
    if (strm->push_ok && h2_push_c2_allowed(r, strm->pushed_on != 0))
        pushes = h2_push_c2_collect(r, h, status, strm->scheme, strm->authority,
                                    !apr_table_get(r->notes, "H2_PUSH_RES_DONE"));
    else
        apr_table_unset(h, "X-Associated-Content");
    if (strm->pushed_on)
        h2_push_c2_priority(r, apr_table_get(h, "Content-Type"), &dep, &weight);
    hdrs = h2_hdrs_from_table(r->pool, h, status);
    r->sent_bodyct = 1;
    ctx->resp_sent = 1;
    if (hdrs && c2_block_too_long(r, strm, hdrs)) {
        /* H2MaxHeaderBlockLen: the stream is reset instead, as mod_http2 does */
        int wake = 0;
        h2_hdrs_free(hdrs);
        h2_push_list_free(pushes);
        ctx->body_off = 1;
        h2_hub_lock(hub);
        strm->rst_code = H2_PROTOCOL_ERROR;
        wake_locked(strm, &wake);
        h2_hub_unlock(hub);
        if (wake) h2_hub_wake(hub);
        return;
    }
    h2_hub_lock(hub);
    strm->resp = hdrs;
    strm->pushes = pushes;
    strm->push_dep = dep;
    strm->push_weight = weight;
    h2_hub_unlock(hub);
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
            h2_hub_lock(hub);
            ctx->strm->rst_code = H2_INTERNAL_ERROR;
            h2_hub_unlock(hub);
            continue;
        }
        if (!ctx->resp_sent && (APR_BUCKET_IS_EOS(b) || APR_BUCKET_IS_FLUSH(b)
                                || !APR_BUCKET_IS_METADATA(b))) {
            if (ctx->strm->ws) h2_ws_c2_final(f->c, r);   /* RFC 8441: 2xx only via 101 */
            make_response(ctx, r);
        }
        if (APR_BUCKET_IS_EOS(b)) {
            if (r->trailers_out && !apr_is_empty_table(r->trailers_out) && !ctx->body_off) {
                h2_hdrs *t = h2_hdrs_from_table(r->pool, r->trailers_out, 0);
                h2_hub *hub = ctx->strm->hub;
                h2_hub_lock(hub);
                if (!ctx->strm->trailers) ctx->strm->trailers = t; else h2_hdrs_free(t);
                h2_hub_unlock(hub);
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
    im->hdrs = h2_hdrs_from_table(p, t, status);
    if (!im->hdrs) { h2_push_list_free(pushes); free(im); return; }
    h2_hub_lock(hub);
    for (pp = &strm->interims; *pp; pp = &(*pp)->next)
        ;
    *pp = im;
    wake_locked(strm, &wake);
    h2_hub_unlock(hub);
    if (wake) h2_hub_wake(hub);
}

#define INTERIM_MAX  (256 * 1024)   /* bound on one interim response's text */

/* Parse one whole HTTP/1.x interim response (status line + fields, without the empty
 * line) into an interim item. */
static void parse_interim(h2_conn_ctx *ctx, const char *text, apr_size_t len, apr_pool_t *p)
{
    h2_strm *strm = ctx->strm;
    char *s = apr_pstrmemdup(p, text, len), *line, *last;
    int status = 0;
    apr_table_t *t = apr_table_make(p, 5);
    h2_push_req *pushes = NULL;

    /* RFC 8441: a WebSocket stream's 101 becomes its final 200 (h2_ws.c) */
    if (strm->ws && ctx->r && h2_ws_c2_interim(ctx->r->connection, text, len)) return;

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

/* Interim response text as it reaches c2's network filter, in pieces of any size (httpd
 * flushes its buffer every 8 KB while writing a 1xx): collected until the empty line that
 * ends each response, then parsed whole. */
static void c2_interim_text(conn_rec *c2, h2_conn_ctx *ctx, const char *data, apr_size_t len)
{
    apr_pool_t *p = c2->pool;
    apr_size_t start = 0, i;
    if (ctx->interim_len + len > INTERIM_MAX) {
        ap_log_cerror(APLOG_MARK, APLOG_DEBUG, 0, c2, H2LOGNO(00706) "h2 stream %u: interim response over %d bytes, dropped",
                      (unsigned)ctx->strm->id, INTERIM_MAX);
        ctx->interim_len = 0;
        return;
    }
    if (ctx->interim_len + len > ctx->interim_cap) {
        apr_size_t cap = ctx->interim_cap ? ctx->interim_cap : 1024;
        char *nb;
        while (cap < ctx->interim_len + len) cap *= 2;
        nb = apr_palloc(p, cap);
        if (ctx->interim_len) memcpy(nb, ctx->interim_buf, ctx->interim_len);
        ctx->interim_buf = nb;
        ctx->interim_cap = cap;
    }
    memcpy(ctx->interim_buf + ctx->interim_len, data, len);
    ctx->interim_len += len;
    /* each "\n\r\n" or "\n\n" ends one response */
    for (i = 0; i < ctx->interim_len; ++i) {
        const char *b = ctx->interim_buf;
        apr_size_t end = 0;
        if (b[i] != '\n') continue;
        if (i + 1 < ctx->interim_len && b[i + 1] == '\n') end = i + 2;
        else if (i + 2 < ctx->interim_len && b[i + 1] == '\r' && b[i + 2] == '\n') end = i + 3;
        if (!end) continue;
        parse_interim(ctx, b + start, i + 1 - start, p);
        start = end;
        i = end - 1;
    }
    if (start) {
        memmove(ctx->interim_buf, ctx->interim_buf + start, ctx->interim_len - start);
        ctx->interim_len -= start;
    }
}

static void queue_interim_100(h2_conn_ctx *ctx)
{
    static const char txt[] = "HTTP/1.1 100 Continue\r\n";
    parse_interim(ctx, txt, sizeof(txt) - 1, ctx->r ? ctx->r->pool : NULL);
}

/* H2_C2_OUT: everything that reaches c2's connection output */
/* The EOR bucket logs the request. %O must be what went out (as over HTTP/1.1, where
 * the core holds the EOR until the response is written; mod_http2's worker is held by its
 * bounded output buffer), but what was queued may still wait for c1: wait until at most
 * H2_LOG_SLACK bytes of the response are queued, or the stream is gone (reset, connection
 * closed, the child stopping), with no progress for at most the stream timeout; then take
 * back from %O what c1 never sent. Only while more than half of the worker pool is free
 * (c2_log_may_wait); otherwise %O is what was queued. Inline (prefork) the streams of a connection run one
 * after another on c1's thread and such a wait would hold the next ones: only what is
 * known at the end of the handler is corrected there. */
/* May a worker wait for its response to go out? Only while more than half of the pool
 * is free: a waiting worker does nothing else, and clients that read slowly or not at
 * all must not take the workers from others (see "Static files" in ARCHITECTURE.md). */
static int c2_log_may_wait(void)
{
    h2_workers *w = h2_workers_get();
    return w && h2_workers_free(w) > h2_workers_max(w) / 2;
}

static void c2_log_sent(conn_rec *c2, h2_conn_ctx *ctx, h2_strm *strm)
{
    h2_hub *hub = strm->hub;
    apr_interval_time_t t = h2_config_stream_timeout(c2->base_server, ctx->r);
    apr_time_t deadline;
    apr_size_t last;
    apr_off_t sent;
    int gone;

    if (t <= 0) t = apr_time_from_sec(60);
    h2_hub_lock(hub);
    deadline = apr_time_now() + t;
    last = strm->out_total;
    while (!ctx->inline_mode && !c2_gone(strm) && strm->out_total > H2_LOG_SLACK) {
        apr_time_t now = apr_time_now();
        apr_interval_time_t step;
        int may_wait;
        h2_hub_unlock(hub);
        may_wait = c2_log_may_wait();
        h2_hub_lock(hub);
        if (!may_wait) break;   /* %O stays what was queued */
        if (strm->out_total < last) {
            last = strm->out_total;
            deadline = now + t;
        }
        else if (now >= deadline) {
            break;   /* c1's stall check resets such a stream */
        }
        strm->log_waiting = 1;
        step = deadline - now;
        if (step > apr_time_from_msec(200)) step = apr_time_from_msec(200);
        h2_strm_wait(strm, step);
    }
    strm->log_waiting = 0;
    gone = c2_gone(strm) || c2->aborted;
    sent = strm->out_sent;
    h2_hub_unlock(hub);
    if (gone && sent < ctx->out_queued) {
        c2_logio_add_out(c2, sent - ctx->out_queued);
        ctx->out_queued = sent;
    }
}

static apr_status_t c2_out_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    conn_rec *c2 = f->c;
    h2_conn_ctx *ctx = h2_ctx_get(c2);
    h2_strm *strm = ctx->strm;
    h2_hub *hub = strm->hub;
    apr_bucket *b, *eor = NULL;
    ochain ch = { NULL, NULL, 0, 0, 0, NULL };
    int eos = 0, flush = 0, wake = 0, copy_files;
    apr_off_t out_bytes = 0;
    apr_status_t rv = APR_SUCCESS;
    int inline_mode = ctx->inline_mode;

    ch.hub = hub;
    if (!bb) return APR_SUCCESS;   /* mod_proxy's "output pending?" probe: nothing is */
    copy_files = ctx->r ? h2_config_copy_files(c2->base_server, ctx->r) : 0;
    /* H2OutputBuffering off: every write goes to the client at once */
    if (ctx->r && !h2_config_output_buffering(c2->base_server, ctx->r)) flush = 1;
    /* a WebSocket tunnel: every write goes to the client at once (mod_proxy's tunnel
     * passes no FLUSH) */
    if (strm->ws && strm->ws->upgraded) flush = 1;
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
                    c2_interim_text(c2, ctx, data, len);
            }
            else if (!eos && !ctx->body_off) {
                if (ch.mem >= WAKE_BYTES || ch.total >= 4 * WAKE_BYTES) {
                    /* hand over what we have before copying more */
                    h2_hub_lock(hub);
                    if (wait_room(strm, c2, inline_mode) < 0) {
                        h2_hub_unlock(hub);
                        rv = APR_ECONNABORTED;
                        break;
                    }
                    out_bytes += (apr_off_t)ch.total;
                    queue_chain(strm, &ch);
                    wake_locked(strm, &wake);
                    h2_hub_unlock(hub);
                    if (wake) { h2_hub_wake(hub); wake = 0; }
                    ctx->since_wake = 0;
                }
                if (APR_BUCKET_IS_FILE(b)) {
                    int copy = copy_files;
                    if (!copy && b->length >= FILE_REF_MIN && !c2_fd_allowed(strm, &ch))
                        copy = 1;
                    if (copy && b->length > WAKE_BYTES) {
                        /* copied in pieces, so that the memory budget applies */
                        apr_bucket_split(b, WAKE_BYTES);
                    }
                    if (chain_file(&ch, b, copy) < 0) { rv = APR_EGENERAL; break; }
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
        h2_hub_lock(hub);
        if (ch.head && wait_room(strm, c2, inline_mode) < 0) {
            rv = APR_ECONNABORTED;
        }
        else {
            ctx->since_wake += ch.total;
            out_bytes += (apr_off_t)ch.total;
            queue_chain(strm, &ch);
            if (eos) strm->out_eos = 1;
            if (eos || flush || ctx->since_wake >= WAKE_BYTES) {
                wake_locked(strm, &wake);
                ctx->since_wake = 0;
            }
        }
        h2_hub_unlock(hub);
        if (wake) h2_hub_wake(hub);
    }
    chain_free(&ch);
    /* mod_logio: the network filter counts what goes out (%O), as the core's does */
    if (out_bytes && c2_logio_add_out) c2_logio_add_out(c2, out_bytes);
    ctx->out_queued += out_bytes;
    if (rv != APR_SUCCESS) c2->aborted = 1;
    if (eor && c2_logio_add_out && ctx->out_queued) c2_log_sent(c2, ctx, strm);
    if (eor) {
        if (!inline_mode && ctx->r) {
            /* c1 counts the request in its scoreboard slot (a worker has none) */
            request_rec *rr = ctx->r;
            while (rr->next) rr = rr->next;
            h2_hub_lock(hub);
            strm->sb_count = 1;
            strm->sb_bytes = rr->bytes_sent;
            h2_hub_unlock(hub);
        }
        ctx->r = NULL;
        apr_bucket_destroy(eor);  /* logs the request and destroys its pool */
    }
    return rv;
}

/* ---------------------------------------------------------------------------------- */
/* request body */

/* Does mod_reqtimeout watch this connection's reads? */
static int c2_has_reqtimeout(conn_rec *c2)
{
    ap_filter_t *f;
    for (f = c2->input_filters; f; f = f->next)
        if (f->frec && f->frec->name && !strcasecmp(f->frec->name, "reqtimeout")) return 1;
    return 0;
}

/* LimitRequestBody exceeded: 413 (the rest of the body is discarded once c2 is done) */
static apr_status_t c2_body_too_large(h2_conn_ctx *ctx, conn_rec *c2)
{
    apr_bucket_brigade *eb = apr_brigade_create(ctx->r->pool, c2->bucket_alloc);
    ctx->body_error = 1;
    APR_BRIGADE_INSERT_TAIL(eb, ap_bucket_error_create(HTTP_REQUEST_ENTITY_TOO_LARGE, NULL,
                                                       ctx->r->pool, c2->bucket_alloc));
    APR_BRIGADE_INSERT_TAIL(eb, apr_bucket_eos_create(c2->bucket_alloc));
    return ap_pass_brigade(ctx->r->output_filters, eb);
}

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
    apr_time_t deadline;
    int timed_out = 0;

    if (strm->ws) return h2_ws_c2_in(f, bb, mode, block, readbytes);  /* RFC 8441 */
    if (mode == AP_MODE_INIT) return APR_SUCCESS;
    if (ctx->body_error) return APR_ENOSPC;
    if (readbytes <= 0) readbytes = 64 * 1024;
    if (ctx->r && strm->req_has_body && !strm->in_no_flow) {
        /* LimitRequestBody, as HTTP_IN (which c2 does not use) enforces it */
        apr_off_t limit = ap_get_limit_req_body(ctx->r);
        int over;
        h2_hub_lock(hub);
        /* c1 checks the DATA against it as it arrives (nothing past it is buffered) */
        if (limit > 0) strm->body_limit = limit;
        over = strm->in_over;
        h2_hub_unlock(hub);
        if (limit > 0 && readbytes > limit - ctx->body_read + 1)
            readbytes = limit - ctx->body_read + 1;  /* never hand over more than limit+1 */
        if (limit > 0 && (over || ctx->body_read > limit
                          || (strm->req_content_length > 0
                              && strm->req_content_length > limit)))
            return c2_body_too_large(ctx, c2);
    }
    if (ctx->r && ctx->r->expecting_100 && !ctx->resp_sent && strm->req_has_body) {
        ctx->r->expecting_100 = 0;
        queue_interim_100(ctx);
    }
    if (readbytes > 64 * 1024) readbytes = 64 * 1024;
    want = (apr_size_t)readbytes;
    /* the timeout of this read: the socket's, which mod_reqtimeout narrows to what is left
     * of its header/body budget for each blocking read (Timeout or H2StreamTimeout
     * otherwise, set when the request started) */
    if (apr_socket_timeout_get(ctx->sock, &timeout) != APR_SUCCESS || timeout == 0)
        timeout = h2_config_stream_timeout(c2->base_server, ctx->r);
    deadline = timeout > 0 ? apr_time_now() + timeout : 0;

    h2_hub_lock(hub);
    for (;;) {
        /* a request without (more) body ends cleanly even when the stream is gone */
        if (strm->in_head || strm->in_eos || !strm->req_has_body) break;
        if (c2_gone(strm)) { rv = APR_ECONNABORTED; break; }
        if (strm->in_over) { rv = APR_ENOSPC; break; }   /* c1 saw LimitRequestBody */
        if (block == APR_NONBLOCK_READ) { rv = APR_EAGAIN; break; }
        strm->in_waiting = 1;
        if (strm->in_consumed) wake_locked(strm, &wake);
        if (wake) {
            h2_hub_unlock(hub);
            h2_hub_wake(hub);
            wake = 0;
            h2_hub_lock(hub);
            continue;
        }
        {
            /* a timeout < 0 waits for ever (in steps, so that an abort is seen) */
            apr_interval_time_t left = deadline ? deadline - apr_time_now()
                                                : apr_time_from_sec(1);
            if (left <= 0) {
                rv = APR_TIMEUP;
                break;
            }
            if (ctx->inline_mode) {
                /* on c1's thread: c1's I/O brings the body (and sends WINDOW_UPDATEs) */
                apr_status_t prv;
                if (left > apr_time_from_sec(1)) left = apr_time_from_sec(1);
                h2_hub_unlock(hub);
                prv = hub->inline_pump(hub->inline_baton, left);
                h2_hub_lock(hub);
                if (prv != APR_SUCCESS && !APR_STATUS_IS_TIMEUP(prv)) {
                    rv = APR_ECONNABORTED;
                    break;
                }
                continue;
            }
            h2_strm_wait(strm, left);
        }
    }
    if (rv == APR_TIMEUP) {
        strm->in_waiting = 0;
        timed_out = 1;
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
    h2_hub_unlock(hub);
    if (wake) h2_hub_wake(hub);
    if (rv == APR_ENOSPC && ctx->r) return c2_body_too_large(ctx, c2);
    if (timed_out) {
        /* mod_reqtimeout logs its own timeouts (once per request); Timeout alone is ours */
        ap_log_cerror(APLOG_MARK, c2_has_reqtimeout(c2) ? APLOG_DEBUG : APLOG_INFO, 0, c2,
                      H2LOGNO(00704) "h2 stream %u: request body read timeout",
                      (unsigned)strm->id);
    }
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

/* A 103 before the handler runs (RFC 8297), at most one per response: with H2EarlyHints
 * on, the H2EarlyHint fields and a Link preload field per H2PushResource (with push
 * allowed, those resources are promised together with the 103 and not again with the
 * final response); and the Link fields learned from earlier responses of the same path
 * (h2_hints.h, H2EarlyHintsLearned), which are never pushed from here (the final
 * response's own Link fields are, as before). */
static void send_early_hints(h2_conn_ctx *ctx, request_rec *r)
{
    const h2_dir_config *d = h2_config_rget(r);
    apr_table_t *t;
    h2_strm *strm = ctx->strm;
    h2_push_req *pushes = NULL;
    int i, push_ok = 0;
    if (!d || ctx->resp_sent) return;
    t = apr_table_make(r->pool, 5);
    if (h2_config_early_hints(r->server, r)) {
        for (i = 0; d->early_hints && i < d->early_hints->nelts; ++i) {
            const h2_early_hint *eh = &APR_ARRAY_IDX(d->early_hints, i, h2_early_hint);
            apr_table_add(t, eh->name, eh->value);
        }
        push_ok = strm->push_ok && h2_push_c2_allowed(r, strm->pushed_on != 0);
        pushes = h2_push_c2_config_links(r, t, push_ok);
    }
    if (!strm->pushed_on)
        h2_hints_c2_add(r, strm->method, strm->authority, strm->path, t);
    if (apr_is_empty_table(t)) {
        h2_push_list_free(pushes);
        return;
    }
    if (push_ok) apr_table_setn(r->notes, "H2_PUSH_RES_DONE", "1");
    c2_queue_interim(strm, r->pool, t, 103, pushes);
}

static int c2_fixups(request_rec *r)
{
    h2_conn_ctx *ctx = h2_ctx_get(r->connection);
    if (!ctx || !ctx->is_c2) return DECLINED;
    /* mod_http2's variables (HTTP2, H2PUSH, H2_STREAM_ID, ...), the table of h2_vars.c
     * that http2_var_lookup answers from too */
    h2_vars_c2_set_env(r);
    return DECLINED;
}

/* The 103 of a client's request (not of subrequests or internal redirects). */
static int c2_fixups_hints(request_rec *r)
{
    h2_conn_ctx *ctx = h2_ctx_get(r->connection);
    if (!ctx || !ctx->is_c2) return DECLINED;
    if (!r->main && !r->prev)
        send_early_hints(ctx, r);
    return DECLINED;
}

static void c2_child_init(apr_pool_t *pchild, server_rec *s)
{
    c2_logio_add_out = APR_RETRIEVE_OPTIONAL_FN(ap_logio_add_bytes_out);
    c2_logio_add_in = APR_RETRIEVE_OPTIONAL_FN(ap_logio_add_bytes_in);
    if (apr_socket_create(&c2_inline_sock, APR_INET, SOCK_STREAM, APR_PROTO_TCP,
                          pchild) != APR_SUCCESS) {
        c2_inline_sock = NULL;
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, H2LOGNO(00703)
                     "h2: cannot create the placeholder socket of inline streams");
    }
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
    /* process_connection on c2: FIRST, after mod_reqtimeout (whose process_connection
     * hook installs its filters on the connection), before mod_ssl (nothing to do on a
     * secondary connection) and long before http_core's HTTP/1.1 loop (REALLY_LAST) */
    {
        static const char *const after_reqtimeout[] = { "mod_reqtimeout.c", NULL };
        ap_hook_process_connection(c2_process_connection, after_reqtimeout, NULL,
                                   APR_HOOK_FIRST);
    }
    /* child_init: MIDDLE, the placeholder socket of inline streams needs no module */
    ap_hook_child_init(c2_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    /* fixups: the stream's environment variables, for every (sub/redirected) request */
    ap_hook_fixups(c2_fixups, NULL, NULL, APR_HOOK_MIDDLE);
    /* fixups, REALLY_LAST: the 103 (configured and learned hints). httpd runs fixups after
     * every access check of the request (ap_process_request_internal: access_checker,
     * check_user_id, auth_checker, type_checker, then fixups), so a request they refuse
     * (401, 403) never gets here and its error page leaks no hint; REALLY_LAST so that
     * the other modules' fixups that may still end the request (mod_rewrite's
     * per-directory rules, [F] or a redirect, run at FIRST; a RUN_ALL hook stops at the
     * first one that does not decline) have run too. */
    ap_hook_fixups(c2_fixups_hints, NULL, NULL, APR_HOOK_REALLY_LAST);
}

/* ---------------------------------------------------------------------------------- */
/* c2 setup and request processing */

static apr_sockaddr_t *c2_addr_copy(apr_pool_t *p, const apr_sockaddr_t *sa)
{
    apr_sockaddr_t *n;
    if (!sa) return NULL;
    n = apr_pmemdup(p, sa, sizeof(*sa));
    n->pool = p;
    n->hostname = apr_pstrdup(p, sa->hostname);
    n->servname = apr_pstrdup(p, sa->servname);
    n->ipaddr_ptr = (char *)n + ((const char *)sa->ipaddr_ptr - (const char *)sa);
    n->next = NULL;
    return n;
}

/* The placeholder socket of a c2. mod_http2 does the same: the client socket belongs to
 * c1's thread, and modules set timeouts on "their" connection's socket (mod_reqtimeout
 * narrows it for every blocking read), which must not touch c1's socket from a worker. A
 * worker has a socket of its own (never connected), so that the timeout mod_reqtimeout
 * sets there is the one c2_in_filter honours for that worker's stream. */
static apr_socket_t *c2_worker_socket(h2_worker_ctx *w, c2_cache *cc)
{
    if (!w) return c2_inline_sock;
    if (!cc->sock && apr_socket_create(&cc->sock, APR_INET, SOCK_STREAM, APR_PROTO_TCP,
                                       w->pool) != APR_SUCCESS)
        cc->sock = NULL;
    return cc->sock;
}

/* worker: a conn_rec for the stream, set up the way httpd sets up a secondary
 * connection: c2->master = c1, a conn_config of its own, our network filters, then
 * pre_connection (the event MPM gives a secondary connection its own state, mod_logio
 * its counters; mod_ssl and the core leave secondary connections alone, and mod_ssl's
 * variables and access checks look at c->master). Returns NULL when c2 cannot be made. */
static conn_rec *c2_worker_setup(h2_strm *strm, h2_worker_ctx *w, apr_pool_t **ppool)
{
    conn_rec *c1 = strm->hub->c;
    conn_rec *c2;
    apr_pool_t *pool;
    apr_socket_t *sock;
    h2_conn_ctx *ctx;
    c2_cache *cc = NULL;
    int rv;

    if (w) {
        cc = w->c2_cache;
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
    sock = c2_worker_socket(w, cc);
    if (!sock) {
        ap_log_cerror(APLOG_MARK, APLOG_ERR, 0, c1, H2LOGNO(00701)
                      "h2 stream %u: no socket for the stream connection", (unsigned)strm->id);
        return NULL;
    }
    c2 = apr_pcalloc(pool, sizeof(*c2));
    c2->pool = pool;
    c2->master = c1;
    c2->base_server = c1->base_server;
    c2->vhost_lookup_data = c1->vhost_lookup_data;
    /* copies in c2's pool (c1 waits for the stream's end before its pool goes,
     * h2_c1_drain, so c2->master stays valid; these need no c1 at all) */
    c2->local_addr = c2_addr_copy(pool, c1->local_addr);
    c2->client_addr = c2_addr_copy(pool, c1->client_addr);
    c2->client_ip = apr_pstrdup(pool, c1->client_ip);
    c2->remote_host = apr_pstrdup(pool, c1->remote_host);
    c2->remote_logname = apr_pstrdup(pool, c1->remote_logname);
    c2->local_ip = apr_pstrdup(pool, c1->local_ip);
    c2->local_host = apr_pstrdup(pool, c1->local_host);
    c2->id = (c1->id << 16) ^ (long)strm->id;
    c2->conn_config = ap_create_conn_config(pool);
    c2->notes = apr_table_make(pool, 5);
    c2->bucket_alloc = w ? w->bucket_alloc : c1->bucket_alloc;
    c2->cs = NULL;               /* the event MPM's pre_connection gives it its own */
    c2->double_reverse = c1->double_reverse;
    /* one request per c2; no keep-alive state (mod_reqtimeout times the body from its
     * first read, not from an idle wait) */
    c2->keepalives = 0;
    c2->keepalive = AP_CONN_CLOSE;
    /* the MPM must never poll or read c2 by itself */
    c2->clogging_input_filters = 1;
    c2->log = c1->log;
    /* The scoreboard slot belongs to the thread that owns it. A worker is no MPM thread
     * and has no slot: httpd's request code skips the scoreboard for a NULL handle; c1
     * shows its streams in its own slot (h2_c1 status). Inline (no worker pool) the
     * stream runs on c1's own thread, in c1's slot. */
    c2->sbh = w ? NULL : c1->sbh;
#if APR_HAS_THREADS
    c2->current_thread = w ? w->thread : c1->current_thread;
#endif
    ap_set_core_module_config(c2->conn_config, sock);
    apr_socket_timeout_set(sock, c1->base_server->timeout);
    ctx = apr_pcalloc(pool, sizeof(*ctx));
    ctx->is_c2 = 1;
    {
        const h2_conn_ctx *mctx = h2_ctx_get(c1);
        ctx->tag = mctx && mctx->tag
                   ? apr_psprintf(pool, "%s-%u", mctx->tag, (unsigned)strm->id)
                   : apr_psprintf(pool, "%ld-%u", c1->id, (unsigned)strm->id);
    }
    ctx->proto = strm->hub->proto;
    ctx->c1 = strm->c1;
    ctx->strm = strm;
    ctx->sock = sock;
    ap_set_module_config(c2->conn_config, &h2_module, ctx);
    ap_add_input_filter_handle(c2_in_handle, NULL, NULL, c2);
    ap_add_output_filter_handle(c2_out_handle, NULL, NULL, c2);
    rv = ap_run_pre_connection(c2, sock);
    if (rv != OK && rv != DONE) {
        ap_log_cerror(APLOG_MARK, APLOG_DEBUG, 0, c2, H2LOGNO(00702)
                      "h2 stream %u: pre_connection refused the stream connection (%d)",
                      (unsigned)strm->id, rv);
        c2->aborted = 1;
    }
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
    /* as ap_read_request does before reading a request (the event MPM's state for the
     * request, mod_reqtimeout's header stage) */
    ap_run_pre_read_request(r, c2);
    r->request_time = apr_time_now();
    r->method = strm->method ? strm->method : "GET";
    r->method_number = ap_method_number_of(r->method);
    if (r->method_number == M_GET && r->method[0] == 'H') r->header_only = 1;
    r->protocol = "HTTP/2.0";
    r->proto_num = HTTP_VERSION(2, 0);
    uri = strm->path;
    if (r->method_number == M_CONNECT && strm->authority && (!strm->ws || strm->ws->connect))
        uri = strm->authority;
    else if (strm->scheme && strm->authority && *strm->authority && !strm->req_too_large
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
        if (c2_logio_add_in) {
            /* %I: the request's fields as they would be on the wire uncompressed */
            apr_off_t n = (apr_off_t)strlen(r->the_request) + 2;
            for (i = 0; i < strm->req->n; ++i)
                n += (apr_off_t)(strm->req->nv[i].name_len + strm->req->nv[i].value_len + 4);
            c2_logio_add_in(c2, n);
        }
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
    /* extended CONNECT -> upgrade GET; never for a request answered 431 (it has no ws) */
    if (strm->ws && !strm->req_too_large) h2_ws_c2_request(r, strm);
    r->per_dir_config = r->server->lookup_defaults;
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
    /* Reading the request body waits at most this long for each piece (Timeout, or
     * H2StreamTimeout); mod_reqtimeout narrows it for every blocking read, as it does on
     * an HTTP/1.1 connection's socket (c2_in_filter honours the socket's timeout). */
    apr_socket_timeout_set(ctx->sock, h2_config_stream_timeout(r->server, r));
    if (status) {
        r->status = HTTP_OK;
        ap_die(status, r);
        ap_process_request_after_handler(r);
        return;
    }
    r->status = HTTP_OK;
    ap_process_request(r);
}

/* process_connection on a c2 (see h2_c2_register_hooks): the stream's one request. */
static int c2_process_connection(conn_rec *c2)
{
    h2_conn_ctx *ctx;
    if (!c2->master || !(ctx = h2_ctx_get(c2)) || !ctx->is_c2) return DECLINED;
    if (!ctx->strm->aborted && !c2->aborted)
        process_request(c2, ctx->strm);
    return DONE;
}

void h2_c2_process(void *baton, h2_worker_ctx *w)
{
    h2_strm *strm = baton;
    h2_hub *hub = strm->hub;
    apr_pool_t *pool = NULL;
    conn_rec *c2;
    h2_conn_ctx *ctx = NULL;
    int wake = 0;

    if (strm->ws && !strm->aborted && h2_ws_c2_begin(strm) != 0) {
        /* the connection holds its cap of descriptors: refused before anything of the
         * request ran, which a client may retry (RFC 9113 §8.7) */
        h2_hub_lock(hub);
        strm->rst_code = H2_REFUSED_STREAM;
        strm->out_eos = 1;
        strm->c2_done = 1;
        wake_locked(strm, &wake);
        h2_hub_unlock(hub);
        if (wake) h2_hub_wake(hub);
        return;
    }
    c2 = c2_worker_setup(strm, w, &pool);
    if (c2) {
        ctx = h2_ctx_get(c2);
        ctx->inline_mode = (w == NULL);
        /* as the MPM runs a connection: process_connection's hooks install what they
         * install per connection (mod_reqtimeout's filters), ours runs the request */
        if (!strm->aborted && !c2->aborted)
            ap_run_process_connection(c2);
    }
    h2_hub_lock(hub);
    if (!strm->out_eos) {
        /* handler never completed the body */
        if (ctx && ctx->resp_sent && !strm->aborted && !strm->rst_code)
            strm->rst_code = H2_INTERNAL_ERROR;
        strm->out_eos = 1;
    }
    h2_ws_c2_end_locked(strm);   /* the tunnel is over: its pipe goes at once */
    strm->c2_done = 1;
    wake_locked(strm, &wake);
    h2_hub_unlock(hub);
    /* strm may be released by c1 from here on */
    if (wake) h2_hub_wake(hub);
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
