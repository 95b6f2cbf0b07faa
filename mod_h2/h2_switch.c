/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_switch.c -- protocol negotiation: ALPN "h2" (through mod_ssl), "h2c" by HTTP/1.1
 * Upgrade, "h2c" by prior knowledge (the client preface on a cleartext connection), and
 * the process_connection hook that runs (or resumes) a session.
 *
 * Threads: all hooks run on the connection's thread.
 */
#include <stddef.h>   /* before APR: offsetof for its ring macros (else UB via NULL) */
#include <string.h>
#include <stdlib.h>

#include <unistd.h>

#include "apr_atomic.h"
#include "apr_poll.h"
#include "apr_strings.h"
#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_connection.h"
#include "http_protocol.h"
#include "http_request.h"
#include "http_log.h"
#include "scoreboard.h"
#include "mod_ssl.h"

#include "h2_log.h"
#include "h2_ctx.h"
#include "h2_config.h"
#include "h2_c1.h"
#include "h2_switch.h"
#include "h2_proto.h"
#include "h2_session.h"

APLOG_USE_MODULE(h2);

static APR_OPTIONAL_FN_TYPE(ssl_is_https) *opt_is_https;

static int is_tls(conn_rec *c)
{
    if (!opt_is_https) opt_is_https = APR_RETRIEVE_OPTIONAL_FN(ssl_is_https);
    return opt_is_https && opt_is_https(c);
}

/* mod_http2's connection id "<child>-<serial>": the scoreboard child number and a
 * per-process connection counter, so that H2_STREAM_TAG values do not repeat while a
 * child lives (c->id is reused by the next connection on the same thread). */
static void switch_c1_tag(conn_rec *c, h2_conn_ctx *ctx)
{
    static apr_uint32_t serial;
    int child = (int)getpid();
    if (ctx->tag) return;
#if AP_MODULE_MAGIC_AT_LEAST(20211221, 8)
    if (c->sbh) {
        int thread;
        ap_sb_get_child_thread(c->sbh, &child, &thread);
    }
#endif
    ctx->tag = apr_psprintf(c->pool, "%d-%lu", child,
                            (unsigned long)apr_atomic_inc32(&serial) + 1);
}

static int offered(const apr_array_header_t *offers, const char *proto)
{
    int i;
    if (!offers) return 1;
    for (i = 0; i < offers->nelts; ++i)
        if (!strcmp(APR_ARRAY_IDX(offers, i, const char *), proto)) return 1;
    return 0;
}

/* A request may be upgraded when its body is small enough to read before switching. */
static int upgrade_body_ok(request_rec *r, server_rec *s)
{
    const char *cl = apr_table_get(r->headers_in, "Content-Length");
    const char *te = apr_table_get(r->headers_in, "Transfer-Encoding");
    apr_off_t len = 0;
    if (te) return 0;
    if (cl) {
        char *end;
        if (apr_strtoff(&len, cl, &end, 10) != APR_SUCCESS || *end || len < 0) return 0;
    }
    return len <= (apr_off_t)h2_config_sget(s)->upgrade_body_max;
}

static int h2_protocol_propose(conn_rec *c, request_rec *r, server_rec *s,
                               const apr_array_header_t *offers,
                               apr_array_header_t *proposals)
{
    int tls;
    if (c->master) return DECLINED;  /* stream connections stay what they are */
    if (!s) s = r ? r->server : c->base_server;
    tls = is_tls(c);
    if (!r) {
        /* ALPN during the TLS handshake */
        if (tls && offered(offers, "h2") && ap_is_allowed_protocol(c, NULL, s, "h2"))
            APR_ARRAY_PUSH(proposals, const char *) = "h2";
        return OK;
    }
    /* HTTP/1.1 Upgrade: only h2c, only on cleartext (RFC 7540 §3.2) */
    if (tls || !offered(offers, "h2c")) return DECLINED;
    if (!h2_config_upgrade(s, r) || !ap_is_allowed_protocol(c, r, s, "h2c")) return DECLINED;
    {
        /* RFC 7540 §3.2.1: a bad HTTP2-Settings (not base64url, not whole settings, too
         * many, values out of range) gets no 101: the request is answered over HTTP/1.1 */
        const char *hs = apr_table_get(r->headers_in, "HTTP2-Settings");
        if (!hs) return DECLINED;
        if (h2_settings_payload_check(hs, strlen(hs)) != 0) {
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, H2LOGNO(00707)
                          "h2c: bad HTTP2-Settings, no upgrade");
            return DECLINED;
        }
    }
    if (!upgrade_body_ok(r, s)) return DECLINED;
    APR_ARRAY_PUSH(proposals, const char *) = "h2c";
    return OK;
}

static int h2_protocol_switch(conn_rec *c, request_rec *r, server_rec *s, const char *protocol)
{
    h2_conn_ctx *ctx;
    if (c->master) return DECLINED;
    if (strcmp(protocol, "h2") && strcmp(protocol, "h2c")) return DECLINED;
    ctx = h2_ctx_create(c);
    ctx->proto = protocol;
    /* the session's settings (H2WindowSize, H2WebSockets, ...) are those of this vhost:
     * with ALPN, mod_ssl passes the one SNI selected, not c->base_server */
    ctx->server = r ? r->server : s;
    switch_c1_tag(c, ctx);
    if (r) {
        const char *settings = apr_table_get(r->headers_in, "HTTP2-Settings");
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, H2LOGNO(00401)
                      "h2c: upgrading connection, request becomes stream 1");
        /* The core sent 101 already. The session runs here, inside this request, until the
         * connection ends; the core closes the connection afterwards. */
        h2_c1_run(c, r, settings ? settings : "");
        return OK;
    }
    /* ALPN: process_connection starts the session after the handshake */
    return OK;
}

static const char *h2_protocol_get(const conn_rec *c)
{
    h2_conn_ctx *ctx = h2_ctx_get(c);
    if (ctx && ctx->proto) return ctx->proto;
    return NULL;
}

/* Prior knowledge (RFC 9113 §3.3) and a broken preface (§3.4).
 *
 * No HTTP/1.x request line starts with "PRI * HTTP/2.0": a client that sent that much
 * speaks HTTP/2, and if the rest of the 24-octet preface differs it gets GOAWAY
 * (PROTOCOL_ERROR). Input that leaves the preface earlier ("POST", "PRI / HTTP/1.1") is
 * HTTP/1.x. Nothing is consumed while deciding: bytes are looked at with speculative
 * reads, and while everything seen so far is a prefix of the preface (a preface split
 * across TCP segments, a slow HTTP/1.x client typing "P") the socket is waited on for
 * more, up to the server's Timeout. */
#define PREFACE_COMMITTED 14          /* strlen("PRI * HTTP/2.0") */
#define PEEK_NONE    0                /* not HTTP/2: HTTP/1.x goes on */
#define PEEK_PREFACE 1                /* the whole preface is there (not consumed) */
#define PEEK_BROKEN  (-1)             /* HTTP/2 started, then not the preface: GOAWAY */

static apr_size_t switch_c1_preface_match(const char *buf, apr_size_t n)
{
    apr_size_t m = 0;
    while (m < n && buf[m] == H2_PREFACE[m]) ++m;
    return m;
}

static apr_status_t switch_c1_wait_readable(conn_rec *c, apr_socket_t *sock,
                                            apr_interval_time_t timeout)
{
    apr_pollfd_t pfd;
    apr_int32_t nsds = 0;
    memset(&pfd, 0, sizeof(pfd));
    pfd.p = c->pool;
    pfd.desc_type = APR_POLL_SOCKET;
    pfd.reqevents = APR_POLLIN;
    pfd.desc.s = sock;
    return apr_poll(&pfd, 1, &nsds, timeout);
}

static int switch_c1_peek_preface(conn_rec *c)
{
    apr_bucket_brigade *bb = apr_brigade_create(c->pool, c->bucket_alloc);
    apr_socket_t *sock = ap_get_conn_socket(c);
    apr_time_t now, deadline = apr_time_now() + c->base_server->timeout;
    char buf[H2_PREFACE_LEN];
    apr_size_t n = 0, last_n = 0, m;
    int idle_wakeups = 0, result = PEEK_NONE;

    for (;;) {
        /* what is there already, without waiting and without consuming it */
        apr_status_t rv = ap_get_brigade(c->input_filters, bb, AP_MODE_SPECULATIVE,
                                         APR_NONBLOCK_READ, H2_PREFACE_LEN);
        n = sizeof(buf);
        if (rv == APR_SUCCESS) apr_brigade_flatten(bb, buf, &n); else n = 0;
        apr_brigade_cleanup(bb);
        if (rv != APR_SUCCESS && !APR_STATUS_IS_EAGAIN(rv)) {
            result = last_n >= PREFACE_COMMITTED ? PEEK_BROKEN : PEEK_NONE;
            break;
        }
        m = switch_c1_preface_match(buf, n);
        if (m == H2_PREFACE_LEN) { result = PEEK_PREFACE; break; }
        if (m < n) { result = m >= PREFACE_COMMITTED ? PEEK_BROKEN : PEEK_NONE; break; }
        /* all we have is a prefix of the preface (maybe nothing yet): wait for more */
        if (n == 0) {
            /* nothing at all: a blocking read of one byte (also runs a TLS handshake) */
            rv = ap_get_brigade(c->input_filters, bb, AP_MODE_SPECULATIVE, APR_BLOCK_READ, 1);
            apr_brigade_cleanup(bb);
            if (rv != APR_SUCCESS) break;
            continue;
        }
        if (n == last_n && ++idle_wakeups > 2) {
            /* readable, yet nothing new: the client closed (or a TLS record never ends) */
            result = n >= PREFACE_COMMITTED ? PEEK_BROKEN : PEEK_NONE;
            break;
        }
        last_n = n;
        if (!sock || (now = apr_time_now()) >= deadline
            || switch_c1_wait_readable(c, sock, deadline - now) != APR_SUCCESS) {
            result = n >= PREFACE_COMMITTED ? PEEK_BROKEN : PEEK_NONE;
            break;
        }
    }
    apr_brigade_destroy(bb);
    return result;
}

/* RFC 9113 §3.4: an invalid preface is a connection error PROTOCOL_ERROR. Our (empty)
 * SETTINGS first, as the server preface must be, then GOAWAY(0, PROTOCOL_ERROR). The
 * input is left unread: the lingering close drains it, so the client sees the GOAWAY
 * rather than a reset. */
static void switch_c1_goaway_broken(conn_rec *c)
{
    static const char frames[] = {
        0, 0, 0, H2_FT_SETTINGS, 0, 0, 0, 0, 0,
        0, 0, 8, H2_FT_GOAWAY, 0, 0, 0, 0, 0,  0, 0, 0, 0,  0, 0, 0, H2_PROTOCOL_ERROR
    };
    apr_bucket_brigade *bb = apr_brigade_create(c->pool, c->bucket_alloc);
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_immortal_create(frames, sizeof(frames),
                                                           c->bucket_alloc));
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_flush_create(c->bucket_alloc));
    ap_pass_brigade(c->output_filters, bb);
    apr_brigade_destroy(bb);
}

static int h2_process_connection(conn_rec *c)
{
    h2_conn_ctx *ctx;
    int h2_only = 0;
    int peek;
    if (c->master) return DECLINED;
    ctx = h2_ctx_get(c);
    ap_log_cerror(APLOG_MARK, APLOG_TRACE3, 0, c, H2LOGNO(00403)
                  "h2: process_connection, ctx=%d", ctx ? 1 : 0);
    if (ctx && (ctx->c1 || (ctx->proto && !strcmp(ctx->proto, "h2"))))
        return h2_c1_run(c, NULL, NULL);
    if (ctx && ctx->proto) return DECLINED;  /* upgraded inside a request: not here */
    if (c->keepalives > 0) return DECLINED;
    if (is_tls(c)) {
        /* ALPN did not select h2. Direct mode over TLS only when configured explicitly. */
        if (h2_config_sget(c->base_server)->h2_direct != 1) return DECLINED;
        if (!ap_is_allowed_protocol(c, NULL, c->base_server, "h2")) return DECLINED;
    }
    else {
        if (!h2_config_direct(c->base_server, 0)) return DECLINED;
        if (!ap_is_allowed_protocol(c, NULL, c->base_server, "h2c")) return DECLINED;
        /* Protocols without http/1.1: the connection can only be HTTP/2, so whatever
         * else the client sends is an invalid preface (RFC 9113 §3.4), not an HTTP/1.1
         * request to answer with 400 */
        h2_only = !ap_is_allowed_protocol(c, NULL, c->base_server, "http/1.1");
    }
    peek = switch_c1_peek_preface(c);
    if (peek == PEEK_NONE && h2_only) {
        /* debug: a client chooses what it sends */
        ap_log_cerror(APLOG_MARK, APLOG_DEBUG, 0, c, H2LOGNO(00941)
                      "h2: no client preface on a server without http/1.1 (Protocols): "
                      "GOAWAY(PROTOCOL_ERROR), closing");
        peek = PEEK_BROKEN;
    }
    switch (peek) {
    case PEEK_NONE:
        return DECLINED;
    case PEEK_BROKEN:
        ap_log_cerror(APLOG_MARK, APLOG_DEBUG, 0, c, H2LOGNO(00404)
                      "h2: broken client preface: GOAWAY(PROTOCOL_ERROR), closing");
        switch_c1_goaway_broken(c);
        c->keepalive = AP_CONN_CLOSE;
        if (c->cs) c->cs->state = CONN_STATE_LINGER;
        return DONE;
    default:
        break;
    }
    ctx = h2_ctx_create(c);
    ctx->proto = is_tls(c) ? "h2" : "h2c";
    switch_c1_tag(c, ctx);
    ap_log_cerror(APLOG_MARK, APLOG_TRACE1, 0, c, H2LOGNO(00402)
                  "h2: client preface seen, direct mode");
    return h2_c1_run(c, NULL, NULL);
}

void h2_switch_register_hooks(void)
{
    static const char *const after_ssl[] = { "mod_ssl.c", "mod_reqtimeout.c", NULL };
    /* propose/switch/get: MIDDLE, there is no other HTTP/2 provider to order against */
    ap_hook_protocol_propose(h2_protocol_propose, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_protocol_switch(h2_protocol_switch, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_protocol_get(h2_protocol_get, NULL, NULL, APR_HOOK_MIDDLE);
    /* process_connection: FIRST but after mod_ssl (its handshake decides ALPN) and
     * mod_reqtimeout; before the HTTP/1.1 core handler (REALLY_LAST) */
    ap_hook_process_connection(h2_process_connection, after_ssl, NULL, APR_HOOK_FIRST);
}
