/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_switch.c -- protocol negotiation: ALPN "h2" (through mod_ssl), "h2c" by HTTP/1.1
 * Upgrade, "h2c" by prior knowledge (the client preface on a cleartext connection), and
 * the process_connection hook that runs (or resumes) a session.
 *
 * Threads: all hooks run on the connection's thread.
 */
#include <string.h>
#include <stdlib.h>

#include "apr_strings.h"
#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_connection.h"
#include "http_protocol.h"
#include "http_request.h"
#include "http_log.h"
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

/* Look for the client preface. Returns 0: something else (nothing consumed, HTTP/1.x
 * goes on), 1: the preface is there (not consumed), 2: the preface came in pieces and
 * was consumed, -1: the start of the preface followed by garbage (consumed: close). */
static int peek_preface(conn_rec *c)
{
    apr_bucket_brigade *bb = apr_brigade_create(c->pool, c->bucket_alloc);
    char buf[H2_PREFACE_LEN];
    apr_size_t n = 0;
    int round, result = 0;

    for (round = 0; round < 3; ++round) {
        /* what is there already, without waiting */
        apr_status_t rv = ap_get_brigade(c->input_filters, bb, AP_MODE_SPECULATIVE,
                                         APR_NONBLOCK_READ, H2_PREFACE_LEN);
        n = sizeof(buf);
        if (rv == APR_SUCCESS) apr_brigade_flatten(bb, buf, &n); else n = 0;
        apr_brigade_cleanup(bb);
        if (rv != APR_SUCCESS && !APR_STATUS_IS_EAGAIN(rv)) goto out;
        if (n > 0) break;
        /* nothing yet: wait for the first byte */
        rv = ap_get_brigade(c->input_filters, bb, AP_MODE_SPECULATIVE, APR_BLOCK_READ, 1);
        apr_brigade_cleanup(bb);
        if (rv != APR_SUCCESS) goto out;
    }
    if (n == 0 || memcmp(buf, H2_PREFACE, n)) goto out;       /* not the preface */
    if (n == H2_PREFACE_LEN) { result = 1; goto out; }
    /* A prefix of the preface: no HTTP/1.x request starts like this, so the rest may be
     * waited for and consumed (speculative reads do not wait for more data). */
    n = 0;
    while (n < H2_PREFACE_LEN) {
        apr_size_t k = sizeof(buf) - n;
        apr_status_t rv = ap_get_brigade(c->input_filters, bb, AP_MODE_READBYTES,
                                         APR_BLOCK_READ, (apr_off_t)(H2_PREFACE_LEN - n));
        if (rv != APR_SUCCESS) { result = -1; goto out; }
        apr_brigade_flatten(bb, buf + n, &k);
        apr_brigade_cleanup(bb);
        if (!k) { result = -1; goto out; }
        n += k;
        if (memcmp(buf, H2_PREFACE, n)) { result = -1; goto out; }
    }
    result = 2;
out:
    apr_brigade_destroy(bb);
    return result;
}

static int h2_process_connection(conn_rec *c)
{
    h2_conn_ctx *ctx;
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
    }
    switch (peek_preface(c)) {
    case 0:
        return DECLINED;
    case -1:
        ap_log_cerror(APLOG_MARK, APLOG_DEBUG, 0, c, H2LOGNO(00404)
                      "h2: broken client preface, closing");
        c->keepalive = AP_CONN_CLOSE;
        c->aborted = 1;
        return DONE;
    case 2:
        ctx = h2_ctx_create(c);
        ctx->preface_consumed = 1;
        break;
    default:
        break;
    }
    ctx = h2_ctx_create(c);
    ctx->proto = is_tls(c) ? "h2" : "h2c";
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
