/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_ctx.h -- mod_h2's per-connection record, stored in conn_rec->conn_config, for the
 * client connection (c1) and for each stream connection (c2).
 *
 * Threads: a c1 context is used by the c1 thread; a c2 context by the worker running
 * the stream.
 */
#ifndef H2_CTX_H
#define H2_CTX_H

#include "httpd.h"
#include "http_config.h"

struct h2_c1;
struct h2_strm;

typedef struct h2_conn_ctx {
    const char *proto;           /* "h2"/"h2c" once switched, NULL before */
    int is_c2;
    struct h2_c1 *c1;            /* c1: the running session; c2: the owning session */
    struct h2_strm *strm;        /* c2: the stream being processed */
    server_rec *server;          /* c1: the vhost that switched to h2 (ALPN: the one SNI
                                  * selected; Upgrade: the request's), NULL for prior
                                  * knowledge (then c->base_server) */
    int preface_consumed;        /* c1: the client preface was read while detecting it */
    const char *tag;             /* c1: "<child>-<serial>", mod_http2's connection id (the
                                  * H2_STREAM_TAG prefix), set when the protocol switches;
                                  * c2: the stream's H2_STREAM_TAG, copied at set-up (a
                                  * handler that outlives c1 must not read c1's record) */
    struct h2_idle_ent *idle;    /* c1: its entry in the list of parked idle connections
                                  * (h2_c1_idle.c; fields guarded by that file's mutex) */

    /* c2 response state (worker thread) */
    request_rec *r;
    int resp_sent;               /* final response headers queued */
    int body_off;                /* HEAD/204/304: no body */
    apr_size_t since_wake;       /* bytes queued since c1 was last woken */
    apr_off_t out_queued;        /* body bytes queued for c1 (what %O counted) */
    apr_off_t body_read;         /* request body bytes handed to the request */
    int body_error;              /* LimitRequestBody exceeded: answered with 413 */
    char *interim_buf;           /* HTTP/1.x interim response text (1xx) not yet complete, */
    apr_size_t interim_len;      /* in c2's pool: a response's fields may come in pieces */
    apr_size_t interim_cap;
    int inline_mode;             /* c2: runs on c1's thread (no worker pool) */
    apr_socket_t *sock;          /* c2: the worker's placeholder socket (its timeout is the
                                  * read timeout of the request body, see h2_c2.c) */
} h2_conn_ctx;

extern module AP_MODULE_DECLARE_DATA h2_module;

static APR_INLINE h2_conn_ctx *h2_ctx_get(const conn_rec *c)
{
    return c->conn_config ? ap_get_module_config(c->conn_config, &h2_module) : NULL;
}

static APR_INLINE h2_conn_ctx *h2_ctx_create(conn_rec *c)
{
    h2_conn_ctx *ctx = h2_ctx_get(c);
    if (!ctx) {
        ctx = apr_pcalloc(c->pool, sizeof(*ctx));
        ap_set_module_config(c->conn_config, &h2_module, ctx);
    }
    return ctx;
}

#endif /* H2_CTX_H */
