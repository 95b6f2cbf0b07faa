/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * stream.c -- RFC 9113 §5.1 stream states as a table, request header validation (§8.2,
 * §8.3) and the field collector the HPACK decoder emits into.
 */
#include <stdlib.h>
#include <string.h>

#include "stream.h"

/* ------------------------------------------------------------------------------------- */
/* §5.1 transition table, server role. Rows: state; columns: event.
 *   OK(next)          allowed, the stream moves to next
 *   IGN(st)           the frame is ignored (stays st)
 *   SERR(st, code)    stream error code; CERR(st, code) connection error code
 *   BAD(st)           not a legal event in this state (local misuse, or impossible)
 */
#define OK(n)       { H2_SS_##n, H2_TR_OK, 0 }
#define IGN(n)      { H2_SS_##n, H2_TR_IGNORE, 0 }
#define SERR(n, c)  { H2_SS_##n, H2_TR_STREAM_ERR, H2_##c }
#define CERR(n, c)  { H2_SS_##n, H2_TR_CONN_ERR, H2_##c }
#define BAD(n)      { H2_SS_##n, H2_TR_INVALID, 0 }

const h2_stream_trans h2_stream_table[H2_SS_COUNT][H2_EV_COUNT] = {
    /* idle: only HEADERS opens; PRIORITY is fine; anything else is PROTOCOL_ERROR (§5.1).
     * We must not send RST_STREAM on an idle stream. */
    [H2_SS_IDLE] = {
        [H2_EV_RECV_HEADERS]       = OK(OPEN),
        [H2_EV_RECV_DATA]          = CERR(IDLE, PROTOCOL_ERROR),
        [H2_EV_RECV_END_STREAM]    = BAD(IDLE),
        [H2_EV_RECV_RST]           = CERR(IDLE, PROTOCOL_ERROR),
        [H2_EV_RECV_WINDOW_UPDATE] = CERR(IDLE, PROTOCOL_ERROR),
        [H2_EV_RECV_PRIORITY]      = OK(IDLE),
        [H2_EV_SEND_HEADERS]       = BAD(IDLE),
        [H2_EV_SEND_END_STREAM]    = BAD(IDLE),
        [H2_EV_SEND_RST]           = BAD(IDLE),
        [H2_EV_SEND_PUSH_PROMISE]  = OK(RESERVED_LOCAL),
    },
    /* reserved (local): a promised stream; the peer may only RST, PRIORITY, WINDOW_UPDATE */
    [H2_SS_RESERVED_LOCAL] = {
        [H2_EV_RECV_HEADERS]       = CERR(RESERVED_LOCAL, PROTOCOL_ERROR),
        [H2_EV_RECV_DATA]          = CERR(RESERVED_LOCAL, PROTOCOL_ERROR),
        [H2_EV_RECV_END_STREAM]    = BAD(RESERVED_LOCAL),
        [H2_EV_RECV_RST]           = OK(CLOSED_RST_RECV),
        [H2_EV_RECV_WINDOW_UPDATE] = OK(RESERVED_LOCAL),
        [H2_EV_RECV_PRIORITY]      = OK(RESERVED_LOCAL),
        [H2_EV_SEND_HEADERS]       = OK(HALF_CLOSED_REMOTE),
        [H2_EV_SEND_END_STREAM]    = BAD(RESERVED_LOCAL),
        [H2_EV_SEND_RST]           = OK(CLOSED_RST_SENT),
        [H2_EV_SEND_PUSH_PROMISE]  = BAD(RESERVED_LOCAL),
    },
    /* reserved (remote): a client cannot push; kept for completeness of §5.1 */
    [H2_SS_RESERVED_REMOTE] = {
        [H2_EV_RECV_HEADERS]       = OK(HALF_CLOSED_LOCAL),
        [H2_EV_RECV_DATA]          = CERR(RESERVED_REMOTE, PROTOCOL_ERROR),
        [H2_EV_RECV_END_STREAM]    = BAD(RESERVED_REMOTE),
        [H2_EV_RECV_RST]           = OK(CLOSED_RST_RECV),
        [H2_EV_RECV_WINDOW_UPDATE] = CERR(RESERVED_REMOTE, PROTOCOL_ERROR),
        [H2_EV_RECV_PRIORITY]      = OK(RESERVED_REMOTE),
        [H2_EV_SEND_HEADERS]       = BAD(RESERVED_REMOTE),
        [H2_EV_SEND_END_STREAM]    = BAD(RESERVED_REMOTE),
        [H2_EV_SEND_RST]           = OK(CLOSED_RST_SENT),
        [H2_EV_SEND_PUSH_PROMISE]  = BAD(RESERVED_REMOTE),
    },
    [H2_SS_OPEN] = {
        [H2_EV_RECV_HEADERS]       = OK(OPEN),          /* trailers */
        [H2_EV_RECV_DATA]          = OK(OPEN),
        [H2_EV_RECV_END_STREAM]    = OK(HALF_CLOSED_REMOTE),
        [H2_EV_RECV_RST]           = OK(CLOSED_RST_RECV),
        [H2_EV_RECV_WINDOW_UPDATE] = OK(OPEN),
        [H2_EV_RECV_PRIORITY]      = OK(OPEN),
        [H2_EV_SEND_HEADERS]       = OK(OPEN),
        [H2_EV_SEND_END_STREAM]    = OK(HALF_CLOSED_LOCAL),
        [H2_EV_SEND_RST]           = OK(CLOSED_RST_SENT),
        [H2_EV_SEND_PUSH_PROMISE]  = OK(OPEN),
    },
    [H2_SS_HALF_CLOSED_LOCAL] = {
        [H2_EV_RECV_HEADERS]       = OK(HALF_CLOSED_LOCAL),
        [H2_EV_RECV_DATA]          = OK(HALF_CLOSED_LOCAL),
        [H2_EV_RECV_END_STREAM]    = OK(CLOSED),
        [H2_EV_RECV_RST]           = OK(CLOSED_RST_RECV),
        [H2_EV_RECV_WINDOW_UPDATE] = OK(HALF_CLOSED_LOCAL),
        [H2_EV_RECV_PRIORITY]      = OK(HALF_CLOSED_LOCAL),
        [H2_EV_SEND_HEADERS]       = BAD(HALF_CLOSED_LOCAL),
        [H2_EV_SEND_END_STREAM]    = BAD(HALF_CLOSED_LOCAL),
        [H2_EV_SEND_RST]           = OK(CLOSED_RST_SENT),
        [H2_EV_SEND_PUSH_PROMISE]  = BAD(HALF_CLOSED_LOCAL),
    },
    /* half-closed (remote): frames other than WINDOW_UPDATE, PRIORITY, RST_STREAM are a
     * stream error STREAM_CLOSED (§5.1) */
    [H2_SS_HALF_CLOSED_REMOTE] = {
        [H2_EV_RECV_HEADERS]       = SERR(HALF_CLOSED_REMOTE, STREAM_CLOSED),
        [H2_EV_RECV_DATA]          = SERR(HALF_CLOSED_REMOTE, STREAM_CLOSED),
        [H2_EV_RECV_END_STREAM]    = BAD(HALF_CLOSED_REMOTE),
        [H2_EV_RECV_RST]           = OK(CLOSED_RST_RECV),
        [H2_EV_RECV_WINDOW_UPDATE] = OK(HALF_CLOSED_REMOTE),
        [H2_EV_RECV_PRIORITY]      = OK(HALF_CLOSED_REMOTE),
        [H2_EV_SEND_HEADERS]       = OK(HALF_CLOSED_REMOTE),
        [H2_EV_SEND_END_STREAM]    = OK(CLOSED),
        [H2_EV_SEND_RST]           = OK(CLOSED_RST_SENT),
        [H2_EV_SEND_PUSH_PROMISE]  = OK(HALF_CLOSED_REMOTE),
    },
    /* closed by END_STREAM both ways: WINDOW_UPDATE and RST_STREAM may still cross our
     * END_STREAM and are ignored; DATA or HEADERS after the peer's END_STREAM is a
     * connection error STREAM_CLOSED (§5.1 "closed") */
    [H2_SS_CLOSED] = {
        [H2_EV_RECV_HEADERS]       = CERR(CLOSED, STREAM_CLOSED),
        [H2_EV_RECV_DATA]          = CERR(CLOSED, STREAM_CLOSED),
        [H2_EV_RECV_END_STREAM]    = BAD(CLOSED),
        [H2_EV_RECV_RST]           = IGN(CLOSED),
        [H2_EV_RECV_WINDOW_UPDATE] = IGN(CLOSED),
        [H2_EV_RECV_PRIORITY]      = OK(CLOSED),
        [H2_EV_SEND_HEADERS]       = BAD(CLOSED),
        [H2_EV_SEND_END_STREAM]    = BAD(CLOSED),
        [H2_EV_SEND_RST]           = BAD(CLOSED),
        [H2_EV_SEND_PUSH_PROMISE]  = BAD(CLOSED),
    },
    /* closed by the peer's RST_STREAM: any frame but PRIORITY is a stream error
     * STREAM_CLOSED (§5.1); never answer a RST_STREAM with RST_STREAM (§5.4.2) */
    [H2_SS_CLOSED_RST_RECV] = {
        [H2_EV_RECV_HEADERS]       = SERR(CLOSED_RST_RECV, STREAM_CLOSED),
        [H2_EV_RECV_DATA]          = SERR(CLOSED_RST_RECV, STREAM_CLOSED),
        [H2_EV_RECV_END_STREAM]    = BAD(CLOSED_RST_RECV),
        [H2_EV_RECV_RST]           = IGN(CLOSED_RST_RECV),
        [H2_EV_RECV_WINDOW_UPDATE] = SERR(CLOSED_RST_RECV, STREAM_CLOSED),
        [H2_EV_RECV_PRIORITY]      = OK(CLOSED_RST_RECV),
        [H2_EV_SEND_HEADERS]       = BAD(CLOSED_RST_RECV),
        [H2_EV_SEND_END_STREAM]    = BAD(CLOSED_RST_RECV),
        [H2_EV_SEND_RST]           = OK(CLOSED_RST_SENT),   /* the stream error above */
        [H2_EV_SEND_PUSH_PROMISE]  = BAD(CLOSED_RST_RECV),
    },
    /* closed by our RST_STREAM: frames the peer had in flight MUST be ignored (§5.1);
     * DATA still counts against the connection window (the session does that) */
    [H2_SS_CLOSED_RST_SENT] = {
        [H2_EV_RECV_HEADERS]       = IGN(CLOSED_RST_SENT),
        [H2_EV_RECV_DATA]          = IGN(CLOSED_RST_SENT),
        [H2_EV_RECV_END_STREAM]    = BAD(CLOSED_RST_SENT),
        [H2_EV_RECV_RST]           = IGN(CLOSED_RST_SENT),
        [H2_EV_RECV_WINDOW_UPDATE] = IGN(CLOSED_RST_SENT),
        [H2_EV_RECV_PRIORITY]      = OK(CLOSED_RST_SENT),
        [H2_EV_SEND_HEADERS]       = BAD(CLOSED_RST_SENT),
        [H2_EV_SEND_END_STREAM]    = BAD(CLOSED_RST_SENT),
        [H2_EV_SEND_RST]           = BAD(CLOSED_RST_SENT),
        [H2_EV_SEND_PUSH_PROMISE]  = BAD(CLOSED_RST_SENT),
    },
};

#undef OK
#undef IGN
#undef SERR
#undef CERR
#undef BAD

static const char *const state_names[H2_SS_COUNT] = {
    "idle", "reserved (local)", "reserved (remote)", "open", "half-closed (local)",
    "half-closed (remote)", "closed", "closed (reset by peer)", "closed (reset)"
};

const char *h2_stream_state_name(h2_stream_state st)
{
    return (unsigned)st < H2_SS_COUNT ? state_names[st] : "?";
}

/* ------------------------------------------------------------------------------------- */
/* Character classes of §8.2.1, and of the pseudo-header values that become an HTTP/1.1
 * request line or Host (§8.3.1) */

#define CC_NAME   0x01   /* allowed in a field name (not 0x00-0x20, 'A'-'Z', 0x7f-0xff, ':') */
#define CC_BADVAL 0x02   /* NUL, LF, CR: never in a value */
#define CC_WS     0x04   /* SP, HTAB: not at either end of a value */
#define CC_TCHAR  0x08   /* RFC 9110 §5.6.2 tchar: "!#$%&'*+-.^_`|~", DIGIT, ALPHA */
#define CC_SCHEME 0x10   /* RFC 3986 §3.1 after the first ALPHA: ALPHA, DIGIT, "+-." */
#define CC_AUTH   0x20   /* RFC 3986 §3.2.2/3.2.3 host and port: unreserved "-._~",
                          * sub-delims "!$&'()*+,;=", ':', '[', ']', '%' (pct-encoded),
                          * ALPHA, DIGIT; never '@' (userinfo, §8.3.1) */
#define CC_CTLSP  0x40   /* 0x00-0x20, 0x7f: never in a request target */

/* generated from the rules above (one bit each) */
static const uint8_t cclass[256] = {
    0x42, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x44, 0x42, 0x40, 0x40, 0x42, 0x40, 0x40,
    0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40,
    0x44, 0x29, 0x01, 0x09, 0x29, 0x29, 0x29, 0x29, 0x21, 0x21, 0x29, 0x39, 0x21, 0x39, 0x39, 0x01,
    0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x20, 0x21, 0x01, 0x21, 0x01, 0x01,
    0x01, 0x38, 0x38, 0x38, 0x38, 0x38, 0x38, 0x38, 0x38, 0x38, 0x38, 0x38, 0x38, 0x38, 0x38, 0x38,
    0x38, 0x38, 0x38, 0x38, 0x38, 0x38, 0x38, 0x38, 0x38, 0x38, 0x38, 0x21, 0x01, 0x21, 0x09, 0x29,
    0x09, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39,
    0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x01, 0x09, 0x01, 0x29, 0x40,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* 1*c where every octet has class bit */
static int all_in(const char *v, size_t len, uint8_t bit)
{
    size_t i;
    for (i = 0; i < len; i++) {
        if (!(cclass[(uint8_t)v[i]] & bit)) {
            return 0;
        }
    }
    return 1;
}

static int none_in(const char *v, size_t len, uint8_t bit)
{
    size_t i;
    for (i = 0; i < len; i++) {
        if (cclass[(uint8_t)v[i]] & bit) {
            return 0;
        }
    }
    return 1;
}

static int is_alpha(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int h2_method_valid(const char *v, size_t len)
{
    return len > 0 && all_in(v, len, CC_TCHAR);
}

int h2_scheme_valid(const char *v, size_t len)
{
    return len > 0 && is_alpha((uint8_t)v[0]) && all_in(v + 1, len - 1, CC_SCHEME);
}

int h2_authority_valid(const char *v, size_t len)
{
    return all_in(v, len, CC_AUTH);
}

int h2_target_chars_valid(const char *v, size_t len)
{
    return none_in(v, len, CC_CTLSP);
}

int h2_field_name_valid(const uint8_t *p, size_t len)
{
    size_t i;
    if (len == 0) {
        return 0;
    }
    for (i = 0; i < len; i++) {
        if (!(cclass[p[i]] & CC_NAME)) {
            return 0;
        }
    }
    return 1;
}

int h2_field_value_valid(const uint8_t *p, size_t len)
{
    size_t i;
    if (len == 0) {
        return 1;
    }
    if ((cclass[p[0]] & CC_WS) || (cclass[p[len - 1]] & CC_WS)) {
        return 0;
    }
    for (i = 0; i < len; i++) {
        if (cclass[p[i]] & CC_BADVAL) {
            return 0;
        }
    }
    return 1;
}

typedef struct name_entry {
    const char *name;
    size_t len;
} name_entry;

#define NE(s) { s, sizeof(s) - 1 }
static const name_entry conn_specific[] = {
    NE("connection"), NE("keep-alive"), NE("proxy-connection"), NE("transfer-encoding"),
    NE("upgrade")
};

static int name_in(const name_entry *t, size_t n, const uint8_t *name, size_t len)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (t[i].len == len && memcmp(t[i].name, name, len) == 0) {
            return 1;
        }
    }
    return 0;
}

int h2_field_is_connection_specific(const uint8_t *name, size_t len)
{
    return name_in(conn_specific, sizeof(conn_specific) / sizeof(conn_specific[0]), name, len);
}

static const name_entry pseudo_names[H2_PS_COUNT] = {
    [H2_PS_METHOD] = NE(":method"), [H2_PS_SCHEME] = NE(":scheme"),
    [H2_PS_AUTHORITY] = NE(":authority"), [H2_PS_PATH] = NE(":path"),
    [H2_PS_PROTOCOL] = NE(":protocol")
};
#undef NE

static uint8_t lower(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/* ASCII case-insensitive equality of n octets */
static int ieq(const uint8_t *a, const uint8_t *b, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (lower(a[i]) != lower(b[i])) {
            return 0;
        }
    }
    return 1;
}

/* ------------------------------------------------------------------------------------- */
/* Field collector */

void h2_fields_init(h2_fields *fc, const h2_allocator *mem)
{
    memset(fc, 0, sizeof(*fc));
    fc->mem = h2_mem(mem);
    h2_buf_init_mem(&fc->str, fc->mem);
    fc->host_idx = -1;
    fc->content_length = -1;
}

void h2_fields_free(h2_fields *fc)
{
    const h2_allocator *mem = fc->mem;
    h2_buf_free(&fc->str);
    h2_mem_free(mem, fc->recs);
    h2_mem_free(mem, fc->nv);
    h2_fields_init(fc, mem);
}

void h2_fields_begin(h2_fields *fc, int mode, size_t max_bytes)
{
    fc->mode = mode;
    fc->malformed = NULL;
    fc->too_large = 0;
    fc->nomem = 0;
    fc->max_bytes = max_bytes;
    h2_buf_reset(&fc->str);
    fc->n = 0;
    fc->pseudo_seen = 0;
    fc->regular_seen = 0;
    fc->pseudo_complete = 0;
    fc->host_idx = -1;
    fc->content_length = -1;
    fc->prio.urgency = H2_PRIO_URGENCY_DEFAULT;
    fc->prio.incremental = 0;
    fc->prio_seen = 0;
}

size_t h2_fields_mem(const h2_fields *fc)
{
    return fc->str.cap + fc->cap * sizeof(h2_field_rec) + fc->nv_cap * sizeof(h2_nv);
}

/* append name and value (NUL-terminated); returns 0, or -1 when the bound is hit */
static int store(h2_fields *fc, const h2_nv *nv, uint32_t *noff, uint32_t *voff)
{
    size_t need = nv->name_len + nv->value_len + 2;
    if (fc->too_large || fc->str.len + need > fc->max_bytes) {
        fc->too_large = 1;
        return -1;
    }
    if (h2_buf_reserve(&fc->str, need) != 0) {
        return -2;
    }
    *noff = (uint32_t)fc->str.len;
    memcpy(fc->str.data + fc->str.len, nv->name, nv->name_len);
    fc->str.len += nv->name_len;
    fc->str.data[fc->str.len++] = 0;
    *voff = (uint32_t)fc->str.len;
    if (nv->value_len) {
        memcpy(fc->str.data + fc->str.len, nv->value, nv->value_len);
    }
    fc->str.len += nv->value_len;
    fc->str.data[fc->str.len++] = 0;
    return 0;
}

static int add_rec(h2_fields *fc, const h2_nv *nv)
{
    h2_field_rec *r;
    uint32_t no, vo;
    int rv;
    if (fc->n == fc->cap) {
        size_t cap = fc->cap ? fc->cap * 2 : 16;
        h2_field_rec *p = h2_mem_realloc(fc->mem, fc->recs, cap * sizeof(*p));
        if (!p) {
            return -2;
        }
        fc->recs = p;
        fc->cap = cap;
    }
    rv = store(fc, nv, &no, &vo);
    if (rv) {
        return rv;
    }
    r = &fc->recs[fc->n++];
    r->name_off = no;
    r->name_len = (uint32_t)nv->name_len;
    r->value_off = vo;
    r->value_len = (uint32_t)nv->value_len;
    r->flags = nv->flags;
    return 0;
}

/* content-length: 1*DIGIT; repeated fields must agree */
static const char *check_content_length(h2_fields *fc, const h2_nv *nv)
{
    int64_t v = 0;
    size_t i;
    if (nv->value_len == 0 || nv->value_len > 18) {
        return "invalid content-length";
    }
    for (i = 0; i < nv->value_len; i++) {
        uint8_t c = nv->value[i];
        if (c < '0' || c > '9') {
            return "invalid content-length";
        }
        v = v * 10 + (c - '0');
    }
    if (fc->content_length >= 0 && fc->content_length != v) {
        return "conflicting content-length";
    }
    fc->content_length = v;
    return NULL;
}

/* The syntax of each request pseudo-header's value (§8.3.1): what becomes the method and
 * target of a request line, or Host, has nothing a request line or Host could not have.
 * The form of :path (it needs :method for '*') is checked at the end of the block. */
static const char *pseudo_value_check(unsigned i, const char *v, size_t len)
{
    switch (i) {
    case H2_PS_METHOD:
        return h2_method_valid(v, len) ? NULL : "invalid :method";
    case H2_PS_SCHEME:
        return h2_scheme_valid(v, len) ? NULL : "invalid :scheme";
    case H2_PS_AUTHORITY:
        if (memchr(v, '@', len)) {
            return "userinfo in :authority";
        }
        return h2_authority_valid(v, len) ? NULL : "invalid :authority";
    case H2_PS_PATH:
        return h2_target_chars_valid(v, len) ? NULL : "invalid :path";
    case H2_PS_PROTOCOL:
        return h2_method_valid(v, len) ? NULL : "invalid :protocol";
    default:
        return NULL;
    }
}

static const char *pseudo_field(h2_fields *fc, const h2_nv *nv)
{
    unsigned i;
    uint32_t no, vo;
    int rv;
    const char *why;
    if (fc->mode == H2_FIELDS_TRAILERS) {
        return "pseudo-header in trailers";
    }
    if (fc->regular_seen) {
        return "pseudo-header after regular field";
    }
    for (i = 0; i < H2_PS_COUNT; i++) {
        if (pseudo_names[i].len == nv->name_len &&
            memcmp(pseudo_names[i].name, nv->name, nv->name_len) == 0) {
            break;
        }
    }
    if (i == H2_PS_COUNT) {
        return "unknown or response pseudo-header";
    }
    if (fc->pseudo_seen & (1u << i)) {
        return "duplicate pseudo-header";
    }
    if (!h2_field_value_valid(nv->value, nv->value_len)) {
        return "invalid pseudo-header value";
    }
    if ((why = pseudo_value_check(i, (const char *)nv->value, nv->value_len)) != NULL) {
        return why;   /* checked before storing: also when the block turns out too large */
    }
    rv = store(fc, nv, &no, &vo);
    if (rv == -2) {
        fc->nomem = 1;
        return "out of memory";
    }
    if (rv == 0) {   /* not kept when the block is too large: it stays absent */
        fc->pseudo_seen |= 1u << i;
        fc->pseudo_off[i] = vo;
        fc->pseudo_len[i] = (uint32_t)nv->value_len;
    }
    return NULL;
}

static const char *regular_field(h2_fields *fc, const h2_nv *nv)
{
    const uint8_t *n = nv->name;
    size_t len = nv->name_len;
    const char *why;
    int rv;
    if (!fc->regular_seen) {
        /* the pseudo-header section ended: complete unless one of it was not kept */
        fc->regular_seen = 1;
        fc->pseudo_complete = !fc->too_large;
    }
    if (!h2_field_name_valid(n, len)) {
        return "invalid field name";
    }
    if (!h2_field_value_valid(nv->value, nv->value_len)) {
        return "invalid field value";
    }
    if (h2_field_is_connection_specific(n, len)) {
        return "connection-specific field";
    }
    if (len == 2 && n[0] == 't' && n[1] == 'e') {
        if (nv->value_len != 8 || !ieq(nv->value, (const uint8_t *)"trailers", 8)) {
            return "te other than trailers";
        }
    } else if (len == 14 && memcmp(n, "content-length", 14) == 0) {
        if ((why = check_content_length(fc, nv)) != NULL) {
            return why;
        }
    } else if (len == 4 && memcmp(n, "host", 4) == 0 && fc->mode == H2_FIELDS_REQUEST) {
        /* stands for :authority when that is absent: the same syntax */
        if (memchr(nv->value, '@', nv->value_len) ||
            !h2_authority_valid((const char *)nv->value, nv->value_len)) {
            return "invalid host";
        }
        fc->host_idx = (long)fc->n;
    } else if (len == 8 && memcmp(n, "priority", 8) == 0 && fc->mode == H2_FIELDS_REQUEST) {
        if (h2_priority_parse(nv->value, nv->value_len, &fc->prio) == 0) {
            fc->prio_seen = 1;
        }
    }
    rv = add_rec(fc, nv);
    if (rv == -2) {
        fc->nomem = 1;
        return "out of memory";
    }
    if (rv == -1 && fc->host_idx == (long)fc->n) {
        fc->host_idx = -1;
    }
    return NULL;
}

int h2_fields_emit(void *ctx, const h2_nv *nv)
{
    h2_fields *fc = ctx;
    const char *why;
    if (fc->mode == H2_FIELDS_DISCARD || fc->malformed) {
        return 0;
    }
    if (nv->name_len > 0 && nv->name[0] == ':') {
        why = pseudo_field(fc, nv);
    } else {
        why = regular_field(fc, nv);
    }
    if (why) {
        fc->malformed = why;
    }
    return 0;
}

static const char *pseudo(const h2_fields *fc, unsigned i, size_t *len)
{
    if (!(fc->pseudo_seen & (1u << i))) {
        *len = 0;
        return NULL;
    }
    *len = fc->pseudo_len[i];
    return (const char *)fc->str.data + fc->pseudo_off[i];
}

/* §8.3.1 completeness and form. complete: every pseudo-header of the block was seen (always
 * so unless the block was too large); else only what was seen is checked, nothing that
 * was not is made up. */
static const char *check_request(const h2_fields *fc, const h2_request *r, int end_stream,
                                 int enable_connect_protocol, int complete)
{
    int connect = r->method && r->method_len == 7 && memcmp(r->method, "CONNECT", 7) == 0;
    int options = r->method && r->method_len == 7 && memcmp(r->method, "OPTIONS", 7) == 0;
    if (r->protocol && (!enable_connect_protocol || (r->method && !connect))) {
        return ":protocol not allowed";
    }
    if (r->path) {
        /* origin-form, or '*' for OPTIONS (RFC 9110 §7.1), whatever the scheme: it becomes
         * the target of a request line */
        if (r->path_len == 0) {
            return "empty :path";
        }
        if (r->path[0] != '/' &&
            !(r->path_len == 1 && r->path[0] == '*' && (options || !r->method))) {
            return "invalid :path";
        }
    }
    if (complete) {
        if (!r->method) {
            return "missing :method";
        }
        if (connect && !r->protocol) {
            /* §8.5: :method and :authority only */
            if (!r->authority || r->authority_len == 0) {
                return "CONNECT without :authority";
            }
            if (r->scheme || r->path) {
                return "CONNECT with :scheme or :path";
            }
        } else {
            if (!r->scheme || !r->path) {
                return "missing :scheme or :path";
            }
            if (connect && (!r->authority || r->authority_len == 0)) {
                return "extended CONNECT without :authority";
            }
        }
    }
    if (r->authority && fc->host_idx >= 0) {
        /* §8.3.1: a Host that differs from :authority (SHOULD be treated as malformed) */
        const h2_field_rec *h = &fc->recs[fc->host_idx];
        if (h->value_len != r->authority_len ||
            !ieq(fc->str.data + h->value_off, (const uint8_t *)r->authority, r->authority_len)) {
            return "host differs from :authority";
        }
    }
    if (end_stream && fc->content_length > 0) {
        return "content-length without body";
    }
    return NULL;
}

const char *h2_fields_finish_request(h2_fields *fc, int end_stream, int enable_connect_protocol,
                                     int too_large, h2_request *req)
{
    req->method = pseudo(fc, H2_PS_METHOD, &req->method_len);
    req->scheme = pseudo(fc, H2_PS_SCHEME, &req->scheme_len);
    req->authority = pseudo(fc, H2_PS_AUTHORITY, &req->authority_len);
    req->path = pseudo(fc, H2_PS_PATH, &req->path_len);
    req->protocol = pseudo(fc, H2_PS_PROTOCOL, &req->protocol_len);
    req->fields = h2_fields_nv(fc, &req->nfields);
    req->end_stream = end_stream;
    req->content_length = fc->content_length;
    req->priority = fc->prio;
    req->priority_signal = fc->prio_seen ? H2_PRIO_SIG_FIELD : 0;
    if (fc->nv_cap < fc->n) {
        fc->nomem = 1;
        return "out of memory";
    }
    if (fc->malformed) {
        return fc->malformed;   /* also when too large: what was seen is malformed */
    }
    return check_request(fc, req, end_stream, enable_connect_protocol,
                         !too_large || (fc->regular_seen && fc->pseudo_complete));
}

const h2_nv *h2_fields_nv(h2_fields *fc, size_t *n)
{
    size_t i;
    *n = 0;
    if (fc->n > fc->nv_cap) {
        h2_nv *p = h2_mem_realloc(fc->mem, fc->nv, fc->cap * sizeof(*p));
        if (!p) {
            fc->nomem = 1;   /* *n is 0: the caller must look here, not at *n */
            return NULL;
        }
        fc->nv = p;
        fc->nv_cap = fc->cap;
    }
    for (i = 0; i < fc->n; i++) {
        const h2_field_rec *r = &fc->recs[i];
        fc->nv[i].name = fc->str.data + r->name_off;
        fc->nv[i].name_len = r->name_len;
        fc->nv[i].value = fc->str.data + r->value_off;
        fc->nv[i].value_len = r->value_len;
        fc->nv[i].flags = r->flags;
    }
    *n = fc->n;
    return fc->n ? fc->nv : NULL;
}
