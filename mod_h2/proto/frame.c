/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * frame.c -- RFC 9113 §4/§6 frame codec and RFC 9218 §7.1 PRIORITY_UPDATE.
 *
 * Decoding is done in two steps driven by one table row per frame type:
 *   1. check_header(): everything the 9-octet header decides (length against our
 *      MAX_FRAME_SIZE, stream id zero or not, fixed/minimum payload lengths, SETTINGS ACK),
 *      so the reader can refuse a frame before waiting for (or buffering) its payload;
 *   2. the row's decode function: fields, padding and values inside the payload.
 * The reader (h2_frame_read) only assembles bytes around these two steps.
 */
#include <stdlib.h>
#include <string.h>

#include "h2_frame.h"

#define H2_FRAME_MAX_LEN H2_MAX_MAX_FRAME_SIZE   /* the 24-bit Length field (§4.1) */

/* ------------------------------------------------------------------------------------ */
/* errors */

static int fail(h2_frame_error *err, int is_conn, uint32_t code, uint32_t stream_id,
                const char *reason)
{
    err->is_conn = (uint8_t)is_conn;
    err->code = code;
    err->stream_id = stream_id;
    err->reason = reason;
    return H2_FR_ERROR;
}

static int conn_fail(h2_frame_error *err, const h2_frame *f, uint32_t code, const char *reason)
{
    return fail(err, 1, code, f->stream_id, reason);
}

/* ------------------------------------------------------------------------------------ */
/* payload decoders: called with f's header fields set and the header rules checked, so
 * every fixed field the type (and its flags) requires is known to be there. */

typedef int frame_decode_fn(h2_frame *f, const uint8_t *p, h2_frame_error *err);

/*
 * PADDED (§6.1, §6.2, §6.6): [Pad Length] [fixed fields] data [Padding].
 * Returns the fixed fields, with f->payload set to the data, or NULL when the padding does
 * not fit: "padding that exceeds the size remaining" is a connection PROTOCOL_ERROR (for
 * DATA §6.1 words it as Pad Length >= payload length, which is the same bound).
 */
static const uint8_t *unpad(h2_frame *f, const uint8_t *p, uint32_t fixed,
                            h2_frame_error *err, const char *reason)
{
    uint32_t rest = f->length - fixed, pad = 0;

    if (f->flags & H2_FLAG_PADDED) {
        pad = p[0];
        rest -= 1;
        p += 1;
        if (pad > rest) {
            conn_fail(err, f, H2_PROTOCOL_ERROR, reason);
            return NULL;
        }
        f->pad_len = pad + 1;
    }
    f->payload = p + fixed;
    f->payload_len = rest - pad;
    return p;
}

/* E + Stream Dependency (31) + Weight (8): HEADERS with PRIORITY, PRIORITY (§6.2, §6.3) */
static int read_priority(h2_frame *f, const uint8_t *p, h2_frame_error *err, const char *reason)
{
    uint32_t v = h2_get_u32(p);

    f->has_priority = 1;
    f->exclusive = (uint8_t)(v >> 31);
    f->dep_stream_id = v & H2_STREAM_ID_MASK;
    f->weight = p[4];
    /* §5.3.1: a stream cannot depend on itself: stream error PROTOCOL_ERROR */
    if (f->dep_stream_id == f->stream_id) {
        return fail(err, 0, H2_PROTOCOL_ERROR, f->stream_id, reason);
    }
    return H2_FR_FRAME;
}

static int decode_data(h2_frame *f, const uint8_t *p, h2_frame_error *err)
{
    return unpad(f, p, 0, err, "DATA Pad Length >= payload length") ? H2_FR_FRAME : H2_FR_ERROR;
}

static int decode_headers(h2_frame *f, const uint8_t *p, h2_frame_error *err)
{
    uint32_t fixed = (f->flags & H2_FLAG_PRIORITY) ? 5 : 0;

    p = unpad(f, p, fixed, err, "HEADERS padding exceeds field block fragment");
    if (!p) {
        return H2_FR_ERROR;
    }
    return fixed ? read_priority(f, p, err, "HEADERS stream depends on itself") : H2_FR_FRAME;
}

static int decode_priority(h2_frame *f, const uint8_t *p, h2_frame_error *err)
{
    return read_priority(f, p, err, "PRIORITY stream depends on itself");
}

static int decode_rst_stream(h2_frame *f, const uint8_t *p, h2_frame_error *err)
{
    (void)err;
    f->error_code = h2_get_u32(p);
    return H2_FR_FRAME;
}

/* §6.5.2 (and RFC 8441 §3, RFC 9218 §2.1): allowed values of the known settings;
 * other identifiers carry no rule and unknown ones are ignored by the session. */
typedef struct setting_rule {
    uint32_t min, max;
    uint32_t code;
    const char *reason;       /* NULL: any value */
} setting_rule;

static const setting_rule setting_rules[] = {
    [H2_SET_ENABLE_PUSH] = { 0, 1, H2_PROTOCOL_ERROR, "SETTINGS_ENABLE_PUSH > 1" },
    [H2_SET_INITIAL_WINDOW_SIZE] = { 0, H2_MAX_WINDOW_SIZE, H2_FLOW_CONTROL_ERROR,
                                     "SETTINGS_INITIAL_WINDOW_SIZE > 2^31-1" },
    [H2_SET_MAX_FRAME_SIZE] = { H2_DEFAULT_MAX_FRAME_SIZE, H2_MAX_MAX_FRAME_SIZE,
                                H2_PROTOCOL_ERROR, "SETTINGS_MAX_FRAME_SIZE out of 2^14..2^24-1" },
    [H2_SET_ENABLE_CONNECT_PROTOCOL] = { 0, 1, H2_PROTOCOL_ERROR,
                                         "SETTINGS_ENABLE_CONNECT_PROTOCOL > 1" },
    [H2_SET_NO_RFC7540_PRIORITIES] = { 0, 1, H2_PROTOCOL_ERROR,
                                       "SETTINGS_NO_RFC7540_PRIORITIES > 1" },
};
#define N_SETTING_RULES (sizeof(setting_rules) / sizeof(setting_rules[0]))

static int decode_settings(h2_frame *f, const uint8_t *p, h2_frame_error *err)
{
    size_t i, n = f->length / 6;

    (void)err;
    f->payload = p;
    f->payload_len = f->length;
    f->n_settings = n;
    for (i = 0; i < n; i++, p += 6) {
        uint16_t id = h2_get_u16(p);
        uint32_t v;
        const setting_rule *sr;

        if (id >= N_SETTING_RULES || !setting_rules[id].reason) {
            continue;
        }
        sr = &setting_rules[id];
        v = h2_get_u32(p + 2);
        if (v < sr->min || v > sr->max) {
            return conn_fail(err, f, sr->code, sr->reason);
        }
    }
    return H2_FR_FRAME;
}

static int decode_push_promise(h2_frame *f, const uint8_t *p, h2_frame_error *err)
{
    p = unpad(f, p, 4, err, "PUSH_PROMISE padding exceeds field block fragment");
    if (!p) {
        return H2_FR_ERROR;
    }
    f->promised_stream_id = h2_get_u32(p) & H2_STREAM_ID_MASK;
    return H2_FR_FRAME;
}

static int decode_ping(h2_frame *f, const uint8_t *p, h2_frame_error *err)
{
    (void)err;
    memcpy(f->opaque, p, 8);
    return H2_FR_FRAME;
}

static int decode_goaway(h2_frame *f, const uint8_t *p, h2_frame_error *err)
{
    (void)err;
    f->last_stream_id = h2_get_u32(p) & H2_STREAM_ID_MASK;
    f->error_code = h2_get_u32(p + 4);
    f->payload = p + 8;
    f->payload_len = f->length - 8;
    return H2_FR_FRAME;
}

static int decode_window_update(h2_frame *f, const uint8_t *p, h2_frame_error *err)
{
    (void)err;
    /* §6.9: an increment of 0 is a stream or connection error: the session decides */
    f->window_increment = h2_get_u32(p) & H2_STREAM_ID_MASK;
    return H2_FR_FRAME;
}

/* CONTINUATION and unknown types: the payload as it is */
static int decode_opaque(h2_frame *f, const uint8_t *p, h2_frame_error *err)
{
    (void)err;
    f->payload = p;
    f->payload_len = f->length;
    return H2_FR_FRAME;
}

static int decode_priority_update(h2_frame *f, const uint8_t *p, h2_frame_error *err)
{
    f->prioritized_stream_id = h2_get_u32(p) & H2_STREAM_ID_MASK;
    /* RFC 9218 §7.1: a Prioritized Stream ID of 0 is a connection PROTOCOL_ERROR */
    if (f->prioritized_stream_id == 0) {
        return conn_fail(err, f, H2_PROTOCOL_ERROR, "PRIORITY_UPDATE for stream 0");
    }
    f->payload = p + 4;
    f->payload_len = f->length - 4;
    return H2_FR_FRAME;
}

/* ------------------------------------------------------------------------------------ */
/* the per-type rules */

enum { SID_ANY, SID_ZERO, SID_NONZERO };

typedef struct frame_rule {
    const char *name;
    frame_decode_fn *decode;
    uint32_t len;             /* minimum payload length, or the exact one when `exact` */
    uint8_t exact;
    uint8_t len_stream_err;   /* a length error is a stream error (only PRIORITY, §6.3) */
    uint8_t sid;              /* SID_*: violations are connection PROTOCOL_ERRORs */
    uint8_t opt_flags;        /* PADDED / PRIORITY: flags that add fields (1 / 5 octets) */
    uint8_t unit;             /* length must be a multiple of this (SETTINGS) */
    uint8_t ack_empty;        /* ACK flag set: length must be 0 (SETTINGS) */
    const char *sid_reason;
    const char *len_reason;
} frame_rule;

/* §4.2: a size error is a connection error for frames carrying a field block, SETTINGS and
 * frames on stream 0; §6.4, §6.9 make RST_STREAM and WINDOW_UPDATE connection errors too.
 * Only PRIORITY (§6.3) remains a stream error. A too-short padded DATA frame is also made a
 * connection error (always allowed, §5.4.1). */
static const frame_rule frame_rules[] = {
    [H2_FT_DATA] = {
        .name = "DATA", .decode = decode_data, .sid = SID_NONZERO, .opt_flags = H2_FLAG_PADDED,
        .sid_reason = "DATA on stream 0", .len_reason = "DATA PADDED without Pad Length" },
    [H2_FT_HEADERS] = {
        .name = "HEADERS", .decode = decode_headers, .sid = SID_NONZERO,
        .opt_flags = H2_FLAG_PADDED | H2_FLAG_PRIORITY, .sid_reason = "HEADERS on stream 0",
        .len_reason = "HEADERS too short for PADDED/PRIORITY fields" },
    [H2_FT_PRIORITY] = {
        .name = "PRIORITY", .decode = decode_priority, .len = 5, .exact = 1,
        .len_stream_err = 1, .sid = SID_NONZERO,
        .sid_reason = "PRIORITY on stream 0", .len_reason = "PRIORITY length != 5" },
    [H2_FT_RST_STREAM] = {
        .name = "RST_STREAM", .decode = decode_rst_stream, .len = 4, .exact = 1, .sid = SID_NONZERO,
        .sid_reason = "RST_STREAM on stream 0", .len_reason = "RST_STREAM length != 4" },
    [H2_FT_SETTINGS] = {
        .name = "SETTINGS", .decode = decode_settings, .sid = SID_ZERO, .unit = 6, .ack_empty = 1,
        .sid_reason = "SETTINGS on a stream", .len_reason = "SETTINGS length % 6 != 0" },
    [H2_FT_PUSH_PROMISE] = {
        .name = "PUSH_PROMISE", .decode = decode_push_promise, .len = 4, .sid = SID_NONZERO,
        .opt_flags = H2_FLAG_PADDED, .sid_reason = "PUSH_PROMISE on stream 0",
        .len_reason = "PUSH_PROMISE too short for Promised Stream ID" },
    [H2_FT_PING] = {
        .name = "PING", .decode = decode_ping, .len = 8, .exact = 1, .sid = SID_ZERO,
        .sid_reason = "PING on a stream", .len_reason = "PING length != 8" },
    [H2_FT_GOAWAY] = {
        .name = "GOAWAY", .decode = decode_goaway, .len = 8, .sid = SID_ZERO,
        .sid_reason = "GOAWAY on a stream", .len_reason = "GOAWAY length < 8" },
    [H2_FT_WINDOW_UPDATE] = {   /* §6.9: on stream 0 or any stream */
        .name = "WINDOW_UPDATE", .decode = decode_window_update, .len = 4, .exact = 1,
        .sid = SID_ANY, .len_reason = "WINDOW_UPDATE length != 4" },
    [H2_FT_CONTINUATION] = {
        .name = "CONTINUATION", .decode = decode_opaque, .sid = SID_NONZERO,
        .sid_reason = "CONTINUATION on stream 0" },
    [H2_FT_PRIORITY_UPDATE] = {   /* RFC 9218 §7.1 */
        .name = "PRIORITY_UPDATE", .decode = decode_priority_update, .len = 4, .sid = SID_ZERO,
        .sid_reason = "PRIORITY_UPDATE on a stream", .len_reason = "PRIORITY_UPDATE length < 4" },
};
#define N_FRAME_RULES (sizeof(frame_rules) / sizeof(frame_rules[0]))

/* §4.1, §5.5: frames of unknown types are passed on whole, the session ignores them */
static const frame_rule unknown_rule = { .name = "UNKNOWN", .decode = decode_opaque };

static inline const frame_rule *rule_of(uint8_t type)
{
    if (type < N_FRAME_RULES && frame_rules[type].decode) {
        return &frame_rules[type];
    }
    return &unknown_rule;
}

const char *h2_frame_type_name(uint8_t type)
{
    return rule_of(type)->name;
}

/* ------------------------------------------------------------------------------------ */
/* decoding */

static inline void parse_header(const uint8_t *hdr, h2_frame *f)
{
    memset(f, 0, sizeof(*f));
    f->length = h2_get_u24(hdr);
    f->type = hdr[3];
    f->flags = hdr[4];
    f->stream_id = h2_get_u32(hdr + 5) & H2_STREAM_ID_MASK;   /* §4.1: R is ignored */
}

/* Everything the header alone decides (after the MAX_FRAME_SIZE check). */
static int check_header(const frame_rule *t, const h2_frame *f, h2_frame_error *err)
{
    uint32_t min;
    uint8_t opt;

    if ((t->sid == SID_NONZERO && f->stream_id == 0)
        || (t->sid == SID_ZERO && f->stream_id != 0)) {
        return conn_fail(err, f, H2_PROTOCOL_ERROR, t->sid_reason);
    }
    if (t->exact) {
        if (f->length != t->len) {
            return fail(err, !t->len_stream_err, H2_FRAME_SIZE_ERROR, f->stream_id, t->len_reason);
        }
        return H2_FR_FRAME;
    }
    opt = f->flags & t->opt_flags;
    min = t->len + ((opt & H2_FLAG_PADDED) ? 1 : 0) + ((opt & H2_FLAG_PRIORITY) ? 5 : 0);
    if (f->length < min) {
        return conn_fail(err, f, H2_FRAME_SIZE_ERROR, t->len_reason);
    }
    if (t->unit) {
        /* §6.5: SETTINGS with ACK carries nothing, otherwise whole 6-octet entries */
        if (t->ack_empty && (f->flags & H2_FLAG_ACK) && f->length != 0) {
            return conn_fail(err, f, H2_FRAME_SIZE_ERROR, "SETTINGS ACK with a payload");
        }
        if (f->length % t->unit) {
            return conn_fail(err, f, H2_FRAME_SIZE_ERROR, t->len_reason);
        }
    }
    return H2_FR_FRAME;
}

/* §4.2: larger than our SETTINGS_MAX_FRAME_SIZE is always a connection FRAME_SIZE_ERROR */
static inline int check_max(const h2_frame *f, uint32_t max_frame_size, h2_frame_error *err)
{
    if (f->length > max_frame_size) {
        return conn_fail(err, f, H2_FRAME_SIZE_ERROR, "frame length > SETTINGS_MAX_FRAME_SIZE");
    }
    return H2_FR_FRAME;
}

int h2_frame_decode(const uint8_t *hdr, const uint8_t *payload, uint32_t max_frame_size,
                    h2_frame *f, h2_frame_error *err)
{
    const frame_rule *t;

    parse_header(hdr, f);
    t = rule_of(f->type);
    if (check_max(f, max_frame_size, err) != H2_FR_FRAME
        || check_header(t, f, err) != H2_FR_FRAME) {
        return H2_FR_ERROR;
    }
    return t->decode(f, payload, err);
}

h2_setting h2_frame_setting(const h2_frame *f, size_t i)
{
    h2_setting s;
    const uint8_t *p = f->payload + i * 6;

    s.id = h2_get_u16(p);
    s.value = h2_get_u32(p + 2);
    return s;
}

/* ------------------------------------------------------------------------------------ */
/* the resumable reader */

static uint32_t clamp_max(uint32_t max_frame_size)
{
    if (max_frame_size < H2_DEFAULT_MAX_FRAME_SIZE) {
        return H2_DEFAULT_MAX_FRAME_SIZE;     /* §6.5.2: nobody may advertise less */
    }
    return max_frame_size > H2_MAX_MAX_FRAME_SIZE ? H2_MAX_MAX_FRAME_SIZE : max_frame_size;
}

void h2_frame_reader_init(h2_frame_reader *r, uint32_t max_frame_size)
{
    h2_frame_reader_init_mem(r, max_frame_size, NULL);
}

void h2_frame_reader_init_mem(h2_frame_reader *r, uint32_t max_frame_size,
                              const h2_allocator *mem)
{
    memset(r, 0, sizeof(*r));
    r->max_frame_size = clamp_max(max_frame_size);
    r->mem = mem;
}

void h2_frame_reader_free(h2_frame_reader *r)
{
    if (r->buf) {
        h2_mem_free(h2_mem(r->mem), r->buf);
    }
    r->buf = NULL;
    r->buf_cap = 0;
}

/* The buffer grows, if it must, when the next frame needs it (h2_frame_read). */
void h2_frame_reader_set_max(h2_frame_reader *r, uint32_t max_frame_size)
{
    r->max_frame_size = clamp_max(max_frame_size);
}

static inline void next_frame(h2_frame_reader *r)
{
    r->hdr_have = 0;
    r->have = 0;
    r->need = 0;
    r->skip = 0;
}

/* A connection error: keep it, and the offending header, for every later call. */
static int die(h2_frame_reader *r, const h2_frame *f, const h2_frame_error *err)
{
    r->dead = 1;
    r->err = *err;
    h2_frame_pack_hdr(r->hdr, f->length, f->type, f->flags, f->stream_id);
    r->hdr_have = H2_FRAME_HDR_LEN;
    return H2_FR_ERROR;
}

/* Make room for r->need payload octets: one allocation of max_frame_size, grown only when
 * the limit was raised since. r->need passed the limit in force when its header came (the
 * limit may have been lowered since), so the size is never chosen by the peer alone. */
static int reserve_payload(h2_frame_reader *r)
{
    size_t cap = r->need > r->max_frame_size ? r->need : r->max_frame_size;
    uint8_t *p;

    if (r->need <= r->buf_cap) {
        return 0;
    }
    p = h2_mem_realloc(h2_mem(r->mem), r->buf, cap);
    if (!p) {
        return -1;
    }
    r->buf = p;
    r->buf_cap = cap;
    return 0;
}

/*
 * The header is complete (hdr: in the input or r->hdr): apply the header rules.
 * Returns H2_FR_FRAME to go on reading the payload (r->skip set if it is to be discarded
 * for a stream error), or H2_FR_ERROR for a connection error (reader now dead).
 */
static int start_frame(h2_frame_reader *r, const uint8_t *hdr, h2_frame *f, h2_frame_error *err)
{
    parse_header(hdr, f);
    r->need = f->length;
    r->have = 0;
    if (check_max(f, r->max_frame_size, err) != H2_FR_FRAME) {
        return die(r, f, err);
    }
    if (check_header(rule_of(f->type), f, err) != H2_FR_FRAME) {
        if (err->is_conn) {
            return die(r, f, err);
        }
        r->skip = 1;
        r->err = *err;
    }
    return H2_FR_FRAME;
}

/* The whole payload is at p: decode it and get ready for the next frame. */
static int finish_frame(h2_frame_reader *r, const uint8_t *p,
                        h2_frame *f, h2_frame_error *err)
{
    int rc;

    if (r->skip) {
        *err = r->err;
        next_frame(r);
        return H2_FR_ERROR;
    }
    rc = rule_of(f->type)->decode(f, p, err);
    next_frame(r);
    if (rc == H2_FR_ERROR && err->is_conn) {
        return die(r, f, err);
    }
    return rc;
}

int h2_frame_read(h2_frame_reader *r, const uint8_t *in, size_t len, size_t *consumed,
                  h2_frame *f, h2_frame_error *err)
{
    size_t pos = 0, n;
    const uint8_t *hdr = r->hdr;

    *consumed = 0;
    if (r->dead) {
        parse_header(r->hdr, f);
        *err = r->err;
        return H2_FR_ERROR;
    }
    if (len == 0) {
        return H2_FR_AGAIN;
    }
    if (r->hdr_have < H2_FRAME_HDR_LEN) {
        if (r->hdr_have == 0 && len >= H2_FRAME_HDR_LEN) {
            hdr = in;                          /* the common case: nothing to copy */
            pos = H2_FRAME_HDR_LEN;
        }
        else {
            n = H2_FRAME_HDR_LEN - r->hdr_have;
            pos = n < len ? n : len;
            memcpy(r->hdr + r->hdr_have, in, pos);
            r->hdr_have += pos;
            if (r->hdr_have < H2_FRAME_HDR_LEN) {
                *consumed = pos;
                return H2_FR_AGAIN;
            }
        }
        if (start_frame(r, hdr, f, err) != H2_FR_FRAME) {
            *consumed = pos;
            return H2_FR_ERROR;
        }
    }
    else {
        parse_header(r->hdr, f);               /* *f need not survive between calls */
    }

    n = len - pos;
    if (r->have == 0 && n >= r->need) {
        /* the whole payload is in the input: decode it in place */
        *consumed = pos + r->need;
        return finish_frame(r, in + pos, f, err);
    }
    if (hdr == in) {
        memcpy(r->hdr, in, H2_FRAME_HDR_LEN);  /* resume later from our own copy */
        r->hdr_have = H2_FRAME_HDR_LEN;
    }
    if (n > r->need - r->have) {
        n = r->need - r->have;
    }
    if (n && !r->skip) {
        if (reserve_payload(r) != 0) {
            *consumed = pos;
            conn_fail(err, f, H2_INTERNAL_ERROR, "out of memory for the frame payload");
            return die(r, f, err);
        }
        memcpy(r->buf + r->have, in + pos, n);
    }
    r->have += n;
    *consumed = pos + n;
    if (r->have < r->need) {
        return H2_FR_AGAIN;
    }
    return finish_frame(r, r->buf, f, err);
}

/* ------------------------------------------------------------------------------------ */
/* encoders: each checks its length, reserves the whole frame(s), then writes (so a failure
 * leaves b as it was) */

void h2_frame_pack_hdr(uint8_t out[H2_FRAME_HDR_LEN], uint32_t length, uint8_t type,
                       uint8_t flags, uint32_t stream_id)
{
    h2_put_u24(out, length);
    out[3] = type;
    out[4] = flags;
    h2_put_u32(out + 5, stream_id & H2_STREAM_ID_MASK);   /* §4.1: R stays unset */
}

/* Reserve a frame of payload length `length` and write its header; returns where the
 * payload goes (b->len already advanced past it), or NULL. */
static uint8_t *begin(h2_buf *b, size_t length, uint8_t type, uint8_t flags, uint32_t stream_id)
{
    uint8_t *p;

    if (length > H2_FRAME_MAX_LEN || h2_buf_reserve(b, H2_FRAME_HDR_LEN + length) != 0) {
        return NULL;
    }
    p = b->data + b->len;
    h2_frame_pack_hdr(p, (uint32_t)length, type, flags, stream_id);
    b->len += H2_FRAME_HDR_LEN + length;
    return p + H2_FRAME_HDR_LEN;
}

int h2_frame_put_hdr(h2_buf *b, uint32_t length, uint8_t type, uint8_t flags, uint32_t stream_id)
{
    if (length > H2_FRAME_MAX_LEN || h2_buf_reserve(b, H2_FRAME_HDR_LEN) != 0) {
        return -1;
    }
    h2_frame_pack_hdr(b->data + b->len, length, type, flags, stream_id);
    b->len += H2_FRAME_HDR_LEN;
    return 0;
}

int h2_frame_put_data(h2_buf *b, uint32_t stream_id, const uint8_t *data, size_t len,
                      int end_stream, uint8_t pad_len)
{
    uint8_t flags = (end_stream ? H2_FLAG_END_STREAM : 0) | (pad_len ? H2_FLAG_PADDED : 0);
    uint8_t *p;

    if (len > H2_FRAME_MAX_LEN) {
        return -1;
    }
    p = begin(b, len + pad_len, H2_FT_DATA, flags, stream_id);
    if (!p) {
        return -1;
    }
    if (pad_len) {
        *p++ = (uint8_t)(pad_len - 1);
    }
    if (len) {
        memcpy(p, data, len);
    }
    if (pad_len > 1) {
        memset(p + len, 0, pad_len - 1u);    /* §6.1: padding octets MUST be zero */
    }
    return 0;
}

/*
 * A field block as a first frame (HEADERS or PUSH_PROMISE, whose `fixed` octets are
 * written by the caller into the returned space) plus CONTINUATION frames (§6.10), each
 * payload at most max_frame_size, END_HEADERS on the last one. pad_len > 0 makes the first
 * frame PADDED: its Pad Length octet comes first, pad_len - 1 zero octets last (§6.2).
 */
static uint8_t *put_field_block(h2_buf *b, uint8_t type, uint8_t flags, uint32_t stream_id,
                                size_t fixed, const uint8_t *block, size_t block_len,
                                uint32_t max_frame_size, unsigned pad_len)
{
    size_t max = clamp_max(max_frame_size), chunk, n_cont, total, off, room;
    uint8_t *first, *p;

    if (block_len > SIZE_MAX / 2 || pad_len > 256) {
        return NULL;
    }
    room = max - fixed - pad_len;            /* max >= 16384: no underflow */
    chunk = block_len < room ? block_len : room;
    n_cont = (block_len - chunk + max - 1) / max;
    total = (n_cont + 1) * H2_FRAME_HDR_LEN + fixed + pad_len + block_len;
    if (h2_buf_reserve(b, total) != 0) {
        return NULL;
    }
    p = b->data + b->len;
    h2_frame_pack_hdr(p, (uint32_t)(fixed + pad_len + chunk), type,
                      (uint8_t)(flags | (n_cont ? 0 : H2_FLAG_END_HEADERS) |
                                (pad_len ? H2_FLAG_PADDED : 0)), stream_id);
    p += H2_FRAME_HDR_LEN;
    if (pad_len) {
        *p++ = (uint8_t)(pad_len - 1);
    }
    first = p;
    p = first + fixed;
    if (chunk) {
        memcpy(p, block, chunk);
    }
    p += chunk;
    if (pad_len > 1) {
        memset(p, 0, pad_len - 1u);          /* §6.2: padding octets MUST be zero */
        p += pad_len - 1u;
    }
    for (off = chunk; off < block_len; off += chunk) {
        chunk = block_len - off < max ? block_len - off : max;
        h2_frame_pack_hdr(p, (uint32_t)chunk, H2_FT_CONTINUATION,
                          off + chunk == block_len ? H2_FLAG_END_HEADERS : 0, stream_id);
        memcpy(p + H2_FRAME_HDR_LEN, block + off, chunk);
        p += H2_FRAME_HDR_LEN + chunk;
    }
    b->len += total;
    return first;
}

int h2_frame_put_headers(h2_buf *b, uint32_t stream_id, const uint8_t *block, size_t block_len,
                         int end_stream, uint32_t max_frame_size)
{
    return put_field_block(b, H2_FT_HEADERS, end_stream ? H2_FLAG_END_STREAM : 0, stream_id,
                           0, block, block_len, max_frame_size, 0) ? 0 : -1;
}

int h2_frame_put_headers_padded(h2_buf *b, uint32_t stream_id, const uint8_t *block,
                                size_t block_len, int end_stream, uint32_t max_frame_size,
                                unsigned pad_len)
{
    return put_field_block(b, H2_FT_HEADERS, end_stream ? H2_FLAG_END_STREAM : 0, stream_id,
                           0, block, block_len, max_frame_size, pad_len) ? 0 : -1;
}

int h2_frame_put_push_promise(h2_buf *b, uint32_t stream_id, uint32_t promised_id,
                              const uint8_t *block, size_t block_len, uint32_t max_frame_size)
{
    return h2_frame_put_push_promise_padded(b, stream_id, promised_id, block, block_len,
                                            max_frame_size, 0);
}

int h2_frame_put_push_promise_padded(h2_buf *b, uint32_t stream_id, uint32_t promised_id,
                                     const uint8_t *block, size_t block_len,
                                     uint32_t max_frame_size, unsigned pad_len)
{
    uint8_t *p = put_field_block(b, H2_FT_PUSH_PROMISE, 0, stream_id, 4, block, block_len,
                                 max_frame_size, pad_len);
    if (!p) {
        return -1;
    }
    h2_put_u32(p, promised_id & H2_STREAM_ID_MASK);
    return 0;
}

int h2_frame_put_priority(h2_buf *b, uint32_t stream_id, uint32_t dep, int exclusive, uint8_t weight)
{
    uint8_t *p = begin(b, 5, H2_FT_PRIORITY, 0, stream_id);
    if (!p) {
        return -1;
    }
    h2_put_u32(p, (dep & H2_STREAM_ID_MASK) | (exclusive ? 0x80000000u : 0));
    p[4] = weight;
    return 0;
}

int h2_frame_put_rst_stream(h2_buf *b, uint32_t stream_id, uint32_t error_code)
{
    uint8_t *p = begin(b, 4, H2_FT_RST_STREAM, 0, stream_id);
    if (!p) {
        return -1;
    }
    h2_put_u32(p, error_code);
    return 0;
}

int h2_frame_put_settings(h2_buf *b, const h2_setting *s, size_t n)
{
    uint8_t *p;
    size_t i;

    if (n > H2_FRAME_MAX_LEN / 6) {
        return -1;
    }
    p = begin(b, n * 6, H2_FT_SETTINGS, 0, 0);
    if (!p) {
        return -1;
    }
    for (i = 0; i < n; i++, p += 6) {
        h2_put_u16(p, s[i].id);
        h2_put_u32(p + 2, s[i].value);
    }
    return 0;
}

int h2_frame_put_settings_ack(h2_buf *b)
{
    return begin(b, 0, H2_FT_SETTINGS, H2_FLAG_ACK, 0) ? 0 : -1;
}

int h2_frame_put_ping(h2_buf *b, const uint8_t opaque[8], int ack)
{
    uint8_t *p = begin(b, 8, H2_FT_PING, ack ? H2_FLAG_ACK : 0, 0);
    if (!p) {
        return -1;
    }
    memcpy(p, opaque, 8);
    return 0;
}

int h2_frame_put_goaway(h2_buf *b, uint32_t last_stream_id, uint32_t error_code,
                        const uint8_t *debug, size_t debug_len)
{
    uint8_t *p;

    if (debug_len > H2_FRAME_MAX_LEN - 8) {
        return -1;
    }
    p = begin(b, 8 + debug_len, H2_FT_GOAWAY, 0, 0);
    if (!p) {
        return -1;
    }
    h2_put_u32(p, last_stream_id & H2_STREAM_ID_MASK);
    h2_put_u32(p + 4, error_code);
    if (debug_len) {
        memcpy(p + 8, debug, debug_len);
    }
    return 0;
}

int h2_frame_put_window_update(h2_buf *b, uint32_t stream_id, uint32_t increment)
{
    uint8_t *p = begin(b, 4, H2_FT_WINDOW_UPDATE, 0, stream_id);
    if (!p) {
        return -1;
    }
    h2_put_u32(p, increment & H2_STREAM_ID_MASK);
    return 0;
}

int h2_frame_put_priority_update(h2_buf *b, uint32_t prioritized_id, const char *value, size_t len)
{
    uint8_t *p;

    if (len > H2_FRAME_MAX_LEN - 4) {
        return -1;
    }
    p = begin(b, 4 + len, H2_FT_PRIORITY_UPDATE, 0, 0);
    if (!p) {
        return -1;
    }
    h2_put_u32(p, prioritized_id & H2_STREAM_ID_MASK);
    if (len) {
        memcpy(p + 4, value, len);
    }
    return 0;
}
