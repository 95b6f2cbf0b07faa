/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_status.c -- the "http2-status" handler (see h2_status.h): the snapshot c1 builds,
 * the handler on the worker that asks for it.
 */
#include <stddef.h>   /* before APR: offsetof for its ring macros (else UB via NULL) */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"

#include "h2_log.h"
#include "h2_ctx.h"
#include "h2_config.h"
#include "h2_c1.h"
#include "h2_stream.h"
#include "h2_workers.h"
#include "h2_status.h"

APLOG_USE_MODULE(h2);

/* ---------------------------------------------------------------------------------- */
/* c1: the snapshot */

typedef struct {
    char *p;
    size_t len, cap;
    int failed;
} status_c1_buf;

static void status_c1_put(status_c1_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    if (b->failed) return;
    for (;;) {
        size_t room = b->cap - b->len;
        va_start(ap, fmt);
        n = vsnprintf(b->p ? b->p + b->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0) { b->failed = 1; return; }
        if ((size_t)n < room) { b->len += (size_t)n; return; }
        {
            size_t ncap = b->cap ? b->cap * 2 : 2048;
            char *np;
            while (ncap - b->len <= (size_t)n) ncap *= 2;
            np = realloc(b->p, ncap);
            if (!np) { b->failed = 1; return; }
            b->p = np;
            b->cap = ncap;
        }
    }
}

static void status_c1_stream(status_c1_buf *b, h2_c1 *c1, const h2_strm *s, int first)
{
    int64_t flow_in = 0, flow_out = 0;
    apr_off_t sent;
    h2_stream_state st = h2_session_stream_state(c1->engine, s->id);
    h2_session_stream_windows(c1->engine, s->id, &flow_in, &flow_out);
    sent = s->out_sent;   /* written by c1 alone: no lock needed on c1's thread */
    status_c1_put(b, "%s\n    \"%u\": {\n", first ? "" : ",", (unsigned)s->id);
    status_c1_put(b, "      \"state\": \"%s\",\n", h2_stream_state_name(st));
    status_c1_put(b, "      \"created\": %.6f,\n", (double)s->created / APR_USEC_PER_SEC);
    status_c1_put(b, "      \"flowIn\": %lld,\n", (long long)flow_in);
    status_c1_put(b, "      \"flowOut\": %lld,\n", (long long)flow_out);
    status_c1_put(b, "      \"dataIn\": %" APR_OFF_T_FMT ",\n", s->in_received);
    status_c1_put(b, "      \"dataOut\": %" APR_OFF_T_FMT "\n", sent);
    status_c1_put(b, "    }");
}

char *h2_status_c1_json(h2_c1 *c1, const h2_strm *strm)
{
    status_c1_buf b = { NULL, 0, 0, 0 };
    h2_session_stats st;
    const h2_session_config *ec = &c1->ecfg;
    const h2_strm *s;
    int first = 1;
    (void)strm;
    h2_session_get_stats(c1->engine, &st);
    status_c1_put(&b, "{\n  \"version\": \"draft-01\",\n");
    status_c1_put(&b, "  \"settings\": {\n");
    status_c1_put(&b, "    \"SETTINGS_MAX_CONCURRENT_STREAMS\": %u,\n",
                  (unsigned)ec->max_concurrent_streams);
    status_c1_put(&b, "    \"SETTINGS_MAX_FRAME_SIZE\": %u,\n", (unsigned)ec->max_frame_size);
    status_c1_put(&b, "    \"SETTINGS_INITIAL_WINDOW_SIZE\": %u,\n",
                  (unsigned)ec->initial_window_size);
    status_c1_put(&b, "    \"SETTINGS_HEADER_TABLE_SIZE\": %u,\n",
                  (unsigned)ec->header_table_size);
    status_c1_put(&b, "    \"SETTINGS_MAX_HEADER_LIST_SIZE\": %u,\n",
                  (unsigned)ec->max_header_list_size);
    status_c1_put(&b, "    \"SETTINGS_ENABLE_PUSH\": %d\n",
                  h2_session_push_enabled(c1->engine) ? 1 : 0);
    status_c1_put(&b, "  },\n  \"peerSettings\": {\n");
    status_c1_put(&b, "    \"SETTINGS_MAX_CONCURRENT_STREAMS\": %u,\n",
                  (unsigned)h2_session_peer_setting(c1->engine, H2_SET_MAX_CONCURRENT_STREAMS));
    status_c1_put(&b, "    \"SETTINGS_MAX_FRAME_SIZE\": %u,\n",
                  (unsigned)h2_session_peer_setting(c1->engine, H2_SET_MAX_FRAME_SIZE));
    status_c1_put(&b, "    \"SETTINGS_INITIAL_WINDOW_SIZE\": %u,\n",
                  (unsigned)h2_session_peer_setting(c1->engine, H2_SET_INITIAL_WINDOW_SIZE));
    status_c1_put(&b, "    \"SETTINGS_ENABLE_PUSH\": %u,\n",
                  (unsigned)h2_session_peer_setting(c1->engine, H2_SET_ENABLE_PUSH));
    status_c1_put(&b, "    \"SETTINGS_HEADER_TABLE_SIZE\": %u,\n",
                  (unsigned)h2_session_peer_setting(c1->engine, H2_SET_HEADER_TABLE_SIZE));
    status_c1_put(&b, "    \"SETTINGS_MAX_HEADER_LIST_SIZE\": %u\n",
                  (unsigned)h2_session_peer_setting(c1->engine, H2_SET_MAX_HEADER_LIST_SIZE));
    status_c1_put(&b, "  },\n");
    status_c1_put(&b, "  \"connFlowIn\": %lld,\n", (long long)st.conn_recv_window);
    status_c1_put(&b, "  \"connFlowOut\": %lld,\n", (long long)st.conn_send_window);
    status_c1_put(&b, "  \"sentGoAway\": %d,\n", st.goaway_sent ? 1 : 0);
    status_c1_put(&b, "  \"streams\": {");
    for (s = c1->active_head; s; s = s->next_active) {
        status_c1_stream(&b, c1, s, first);
        first = 0;
    }
    status_c1_put(&b, "\n  },\n  \"stats\": {\n");
    status_c1_put(&b, "    \"in\": {\n      \"requests\": %llu,\n      \"resets\": %llu,\n"
                  "      \"frames\": %llu,\n      \"octets\": %" APR_OFF_T_FMT "\n    },\n",
                  (unsigned long long)st.requests, (unsigned long long)c1->st_resets_in,
                  (unsigned long long)st.frames_received, c1->io.read_total);
    status_c1_put(&b, "    \"out\": {\n      \"responses\": %llu,\n      \"frames\": %llu,\n"
                  "      \"octets\": %" APR_OFF_T_FMT "\n    },\n",
                  (unsigned long long)c1->st_responses, (unsigned long long)st.frames_sent,
                  c1->io.written);
    status_c1_put(&b, "    \"push\": {\n      \"promises\": %llu,\n      \"submits\": %llu,\n"
                  "      \"resets\": %llu\n    }\n  }\n}\n",
                  (unsigned long long)st.pushes, (unsigned long long)c1->st_push_submits,
                  (unsigned long long)c1->st_push_resets);
    if (b.failed) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

/* ---------------------------------------------------------------------------------- */
/* worker: the handler */

/* Ask c1 for the snapshot and wait for it (at most the stream timeout). NULL when the
 * stream or the connection went away, or c1 had no memory. */
static char *status_c2_fetch(request_rec *r, h2_strm *strm, int inline_mode)
{
    h2_hub *hub = strm->hub;
    apr_interval_time_t t = h2_config_stream_timeout(r->server, r);
    apr_time_t deadline = apr_time_now() + (t > 0 ? t : apr_time_from_sec(60));
    char *json;
    int wake = 0;

    h2_hub_lock(hub);
    strm->status_req = 1;
    h2_strm_mark_dirty(strm, &wake);
    while (strm->status_req && !strm->aborted && !h2_workers_stopping()) {
        apr_time_t now = apr_time_now();
        if (now >= deadline) break;
        if (inline_mode) {
            /* on c1's thread: c1's I/O takes the news and answers */
            apr_status_t rv;
            h2_hub_unlock(hub);
            rv = hub->inline_pump(hub->inline_baton, 0);
            h2_hub_lock(hub);
            if (rv != APR_SUCCESS && !APR_STATUS_IS_TIMEUP(rv)) break;
            continue;
        }
        if (wake) {
            h2_hub_unlock(hub);
            h2_hub_wake(hub);
            h2_hub_lock(hub);
            wake = 0;
            continue;
        }
        h2_strm_wait(strm, deadline - now);
    }
    strm->status_req = 0;
    json = strm->status_json;
    strm->status_json = NULL;
    h2_hub_unlock(hub);
    return json;
}

/* Read the request body (at most STATUS_BODY_MAX bytes; c1 discards the rest, §8.1), so
 * that the snapshot counts it: ap_discard_request_body reads nothing on a connection that
 * does not keep alive, as a c2 never does. */
#define STATUS_BODY_MAX (64 * 1024)
static int status_c2_read_body(request_rec *r)
{
    apr_bucket_brigade *bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    apr_off_t total = 0;
    int seen_eos = 0;
    while (!seen_eos && total < STATUS_BODY_MAX) {
        apr_bucket *b;
        apr_status_t rv = ap_get_brigade(r->input_filters, bb, AP_MODE_READBYTES,
                                         APR_BLOCK_READ, HUGE_STRING_LEN);
        if (rv != APR_SUCCESS) {
            apr_brigade_destroy(bb);
            return ap_map_http_request_error(rv, HTTP_BAD_REQUEST);
        }
        for (b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb); b = APR_BUCKET_NEXT(b)) {
            if (APR_BUCKET_IS_EOS(b)) { seen_eos = 1; break; }
            total += (apr_off_t)b->length;
        }
        apr_brigade_cleanup(bb);
    }
    apr_brigade_destroy(bb);
    return OK;
}

static int status_c2_handler(request_rec *r)
{
    h2_conn_ctx *ctx;
    char *json;
    int rv;

    if (!r->handler || strcmp(r->handler, "http2-status")) return DECLINED;
    /* as mod_http2: GET and POST only; not on an HTTP/2 stream (HTTP/1.1), the handler
     * is not ours to answer and the core's default handler does (404 for no file) */
    if (r->method_number != M_GET && r->method_number != M_POST) return DECLINED;
    ctx = h2_ctx_get(r->connection);
    if (!r->connection->master || !ctx || !ctx->is_c2 || !ctx->strm) return DECLINED;
    if (ctx->strm->req_has_body && (rv = status_c2_read_body(r)) != OK) return rv;

    json = status_c2_fetch(r, ctx->strm, ctx->inline_mode);
    if (!json) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, H2LOGNO(00940)
                      "h2 stream %u: no connection status (stream gone or no memory)",
                      (unsigned)ctx->strm->id);
        return r->connection->aborted || ctx->strm->aborted ? DONE
                                                            : HTTP_SERVICE_UNAVAILABLE;
    }
    /* the view of one moment: not cached, not compressed (as mod_http2) */
    apr_table_setn(r->subprocess_env, "no-gzip", "1");
    apr_table_setn(r->subprocess_env, "no-brotli", "1");
    apr_table_setn(r->headers_out, "Cache-Control", "no-store");
    ap_set_content_type(r, "application/json");
    ap_set_content_length(r, (apr_off_t)strlen(json));
    if (!r->header_only) ap_rwrite(json, (int)strlen(json), r);
    free(json);
    return OK;
}

void h2_status_register_hooks(void)
{
    /* handler: MIDDLE, as handlers keyed on r->handler are; it declines every other
     * handler name, so its place among them does not matter */
    ap_hook_handler(status_c2_handler, NULL, NULL, APR_HOOK_MIDDLE);
}
