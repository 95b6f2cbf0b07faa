/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2sess.h -- an in-memory HTTP/2 client driving an h2_session, for the engine's session
 * and conformance tests. Frames are built with the codec (h2_frame_put_*) and the HPACK
 * encoder, fed with h2_session_recv; the server's output is collected through the
 * callbacks and decoded back into frames (h2_frame_read, HPACK decoder).
 */
#ifndef H2SESS_H
#define H2SESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h2_proto.h"
#include "h2_frame.h"
#include "h2_hpack.h"
#include "h2_session.h"

#define TC_MAX_FRAMES 512
#define TC_MAX_EVENTS 4096
#define TC_MAX_SIDS 2048       /* per-stream slots, index sid >> 1 */

/* one frame the server sent */
typedef struct tc_frame {
    uint8_t type, flags;
    uint32_t sid, length;
    uint32_t error_code, last_sid, increment;
    size_t n_settings;
    h2_setting settings[16];
    uint8_t opaque[8];
    int status;                /* HEADERS: :status, 0 when none */
    uint32_t promised;         /* PUSH_PROMISE: promised stream id */
    uint32_t pad_len;          /* PADDED frames: Pad Length octet + padding */
    int pad_zero;              /* PADDED frames: every padding octet is 0 */
    char path[64];             /* PUSH_PROMISE: :path */
    size_t n_fields;           /* HEADERS: decoded fields incl. :status */
    char debug[80];            /* GOAWAY debug data */
} tc_frame;

typedef struct tc_src {        /* a response body the test provides */
    const uint8_t *data;
    size_t len, off;
    size_t ready;              /* bytes available now (streaming) */
    int eos;                   /* the body ends after len */
    int fail;                  /* data_available returns -1 */
} tc_src;

typedef struct tc_event {
    uint32_t sid, code;
    int by_peer;
} tc_event;

typedef struct tc {
    h2_session *s;
    h2_session_config cfg;
    h2_session_callbacks cb;
    uint64_t now;
    int rv;                    /* last recv result */
    h2_buf in;                 /* frames being built by the test */
    h2_buf out;                /* bytes the server sent, not yet parsed */
    h2_hpack_encoder *enc;
    h2_hpack_decoder *dec;
    h2_frame_reader rd;
    int out_bad;               /* the server output did not decode */

    tc_frame f[TC_MAX_FRAMES]; /* frames parsed by tc_parse */
    size_t nf;

    /* events */
    int n_req, n_req_end, n_data_cb, n_conn_err, n_stream_err, n_closed, n_goaway, n_prio;
    h2_request last_req;
    char last_method[32], last_path[256], last_authority[256], last_scheme[16];
    size_t last_nfields, last_trailers;
    int last_too_large;
    uint32_t req_sid[TC_MAX_EVENTS];
    tc_event closed[TC_MAX_EVENTS];
    uint32_t conn_err_code;
    const char *conn_err_reason;
    uint32_t stream_err_code;
    const char *stream_err_reason;
    size_t body_len[TC_MAX_SIDS];
    uint8_t body[4096];        /* the last request body bytes (first 4096) */
    size_t body_total;

    /* behaviour */
    int auto_respond;          /* answer every request (200, body auto_body) */
    const char *auto_body;
    int auto_consume;          /* consume request body at once */
    int respond_in_end;        /* answer in on_request_end instead */
    tc_src src[TC_MAX_SIDS];
    int send_fail;
    size_t data_bytes;         /* DATA payload octets the server sent */
    int n_padded_data;         /* send_data_padded calls */
} tc;

static inline tc_src *tc_src_of(tc *t, uint32_t sid)
{
    return &t->src[sid % TC_MAX_SIDS];
}

/* ---- callbacks ---- */

static int tc_cb_send_bytes(void *ud, const uint8_t *p, size_t n)
{
    tc *t = ud;
    if (t->send_fail) {
        return -1;
    }
    return h2_buf_append(&t->out, p, n);
}

static long tc_cb_data_available(void *ud, uint32_t sid, void *sud, size_t max, int *eos)
{
    tc *t = ud;
    tc_src *src = tc_src_of(t, sid);
    size_t n;
    (void)sud;
    if (src->fail) {
        return -1;
    }
    n = src->ready;
    if (n > src->len - src->off) {
        n = src->len - src->off;
    }
    if (n > max) {
        n = max;
    }
    *eos = src->eos && src->off + n == src->len;
    return (long)n;
}

static int tc_cb_send_data(void *ud, uint32_t sid, void *sud, const uint8_t hdr[9], size_t len,
                           int end_stream)
{
    tc *t = ud;
    tc_src *src = tc_src_of(t, sid);
    (void)sud;
    (void)end_stream;
    if (t->send_fail) {
        return -1;
    }
    if (src->off + len > src->len || len > src->ready) {
        t->out_bad = 1;
        return -1;
    }
    if (h2_buf_append(&t->out, hdr, 9) || h2_buf_append(&t->out, src->data + src->off, len)) {
        return -1;
    }
    src->off += len;
    src->ready -= len;
    t->data_bytes += len;
    return 0;
}

static inline void tc_body(tc *t, uint32_t sid, const char *data, size_t len, int eos)
{
    tc_src *src = tc_src_of(t, sid);
    src->data = (const uint8_t *)data;
    src->len = len;
    src->off = 0;
    src->ready = len;
    src->eos = eos;
    src->fail = 0;
}

static int tc_respond(tc *t, uint32_t sid)
{
    static const h2_nv hdr[] = {
        { (const uint8_t *)"Content-Type", 12, (const uint8_t *)"text/plain", 10, 0 },
    };
    const char *b = t->auto_body ? t->auto_body : "";
    size_t bl = strlen(b);
    tc_body(t, sid, b, bl, 1);
    return h2_session_submit_response(t->s, sid, 200, hdr, 1, bl == 0);
}

static int tc_cb_on_request(void *ud, const h2_request *r)
{
    tc *t = ud;
    if (t->n_req < TC_MAX_EVENTS) {
        t->req_sid[t->n_req] = r->stream_id;
    }
    t->n_req++;
    t->last_req = *r;
    snprintf(t->last_method, sizeof(t->last_method), "%s", r->method ? r->method : "");
    snprintf(t->last_path, sizeof(t->last_path), "%s", r->path ? r->path : "");
    snprintf(t->last_authority, sizeof(t->last_authority), "%s", r->authority ? r->authority : "");
    snprintf(t->last_scheme, sizeof(t->last_scheme), "%s", r->scheme ? r->scheme : "");
    t->last_nfields = r->nfields;
    t->last_too_large = r->too_large;
    t->last_req.fields = NULL;
    t->body_len[(r->stream_id >> 1) % TC_MAX_SIDS] = 0;
    if (t->auto_respond && !t->respond_in_end) {
        tc_respond(t, r->stream_id);
    }
    return 0;
}

static int tc_cb_on_data(void *ud, uint32_t sid, void *sud, const uint8_t *d, size_t n)
{
    tc *t = ud;
    (void)sud;
    t->n_data_cb++;
    t->body_len[(sid >> 1) % TC_MAX_SIDS] += n;
    if (t->body_total < sizeof(t->body)) {
        size_t k = sizeof(t->body) - t->body_total;
        memcpy(t->body + t->body_total, d, n < k ? n : k);
    }
    t->body_total += n;
    if (t->auto_consume) {
        h2_session_consume(t->s, sid, n);
    }
    return 0;
}

static int tc_cb_on_request_end(void *ud, uint32_t sid, void *sud, const h2_nv *tr, size_t n)
{
    tc *t = ud;
    (void)sud;
    (void)tr;
    t->n_req_end++;
    t->last_trailers = n;
    if (t->auto_respond && t->respond_in_end) {
        tc_respond(t, sid);
    }
    return 0;
}

static void tc_cb_on_stream_close(void *ud, uint32_t sid, void *sud, uint32_t code, int by_peer)
{
    tc *t = ud;
    (void)sud;
    if (t->n_closed < TC_MAX_EVENTS) {
        t->closed[t->n_closed].sid = sid;
        t->closed[t->n_closed].code = code;
        t->closed[t->n_closed].by_peer = by_peer;
    }
    t->n_closed++;
}

static void tc_cb_on_conn_error(void *ud, uint32_t code, const char *reason)
{
    tc *t = ud;
    t->n_conn_err++;
    t->conn_err_code = code;
    t->conn_err_reason = reason;
}

static void tc_cb_on_stream_error(void *ud, uint32_t sid, uint32_t code, const char *reason)
{
    tc *t = ud;
    (void)sid;
    t->n_stream_err++;
    t->stream_err_code = code;
    t->stream_err_reason = reason;
}

static void tc_cb_on_goaway(void *ud, uint32_t last, uint32_t code)
{
    tc *t = ud;
    (void)last;
    (void)code;
    t->n_goaway++;
}

static void tc_cb_on_priority(void *ud, uint32_t sid, void *sud, const h2_priority *p)
{
    tc *t = ud;
    (void)sid;
    (void)sud;
    (void)p;
    t->n_prio++;
}

/* padded zero-copy DATA (cfg.padding_bits) */
static inline int tc_cb_send_data_padded(void *ud, uint32_t sid, void *sud, const uint8_t *prefix,
                                  size_t prefix_len, size_t len, const uint8_t *padding,
                                  size_t pad_len, int end_stream)
{
    tc *t = ud;
    tc_src *src = tc_src_of(t, sid);
    (void)sud;
    (void)end_stream;
    if (t->send_fail) {
        return -1;
    }
    if (src->off + len > src->len || len > src->ready || len == 0) {
        t->out_bad = 1;
        return -1;
    }
    if (h2_buf_append(&t->out, prefix, prefix_len) ||
        h2_buf_append(&t->out, src->data + src->off, len) ||
        (pad_len && h2_buf_append(&t->out, padding, pad_len))) {
        return -1;
    }
    src->off += len;
    src->ready -= len;
    t->data_bytes += len;
    t->n_padded_data++;
    return 0;
}

/* ---- setup ---- */

static inline void tc_init_cfg(tc *t, const h2_session_config *cfg)
{
    memset(t, 0, sizeof(*t));
    if (cfg) {
        t->cfg = *cfg;
    } else {
        h2_session_config_init(&t->cfg);
    }
    t->cb.send_bytes = tc_cb_send_bytes;
    t->cb.data_available = tc_cb_data_available;
    t->cb.send_data = tc_cb_send_data;
    t->cb.on_request = tc_cb_on_request;
    t->cb.on_data = tc_cb_on_data;
    t->cb.on_request_end = tc_cb_on_request_end;
    t->cb.on_stream_close = tc_cb_on_stream_close;
    t->cb.on_conn_error = tc_cb_on_conn_error;
    t->cb.on_stream_error = tc_cb_on_stream_error;
    t->cb.on_goaway = tc_cb_on_goaway;
    t->cb.on_priority = tc_cb_on_priority;
    h2_buf_init(&t->in);
    h2_buf_init(&t->out);
    t->enc = h2_hpack_encoder_new(4096);
    t->dec = h2_hpack_decoder_new(4096);
    h2_hpack_decoder_set_limits(t->dec, 1 << 20, 10000);
    h2_frame_reader_init(&t->rd, 1 << 20);
    t->s = h2_session_new(&t->cfg, &t->cb, t);
}

/* the same, with the padded DATA callback installed */
static inline void tc_init_padded(tc *t, const h2_session_config *cfg)
{
    tc_init_cfg(t, cfg);
    h2_session_free(t->s);
    t->cb.send_data_padded = tc_cb_send_data_padded;
    t->s = h2_session_new(&t->cfg, &t->cb, t);
}

static inline void tc_free(tc *t)
{
    h2_session_free(t->s);
    h2_buf_free(&t->in);
    h2_buf_free(&t->out);
    h2_hpack_encoder_free(t->enc);
    h2_hpack_decoder_free(t->dec);
    h2_frame_reader_free(&t->rd);
}

/* ---- feeding ---- */

/* feed the frames built in t->in (all at once, or byte by byte when split) */
static inline int tc_feed_split(tc *t, size_t step)
{
    size_t off = 0;
    int rv = H2_SESS_OK;
    while (off < t->in.len) {
        size_t n = t->in.len - off;
        if (step && n > step) {
            n = step;
        }
        rv = h2_session_recv(t->s, t->in.data + off, n, t->now);
        off += n;
    }
    h2_buf_reset(&t->in);
    t->rv = rv;
    return rv;
}

static inline int tc_feed(tc *t)
{
    return tc_feed_split(t, 0);
}

/* ---- server output ---- */

typedef struct tc_hctx {
    tc_frame *f;
} tc_hctx;

static int tc_emit(void *ctx, const h2_nv *nv)
{
    tc_hctx *h = ctx;
    h->f->n_fields++;
    if (nv->name_len == 5 && memcmp(nv->name, ":path", 5) == 0) {
        size_t k = nv->value_len < sizeof(h->f->path) - 1 ? nv->value_len : sizeof(h->f->path) - 1;
        memcpy(h->f->path, nv->value, k);
        h->f->path[k] = 0;
    }
    if (nv->name_len == 7 && memcmp(nv->name, ":status", 7) == 0 && nv->value_len == 3) {
        h->f->status = (nv->value[0] - '0') * 100 + (nv->value[1] - '0') * 10 + (nv->value[2] - '0');
    }
    return 0;
}

/* run h2_session_send and parse everything the server sent into t->f[] (appended) */
static inline size_t tc_pump(tc *t)
{
    size_t produced = 0, off = 0;
    h2_session_send(t->s, 0, &produced);
    while (off < t->out.len) {
        h2_frame fr;
        h2_frame_error err;
        size_t used = 0;
        int rc = h2_frame_read(&t->rd, t->out.data + off, t->out.len - off, &used, &fr, &err);
        off += used;
        if (rc == H2_FR_AGAIN) {
            break;
        }
        if (rc != H2_FR_FRAME) {
            t->out_bad = 1;
            break;
        }
        if (t->nf < TC_MAX_FRAMES) {
            tc_frame *f = &t->f[t->nf++];
            memset(f, 0, sizeof(*f));
            f->type = fr.type;
            f->flags = fr.flags;
            f->sid = fr.stream_id;
            f->length = fr.length;
            f->error_code = fr.error_code;
            f->last_sid = fr.last_stream_id;
            f->increment = fr.window_increment;
            memcpy(f->opaque, fr.opaque, 8);
            f->promised = fr.promised_stream_id;
            f->pad_len = fr.pad_len;
            f->pad_zero = 1;
            if (fr.pad_len > 1) {
                const uint8_t *e = t->out.data + off;   /* end of the frame */
                uint32_t i;
                for (i = 1; i < fr.pad_len; i++) {
                    if (e[-(long)i] != 0) {
                        f->pad_zero = 0;
                    }
                }
            }
            if (fr.type == H2_FT_SETTINGS) {
                size_t i;
                f->n_settings = fr.n_settings;
                for (i = 0; i < fr.n_settings && i < 16; i++) {
                    f->settings[i] = h2_frame_setting(&fr, i);
                }
            } else if (fr.type == H2_FT_GOAWAY) {
                size_t k = fr.payload_len < sizeof(f->debug) - 1 ? fr.payload_len : sizeof(f->debug) - 1;
                memcpy(f->debug, fr.payload, k);
            } else if (fr.type == H2_FT_HEADERS || fr.type == H2_FT_CONTINUATION ||
                       fr.type == H2_FT_PUSH_PROMISE) {
                tc_hctx h;
                h.f = fr.type == H2_FT_HEADERS ? f : f;
                if (h2_hpack_decode(t->dec, fr.payload, fr.payload_len,
                                    (fr.flags & H2_FLAG_END_HEADERS) != 0, tc_emit, &h) < 0) {
                    t->out_bad = 1;
                }
            }
        }
    }
    h2_buf_consume(&t->out, off);
    return produced;
}

static inline void tc_clear(tc *t)
{
    t->nf = 0;
}

/* index of the first frame of type (and sid when sid != (uint32_t)-1) after from, -1 */
static inline long tc_find(const tc *t, uint8_t type, uint32_t sid)
{
    size_t i;
    for (i = 0; i < t->nf; i++) {
        if (t->f[i].type == type && (sid == (uint32_t)-1 || t->f[i].sid == sid)) {
            return (long)i;
        }
    }
    return -1;
}

static inline size_t tc_count(const tc *t, uint8_t type)
{
    size_t i, n = 0;
    for (i = 0; i < t->nf; i++) {
        n += t->f[i].type == type;
    }
    return n;
}

#define TC_ANY ((uint32_t)-1)

/* the GOAWAY the server sent, or NULL */
static inline const tc_frame *tc_goaway(const tc *t)
{
    long i = tc_find(t, H2_FT_GOAWAY, TC_ANY);
    return i < 0 ? NULL : &t->f[i];
}

/* the RST_STREAM for sid, or NULL */
static inline const tc_frame *tc_rst(const tc *t, uint32_t sid)
{
    long i = tc_find(t, H2_FT_RST_STREAM, sid);
    return i < 0 ? NULL : &t->f[i];
}

/* ---- building client frames into t->in ---- */

static inline void tc_preface(tc *t)
{
    h2_buf_append(&t->in, H2_PREFACE, H2_PREFACE_LEN);
}

static inline void tc_settings(tc *t, const h2_setting *s, size_t n)
{
    h2_frame_put_settings(&t->in, s, n);
}

static inline void tc_settings_ack(tc *t)
{
    h2_frame_put_settings_ack(&t->in);
}

/* preface + SETTINGS + ACK of the server's SETTINGS; output parsed and cleared */
static inline void tc_start_with(tc *t, const h2_setting *s, size_t n)
{
    tc_preface(t);
    tc_settings(t, s, n);
    tc_settings_ack(t);
    tc_feed(t);
    tc_pump(t);
    tc_clear(t);
}

static inline void tc_start(tc *t)
{
    tc_start_with(t, NULL, 0);
}

#define TC_NV(n, v) { (const uint8_t *)(n), sizeof(n) - 1, (const uint8_t *)(v), sizeof(v) - 1, 0 }

/* HPACK-encode a field list */
static inline void tc_block(tc *t, const h2_nv *nv, size_t n, h2_buf *out)
{
    h2_hpack_encode(t->enc, nv, n, out);
}

static inline void tc_headers_nv(tc *t, uint32_t sid, const h2_nv *nv, size_t n, int end_stream)
{
    h2_buf b;
    h2_buf_init(&b);
    tc_block(t, nv, n, &b);
    h2_frame_put_headers(&t->in, sid, b.data, b.len, end_stream, 16384);
    h2_buf_free(&b);
}

/* a GET (or method) request with the usual pseudo-headers */
static inline void tc_request(tc *t, uint32_t sid, const char *method, const char *path,
                              int end_stream)
{
    h2_nv nv[4];
    nv[0].name = (const uint8_t *)":method"; nv[0].name_len = 7;
    nv[0].value = (const uint8_t *)method; nv[0].value_len = strlen(method); nv[0].flags = 0;
    nv[1].name = (const uint8_t *)":scheme"; nv[1].name_len = 7;
    nv[1].value = (const uint8_t *)"https"; nv[1].value_len = 5; nv[1].flags = 0;
    nv[2].name = (const uint8_t *)":authority"; nv[2].name_len = 10;
    nv[2].value = (const uint8_t *)"example.org"; nv[2].value_len = 11; nv[2].flags = 0;
    nv[3].name = (const uint8_t *)":path"; nv[3].name_len = 5;
    nv[3].value = (const uint8_t *)path; nv[3].value_len = strlen(path); nv[3].flags = 0;
    tc_headers_nv(t, sid, nv, 4, end_stream);
}

static inline void tc_get(tc *t, uint32_t sid)
{
    tc_request(t, sid, "GET", "/", 1);
}

/* HEADERS whose block is split: HEADERS with the first `first` octets, then CONTINUATIONs of
 * `chunk` octets */
static inline void tc_request_split(tc *t, uint32_t sid, size_t first, size_t chunk, int es)
{
    h2_buf b;
    size_t off;
    h2_nv nv[4] = {
        TC_NV(":method", "GET"), TC_NV(":scheme", "https"), TC_NV(":authority", "example.org"),
        TC_NV(":path", "/split")
    };
    h2_buf_init(&b);
    tc_block(t, nv, 4, &b);
    if (first > b.len) {
        first = b.len;
    }
    h2_frame_put_hdr(&t->in, (uint32_t)first, H2_FT_HEADERS,
                     (uint8_t)((es ? H2_FLAG_END_STREAM : 0) | (first == b.len ? H2_FLAG_END_HEADERS : 0)),
                     sid);
    h2_buf_append(&t->in, b.data, first);
    for (off = first; off < b.len; off += chunk) {
        size_t n = b.len - off < chunk ? b.len - off : chunk;
        h2_frame_put_hdr(&t->in, (uint32_t)n, H2_FT_CONTINUATION,
                         off + n == b.len ? H2_FLAG_END_HEADERS : 0, sid);
        h2_buf_append(&t->in, b.data + off, n);
    }
    h2_buf_free(&b);
}

static inline void tc_data(tc *t, uint32_t sid, const char *d, size_t n, int end_stream)
{
    h2_frame_put_data(&t->in, sid, (const uint8_t *)d, n, end_stream, 0);
}

static inline void tc_rst_frame(tc *t, uint32_t sid, uint32_t code)
{
    h2_frame_put_rst_stream(&t->in, sid, code);
}

static inline void tc_wu(tc *t, uint32_t sid, uint32_t inc)
{
    /* built by hand: the codec may refuse an increment of 0 */
    uint8_t p[4];
    h2_frame_put_hdr(&t->in, 4, H2_FT_WINDOW_UPDATE, 0, sid);
    h2_put_u32(p, inc & 0x7fffffffu);
    h2_buf_append(&t->in, p, 4);
}

static inline void tc_ping(tc *t, const char *opaque8, int ack)
{
    h2_frame_put_ping(&t->in, (const uint8_t *)opaque8, ack);
}

/* a raw frame: header fields and payload as given */
static inline void tc_raw(tc *t, uint8_t type, uint8_t flags, uint32_t sid, const void *p,
                          size_t n)
{
    h2_frame_put_hdr(&t->in, (uint32_t)n, type, flags, sid);
    h2_buf_append(&t->in, p, n);
}

#endif /* H2SESS_H */
