/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_vars.c -- mod_http2's variables, one table. See h2_vars.h.
 */
#include <string.h>

#include "apr_strings.h"
#include "httpd.h"
#include "http_config.h"

#include "h2_ctx.h"
#include "h2_stream.h"
#include "h2_config.h"
#include "h2_vars.h"

/* c's record when c speaks h2 (c1 after the switch, or a c2), else NULL */
static h2_conn_ctx *vars_h2_ctx(const conn_rec *c)
{
    h2_conn_ctx *ctx = c ? h2_ctx_get(c) : NULL;
    return ctx && (ctx->proto || ctx->is_c2) ? ctx : NULL;
}

/* the stream of a c2 record, NULL for c1 */
static const h2_strm *vars_strm(const h2_conn_ctx *ctx)
{
    return ctx && ctx->is_c2 ? ctx->strm : NULL;
}

typedef const char *vars_fn(apr_pool_t *p, server_rec *s, conn_rec *c, request_rec *r,
                            const h2_conn_ctx *ctx);

static const char *vars_http2(apr_pool_t *p, server_rec *s, conn_rec *c, request_rec *r,
                              const h2_conn_ctx *ctx)
{
    (void)p; (void)s; (void)c; (void)r;
    return ctx ? "on" : "off";
}

static const char *vars_push(apr_pool_t *p, server_rec *s, conn_rec *c, request_rec *r,
                             const h2_conn_ctx *ctx)
{
    const h2_strm *strm;
    (void)p;
    if (!ctx) {
        /* off h2, mod_http2 answers with the H2Push setting */
        return s && h2_config_push(s, r) ? "on" : "off";
    }
    strm = vars_strm(ctx);
    if (!strm && !r && c) strm = vars_strm(vars_h2_ctx(c));     /* a c2 asked without r */
    if (strm) {
        server_rec *ss = r ? r->server : (s ? s : c->base_server);
        return (strm->push_ok || strm->pushed_on) && h2_config_push(ss, r) ? "on" : "off";
    }
    if (r) return "off";                     /* a request on c1 (h2c Upgrade): no stream */
    return h2_config_push(ctx->server ? ctx->server : c->base_server, NULL) ? "on" : "off";
}

static const char *vars_pushed(apr_pool_t *p, server_rec *s, conn_rec *c, request_rec *r,
                               const h2_conn_ctx *ctx)
{
    const h2_strm *strm = vars_strm(ctx);
    (void)p; (void)s; (void)c; (void)r;
    return strm && strm->pushed_on ? "PUSHED" : "";
}

static const char *vars_pushed_on(apr_pool_t *p, server_rec *s, conn_rec *c, request_rec *r,
                                  const h2_conn_ctx *ctx)
{
    const h2_strm *strm = vars_strm(ctx);
    (void)s; (void)c; (void)r;
    return strm && strm->pushed_on ? apr_psprintf(p, "%u", (unsigned)strm->pushed_on) : "";
}

/* c's own tag, whatever record the lookup chose (as mod_http2) */
static const char *vars_stream_tag(apr_pool_t *p, server_rec *s, conn_rec *c, request_rec *r,
                                   const h2_conn_ctx *ctx)
{
    const h2_conn_ctx *own = vars_h2_ctx(c), *mctx;
    const h2_strm *strm = vars_strm(own);
    const char *tag;
    (void)s; (void)r; (void)ctx;
    if (!own) return "";
    if (!strm) return own->tag ? own->tag : apr_psprintf(p, "%ld", c->id);
    if (own->is_c2 && own->tag) return own->tag;   /* its own copy (h2_c2.c) */
    mctx = c->master ? h2_ctx_get(c->master) : NULL;
    tag = mctx && mctx->tag ? mctx->tag
          : apr_psprintf(p, "%ld", c->master ? c->master->id : 0L);
    return apr_psprintf(p, "%s-%u", tag, (unsigned)strm->id);
}

static const char *vars_stream_id(apr_pool_t *p, server_rec *s, conn_rec *c, request_rec *r,
                                  const h2_conn_ctx *ctx)
{
    const char *tag = vars_stream_tag(p, s, c, r, ctx), *dash = strrchr(tag, '-');
    return dash ? dash + 1 : NULL;
}

/* mod_http2's table (h2_h2.c H2_VARS): every entry also goes into a stream's environment */
static const struct {
    const char *name;
    vars_fn *fn;
} vars_table[] = {
    { "HTTP2",         vars_http2 },
    { "H2PUSH",        vars_push },
    { "H2_PUSH",       vars_push },
    { "H2_PUSHED",     vars_pushed },
    { "H2_PUSHED_ON",  vars_pushed_on },
    { "H2_STREAM_ID",  vars_stream_id },
    { "H2_STREAM_TAG", vars_stream_tag },
};
#define VARS_N (sizeof(vars_table) / sizeof(vars_table[0]))

const char *h2_vars_lookup(apr_pool_t *p, server_rec *s, conn_rec *c, request_rec *r,
                           const char *name)
{
    size_t i;
    if (!c && r) c = r->connection;
    for (i = 0; name && i < VARS_N; ++i) {
        if (!strcmp(vars_table[i].name, name)) {
            /* with a request its own connection, without one the master (mod_http2) */
            const h2_conn_ctx *ctx = !c ? NULL : vars_h2_ctx(r || !c->master ? c : c->master);
            return vars_table[i].fn(p, s, c, r, ctx);
        }
    }
    return "";
}

void h2_vars_c2_set_env(request_rec *r)
{
    size_t i;
    const h2_conn_ctx *ctx = vars_h2_ctx(r->connection);
    for (i = 0; ctx && i < VARS_N; ++i) {
        const char *v = vars_table[i].fn(r->pool, r->server, r->connection, r, ctx);
        apr_table_setn(r->subprocess_env, vars_table[i].name, v ? v : "");
    }
}
