/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_ws.c -- WebSockets over HTTP/2 (RFC 8441). See h2_ws.h.
 */
#include <stddef.h>   /* before APR: offsetof for its ring macros (else UB via NULL) */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apr_strings.h"
#include "apr_sha1.h"
#include "apr_base64.h"
#include "apr_general.h"
#include "apr_atomic.h"
#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_connection.h"
#include "http_protocol.h"
#include "http_request.h"
#include "http_log.h"
#include "util_filter.h"

#include "h2_log.h"
#include "h2_ctx.h"
#include "h2_stream.h"
#include "h2_config.h"
#include "h2_workers.h"
#include "h2_ws.h"

APLOG_USE_MODULE(h2);

#define WS_READ_MAX        (64 * 1024)   /* bytes handed to one read */
#define WS_CONSUME_NOTIFY  (16 * 1024)   /* tell c1 (window updates) after this many */
#define WS_PIPE_FDS        2             /* a tunnel's pipe, both ends */
#define WS_GUID            "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  /* RFC 6455 §1.3 */

/* ---------------------------------------------------------------------------------- */
/* c1 side */

int h2_ws_c1_enabled(server_rec *s)
{
    return h2_config_websockets(s) && h2_workers_get() != NULL;
}

int h2_ws_c1_request(h2_strm *strm, const h2_request *req)
{
    h2_ws *ws;
    int connect = !req->protocol && req->method_len == 7
                  && !memcmp(req->method, "CONNECT", 7) && h2_workers_get() != NULL;
    if (!req->protocol && !connect) return 0;
    ws = calloc(1, sizeof(*ws));
    if (!ws) return -1;
    ws->rfd = ws->wfd = -1;   /* made by the worker when the tunnel polls (lazy) */
    ws->connect = connect;
    ws->websocket = req->protocol_len == 9 && !memcmp(req->protocol, "websocket", 9);
    strm->ws = ws;
    /* debug only: a client opens as many of them as it likes */
    ap_log_cerror(APLOG_MARK, APLOG_DEBUG, 0, strm->hub->c, H2LOGNO(00900)
                  "h2 stream %u: %s CONNECT, tunnel set up (pipe %s)", (unsigned)strm->id,
                  connect ? "plain" : "extended", ws->rfd >= 0 ? "made" : "none");
    return 0;
}

void h2_ws_signal_locked(h2_strm *strm)
{
    h2_ws *ws = strm->ws;
    ssize_t n;
    if (!ws || ws->wfd < 0 || ws->signalled) return;
    do {
        n = write(ws->wfd, "", 1);
    } while (n < 0 && errno == EINTR);
    /* EAGAIN: the pipe is full, hence readable: as good as our byte */
    ws->signalled = 1;
}

static void ws_close_pipe(h2_ws *ws)
{
    if (ws->rfd >= 0) close(ws->rfd);
    if (ws->wfd >= 0) close(ws->wfd);
    ws->rfd = ws->wfd = -1;
    ws->signalled = 0;
}

void h2_ws_free(h2_strm *strm)
{
    h2_ws *ws = strm->ws;
    if (!ws) return;
    ws_close_pipe(ws);   /* only when c2 never ended (it closes the pipe itself) */
    free(ws);
    strm->ws = NULL;
}

/* ---------------------------------------------------------------------------------- */
/* c2 side: descriptors */

/* The child's last second with a refusal logged at INFO (one line a second at most; a
 * client cannot flood the log with refused streams). */
static volatile apr_uint32_t ws_refused_sec;

static void ws_c2_log_refused(h2_strm *strm, int held)
{
    apr_uint32_t now = (apr_uint32_t)apr_time_sec(apr_time_now());
    int level = apr_atomic_xchg32(&ws_refused_sec, now) != now ? APLOG_INFO : APLOG_DEBUG;
    ap_log_cerror(APLOG_MARK, level, 0, strm->hub->c, H2LOGNO(00931)
                  "h2 stream %u: the connection holds %d descriptors (cap %d): WebSocket "
                  "refused (REFUSED_STREAM)", (unsigned)strm->id, held, H2_FDS_PER_CONN);
}

int h2_ws_c2_begin(h2_strm *strm)
{
    h2_ws *ws = strm->ws;
    h2_hub *hub = strm->hub;
    int held, ok;
    if (!ws || !(ws->websocket || ws->connect)) return 0;
    h2_hub_lock(hub);
    held = hub->out_fds;
    ok = held + WS_PIPE_FDS <= H2_FDS_PER_CONN;
    if (ok) {
        hub->out_fds += WS_PIPE_FDS;
        ws->fds_held = 1;
    }
    h2_hub_unlock(hub);
    if (!ok) ws_c2_log_refused(strm, held);
    return ok ? 0 : -1;
}

void h2_ws_c2_end_locked(h2_strm *strm)
{
    h2_ws *ws = strm->ws;
    if (!ws) return;
    ws_close_pipe(ws);
    ws->rfile = NULL;    /* in c2's pool, which goes now */
    if (ws->fds_held) {
        strm->hub->out_fds -= WS_PIPE_FDS;
        ws->fds_held = 0;
    }
}

/* lock held: the stream's pipe, non-blocking and close-on-exec; -1 (errno) when none */
static int ws_c2_pipe_locked(h2_strm *strm)
{
    h2_ws *ws = strm->ws;
    int fds[2], i;
    if (pipe(fds) != 0) return -1;
    for (i = 0; i < 2; ++i) {
        int fl = fcntl(fds[i], F_GETFL);
        if (fl < 0 || fcntl(fds[i], F_SETFL, fl | O_NONBLOCK) < 0
            || fcntl(fds[i], F_SETFD, FD_CLOEXEC) < 0) {
            int e = errno;
            close(fds[0]);
            close(fds[1]);
            errno = e;
            return -1;
        }
    }
    ws->rfd = fds[0];
    ws->wfd = fds[1];
    ws->signalled = 0;
    /* news that came before the pipe: readable at once */
    if (strm->in_head || strm->in_eos || strm->aborted) h2_ws_signal_locked(strm);
    return 0;
}

/* ---------------------------------------------------------------------------------- */
/* c2 side: the request */

void h2_ws_c2_request(request_rec *r, h2_strm *strm)
{
    h2_ws *ws = strm->ws;
    unsigned char key[16];
    char key64[32];
    unsigned char dg[APR_SHA1_DIGESTSIZE];
    apr_sha1_ctx_t sha;
    const char *uri;

    if (!ws || ws->connect) return;   /* a plain CONNECT stays one (mod_proxy_connect) */
    if (!ws->websocket) {
        /* connect-udp and friends: not implemented (answered before any hook runs) */
        r->status = HTTP_NOT_IMPLEMENTED;
        return;
    }
    /* RFC 8441 §5: the extended CONNECT stands for the HTTP/1.1 upgrade GET of RFC 6455
     * §4.1, which is what httpd's WebSocket proxying understands */
    r->method = "GET";
    r->method_number = M_GET;
    r->header_only = 0;
    r->read_chunked = 0;   /* the GET has no body; the tunnel reads the stream */
    uri = strm->path && *strm->path ? strm->path : "/";
    r->the_request = apr_pstrcat(r->pool, "GET ", uri, " HTTP/2.0", NULL);
    /* parsed again as a GET's target (a CONNECT's is host:port) */
    r->status = HTTP_OK;
    ap_parse_uri(r, uri);
    apr_table_setn(r->headers_in, "Upgrade", "websocket");
    apr_table_setn(r->headers_in, "Connection", "Upgrade");
    if (!apr_table_get(r->headers_in, "Sec-WebSocket-Version"))
        apr_table_setn(r->headers_in, "Sec-WebSocket-Version", "13");
    if (apr_generate_random_bytes(key, sizeof(key)) != APR_SUCCESS) {
        apr_time_t t = apr_time_now();
        memcpy(key, &t, sizeof(t));
        memcpy(key + 8, &r, sizeof(r) < 8 ? sizeof(r) : 8);
    }
    apr_base64_encode(key64, (const char *)key, sizeof(key));
    apr_table_setn(r->headers_in, "Sec-WebSocket-Key", apr_pstrdup(r->pool, key64));
    /* RFC 6455 §4.2.2: the 101 must carry base64(SHA-1(key . GUID)) */
    apr_sha1_init(&sha);
    apr_sha1_update(&sha, key64, (unsigned int)strlen(key64));
    apr_sha1_update(&sha, WS_GUID, (unsigned int)strlen(WS_GUID));
    apr_sha1_final(dg, &sha);
    apr_base64_encode(ws->accept, (const char *)dg, sizeof(dg));
    /* the tunnel ends when either side closes: END_STREAM is the client's last word
     * (RFC 8441 §5), and a backend's close must end the stream (no half-open tunnel) */
    apr_table_setn(r->subprocess_env, "proxy-nohalfclose", "1");
}

/* post_read_request: the vhost the request landed on must allow WebSockets */
static int ws_c2_post_read(request_rec *r)
{
    h2_conn_ctx *ctx;
    if (!r->connection->master) return DECLINED;
    ctx = h2_ctx_get(r->connection);
    if (!ctx || !ctx->is_c2 || !ctx->strm || !ctx->strm->ws || ctx->strm->ws->connect
        || r->main || r->prev)
        return DECLINED;
    if (!h2_config_websockets(r->server))
        return HTTP_NOT_IMPLEMENTED;
    return DECLINED;
}

/* ---------------------------------------------------------------------------------- */
/* c2 side: the tunnel's input */

/* lock held: empty the pipe; c1 writes again with the next news */
static void ws_c2_drain_locked(h2_ws *ws)
{
    char buf[64];
    if (ws->rfd < 0) return;
    while (read(ws->rfd, buf, sizeof(buf)) > 0)
        ;
    ws->signalled = 0;
}

apr_status_t h2_ws_c2_in(ap_filter_t *f, apr_bucket_brigade *bb, ap_input_mode_t mode,
                         apr_read_type_e block, apr_off_t readbytes)
{
    conn_rec *c2 = f->c;
    h2_conn_ctx *ctx = h2_ctx_get(c2);
    h2_strm *strm = ctx->strm;
    h2_ws *ws = strm->ws;
    h2_hub *hub = strm->hub;
    apr_size_t got = 0, want;
    apr_status_t rv = APR_SUCCESS;
    apr_interval_time_t timeout;
    apr_time_t deadline = 0;
    int wake = 0;

    if (mode == AP_MODE_INIT) return APR_SUCCESS;
    if (!ws->upgraded) {
        /* the upgrade request itself has no body */
        if (ws->eos_given) return APR_EOF;
        if (mode != AP_MODE_SPECULATIVE) ws->eos_given = 1;
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(c2->bucket_alloc));
        return APR_SUCCESS;
    }
    if (ws->failed) return APR_ECONNABORTED;
    if (readbytes <= 0 || readbytes > WS_READ_MAX) readbytes = WS_READ_MAX;
    want = (apr_size_t)readbytes;
    timeout = h2_config_stream_timeout(c2->base_server, ctx->r);
    if (timeout <= 0) timeout = apr_time_from_sec(60);

    h2_hub_lock(hub);
    for (;;) {
        ws_c2_drain_locked(ws);
        if (strm->in_head || strm->in_eos || strm->aborted) break;
        if (h2_workers_stopping()) { rv = APR_ECONNABORTED; break; }  /* no client left */
        if (block == APR_NONBLOCK_READ) { rv = APR_EAGAIN; break; }
        strm->in_waiting = 1;
        if (strm->in_consumed) h2_strm_mark_dirty(strm, &wake);
        if (wake) {
            h2_hub_unlock(hub);
            h2_hub_wake(hub);
            wake = 0;
            h2_hub_lock(hub);
            continue;
        }
        {
            /* h2_strm_wait waits a second at most: the deadline is ours */
            apr_time_t now = apr_time_now();
            if (!deadline) deadline = now + timeout;
            if (now >= deadline) {
                rv = APR_TIMEUP;
                break;
            }
            h2_strm_wait(strm, deadline - now);
        }
    }
    if (rv == APR_SUCCESS && strm->in_head) {
        h2_ichunk *ic = strm->in_head;
        while (ic && got < want) {
            apr_size_t k = ic->len - ic->off;
            if (k > want - got) k = want - got;
            APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_heap_create(ic->data + ic->off, k, NULL,
                                                               c2->bucket_alloc));
            got += k;
            if (mode == AP_MODE_SPECULATIVE) {
                ic = ic->next;
                continue;
            }
            ic->off += k;
            if (ic->off == ic->len) {
                strm->in_head = ic->next;
                if (!strm->in_head) strm->in_tail = NULL;
                free(ic);
                ic = strm->in_head;
            }
        }
        if (mode != AP_MODE_SPECULATIVE) {
            strm->in_bytes -= got;
            strm->in_consumed += got;
            /* window updates promptly: a tunnel's peer waits for them */
            if (strm->in_consumed >= WS_CONSUME_NOTIFY || !strm->in_head)
                h2_strm_mark_dirty(strm, &wake);
        }
    }
    else if (rv == APR_SUCCESS) {
        /* END_STREAM is the client's FIN; a reset or a gone connection an abort */
        rv = strm->in_eos ? APR_EOF : APR_ECONNABORTED;
    }
    h2_hub_unlock(hub);
    if (wake) h2_hub_wake(hub);
    return rv;
}

/* get_pollfd_from_conn: mod_proxy's tunnel polls the client side of a c2 through this */
static apr_status_t ws_c2_get_pollfd(conn_rec *c, struct apr_pollfd_t *pfd,
                                     apr_interval_time_t *ptimeout)
{
    h2_conn_ctx *ctx;
    h2_ws *ws;
    if (!c->master) return APR_ENOTIMPL;
    ctx = h2_ctx_get(c);
    if (!ctx || !ctx->is_c2 || !ctx->strm || !ctx->strm->ws) return APR_ENOTIMPL;
    ws = ctx->strm->ws;
    if (!(ws->websocket || ws->connect) || !ws->upgraded || !ws->fds_held)
        return APR_ENOTIMPL;
    if (ws->rfd < 0) {
        /* the tunnel starts: now (and only now) the stream costs its pipe, counted since
         * h2_ws_c2_begin */
        h2_hub *hub = ctx->strm->hub;
        int rv, e;
        h2_hub_lock(hub);
        rv = ws_c2_pipe_locked(ctx->strm);
        e = errno;
        h2_hub_unlock(hub);
        if (rv != 0) {
            /* without a pipe the tunnel cannot be set up: the handler fails */
            ap_log_cerror(APLOG_MARK, APLOG_INFO, e, c, H2LOGNO(00850)
                          "h2 stream %u: no pipe for the tunnel",
                          (unsigned)ctx->strm->id);
            return APR_ENOTIMPL;
        }
    }
    if (!ws->rfile && apr_os_pipe_put_ex(&ws->rfile, &ws->rfd, 0, c->pool) != APR_SUCCESS)
        return APR_ENOTIMPL;
    pfd->desc_type = APR_POLL_FILE;
    pfd->desc.f = ws->rfile;
    if (ptimeout) {
        apr_interval_time_t t = h2_config_stream_timeout(c->base_server, ctx->r);
        *ptimeout = t > 0 ? t : apr_time_from_sec(60);
    }
    return APR_SUCCESS;
}

/* ---------------------------------------------------------------------------------- */
/* c2 side: the response */

/* hop-by-hop and upgrade fields of the backend's 101: not part of the stream's 200 */
static const char *const ws_c2_skip[] = {
    "Connection", "Upgrade", "Sec-WebSocket-Accept", "Content-Length",
    "Transfer-Encoding", "Keep-Alive", NULL
};

/* queue the final response for c1 (c2 side of make_response, for the 101 path) */
static void ws_c2_respond(h2_conn_ctx *ctx, apr_pool_t *p, apr_table_t *fields, int status)
{
    h2_strm *strm = ctx->strm;
    h2_hub *hub = strm->hub;
    h2_hdrs *hdrs;
    int wake = 0;
    hdrs = h2_hdrs_from_table_skip(p, fields, status, ws_c2_skip);
    ctx->resp_sent = 1;
    if (ctx->r) {
        ctx->r->status = status;
        ctx->r->status_line = NULL;
        ctx->r->sent_bodyct = 1;
    }
    if (!hdrs) return;   /* out of memory: c1 resets the stream when the worker ends */
    h2_hub_lock(hub);
    strm->resp = hdrs;
    h2_strm_mark_dirty(strm, &wake);
    h2_hub_unlock(hub);
    if (wake) h2_hub_wake(hub);
}

int h2_ws_c2_interim(conn_rec *c2, const char *text, apr_size_t len)
{
    h2_conn_ctx *ctx = h2_ctx_get(c2);
    h2_ws *ws = ctx && ctx->strm ? ctx->strm->ws : NULL;
    apr_pool_t *p = ctx && ctx->r ? ctx->r->pool : c2->pool;
    char *s, *line, *last;
    const char *accept;
    apr_table_t *t;
    int status = 0;

    if (!ws || !(ws->websocket || ws->connect) || ws->upgraded || ws->failed) return 0;
    s = apr_pstrmemdup(p, text, len);
    line = apr_strtok(s, "\r\n", &last);
    if (!line || strncmp(line, "HTTP/", 5) || !(line = strchr(line, ' '))) return 0;
    status = atoi(line + 1);
    if (ws->connect) {
        /* mod_proxy_connect's "200 Connection Established": the 2xx of §8.5, the
         * stream is a tunnel from here on */
        if (status < 200 || status > 299) return 0;
        t = apr_table_make(p, 4);
        while ((line = apr_strtok(NULL, "\r\n", &last))) {
            char *colon = strchr(line, ':');
            if (!colon) continue;
            *colon++ = 0;
            while (*colon == ' ' || *colon == '\t') ++colon;
            apr_table_addn(t, line, colon);
        }
        ws->upgraded = 1;
        ws_c2_respond(ctx, p, t, HTTP_OK);
        return 1;
    }
    if (status != HTTP_SWITCHING_PROTOCOLS) return 0;
    t = apr_table_make(p, 8);
    while ((line = apr_strtok(NULL, "\r\n", &last))) {
        char *colon = strchr(line, ':');
        if (!colon) continue;
        *colon++ = 0;
        while (*colon == ' ' || *colon == '\t') ++colon;
        apr_table_addn(t, line, colon);
    }
    accept = apr_table_get(t, "Sec-WebSocket-Accept");
    if (accept && !strcmp(accept, ws->accept)) {
        /* RFC 8441 §5: the 2xx of the extended CONNECT; the stream is a tunnel now */
        ws->upgraded = 1;
        ws_c2_respond(ctx, p, t, HTTP_OK);
        return 1;
    }
    ap_log_cerror(APLOG_MARK, APLOG_INFO, 0, c2, H2LOGNO(00851)
                  "h2 stream %u: WebSocket upgrade answered with %s Sec-WebSocket-Accept: "
                  "502", (unsigned)ctx->strm->id, accept ? "a wrong" : "no");
    ws->failed = 1;
    ws_c2_respond(ctx, p, NULL, HTTP_BAD_GATEWAY);
    ctx->body_off = 1;
    return 1;
}

void h2_ws_c2_final(conn_rec *c2, request_rec *r)
{
    h2_conn_ctx *ctx = h2_ctx_get(c2);
    h2_ws *ws = ctx && ctx->strm ? ctx->strm->ws : NULL;
    if (!ws || !ws->websocket || ws->upgraded || ws->failed) return;
    if (r->status >= 200 && r->status < 300) {
        /* the resource answered like plain HTTP: it does not speak WebSocket */
        ap_log_cerror(APLOG_MARK, APLOG_DEBUG, 0, c2, H2LOGNO(00852)
                      "h2 stream %u: WebSocket request answered %d without upgrade: 502",
                      (unsigned)ctx->strm->id, r->status);
        ws->failed = 1;
        r->status = HTTP_BAD_GATEWAY;
        r->status_line = NULL;
        apr_table_clear(r->headers_out);
        apr_table_clear(r->err_headers_out);
        apr_table_setn(r->headers_out, "Content-Length", "0");
        r->content_type = NULL;
        r->content_encoding = NULL;
        ctx->body_off = 1;
    }
}

/* ---------------------------------------------------------------------------------- */

void h2_ws_register_hooks(void)
{
    /* get_pollfd_from_conn, MIDDLE: before core's (REALLY_LAST), which has no descriptor
     * for a secondary connection; we answer only for our WebSocket c2s */
    ap_hook_get_pollfd_from_conn(ws_c2_get_pollfd, NULL, NULL, APR_HOOK_MIDDLE);
    /* post_read_request, MIDDLE: a plain refusal (501), no ordering needs; it runs after
     * the vhost of the request is known, which is what H2WebSockets is checked against */
    ap_hook_post_read_request(ws_c2_post_read, NULL, NULL, APR_HOOK_MIDDLE);
}
