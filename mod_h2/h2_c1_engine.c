/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_c1_engine.c -- the engine's callbacks on c1: output sinks (frame bytes, DATA from
 * the streams' queues), requests and their bodies coming in, stream ends, errors.
 * Threads: c1 only (the engine runs on c1).
 */
#include <stdlib.h>
#include <string.h>

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"

#include "h2_log.h"
#include "h2_c1.h"
#include "h2_ws.h"
#include "h2_c1_io.h"

APLOG_USE_MODULE(h2);

static int c1_cb_send_bytes(void *ud, const uint8_t *p, size_t n)
{
    return h2_c1_io_append(ud, p, n);
}

static long c1_cb_data_available(void *ud, uint32_t sid, void *sud, size_t max, int *eos)
{
    h2_c1 *c1 = ud;
    h2_strm *strm = sud;
    apr_size_t n;
    *eos = 0;
    if (!strm) return -1;
    h2_hub_lock(c1->hub);
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
    h2_hub_unlock(c1->hub);
    return (long)n;
}


static int c1_cb_send_data(void *ud, uint32_t sid, void *sud, const uint8_t hdr[H2_FRAME_HDR_LEN],
                        size_t len, int end_stream)
{
    h2_c1 *c1 = ud;
    if (h2_c1_io_append(c1, hdr, H2_FRAME_HDR_LEN) < 0) return -1;
    return h2_c1_io_write_body(c1, sid, sud, len, end_stream);
}

/* H2Padding: DATA frames with padding */
static int c1_cb_send_data_padded(void *ud, uint32_t sid, void *sud, const uint8_t *prefix,
                               size_t prefix_len, size_t len, const uint8_t *padding,
                               size_t pad_len, int end_stream)
{
    h2_c1 *c1 = ud;
    if (h2_c1_io_append(c1, prefix, prefix_len) < 0) return -1;
    if (h2_c1_io_write_body(c1, sid, sud, len, end_stream) < 0) return -1;
    return pad_len ? h2_c1_io_append(c1, padding, pad_len) : 0;
}

static int c1_cb_on_request(void *ud, const h2_request *req)
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
    if (!strm->req || !p) { free(p); h2_c1_strm_release(c1, strm); return -1; }
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
    /* a request over the header limits is only answered 431: no WebSocket tunnel (its
     * :protocol, if any, came from an incomplete block) */
    if (!req->too_large && h2_ws_c1_request(strm, req) != 0) {
        h2_c1_strm_release(c1, strm);
        return -1;
    }
    h2_session_set_stream_data(c1->engine, req->stream_id, strm);
    h2_c1_strm_dispatch(c1, strm);
    return 0;
}

static int c1_cb_on_data(void *ud, uint32_t sid, void *sud, const uint8_t *data, size_t len)
{
    h2_c1 *c1 = ud;
    h2_strm *strm = sud;
    if (!strm || !len) {
        if (len) h2_session_consume(c1->engine, sid, len);
        return 0;
    }
    h2_hub_lock(c1->hub);
    if (strm->c2_done || strm->aborted) {
        h2_hub_unlock(c1->hub);
        h2_session_consume(c1->engine, sid, len);
        return 0;
    }
    strm->in_received += (apr_off_t)len;
    if (strm->in_over || (strm->body_limit > 0 && strm->in_received > strm->body_limit)) {
        /* LimitRequestBody, as the DATA arrives: nothing past the limit is kept (c2
         * answers 413; the rest of the body is discarded, §8.1) */
        strm->in_over = 1;
        if (strm->in_waiting) {
            strm->in_waiting = 0;
            h2_strm_signal(strm);
        }
        h2_hub_unlock(c1->hub);
        h2_session_consume(c1->engine, sid, len);
        return 0;
    }
    if (h2_strm_in_append(strm, (const char *)data, len) != 0) {
        h2_hub_unlock(c1->hub);
        return -1;
    }
    if (strm->in_waiting) {
        strm->in_waiting = 0;
        h2_strm_signal(strm);
    }
    h2_ws_signal_locked(strm);
    h2_hub_unlock(c1->hub);
    return 0;
}

static int c1_cb_on_request_end(void *ud, uint32_t sid, void *sud, const h2_nv *trailers, size_t n)
{
    h2_c1 *c1 = ud;
    h2_strm *strm = sud;
    h2_hdrs *t = NULL;
    (void)sid;
    if (!strm) return 0;
    if (n) t = h2_hdrs_from_nv(trailers, n, 0);
    h2_hub_lock(c1->hub);
    strm->in_eos = 1;
    strm->in_trailers = t;
    strm->in_eos_seen = 1;
    h2_ws_signal_locked(strm);
    if (strm->in_waiting) {
        strm->in_waiting = 0;
        h2_strm_signal(strm);
    }
    h2_hub_unlock(c1->hub);
    return 0;
}

static void c1_cb_on_stream_close(void *ud, uint32_t sid, void *sud, uint32_t code, int by_peer)
{
    h2_c1 *c1 = ud;
    h2_strm *strm = sud;
    int release;
    if (!strm) return;
    strm->closed = 1;
    if (by_peer && code != H2_NO_ERROR) {
        ++c1->st_resets_in;
        if (strm->pushed_on) ++c1->st_push_resets;
    }
    h2_hub_lock(c1->hub);
    if (!strm->dispatched || (!strm->c2_done && h2_c1_strm_unqueue_locked(c1, strm))) {
        /* never ran: a stream reset while it waits for a worker frees what it holds now,
         * not when a worker comes by */
        strm->c2_done = 1;
    }
    if (code != H2_NO_ERROR || !strm->eos_sent) {
        strm->aborted = 1;
        h2_ws_signal_locked(strm);
        h2_strm_signal(strm);
    }
    release = strm->c2_done && !strm->dirty;
    h2_hub_unlock(c1->hub);
    ap_log_cerror(APLOG_MARK, APLOG_TRACE1, 0, c1->c, H2LOGNO(00302)
                  "h2 stream %u closed (%s, %s)", (unsigned)sid, h2_error_name(code),
                  by_peer ? "by peer" : "by us");
    if (release) h2_c1_strm_release(c1, strm);
}

static void c1_cb_on_conn_error(void *ud, uint32_t code, const char *reason)
{
    h2_c1 *c1 = ud;
    ap_log_cerror(APLOG_MARK, APLOG_DEBUG, 0, c1->c, H2LOGNO(00303)
                  "h2 connection error %s: %s", h2_error_name(code), reason ? reason : "");
}

static void c1_cb_on_stream_error(void *ud, uint32_t sid, uint32_t code, const char *reason)
{
    h2_c1 *c1 = ud;
    ap_log_cerror(APLOG_MARK, APLOG_TRACE1, 0, c1->c, H2LOGNO(00304)
                  "h2 stream %u error %s: %s", (unsigned)sid, h2_error_name(code),
                  reason ? reason : "");
    /* H2MaxStreamErrors (mod_http2's): flow-control stream errors per connection, beyond
     * them GOAWAY(PROTOCOL_ERROR). The engine's glitch budget counts every stream error per
     * interval besides. */
    if (code == H2_FLOW_CONTROL_ERROR && c1->cfg->max_stream_errors > 0
        && ++c1->flow_errors == c1->cfg->max_stream_errors + 1) {
        ap_log_cerror(APLOG_MARK, APLOG_DEBUG, 0, c1->c, H2LOGNO(00801)
                      "h2: more than %d flow-control errors (H2MaxStreamErrors): GOAWAY",
                      c1->cfg->max_stream_errors);
        h2_session_submit_goaway(c1->engine, 0, H2_PROTOCOL_ERROR,
                                 "too many flow-control errors");
    }
}

static void c1_cb_on_goaway(void *ud, uint32_t last_sid, uint32_t code)
{
    h2_c1 *c1 = ud;
    ap_log_cerror(APLOG_MARK, APLOG_DEBUG, 0, c1->c, H2LOGNO(00315)
                  "h2: client sent GOAWAY (last stream %u, %s)", (unsigned)last_sid,
                  h2_error_name(code));
}

const h2_session_callbacks h2_c1_engine_callbacks = {
    c1_cb_send_bytes, c1_cb_data_available, c1_cb_send_data, c1_cb_on_request, c1_cb_on_data,
    c1_cb_on_request_end, c1_cb_on_stream_close, c1_cb_on_conn_error, c1_cb_on_stream_error,
    c1_cb_on_goaway, NULL, c1_cb_send_data_padded
};
