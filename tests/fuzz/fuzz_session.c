/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * fuzz_session.c -- libFuzzer target for the whole session engine (server role).
 *
 * Input: two control octets, then the client's byte stream.
 *   c0 bits 0-1: what precedes the stream: nothing / preface + SETTINGS / preface +
 *                SETTINGS + SETTINGS ACK / h2c upgrade (HTTP2-Settings from the stream's
 *                first octets) then preface + SETTINGS
 *   c0 bit 2:    tight configuration (tiny windows, budgets and bookkeeping bounds)
 *   c0 bit 3:    the "application" answers requests (bodies, 103, trailers, resets); it
 *                also resets the last request's stream between some chunks
 *   c0 bit 4:    request bodies are consumed at once (else every other chunk)
 *   c0 bit 5:    h2_session_send after every chunk (else only at the end: a client that
 *                does not read)
 *   c0 bit 6:    padding (padding_bits 1..8 from c1) with the padded DATA callback
 *   c0 bit 7:    server push (PUSH_PROMISE from on_request and from data_available, the
 *                promised responses submitted at once or later) and discarded request
 *                bodies (h2_session_discard_body on some requests, early responses)
 *   c1:          chunk length (0: everything at once)
 * Checked after every chunk: stream table, closed records, pending priorities within their
 * bounds; windows in range; received-but-unconsumed bytes within the connection window;
 * heap held by the session bounded; the output is a sequence of valid frames whose header
 * blocks (HEADERS, PUSH_PROMISE) decode with an HPACK decoder in step with the engine's
 * encoder; promised ids even and increasing; padding octets zero.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "h2_proto.h"
#include "h2_frame.h"
#include "h2_hpack.h"
#include "h2_session.h"

#define CHECK(c) do { if (!(c)) { __builtin_trap(); } } while (0)
#define SLOTS 64

typedef struct fz {
    h2_session *s;
    h2_session_config cfg;
    int respond, consume_now, step, push;
    h2_buf out;
    h2_hpack_decoder *dec;
    int in_block;             /* CONTINUATION expected in the output */
    uint32_t block_sid;
    size_t remaining[SLOTS];  /* response body octets still to produce, by sid % SLOTS */
    uint32_t pending_consume[SLOTS];
    uint32_t pending_sid[SLOTS];
    uint32_t last_req_sid;    /* reset by the "application" now and then, between chunks */
    uint32_t last_promised;   /* highest promised id seen in the output */
    uint32_t unanswered[4];   /* promised streams answered later (in drain) */
} fz;

static const h2_nv push_req[5] = {
    { (const uint8_t *)":method", 7, (const uint8_t *)"GET", 3, 0 },
    { (const uint8_t *)":scheme", 7, (const uint8_t *)"https", 5, 0 },
    { (const uint8_t *)":authority", 10, (const uint8_t *)"example.org", 11, 0 },
    { (const uint8_t *)":path", 5, (const uint8_t *)"/pushed.css", 11, 0 },
    { (const uint8_t *)"accept", 6, (const uint8_t *)"text/css", 8, 0 },
};

/* promise a resource on parent; answer it now or leave it for drain() */
static void do_push(fz *z, uint32_t parent, int answer_now)
{
    uint32_t p = 0;
    int rv = h2_session_submit_push_promise(z->s, parent, push_req, 4 + (parent & 1), NULL, &p);
    CHECK(rv == H2_SESS_OK || rv == H2_SESS_ERR_REFUSED || rv == H2_SESS_ERR_STATE ||
          rv == H2_SESS_ERR_NOMEM);
    if (rv != H2_SESS_OK) {
        return;
    }
    CHECK(p && !(p & 1));
    CHECK(h2_session_peer_setting(z->s, H2_SET_ENABLE_PUSH) == 1);
    if (answer_now) {
        z->remaining[p % SLOTS] = (p * 53u) % 30000u;
        h2_session_submit_response(z->s, p, 200, NULL, 0, z->remaining[p % SLOTS] == 0);
    } else {
        z->unanswered[(p >> 1) % 4] = p;
    }
}

static int cb_send_bytes(void *ud, const uint8_t *p, size_t n)
{
    fz *z = ud;
    return h2_buf_append(&z->out, p, n);
}

static long cb_data_available(void *ud, uint32_t sid, void *sud, size_t max, int *eos)
{
    fz *z = ud;
    size_t r = z->remaining[sid % SLOTS];
    (void)sud;
    if (sid % 7 == 3 && z->step % 3 == 0) {
        return 0;   /* deferred; resumed later */
    }
    if (z->push && (sid & 1) && sid % 11 == 5) {
        do_push(z, sid, 1);   /* a PUSH_PROMISE must precede this DATA */
    }
    if (r > max) {
        r = max;
    }
    *eos = r == z->remaining[sid % SLOTS];
    return (long)r;
}

static int cb_send_data(void *ud, uint32_t sid, void *sud, const uint8_t hdr[9], size_t len,
                        int end_stream)
{
    fz *z = ud;
    (void)sud;
    (void)end_stream;
    CHECK(len > 0 && len <= z->remaining[sid % SLOTS]);
    z->remaining[sid % SLOTS] -= len;
    if (h2_buf_append(&z->out, hdr, 9) != 0 || h2_buf_reserve(&z->out, len) != 0) {
        return -1;
    }
    memset(z->out.data + z->out.len, 'd', len);
    z->out.len += len;
    return 0;
}

static int cb_send_data_padded(void *ud, uint32_t sid, void *sud, const uint8_t *prefix,
                               size_t prefix_len, size_t len, const uint8_t *padding,
                               size_t pad_len, int end_stream)
{
    fz *z = ud;
    size_t i;
    (void)sud;
    CHECK(len > 0 && len <= z->remaining[sid % SLOTS]);
    CHECK(prefix_len == 10 && prefix[9] == pad_len && pad_len <= 255);
    CHECK(h2_get_u24(prefix) == 1 + len + pad_len);
    CHECK(prefix[3] == H2_FT_DATA && (prefix[4] & H2_FLAG_PADDED));
    CHECK(((prefix[4] & H2_FLAG_END_STREAM) != 0) == (end_stream != 0));
    for (i = 0; i < pad_len; i++) {
        CHECK(padding[i] == 0);
    }
    z->remaining[sid % SLOTS] -= len;
    if (h2_buf_append(&z->out, prefix, prefix_len) != 0 || h2_buf_reserve(&z->out, len) != 0) {
        return -1;
    }
    memset(z->out.data + z->out.len, 'd', len);
    z->out.len += len;
    return pad_len ? h2_buf_append(&z->out, padding, pad_len) : 0;
}

static int cb_on_request(void *ud, const h2_request *r)
{
    fz *z = ud;
    static const h2_nv hdr[2] = {
        { (const uint8_t *)"content-type", 12, (const uint8_t *)"text/html", 9, 0 },
        { (const uint8_t *)"Set-Cookie", 10, (const uint8_t *)"a=b", 3, 0 },
    };
    static const h2_nv tr[1] = { { (const uint8_t *)"x-t", 3, (const uint8_t *)"1", 1, 0 } };
    uint32_t sid = r->stream_id;
    CHECK(sid & 1);
    z->last_req_sid = sid;
    if (!r->too_large) {
        CHECK(r->method != NULL);
        CHECK(r->method[r->method_len] == 0);
    }
    if (!z->respond) {
        return 0;
    }
    if (z->push) {
        if (sid % 3 == 0) {
            do_push(z, sid, 1);
            do_push(z, sid, 0);
        }
        if (!r->end_stream && sid % 4 == 1) {
            h2_session_discard_body(z->s, sid);
        }
    }
    switch (sid % 5) {
    case 0:
        h2_session_submit_rst(z->s, sid, H2_CANCEL);
        break;
    case 1:
        h2_session_submit_response(z->s, sid, 103, hdr, 1, 0);
        /* fall through */
    default:
        z->remaining[sid % SLOTS] = (sid * 37u) % 40000u;
        h2_session_submit_response(z->s, sid, r->too_large ? 431 : 200, hdr, 2,
                                   z->remaining[sid % SLOTS] == 0);
        if (sid % 5 == 2) {
            h2_session_submit_trailers(z->s, sid, tr, 1);
        }
        break;
    }
    return 0;
}

static int cb_on_data(void *ud, uint32_t sid, void *sud, const uint8_t *d, size_t n)
{
    fz *z = ud;
    (void)sud;
    (void)d;
    if (z->consume_now) {
        h2_session_consume(z->s, sid, n);
    } else {
        z->pending_sid[sid % SLOTS] = sid;
        z->pending_consume[sid % SLOTS] += (uint32_t)n;
    }
    return 0;
}

/* walk the server's output: valid frames, header blocks in step with our decoder */
static int emit_any(void *ctx, const h2_nv *nv)
{
    (void)ctx;
    CHECK(nv->name_len > 0);
    return 0;
}

static void check_output(fz *z)
{
    size_t off = 0;
    while (z->out.len - off >= 9) {
        const uint8_t *p = z->out.data + off;
        uint32_t len = h2_get_u24(p);
        h2_frame f;
        h2_frame_error err;
        if (z->out.len - off - 9 < len) {
            break;
        }
        CHECK(h2_frame_decode(p, p + 9, H2_MAX_MAX_FRAME_SIZE, &f, &err) == H2_FR_FRAME);
        CHECK(f.type <= H2_FT_CONTINUATION && f.type != H2_FT_PRIORITY);
        CHECK(f.length <= h2_session_peer_setting(z->s, H2_SET_MAX_FRAME_SIZE) ||
              f.length <= H2_DEFAULT_MAX_FRAME_SIZE);
        if (z->in_block) {
            CHECK(f.type == H2_FT_CONTINUATION && f.stream_id == z->block_sid);
        } else {
            CHECK(f.type != H2_FT_CONTINUATION);
        }
        if (f.type == H2_FT_PUSH_PROMISE) {
            CHECK((f.stream_id & 1) && f.promised_stream_id > z->last_promised &&
                  !(f.promised_stream_id & 1));
            z->last_promised = f.promised_stream_id;
        }
        if (f.type == H2_FT_HEADERS || f.type == H2_FT_CONTINUATION ||
            f.type == H2_FT_PUSH_PROMISE) {
            int last = (f.flags & H2_FLAG_END_HEADERS) != 0;
            CHECK(f.stream_id != 0);
            CHECK(h2_hpack_decode(z->dec, f.payload, f.payload_len, last, emit_any, NULL) >= 0);
            z->in_block = !last;
            z->block_sid = f.stream_id;
        }
        if (f.pad_len > 1) {
            uint32_t i;
            CHECK(z->cfg.padding_bits > 0 && f.pad_len - 1 < (1u << z->cfg.padding_bits));
            for (i = 1; i < f.pad_len; i++) {
                CHECK(p[9 + len - i] == 0);
            }
        }
        if ((f.type == H2_FT_DATA || f.type == H2_FT_RST_STREAM) && !(f.stream_id & 1)) {
            CHECK(f.stream_id <= z->last_promised);
        }
        off += 9 + len;
    }
    h2_buf_consume(&z->out, off);
}

static void check_invariants(fz *z)
{
    h2_session_stats st;
    uint32_t maxc = z->cfg.max_concurrent_streams;
    h2_session_get_stats(z->s, &st);
    /* + the upgraded stream 1, + pushed streams */
    CHECK(st.streams_pushed <= z->cfg.max_push_streams);
    CHECK(st.streams_active <= maxc + 1 + st.streams_pushed);
    CHECK(st.streams_in_table <= maxc + 1 + st.streams_pushed);
    CHECK(st.closed_records <= z->cfg.max_closed_streams);
    CHECK(st.pending_priorities <= (z->cfg.max_pending_priorities ? z->cfg.max_pending_priorities
                                                                   : (maxc ? maxc : 1)) ||
          st.pending_priorities <= 1024);
    CHECK(st.conn_send_window <= (int64_t)H2_MAX_WINDOW_SIZE);
    CHECK(st.conn_recv_window >= 0);
    CHECK(st.conn_recv_window + (int64_t)st.conn_recv_unconsumed <= (int64_t)z->cfg.conn_window_size
          || z->cfg.conn_window_size < H2_DEFAULT_WINDOW_SIZE);
    CHECK(st.mem_bytes < (size_t)16 << 20);
    CHECK(h2_session_open_streams(z->s) == st.streams_active);
}

static void drain(fz *z, int force)
{
    size_t i, produced;
    if (!force && !z->consume_now && (z->step & 1)) {
        return;
    }
    if (!force && z->last_req_sid && z->step % 5 == 4) {
        /* the application gives up on a stream (it may be inside a header block) */
        h2_session_submit_rst(z->s, z->last_req_sid, H2_CANCEL);
        z->last_req_sid = 0;
    }
    for (i = 0; i < SLOTS; i++) {
        if (z->pending_consume[i]) {
            h2_session_consume(z->s, z->pending_sid[i], z->pending_consume[i]);
            z->pending_consume[i] = 0;
        }
        if (z->remaining[i]) {
            h2_session_resume_data(z->s, (uint32_t)(i + (z->step % 3) * SLOTS) | 1);
            if (z->push) {
                h2_session_resume_data(z->s, (uint32_t)(i + (z->step % 3) * SLOTS) & ~1u);
            }
        }
    }
    for (i = 0; i < 4; i++) {
        uint32_t p = z->unanswered[i];
        if (p && (force || z->step % 2)) {
            z->unanswered[i] = 0;
            z->remaining[p % SLOTS] = (p * 29u) % 20000u;
            h2_session_submit_response(z->s, p, 200, NULL, 0, z->remaining[p % SLOTS] == 0);
        }
    }
    h2_session_send(z->s, (z->step % 4) ? 0 : 20000, &produced);
    check_output(z);
}

static void config_for(h2_session_config *c, int tight)
{
    h2_session_config_init(c);
    if (tight) {
        c->max_concurrent_streams = 4;
        c->initial_window_size = 100;
        c->conn_window_size = 65535;
        c->stream_buffer_max = 300;
        c->max_header_list_size = 512;
        c->max_header_fields = 8;
        c->max_continuations = 3;
        c->max_control_queued = 20;
        c->max_settings = 5;
        c->max_pings = 5;
        c->max_resets = 5;
        c->max_glitches = 5;
        c->max_empty_frames = 5;
        c->max_requests = 7;
        c->max_closed_streams = 4;
        c->max_pending_priorities = 2;
        c->max_frame_size = 20000;
        c->header_table_size = 256;
        c->max_push_streams = 3;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t settings_ack[9] = { 0, 0, 0, 4, 1, 0, 0, 0, 0 };
    static const uint8_t settings_empty[9] = { 0, 0, 0, 4, 0, 0, 0, 0, 0 };
    h2_session_callbacks cb;
    fz z;
    uint8_t c0, c1;
    size_t off = 0, chunk;
    uint64_t now = 0;
    if (size < 2) {
        return 0;
    }
    c0 = data[0];
    c1 = data[1];
    data += 2;
    size -= 2;
    memset(&z, 0, sizeof(z));
    memset(&cb, 0, sizeof(cb));
    cb.send_bytes = cb_send_bytes;
    cb.data_available = cb_data_available;
    cb.send_data = cb_send_data;
    cb.on_request = cb_on_request;
    cb.on_data = cb_on_data;
    config_for(&z.cfg, (c0 & 4) != 0);
    if (c0 & 64) {
        z.cfg.padding_bits = 1u + (c1 & 7u);
        z.cfg.padding_seed = (uint64_t)c1 * 2654435761u + size;
        cb.send_data_padded = cb_send_data_padded;
    }
    z.push = (c0 & 128) != 0;
    z.respond = (c0 & 8) != 0;
    z.consume_now = (c0 & 16) != 0;
    h2_buf_init(&z.out);
    z.dec = h2_hpack_decoder_new(4096);
    z.s = h2_session_new(&z.cfg, &cb, &z);
    CHECK(z.s && z.dec);
    h2_hpack_decoder_set_limits(z.dec, 1 << 20, 1 << 16);

    switch (c0 & 3) {
    case 3: {
        size_t n = size < 16 ? size : 16;
        char b64[16];
        size_t i;
        for (i = 0; i < n; i++) {
            b64[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[data[i] & 63];
        }
        h2_session_upgrade(z.s, b64, n, NULL);
        z.remaining[1] = 1000;
        h2_session_submit_response(z.s, 1, 200, NULL, 0, 0);
        off = n;
    }
        /* fall through */
    case 1:
        h2_session_recv(z.s, (const uint8_t *)H2_PREFACE, H2_PREFACE_LEN, now);
        h2_session_recv(z.s, settings_empty, 9, now);
        break;
    case 2:
        h2_session_recv(z.s, (const uint8_t *)H2_PREFACE, H2_PREFACE_LEN, now);
        h2_session_recv(z.s, settings_empty, 9, now);
        h2_session_recv(z.s, settings_ack, 9, now);
        break;
    default:
        break;
    }
    chunk = c1 ? c1 : size;
    while (off < size) {
        size_t n = size - off < chunk ? size - off : chunk;
        h2_session_recv(z.s, data + off, n, now);
        off += n;
        now += (z.step % 5) * 100;
        z.step++;
        if (c0 & 32) {
            drain(&z, 0);
        }
        check_invariants(&z);
        h2_session_tick(z.s, now);
    }
    drain(&z, 1);
    drain(&z, 1);
    check_invariants(&z);
    if (h2_session_is_done(z.s)) {
        CHECK(!h2_session_want_write(z.s));
    }
    h2_session_free(z.s);
    h2_hpack_decoder_free(z.dec);
    h2_buf_free(&z.out);
    return 0;
}
