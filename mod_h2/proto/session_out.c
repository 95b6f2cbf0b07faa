/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * session_out.c -- the output side of the session engine: submit calls (responses,
 * trailers, resets, GOAWAY, PING), h2_session_send (built frames first, then DATA frames
 * the scheduler picks, zero-copy through send_data), send flow control.
 */
#include <stdlib.h>
#include <string.h>

#include "session_int.h"

/* ------------------------------------------------------------------------------------- */
/* Header field lists going out */

static int snv_reserve(h2_session *s, size_t n)
{
    if (n > s->snv_cap) {
        h2_nv *p = h2_mem_realloc(&s->mem, s->snv, n * sizeof(*p));
        if (!p) {
            return -1;
        }
        s->snv = p;
        s->snv_cap = n;
    }
    return 0;
}

static void trim_ows(const uint8_t **v, size_t *len)
{
    while (*len && (**v == ' ' || **v == '\t')) {
        (*v)++;
        (*len)--;
    }
    while (*len && ((*v)[*len - 1] == ' ' || (*v)[*len - 1] == '\t')) {
        (*len)--;
    }
}

/*
 * Fill s->snv with a field list fit to send (§8.2): names lowercased (copies in
 * s->lcnames), pseudo-header names, invalid and connection-specific fields dropped,
 * values trimmed. status > 0 puts :status first. Returns the count, or -1 (no memory).
 */
static long prepare_fields(h2_session *s, int status, const h2_nv *fields, size_t n)
{
    size_t i, k = 0, names = 4;
    uint8_t *p;
    for (i = 0; i < n; i++) {
        names += fields[i].name_len;
    }
    h2_buf_reset(&s->lcnames);
    if (h2_buf_reserve(&s->lcnames, names) != 0 || snv_reserve(s, n + 1) != 0) {
        return -1;
    }
    p = s->lcnames.data;
    if (status > 0) {
        p[0] = (uint8_t)('0' + status / 100 % 10);
        p[1] = (uint8_t)('0' + status / 10 % 10);
        p[2] = (uint8_t)('0' + status % 10);
        s->snv[k].name = (const uint8_t *)":status";
        s->snv[k].name_len = 7;
        s->snv[k].value = p;
        s->snv[k].value_len = 3;
        s->snv[k].flags = 0;
        k++;
        p += 3;
    }
    for (i = 0; i < n; i++) {
        const h2_nv *f = &fields[i];
        const uint8_t *v = f->value;
        size_t j, vlen = f->value_len;
        for (j = 0; j < f->name_len; j++) {
            uint8_t c = f->name[j];
            p[j] = (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
        }
        trim_ows(&v, &vlen);
        if (!h2_field_name_valid(p, f->name_len) || h2_field_is_connection_specific(p, f->name_len)
            || !h2_field_value_valid(v, vlen)) {
            continue;
        }
        s->snv[k].name = p;
        s->snv[k].name_len = f->name_len;
        s->snv[k].value = v;
        s->snv[k].value_len = vlen;
        s->snv[k].flags = f->flags;
        k++;
        p += f->name_len;
    }
    return (long)k;
}

/* ------------------------------------------------------------------------------------- */
/* Padding (cfg.padding_bits) */

static const uint8_t zeros[256];

/* xorshift64 (Marsaglia): a session's own PRNG, the state is never 0 */
uint64_t h2s_rand(h2_session *s)
{
    uint64_t x = s->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    s->rng = x;
    return x;
}

/* padding octets for the next frame: 0..2^N-1 (0 when padding is off) */
static size_t pad_octets(h2_session *s)
{
    if (!s->cfg.padding_bits) {
        return 0;
    }
    return (size_t)(h2s_rand(s) >> 32) & ((1u << s->cfg.padding_bits) - 1u);
}

/* pad_len argument of the codec for a header block frame: 0 or 1 + padding octets */
static unsigned field_block_pad(h2_session *s)
{
    return s->cfg.padding_bits ? 1u + (unsigned)pad_octets(s) : 0u;
}

/* HPACK-encode s->snv[0..n) and append HEADERS (+ CONTINUATION) for sid to the output */
static int put_header_block(h2_session *s, uint32_t sid, size_t n, int end_stream)
{
    h2_buf_reset(&s->hblock);
    if (h2_hpack_encode(s->enc, s->snv, n, &s->hblock) != 0 ||
        h2_frame_put_headers_padded(&s->out, sid, s->hblock.data, s->hblock.len, end_stream,
                                    s->peer[H2_SET_MAX_FRAME_SIZE], field_block_pad(s)) != 0) {
        h2s_fatal(s, H2_SESS_ERR_NOMEM);
        return H2_SESS_ERR_NOMEM;
    }
    s->frames_out++;
    return H2_SESS_OK;
}

/* ------------------------------------------------------------------------------------- */
/* Scheduling */

void h2s_sched_update(h2_session *s, h2_stream *st)
{
    if (st->in_table && st->body_pending && !st->deferred && st->send_window > 0) {
        h2_sched_add(&s->sched, &st->sched);
    } else {
        h2_sched_remove(&s->sched, &st->sched);
    }
}

void h2s_discard_rst(h2_session *s, h2_stream *st)
{
    if (!st->in_table || st->state != H2_SS_HALF_CLOSED_LOCAL) {
        return;
    }
    if (h2_frame_put_rst_stream(&s->out, st->id, H2_NO_ERROR) != 0) {
        h2s_fatal(s, H2_SESS_ERR_NOMEM);
        return;
    }
    s->frames_out++;
    h2s_set_state(s, st, H2_SS_CLOSED_RST_SENT);
    h2s_close_stream(s, st, H2_NO_ERROR, 0);
}

/* our side of st is done: END_STREAM sent */
static void local_end(h2_session *s, h2_stream *st)
{
    h2_stream_trans tr = h2_stream_transition((h2_stream_state)st->state,
                                              H2_EV_SEND_END_STREAM);
    st->body_pending = 0;
    h2_sched_remove(&s->sched, &st->sched);
    if (tr.action == H2_TR_OK) {
        h2s_set_state(s, st, tr.next);
        if (st->discard) {
            /* §8.1: complete response, the request body is not wanted */
            h2s_discard_rst(s, st);
        }
        h2s_maybe_close(s, st);
    }
}

/* ------------------------------------------------------------------------------------- */
/* Submit calls */

static h2_stream *live_stream(h2_session *s, uint32_t sid)
{
    h2_stream *st;
    if (s->dead || !(st = h2s_find(s, sid)) || !st->in_table) {
        return NULL;
    }
    return st;
}

int h2_session_submit_response(h2_session *s, uint32_t sid, int status, const h2_nv *fields,
                               size_t n, int end_stream)
{
    h2_stream *st = live_stream(s, sid);
    h2_stream_trans tr;
    int interim, rv;
    long k;
    if (status < 100 || status > 599 || status == 101 || (n && !fields)) {
        return H2_SESS_ERR_ARG;
    }
    interim = status < 200;
    if (interim && end_stream) {
        return H2_SESS_ERR_ARG;
    }
    if (!st || st->resp_final) {
        return H2_SESS_ERR_STATE;
    }
    tr = h2_stream_transition((h2_stream_state)st->state, H2_EV_SEND_HEADERS);
    if (tr.action != H2_TR_OK) {
        return H2_SESS_ERR_STATE;
    }
    if (st->state == H2_SS_RESERVED_LOCAL &&
        s->n_push_active >= s->peer[H2_SET_MAX_CONCURRENT_STREAMS]) {
        /* the client lowered its limit after the promise: withdraw it (§5.1.2, §8.4) */
        if (h2_frame_put_rst_stream(&s->out, sid, H2_REFUSED_STREAM) != 0) {
            h2s_fatal(s, H2_SESS_ERR_NOMEM);
            return H2_SESS_ERR_NOMEM;
        }
        s->frames_out++;
        h2s_set_state(s, st, H2_SS_CLOSED_RST_SENT);
        h2s_close_stream(s, st, H2_REFUSED_STREAM, 0);
        return H2_SESS_ERR_REFUSED;
    }
    if ((k = prepare_fields(s, status, fields, n)) < 0) {
        h2s_fatal(s, H2_SESS_ERR_NOMEM);
        return H2_SESS_ERR_NOMEM;
    }
    if ((rv = put_header_block(s, sid, (size_t)k, end_stream)) != H2_SESS_OK) {
        return rv;
    }
    h2s_set_state(s, st, tr.next);
    if (interim) {
        return H2_SESS_OK;
    }
    st->resp_final = 1;
    if (end_stream) {
        local_end(s, st);
    } else {
        st->body_pending = 1;
        st->deferred = 0;
        h2s_sched_update(s, st);
    }
    return H2_SESS_OK;
}

static int put_u32(h2_buf *b, uint32_t v)
{
    uint8_t x[4];
    h2_put_u32(x, v);
    return h2_buf_append(b, x, 4);
}

int h2_session_submit_trailers(h2_session *s, uint32_t sid, const h2_nv *fields, size_t n)
{
    h2_stream *st = live_stream(s, sid);
    long k, i;
    if (!st || !st->resp_final || !st->body_pending || st->has_trailers) {
        return H2_SESS_ERR_STATE;
    }
    if (n && !fields) {
        return H2_SESS_ERR_ARG;
    }
    if ((k = prepare_fields(s, 0, fields, n)) < 0) {
        h2s_fatal(s, H2_SESS_ERR_NOMEM);
        return H2_SESS_ERR_NOMEM;
    }
    h2_buf_reset(&st->trailers);
    for (i = 0; i < k; i++) {
        const h2_nv *f = &s->snv[i];
        if (put_u32(&st->trailers, (uint32_t)f->name_len) ||
            h2_buf_append(&st->trailers, f->name, f->name_len) ||
            put_u32(&st->trailers, (uint32_t)f->value_len) ||
            h2_buf_append(&st->trailers, f->value, f->value_len)) {
            h2s_fatal(s, H2_SESS_ERR_NOMEM);
            return H2_SESS_ERR_NOMEM;
        }
    }
    st->n_trailers = (uint32_t)k;
    st->has_trailers = k > 0;
    return H2_SESS_OK;
}

/* HEADERS with END_STREAM carrying the stored trailers */
static int put_trailers(h2_session *s, h2_stream *st)
{
    const uint8_t *p = st->trailers.data;
    uint32_t i;
    if (snv_reserve(s, st->n_trailers) != 0) {
        h2s_fatal(s, H2_SESS_ERR_NOMEM);
        return H2_SESS_ERR_NOMEM;
    }
    for (i = 0; i < st->n_trailers; i++) {
        h2_nv *f = &s->snv[i];
        f->name_len = h2_get_u32(p);
        f->name = p + 4;
        p += 4 + f->name_len;
        f->value_len = h2_get_u32(p);
        f->value = p + 4;
        p += 4 + f->value_len;
        f->flags = 0;
    }
    return put_header_block(s, st->id, st->n_trailers, 1);
}

int h2_session_resume_data(h2_session *s, uint32_t sid)
{
    h2_stream *st = live_stream(s, sid);
    if (!st) {
        return H2_SESS_ERR_STATE;
    }
    st->deferred = 0;
    h2s_sched_update(s, st);
    return H2_SESS_OK;
}

int h2_session_submit_rst(h2_session *s, uint32_t sid, uint32_t error_code)
{
    h2_stream *st = live_stream(s, sid);
    h2_stream_trans tr;
    if (!st) {
        return H2_SESS_ERR_STATE;
    }
    tr = h2_stream_transition((h2_stream_state)st->state, H2_EV_SEND_RST);
    if (tr.action != H2_TR_OK) {
        return H2_SESS_ERR_STATE;
    }
    if (h2_frame_put_rst_stream(&s->out, sid, error_code) != 0) {
        h2s_fatal(s, H2_SESS_ERR_NOMEM);
        return H2_SESS_ERR_NOMEM;
    }
    s->frames_out++;
    h2s_set_state(s, st, tr.next);
    h2s_close_stream(s, st, error_code, 0);
    return H2_SESS_OK;
}

/* ------------------------------------------------------------------------------------- */
/* Server push */

int h2_session_push_enabled(const h2_session *s)
{
    uint32_t n = s->n_pushed;
    /* The client's settings must be known: its first SETTINGS frame, or for an h2c
     * Upgrade the HTTP2-Settings header (RFC 9113 §3.2 of RFC 7540: those are its initial
     * settings; a later change takes effect only once we receive it, §6.5.3). */
    if (s->dead || (s->in_state != H2_IN_FRAMES && !s->upgraded) ||
        s->peer[H2_SET_ENABLE_PUSH] != 1 ||
        s->goaway_sent || s->goaway_recv || s->next_push_sid == 0) {
        return 0;
    }
    if (n >= s->peer[H2_SET_MAX_CONCURRENT_STREAMS] ||
        (s->cfg.max_push_streams && n >= s->cfg.max_push_streams)) {
        return 0;
    }
    return 1;
}

static int name_is(const h2_nv *f, const char *lc)
{
    size_t i, n = strlen(lc);
    if (f->name_len != n) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        uint8_t c = f->name[i];
        if (c >= 'A' && c <= 'Z') {
            c = (uint8_t)(c + 32);
        }
        if (c != (uint8_t)lc[i]) {
            return 0;
        }
    }
    return 1;
}

static int bytes_are(const uint8_t *p, size_t len, const char *lit)
{
    size_t n = strlen(lit);
    return len == n && memcmp(p, lit, n) == 0;
}

/*
 * The promised request into s->snv: :method, :scheme, :authority, :path, then the regular
 * fields as for responses. Returns the count, -1 (no memory), -2 (not a pushable request).
 */
static long prepare_push_request(h2_session *s, const h2_nv *fields, size_t n)
{
    static const char *const pnames[4] = { ":method", ":scheme", ":authority", ":path" };
    const h2_nv *ps[4] = { NULL, NULL, NULL, NULL };
    size_t i, j;
    long k;
    for (i = 0; i < n; i++) {
        const h2_nv *f = &fields[i];
        if (f->name_len == 0 || f->name[0] != ':') {
            continue;
        }
        for (j = 0; j < 4 && !name_is(f, pnames[j]); j++) {
        }
        if (j == 4 || ps[j] || f->value_len == 0 || !h2_field_value_valid(f->value, f->value_len)) {
            return -2;   /* unknown (:status, :protocol), duplicate or invalid pseudo-header */
        }
        ps[j] = f;
    }
    if (!ps[0] || !ps[1] || !ps[2] || !ps[3]) {
        return -2;
    }
    /* §8.4: safe and cacheable */
    if (!bytes_are(ps[0]->value, ps[0]->value_len, "GET") &&
        !bytes_are(ps[0]->value, ps[0]->value_len, "HEAD")) {
        return -2;
    }
    if ((bytes_are(ps[1]->value, ps[1]->value_len, "http") ||
         bytes_are(ps[1]->value, ps[1]->value_len, "https")) && ps[3]->value[0] != '/') {
        return -2;
    }
    if (memchr(ps[2]->value, '@', ps[2]->value_len)) {
        return -2;   /* no userinfo in :authority (§8.3.1) */
    }
    if ((k = prepare_fields(s, 0, fields, n)) < 0 || snv_reserve(s, (size_t)k + 4) != 0) {
        return -1;
    }
    for (i = 0; i < (size_t)k; i++) {
        const h2_nv *f = &s->snv[i];
        if (bytes_are(f->name, f->name_len, "content-length") &&
            !bytes_are(f->value, f->value_len, "0")) {
            return -2;   /* no request body */
        }
    }
    memmove(s->snv + 4, s->snv, (size_t)k * sizeof(*s->snv));
    for (j = 0; j < 4; j++) {
        s->snv[j].name = (const uint8_t *)pnames[j];
        s->snv[j].name_len = strlen(pnames[j]);
        s->snv[j].value = ps[j]->value;
        s->snv[j].value_len = ps[j]->value_len;
        s->snv[j].flags = 0;
    }
    return k + 4;
}

int h2_session_submit_push_promise(h2_session *s, uint32_t parent_sid, const h2_nv *fields,
                                   size_t n, void *promised_stream_ud, uint32_t *promised_sid)
{
    h2_stream *ps, *st;
    uint32_t psid;
    long k;
    if (!promised_sid || (n && !fields)) {
        return H2_SESS_ERR_ARG;
    }
    *promised_sid = 0;
    ps = live_stream(s, parent_sid);
    if (!ps || !(parent_sid & 1) ||
        (ps->state != H2_SS_OPEN && ps->state != H2_SS_HALF_CLOSED_REMOTE)) {
        return H2_SESS_ERR_STATE;
    }
    if (!h2_session_push_enabled(s)) {
        return H2_SESS_ERR_REFUSED;
    }
    k = prepare_push_request(s, fields, n);
    if (k == -2) {
        return H2_SESS_ERR_ARG;
    }
    psid = s->next_push_sid;
    if (k < 0 || !(st = h2s_stream_new(s, psid))) {
        h2s_fatal(s, H2_SESS_ERR_NOMEM);
        return H2_SESS_ERR_NOMEM;
    }
    h2_buf_reset(&s->hblock);
    if (h2_hpack_encode(s->enc, s->snv, (size_t)k, &s->hblock) != 0 ||
        h2_frame_put_push_promise_padded(&s->out, parent_sid, psid, s->hblock.data,
                                         s->hblock.len, s->peer[H2_SET_MAX_FRAME_SIZE],
                                         field_block_pad(s)) != 0) {
        h2s_stream_discard(s, st);
        h2s_fatal(s, H2_SESS_ERR_NOMEM);
        return H2_SESS_ERR_NOMEM;
    }
    s->frames_out++;
    s->pushes++;
    s->next_push_sid = psid >= H2_STREAM_ID_MASK - 1 ? 0 : psid + 2;
    s->last_push_sid = psid;
    st->state = H2_SS_RESERVED_LOCAL;
    st->glue_knows = 1;
    st->ud = promised_stream_ud;
    st->prio = ps->prio;
    st->sched.urgency = ps->sched.urgency;
    st->sched.incremental = ps->sched.incremental;
    st->sched.id = parent_sid + 1;   /* served after the parent, before later requests */
    st->in_table = 1;
    h2s_stream_insert(s, st);
    *promised_sid = psid;
    return H2_SESS_OK;
}

static size_t debug_len(const char *debug)
{
    size_t n = debug ? strlen(debug) : 0;
    return n > 64 ? 64 : n;
}

void h2s_send_final_goaway(h2_session *s, const char *debug)
{
    uint32_t last = s->last_accepted_sid;
    if (s->dead) {
        return;
    }
    if (s->goaway_sent && last > s->goaway_last) {
        last = s->goaway_last;   /* never increase it (§6.8) */
    }
    if (h2_frame_put_goaway(&s->out, last, H2_NO_ERROR, (const uint8_t *)debug,
                            debug_len(debug)) != 0) {
        h2s_fatal(s, H2_SESS_ERR_NOMEM);
        return;
    }
    s->frames_out++;
    s->goaway_sent = s->goaway_final = 1;
    s->goaway_last = last;
    s->graceful_pending = 0;
}

int h2_session_submit_goaway(h2_session *s, int graceful, uint32_t error_code,
                             const char *debug)
{
    if (s->dead) {
        return H2_SESS_ERR_STATE;
    }
    if (error_code != H2_NO_ERROR) {
        h2s_conn_error(s, error_code, debug, 1);
        h2s_fatal(s, s->rv == H2_SESS_ERR_NOMEM ? H2_SESS_ERR_NOMEM : H2_SESS_ERR_CONN);
        return s->rv == H2_SESS_ERR_NOMEM ? s->rv : H2_SESS_OK;
    }
    if (graceful && !s->goaway_sent) {
        if (h2_frame_put_goaway(&s->out, H2_STREAM_ID_MASK, H2_NO_ERROR,
                                (const uint8_t *)debug, debug_len(debug)) != 0 ||
            h2_frame_put_ping(&s->out, h2_graceful_ping, 0) != 0) {
            h2s_fatal(s, H2_SESS_ERR_NOMEM);
            return H2_SESS_ERR_NOMEM;
        }
        s->frames_out += 2;
        s->goaway_sent = 1;
        s->goaway_last = H2_STREAM_ID_MASK;
        s->graceful_pending = 1;
        s->graceful_deadline = s->now + s->cfg.graceful_timeout_ms;
        return H2_SESS_OK;
    }
    h2s_send_final_goaway(s, debug);
    return s->rv == H2_SESS_ERR_NOMEM ? s->rv : H2_SESS_OK;
}

int h2_session_submit_ping(h2_session *s, const uint8_t opaque[8])
{
    if (s->dead) {
        return H2_SESS_ERR_STATE;
    }
    if (h2_frame_put_ping(&s->out, opaque, 0) != 0) {
        h2s_fatal(s, H2_SESS_ERR_NOMEM);
        return H2_SESS_ERR_NOMEM;
    }
    s->frames_out++;
    return H2_SESS_OK;
}

/* ------------------------------------------------------------------------------------- */
/* h2_session_send */

/* hand the built frames to send_bytes (the buffer is swapped first, so that nothing the
 * callback triggers can move it) */
int h2s_flush_out(h2_session *s, size_t *done)
{
    h2_buf t;
    int rc;
    if (s->out.len == 0) {
        return 0;
    }
    t = s->out;
    s->out = s->out2;
    s->out2 = t;
    s->out_ctrl = 0;
    rc = s->cb.send_bytes(s->ud, s->out2.data, s->out2.len);
    *done += s->out2.len;
    h2_buf_reset(&s->out2);
    if (rc != 0) {
        h2s_fatal(s, H2_SESS_ERR_CALLBACK);
        return -1;
    }
    return 0;
}

/* hand the first n octets of the built frames to send_bytes (n < s->out.len): the rest
 * waits for the next call, before any DATA; frames may be cut across calls, the octets stay
 * in order */
static int flush_out_part(h2_session *s, size_t n, size_t *done)
{
    int rc;
    h2_buf_reset(&s->out2);
    if (h2_buf_append(&s->out2, s->out.data, n) != 0) {
        h2s_fatal(s, H2_SESS_ERR_NOMEM);
        return -1;
    }
    memmove(s->out.data, s->out.data + n, s->out.len - n);
    s->out.len -= n;
    rc = s->cb.send_bytes(s->ud, s->out2.data, n);
    *done += n;
    h2_buf_reset(&s->out2);
    if (rc != 0) {
        h2s_fatal(s, H2_SESS_ERR_CALLBACK);
        return -1;
    }
    return 0;
}

static void stream_internal_error(h2_session *s, h2_stream *st)
{
    if (h2s_queue_rst(s, st->id, H2_INTERNAL_ERROR) == 0) {
        h2s_set_state(s, st, H2_SS_CLOSED_RST_SENT);
        h2s_close_stream(s, st, H2_INTERNAL_ERROR, 0);
        s->stream_errors++;
    }
}

/* the empty DATA frame that ends a body (engine-built), padded with at most allow octets */
static int put_empty_end(h2_session *s, h2_stream *st, int padded, int64_t allow)
{
    size_t pad = 0;
    if (padded) {
        pad = pad_octets(s);
        if ((int64_t)pad > allow - 1) {
            pad = (size_t)(allow - 1);
        }
        if (h2_frame_put_hdr(&s->out, (uint32_t)(1 + pad), H2_FT_DATA,
                             H2_FLAG_END_STREAM | H2_FLAG_PADDED, st->id) != 0 ||
            h2_buf_append(&s->out, zeros, 1) != 0 ||   /* Pad Length, then the zeros */
            (pad && h2_buf_append(&s->out, zeros, pad) != 0)) {
            h2s_fatal(s, H2_SESS_ERR_NOMEM);
            return -1;
        }
        s->out.data[s->out.len - pad - 1] = (uint8_t)pad;
        s->conn_send_window -= (int64_t)(1 + pad);
        st->send_window -= (int64_t)(1 + pad);
    } else if (h2_frame_put_data(&s->out, st->id, NULL, 0, 1, 0) != 0) {
        h2s_fatal(s, H2_SESS_ERR_NOMEM);
        return -1;
    }
    s->frames_out++;
    return 0;
}

/* A DATA frame cut to what is left of h2_session_send's max_bytes carries at least this
 * many octets, unless it is the first thing the call produces: with less room left the
 * call ends (no runt frames at the end of a pass). */
#define SEND_MIN_CUT 4096

/* one DATA frame (or the end of the body) of st, of at most left octets on the wire (0: no
 * bound); returns -1 on a fatal error */
static int emit_data(h2_session *s, h2_stream *st, size_t *done, size_t left)
{
    int64_t allow = s->conn_send_window, room;
    long n;
    int eos = 0, trailers, es;
    int padded = s->cfg.padding_bits && s->cb.send_data_padded;
    size_t pad = 0;
    uint8_t hdr[H2_FRAME_HDR_LEN + 1];
    if (st->send_window < allow) {
        allow = st->send_window;
    }
    if ((int64_t)s->peer[H2_SET_MAX_FRAME_SIZE] < allow) {
        allow = s->peer[H2_SET_MAX_FRAME_SIZE];
    }
    if (s->cfg.max_data_frame_len && (int64_t)s->cfg.max_data_frame_len < allow) {
        allow = s->cfg.max_data_frame_len;   /* H2MaxDataFrameLen */
    }
    if (left && (int64_t)(left - H2_FRAME_HDR_LEN) < allow) {
        allow = (int64_t)(left - H2_FRAME_HDR_LEN);   /* the caller's bound (> header) */
    }
    if (allow <= 0) {
        h2s_sched_update(s, st);
        return 0;
    }
    room = allow;
    if (padded && allow >= 2) {
        /* Pad Length octet and padding count toward the windows and the frame size */
        pad = pad_octets(s);
        if ((int64_t)pad > allow - 2) {
            pad = (size_t)(allow - 2);
        }
        room = allow - 1 - (int64_t)pad;
    }
    n = s->cb.data_available(s->ud, st->id, st->ud, (size_t)room, &eos);
    if (!st->in_table || !st->body_pending) {
        return 0;   /* the glue reset it meanwhile */
    }
    if (n < 0) {
        stream_internal_error(s, st);
        return 0;
    }
    if (n > room) {
        n = (long)room;
        eos = 0;
    }
    if (n == 0 && !eos) {
        st->deferred = 1;
        h2s_sched_update(s, st);
        return 0;
    }
    /* frames the callback queued (a PUSH_PROMISE referring to this body) go first */
    if (h2s_flush_out(s, done) != 0) {
        return -1;
    }
    trailers = st->has_trailers;
    es = eos && !trailers;
    if (n > 0 && padded && room < allow) {
        size_t flen = 1 + (size_t)n + pad;
        h2_frame_pack_hdr(hdr, (uint32_t)flen, H2_FT_DATA,
                          (uint8_t)(H2_FLAG_PADDED | (es ? H2_FLAG_END_STREAM : 0)), st->id);
        hdr[H2_FRAME_HDR_LEN] = (uint8_t)pad;
        if (s->cb.send_data_padded(s->ud, st->id, st->ud, hdr, sizeof(hdr), (size_t)n, zeros,
                                   pad, es) != 0) {
            h2s_fatal(s, H2_SESS_ERR_CALLBACK);
            return -1;
        }
        *done += H2_FRAME_HDR_LEN + flen;
        s->frames_out++;
        s->conn_send_window -= (int64_t)flen;
        st->send_window -= (int64_t)flen;
    } else if (n > 0) {
        h2_frame_pack_hdr(hdr, (uint32_t)n, H2_FT_DATA, es ? H2_FLAG_END_STREAM : 0, st->id);
        if (s->cb.send_data(s->ud, st->id, st->ud, hdr, (size_t)n, es) != 0) {
            h2s_fatal(s, H2_SESS_ERR_CALLBACK);
            return -1;
        }
        *done += H2_FRAME_HDR_LEN + (size_t)n;
        s->frames_out++;
        s->conn_send_window -= n;
        st->send_window -= n;
    } else if (!trailers) {
        if (put_empty_end(s, st, padded, allow) != 0) {
            return -1;
        }
    }
    if (eos) {
        if (trailers && put_trailers(s, st) != H2_SESS_OK) {
            return -1;
        }
        local_end(s, st);
    } else if (n < room) {
        st->deferred = 1;   /* "that is all for now" */
        h2s_sched_update(s, st);
    } else {
        h2_sched_served(&s->sched, &st->sched);
        h2s_sched_update(s, st);
    }
    return h2s_flush_out(s, done);
}

int h2_session_send(h2_session *s, size_t max_bytes, size_t *produced)
{
    size_t done = 0;
    h2s_drain_closes(s);
    if (max_bytes && s->out.len > max_bytes) {
        /* the built frames alone are over the bound (response HEADERS of bodiless
         * responses pile up while the client reads nothing): a bound's worth of them */
        flush_out_part(s, max_bytes, &done);
    }
    else if (h2s_flush_out(s, &done) == 0) {
        while (!s->dead && s->conn_send_window > 0) {
            h2_sched_node *n;
            size_t left = 0;
            if (max_bytes) {
                /* a frame built meanwhile (a PUSH_PROMISE) may overshoot: then stop; the
                 * first frame of a call may be small (a tiny bound still makes progress) */
                if (done >= max_bytes || max_bytes - done <= H2_FRAME_HDR_LEN
                    || (done && max_bytes - done < H2_FRAME_HDR_LEN + SEND_MIN_CUT)) {
                    break;
                }
                left = max_bytes - done;
            }
            n = h2_sched_next(&s->sched);
            if (!n || emit_data(s, H2_STREAM_FROM_SCHED(n), &done, left) != 0) {
                break;
            }
        }
        h2s_drain_closes(s);
        h2s_flush_out(s, &done);
    }
    if (produced) {
        *produced = done;
    }
    return (s->rv == H2_SESS_ERR_NOMEM || s->rv == H2_SESS_ERR_CALLBACK) ? s->rv : H2_SESS_OK;
}
