/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * test_frame.c -- the RFC 9113 §4/§6 (and RFC 9218 §7.1) frame codec: encode/decode round
 * trips, every frame-level error with its kind and code, the resumable reader at every split
 * point, zero-copy, bounded allocation, padding, unknown types and flags, CONTINUATION
 * splitting in the encoders and reserved-bit masking.
 */
#include <stdint.h>

#include "h2_frame.h"
#include "h2test.h"

#define MAXF H2_DEFAULT_MAX_FRAME_SIZE

/* ------------------------------------------------------------------------------------ */
/* helpers */

/* Append a raw frame: header from the arguments, payload given as hex ("" for none). */
static void raw(h2_buf *b, uint32_t len, uint8_t type, uint8_t flags, uint32_t sid, const char *hex)
{
    uint8_t tmp[512];
    size_t n = h2test_unhex(hex, tmp, sizeof(tmp));
    h2_frame_put_hdr(b, len, type, flags, sid);
    h2_buf_append(b, tmp, n);
}

/* Append a raw frame with `len` payload octets of value `fill`. */
static void raw_fill(h2_buf *b, uint32_t len, uint8_t type, uint8_t flags, uint32_t sid, uint8_t fill)
{
    h2_frame_put_hdr(b, len, type, flags, sid);
    h2_buf_reserve(b, len);
    memset(b->data + b->len, fill, len);
    b->len += len;
}

/*
 * Decode the one frame in b both with h2_frame_decode and with a fresh reader fed the whole
 * buffer, check that both agree and that the reader consumed everything; return the rc.
 * The frame returned in *f comes from h2_frame_decode (payload points into b).
 */
static int dec(const h2_buf *b, h2_frame *f, h2_frame_error *e)
{
    h2_frame_reader r;
    h2_frame f2;
    h2_frame_error e2;
    size_t used = 0;
    int rc, rc2;

    memset(e, 0, sizeof(*e));
    H2_CHECK(b->len >= H2_FRAME_HDR_LEN);
    rc = h2_frame_decode(b->data, b->data + H2_FRAME_HDR_LEN, MAXF, f, e);
    h2_frame_reader_init(&r, MAXF);
    rc2 = h2_frame_read(&r, b->data, b->len, &used, &f2, &e2);
    H2_CHECK_EQ(rc, rc2);
    if (rc == H2_FR_FRAME) {
        H2_CHECK_EQ(used, b->len);
        H2_CHECK_EQ(f2.payload_len, f->payload_len);
        H2_CHECK(f2.payload == f->payload);                    /* zero copy */
        H2_CHECK(r.buf == NULL);
    }
    else if (rc == H2_FR_ERROR) {
        H2_CHECK_EQ(e->is_conn, e2.is_conn);
        H2_CHECK_EQ(e->code, e2.code);
        H2_CHECK_EQ(e->stream_id, e2.stream_id);
        H2_CHECK(e->reason != NULL && e2.reason != NULL && strcmp(e->reason, e2.reason) == 0);
        H2_CHECK_EQ(r.dead, e->is_conn);
        if (!e->is_conn) {
            H2_CHECK_EQ(used, b->len);                         /* stream error: frame consumed */
        }
    }
    h2_frame_reader_free(&r);
    return rc;
}

/* the reason text, when the test names one */
static int reason_is(const char *got, const char *want)
{
    return got != NULL && (want == NULL || strcmp(got, want) == 0);
}

#define CHECK_CONN_ERR(b, code_, reason_) do { \
        h2_frame f_; h2_frame_error e_; \
        H2_CHECK_EQ(dec((b), &f_, &e_), H2_FR_ERROR); \
        H2_CHECK_EQ(e_.is_conn, 1); H2_CHECK_EQ(e_.code, (code_)); \
        H2_CHECK(reason_is(e_.reason, (reason_))); \
    } while (0)

#define CHECK_STREAM_ERR(b, code_, sid_) do { \
        h2_frame f_; h2_frame_error e_; \
        H2_CHECK_EQ(dec((b), &f_, &e_), H2_FR_ERROR); \
        H2_CHECK_EQ(e_.is_conn, 0); H2_CHECK_EQ(e_.code, (code_)); H2_CHECK_EQ(e_.stream_id, (sid_)); \
    } while (0)

#define CHECK_OK(b) do { \
        h2_frame f_; h2_frame_error e_; \
        H2_CHECK_EQ(dec((b), &f_, &e_), H2_FR_FRAME); \
    } while (0)

/* a fresh buffer holding one raw frame */
#define ONE(b, ...) do { h2_buf_reset(b); raw((b), __VA_ARGS__); } while (0)

static void put_u32(h2_buf *b, uint32_t v)
{
    uint8_t t[4];
    h2_put_u32(t, v);
    h2_buf_append(b, t, 4);
}

/* ------------------------------------------------------------------------------------ */
/* the event log of feeding a byte stream to a reader: every frame or error, serialised so
 * that two runs over different splits compare with memcmp */

static void log_u32(h2_buf *log, uint32_t v)
{
    put_u32(log, v);
}

static void log_frame(h2_buf *log, int rc, const h2_frame *f, const h2_frame_error *e)
{
    log_u32(log, (uint32_t)rc);
    if (rc == H2_FR_ERROR) {
        log_u32(log, e->is_conn);
        log_u32(log, e->code);
        log_u32(log, e->stream_id);
        h2_buf_append(log, e->reason, strlen(e->reason));
        return;
    }
    log_u32(log, f->length);
    log_u32(log, f->type);
    log_u32(log, f->flags);
    log_u32(log, f->stream_id);
    log_u32(log, (uint32_t)f->payload_len);
    h2_buf_append(log, f->payload, f->payload_len);
    log_u32(log, f->pad_len);
    log_u32(log, f->has_priority);
    log_u32(log, f->exclusive);
    log_u32(log, f->weight);
    log_u32(log, f->dep_stream_id);
    log_u32(log, f->error_code);
    log_u32(log, f->last_stream_id);
    log_u32(log, f->promised_stream_id);
    log_u32(log, f->window_increment);
    log_u32(log, f->prioritized_stream_id);
    h2_buf_append(log, f->opaque, 8);
    log_u32(log, (uint32_t)f->n_settings);
}

static int in_range(const uint8_t *p, size_t n, const uint8_t *base, size_t len)
{
    return n == 0 || (p >= base && p + n <= base + len);
}

/*
 * Feed data[0..len) to a reader in pieces: cuts[] are the (sorted) split offsets. Each piece
 * is copied into its own malloc'd block of exactly its size, so ASan sees any over-read and
 * zero-copy payloads can be located. Appends the events to log; stops at a connection error
 * (after checking it is sticky).
 */
static size_t feed(const uint8_t *data, size_t len, const size_t *cuts, size_t n_cuts,
                   uint32_t max, h2_buf *log)
{
    h2_frame_reader r;
    size_t i, start = 0, events = 0;

    h2_frame_reader_init(&r, max);
    for (i = 0; i <= n_cuts; i++) {
        size_t end = i < n_cuts ? cuts[i] : len, off = 0, plen = end - start;
        uint8_t *piece = malloc(plen ? plen : 1);

        if (plen) {
            memcpy(piece, data + start, plen);
        }
        for (;;) {
            h2_frame f;
            h2_frame_error e;
            size_t used = 12345;
            int rc;

            memset(&f, 0xa5, sizeof(f));                       /* *f holds nothing between calls */
            memset(&e, 0xa5, sizeof(e));
            rc = h2_frame_read(&r, piece + off, plen - off, &used, &f, &e);

            H2_CHECK(used <= plen - off);
            off += used;
            if (rc == H2_FR_AGAIN) {
                H2_CHECK_EQ(off, plen);
                break;
            }
            log_frame(log, rc, &f, &e);
            events++;
            if (rc == H2_FR_FRAME) {
                H2_CHECK(f.payload_len <= max);
                H2_CHECK(in_range(f.payload, f.payload_len, piece, plen)
                         || in_range(f.payload, f.payload_len, r.buf, r.buf_cap));
                continue;
            }
            H2_CHECK_EQ(rc, H2_FR_ERROR);
            if (e.is_conn) {
                h2_frame_error e2;
                H2_CHECK(r.dead);
                H2_CHECK_EQ(h2_frame_read(&r, piece, plen, &used, &f, &e2), H2_FR_ERROR);
                H2_CHECK_EQ(used, 0);
                H2_CHECK_EQ(e2.code, e.code);
                H2_CHECK(e2.reason == e.reason);
                free(piece);
                goto done;
            }
        }
        free(piece);
        start = end;
    }
done:
    H2_CHECK(r.buf == NULL || r.buf_cap == r.max_frame_size);
    h2_frame_reader_free(&r);
    return events;
}

/* Feeding at every single split point, byte by byte, and in random pieces gives the same
 * events (expect_events frames and errors) as feeding it in one piece. */
static void check_all_splits(const h2_buf *in, uint32_t max, size_t expect_events)
{
    h2_buf ref, got;
    size_t k, *cuts = malloc((in->len + 1) * sizeof(size_t));

    h2_buf_init(&ref);
    h2_buf_init(&got);
    H2_CHECK_EQ(feed(in->data, in->len, NULL, 0, max, &ref), expect_events);
    for (k = 1; k < in->len; k++) {
        h2_buf_reset(&got);
        feed(in->data, in->len, &k, 1, max, &got);
        H2_CHECK_EQ(got.len, ref.len);
        H2_CHECK(got.len == ref.len && memcmp(got.data, ref.data, ref.len) == 0);
    }
    for (k = 1; k < in->len; k++) {
        cuts[k - 1] = k;
    }
    h2_buf_reset(&got);
    feed(in->data, in->len, cuts, in->len ? in->len - 1 : 0, max, &got);
    H2_CHECK(got.len == ref.len && memcmp(got.data, ref.data, ref.len) == 0);
    /* a few pseudo-random multi-way splits */
    {
        uint32_t seed = 12345;
        int round;
        for (round = 0; round < 200 && in->len > 2; round++) {
            size_t n = 0, pos = 0;
            while (n < in->len) {
                seed = seed * 1103515245u + 12345u;
                pos += 1 + (seed >> 16) % 37;
                if (pos >= in->len) {
                    break;
                }
                cuts[n++] = pos;
            }
            h2_buf_reset(&got);
            feed(in->data, in->len, cuts, n, max, &got);
            H2_CHECK(got.len == ref.len && memcmp(got.data, ref.data, ref.len) == 0);
        }
    }
    free(cuts);
    h2_buf_free(&ref);
    h2_buf_free(&got);
}

/* ------------------------------------------------------------------------------------ */
/* §4.1 frame header */

H2_TEST(rfc9113_4_1_header_pack)
{
    uint8_t h[9], want[9];
    h2_frame f;

    h2_frame_pack_hdr(h, 0x123456, 0x7, 0xab, 0xffffffffu);
    h2test_unhex("12 34 56 07 ab 7f ff ff ff", want, 9);
    H2_CHECK_MEM(h, want, 9);                                   /* R bit never sent */
    /* SETTINGS ACK as on the wire */
    {
        h2_buf b;
        h2_buf_init(&b);
        H2_CHECK_EQ(h2_frame_put_settings_ack(&b), 0);
        h2test_unhex("00 00 00 04 01 00 00 00 00", want, 9);
        H2_CHECK_EQ(b.len, 9);
        H2_CHECK_MEM(b.data, want, 9);
        h2_buf_free(&b);
    }
    /* R bit ignored on receipt */
    {
        h2_frame_error e;
        h2test_unhex("00 00 04 08 00 80 00 00 05", h, 9);
        H2_CHECK_EQ(h2_frame_decode(h, (const uint8_t *)"\x80\0\0\x01", MAXF, &f, &e), H2_FR_FRAME);
        H2_CHECK_EQ(f.stream_id, 5);
        H2_CHECK_EQ(f.window_increment, 1);                     /* R of the increment too */
    }
}

H2_TEST(rfc9113_4_1_type_names)
{
    H2_CHECK(strcmp(h2_frame_type_name(H2_FT_DATA), "DATA") == 0);
    H2_CHECK(strcmp(h2_frame_type_name(H2_FT_HEADERS), "HEADERS") == 0);
    H2_CHECK(strcmp(h2_frame_type_name(H2_FT_PRIORITY), "PRIORITY") == 0);
    H2_CHECK(strcmp(h2_frame_type_name(H2_FT_RST_STREAM), "RST_STREAM") == 0);
    H2_CHECK(strcmp(h2_frame_type_name(H2_FT_SETTINGS), "SETTINGS") == 0);
    H2_CHECK(strcmp(h2_frame_type_name(H2_FT_PUSH_PROMISE), "PUSH_PROMISE") == 0);
    H2_CHECK(strcmp(h2_frame_type_name(H2_FT_PING), "PING") == 0);
    H2_CHECK(strcmp(h2_frame_type_name(H2_FT_GOAWAY), "GOAWAY") == 0);
    H2_CHECK(strcmp(h2_frame_type_name(H2_FT_WINDOW_UPDATE), "WINDOW_UPDATE") == 0);
    H2_CHECK(strcmp(h2_frame_type_name(H2_FT_CONTINUATION), "CONTINUATION") == 0);
    H2_CHECK(strcmp(h2_frame_type_name(H2_FT_PRIORITY_UPDATE), "PRIORITY_UPDATE") == 0);
    H2_CHECK(strcmp(h2_frame_type_name(0x0a), "UNKNOWN") == 0);
    H2_CHECK(strcmp(h2_frame_type_name(0x0f), "UNKNOWN") == 0);
    H2_CHECK(strcmp(h2_frame_type_name(0x11), "UNKNOWN") == 0);
    H2_CHECK(strcmp(h2_frame_type_name(0xff), "UNKNOWN") == 0);
}

/* ------------------------------------------------------------------------------------ */
/* §4.2 frame size */

H2_TEST(rfc9113_4_2_larger_than_max_on_header_alone)
{
    uint8_t h[9];
    h2_frame_reader r;
    h2_frame f;
    h2_frame_error e, e2;
    size_t used;
    uint32_t types[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x10, 0x42 };
    size_t i;

    for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        h2_frame_pack_hdr(h, MAXF + 1, (uint8_t)types[i], 0, types[i] == 4 ? 0 : 1);
        h2_frame_reader_init(&r, MAXF);
        /* the 9 header octets alone, no payload follows */
        H2_CHECK_EQ(h2_frame_read(&r, h, 9, &used, &f, &e), H2_FR_ERROR);
        H2_CHECK_EQ(e.is_conn, 1);
        H2_CHECK_EQ(e.code, H2_FRAME_SIZE_ERROR);
        H2_CHECK(r.buf == NULL);
        H2_CHECK(r.dead);
        /* dead: same error again, nothing consumed */
        H2_CHECK_EQ(h2_frame_read(&r, h, 9, &used, &f, &e2), H2_FR_ERROR);
        H2_CHECK_EQ(used, 0);
        H2_CHECK_EQ(e2.code, H2_FRAME_SIZE_ERROR);
        H2_CHECK(e2.reason == e.reason);
        h2_frame_reader_free(&r);
        /* byte by byte too */
        h2_frame_reader_init(&r, MAXF);
        {
            size_t k;
            for (k = 0; k < 8; k++) {
                H2_CHECK_EQ(h2_frame_read(&r, h + k, 1, &used, &f, &e), H2_FR_AGAIN);
                H2_CHECK_EQ(used, 1);
            }
            H2_CHECK_EQ(h2_frame_read(&r, h + 8, 1, &used, &f, &e), H2_FR_ERROR);
            H2_CHECK_EQ(e.code, H2_FRAME_SIZE_ERROR);
            H2_CHECK(r.buf == NULL);
        }
        h2_frame_reader_free(&r);
        /* and via h2_frame_decode (payload not looked at) */
        H2_CHECK_EQ(h2_frame_decode(h, NULL, MAXF, &f, &e), H2_FR_ERROR);
        H2_CHECK_EQ(e.is_conn, 1);
        H2_CHECK_EQ(e.code, H2_FRAME_SIZE_ERROR);
    }
    /* a 16 MiB announcement allocates nothing */
    h2_frame_pack_hdr(h, H2_MAX_MAX_FRAME_SIZE, H2_FT_DATA, 0, 1);
    h2_frame_reader_init(&r, MAXF);
    H2_CHECK_EQ(h2_frame_read(&r, h, 9, &used, &f, &e), H2_FR_ERROR);
    H2_CHECK(r.buf == NULL);
    h2_frame_reader_free(&r);
}

H2_TEST(rfc9113_4_2_exactly_max_accepted)
{
    h2_buf b;
    h2_frame f;
    h2_frame_error e;
    h2_frame_reader r;
    size_t used, half;
    uint8_t *buf1;

    h2_buf_init(&b);
    raw_fill(&b, MAXF, H2_FT_DATA, 0, 1, 0x5a);
    CHECK_OK(&b);
    /* assembled across two calls: one buffer of exactly max_frame_size */
    h2_frame_reader_init(&r, MAXF);
    half = b.len / 2;
    H2_CHECK_EQ(h2_frame_read(&r, b.data, half, &used, &f, &e), H2_FR_AGAIN);
    H2_CHECK_EQ(used, half);
    H2_CHECK(r.buf != NULL);
    H2_CHECK_EQ(r.buf_cap, MAXF);
    buf1 = r.buf;
    H2_CHECK_EQ(h2_frame_read(&r, b.data + half, b.len - half, &used, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(used, b.len - half);
    H2_CHECK(f.payload == r.buf);
    H2_CHECK_EQ(f.payload_len, MAXF);
    H2_CHECK(f.payload[0] == 0x5a && f.payload[MAXF - 1] == 0x5a);
    /* a second assembled frame reuses the same buffer */
    H2_CHECK_EQ(h2_frame_read(&r, b.data, 100, &used, &f, &e), H2_FR_AGAIN);
    H2_CHECK_EQ(h2_frame_read(&r, b.data + 100, b.len - 100, &used, &f, &e), H2_FR_FRAME);
    H2_CHECK(r.buf == buf1);
    H2_CHECK_EQ(r.buf_cap, MAXF);
    h2_frame_reader_free(&r);
    h2_buf_free(&b);
}

H2_TEST(rfc9113_4_2_set_max_grows_buffer)
{
    h2_buf b;
    h2_frame f;
    h2_frame_error e;
    h2_frame_reader r;
    size_t used;
    const uint32_t big = 40000;

    h2_buf_init(&b);
    h2_frame_reader_init(&r, MAXF);
    raw_fill(&b, 1000, H2_FT_DATA, 0, 1, 1);
    H2_CHECK_EQ(h2_frame_read(&r, b.data, 500, &used, &f, &e), H2_FR_AGAIN);
    H2_CHECK_EQ(h2_frame_read(&r, b.data + 500, b.len - 500, &used, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(r.buf_cap, MAXF);
    /* after our SETTINGS_MAX_FRAME_SIZE = 65536 was acknowledged */
    h2_frame_reader_set_max(&r, 65536);
    H2_CHECK_EQ(r.max_frame_size, 65536);
    h2_buf_reset(&b);
    raw_fill(&b, big, H2_FT_DATA, 0, 1, 2);
    H2_CHECK_EQ(h2_frame_read(&r, b.data, 20000, &used, &f, &e), H2_FR_AGAIN);
    H2_CHECK_EQ(r.buf_cap, 65536);
    H2_CHECK_EQ(h2_frame_read(&r, b.data + 20000, b.len - 20000, &used, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(f.payload_len, big);
    H2_CHECK(f.payload[0] == 2 && f.payload[big - 1] == 2);
    h2_frame_reader_free(&r);
    /* the same frame before the change is a connection error */
    h2_frame_reader_init(&r, MAXF);
    H2_CHECK_EQ(h2_frame_read(&r, b.data, b.len, &used, &f, &e), H2_FR_ERROR);
    H2_CHECK_EQ(e.code, H2_FRAME_SIZE_ERROR);
    H2_CHECK(r.buf == NULL);
    h2_frame_reader_free(&r);
    /* the limit lowered while a frame accepted under the higher one is still arriving */
    h2_frame_reader_init(&r, 65536);
    H2_CHECK_EQ(h2_frame_read(&r, b.data, 9, &used, &f, &e), H2_FR_AGAIN);   /* header only */
    H2_CHECK(r.buf == NULL);
    h2_frame_reader_set_max(&r, MAXF);
    H2_CHECK_EQ(h2_frame_read(&r, b.data + 9, 30091, &used, &f, &e), H2_FR_AGAIN);
    H2_CHECK(r.buf_cap >= big);
    H2_CHECK_EQ(h2_frame_read(&r, b.data + 30100, b.len - 30100, &used, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(f.payload_len, big);
    H2_CHECK(f.payload[big - 1] == 2);
    h2_frame_reader_free(&r);
    /* limits are clamped to what SETTINGS_MAX_FRAME_SIZE can say */
    h2_frame_reader_init(&r, 100);
    H2_CHECK_EQ(r.max_frame_size, MAXF);
    h2_frame_reader_set_max(&r, 0xffffffffu);
    H2_CHECK_EQ(r.max_frame_size, H2_MAX_MAX_FRAME_SIZE);
    h2_frame_reader_free(&r);
    h2_buf_free(&b);
}

/* ------------------------------------------------------------------------------------ */
/* §6.1 DATA */

H2_TEST(rfc9113_6_1_data_roundtrip)
{
    h2_buf b;
    h2_frame f;
    h2_frame_error e;
    const uint8_t msg[] = "hello, world";
    unsigned pads[] = { 0, 1, 2, 17, 255 };
    size_t i;

    h2_buf_init(&b);
    for (i = 0; i < sizeof(pads) / sizeof(pads[0]); i++) {
        h2_buf_reset(&b);
        H2_CHECK_EQ(h2_frame_put_data(&b, 3, msg, 12, (int)(i & 1), (uint8_t)pads[i]), 0);
        H2_CHECK_EQ(b.len, 9 + 12 + pads[i]);
        H2_CHECK_EQ(dec(&b, &f, &e), H2_FR_FRAME);
        H2_CHECK_EQ(f.type, H2_FT_DATA);
        H2_CHECK_EQ(f.length, 12 + pads[i]);                    /* flow control counts padding */
        H2_CHECK_EQ(f.stream_id, 3);
        H2_CHECK_EQ(f.payload_len, 12);
        H2_CHECK_MEM(f.payload, msg, 12);
        H2_CHECK_EQ(f.pad_len, pads[i]);
        H2_CHECK_EQ(!!(f.flags & H2_FLAG_PADDED), pads[i] != 0);
        H2_CHECK_EQ(!!(f.flags & H2_FLAG_END_STREAM), (int)(i & 1));
        if (pads[i] > 1) {
            H2_CHECK(b.data[b.len - 1] == 0);                   /* padding octets are zero */
        }
    }
    /* empty DATA with END_STREAM */
    h2_buf_reset(&b);
    H2_CHECK_EQ(h2_frame_put_data(&b, 1, NULL, 0, 1, 0), 0);
    H2_CHECK_EQ(dec(&b, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(f.payload_len, 0);
    H2_CHECK_EQ(f.flags, H2_FLAG_END_STREAM);
    h2_buf_free(&b);
}

H2_TEST(rfc9113_6_1_data_stream_0)
{
    h2_buf b;
    h2_buf_init(&b);
    ONE(&b, 3, H2_FT_DATA, 0, 0, "61 62 63");
    CHECK_CONN_ERR(&b, H2_PROTOCOL_ERROR, "DATA on stream 0");
    ONE(&b, 3, H2_FT_DATA, 0, 0x80000000u, "61 62 63");      /* R bit set, id still 0 */
    CHECK_CONN_ERR(&b, H2_PROTOCOL_ERROR, NULL);
    h2_buf_free(&b);
}

H2_TEST(rfc9113_6_1_data_padding)
{
    h2_buf b;
    h2_frame f;
    h2_frame_error e;

    h2_buf_init(&b);
    /* Pad Length == payload length: connection PROTOCOL_ERROR */
    ONE(&b, 4, H2_FT_DATA, H2_FLAG_PADDED, 1, "04 00 00 00");
    CHECK_CONN_ERR(&b, H2_PROTOCOL_ERROR, "DATA Pad Length >= payload length");
    ONE(&b, 4, H2_FT_DATA, H2_FLAG_PADDED, 1, "ff 00 00 00");
    CHECK_CONN_ERR(&b, H2_PROTOCOL_ERROR, NULL);
    /* Pad Length == payload length - 1: all padding, no data */
    ONE(&b, 4, H2_FT_DATA, H2_FLAG_PADDED, 1, "03 00 00 00");
    H2_CHECK_EQ(dec(&b, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(f.payload_len, 0);
    H2_CHECK_EQ(f.pad_len, 4);
    H2_CHECK_EQ(f.length, 4);
    /* padded with Pad Length 0 */
    ONE(&b, 3, H2_FT_DATA, H2_FLAG_PADDED, 1, "00 41 42");
    H2_CHECK_EQ(dec(&b, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(f.payload_len, 2);
    H2_CHECK_MEM(f.payload, "AB", 2);
    H2_CHECK_EQ(f.pad_len, 1);
    /* PADDED without room for the Pad Length octet */
    ONE(&b, 0, H2_FT_DATA, H2_FLAG_PADDED, 1, "");
    CHECK_CONN_ERR(&b, H2_FRAME_SIZE_ERROR, "DATA PADDED without Pad Length");
    /* non-zero padding octets are not checked (§6.1 MAY) */
    ONE(&b, 3, H2_FT_DATA, H2_FLAG_PADDED, 1, "01 41 ff");
    H2_CHECK_EQ(dec(&b, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(f.payload_len, 1);
    h2_buf_free(&b);
}

/* ------------------------------------------------------------------------------------ */
/* §6.2 HEADERS */

H2_TEST(rfc9113_6_2_headers_roundtrip)
{
    h2_buf b;
    h2_frame f;
    h2_frame_error e;
    const uint8_t block[] = { 0x82, 0x86, 0x84, 0x41, 0x0f };

    h2_buf_init(&b);
    H2_CHECK_EQ(h2_frame_put_headers(&b, 1, block, sizeof(block), 1, MAXF), 0);
    H2_CHECK_EQ(b.len, 9 + sizeof(block));
    H2_CHECK_EQ(dec(&b, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(f.type, H2_FT_HEADERS);
    H2_CHECK_EQ(f.flags, H2_FLAG_END_STREAM | H2_FLAG_END_HEADERS);
    H2_CHECK_EQ(f.payload_len, sizeof(block));
    H2_CHECK_MEM(f.payload, block, sizeof(block));
    H2_CHECK_EQ(f.has_priority, 0);
    h2_buf_reset(&b);
    H2_CHECK_EQ(h2_frame_put_headers(&b, 7, NULL, 0, 0, MAXF), 0);
    H2_CHECK_EQ(dec(&b, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(f.flags, H2_FLAG_END_HEADERS);
    H2_CHECK_EQ(f.payload_len, 0);
    H2_CHECK_EQ(f.stream_id, 7);
    h2_buf_free(&b);
}

H2_TEST(rfc9113_6_2_headers_priority_and_padding)
{
    h2_buf b;
    h2_frame f;
    h2_frame_error e;

    h2_buf_init(&b);
    /* PADDED|PRIORITY: pad 2, E=1 dep 3, weight 15, fragment 82 86, padding 00 00 */
    ONE(&b, 10, H2_FT_HEADERS, H2_FLAG_PADDED | H2_FLAG_PRIORITY | H2_FLAG_END_HEADERS, 5,
        "02 80 00 00 03 0f 82 86 00 00");
    H2_CHECK_EQ(dec(&b, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(f.has_priority, 1);
    H2_CHECK_EQ(f.exclusive, 1);
    H2_CHECK_EQ(f.dep_stream_id, 3);
    H2_CHECK_EQ(f.weight, 15);
    H2_CHECK_EQ(f.pad_len, 3);
    H2_CHECK_EQ(f.payload_len, 2);
    H2_CHECK_MEM(f.payload, "\x82\x86", 2);
    /* PRIORITY only */
    ONE(&b, 6, H2_FT_HEADERS, H2_FLAG_PRIORITY, 5, "00 00 00 00 ff 82");
    H2_CHECK_EQ(dec(&b, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(f.exclusive, 0);
    H2_CHECK_EQ(f.dep_stream_id, 0);
    H2_CHECK_EQ(f.weight, 255);
    H2_CHECK_EQ(f.payload_len, 1);
    H2_CHECK_EQ(f.pad_len, 0);
    /* padding that fills everything after the priority fields: empty fragment, fine */
    ONE(&b, 8, H2_FT_HEADERS, H2_FLAG_PADDED | H2_FLAG_PRIORITY, 5, "02 00 00 00 01 10 00 00");
    H2_CHECK_EQ(dec(&b, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(f.payload_len, 0);
    /* one more octet of padding than room: connection PROTOCOL_ERROR */
    ONE(&b, 8, H2_FT_HEADERS, H2_FLAG_PADDED | H2_FLAG_PRIORITY, 5, "03 00 00 00 01 10 00 00");
    CHECK_CONN_ERR(&b, H2_PROTOCOL_ERROR, "HEADERS padding exceeds field block fragment");
    ONE(&b, 3, H2_FT_HEADERS, H2_FLAG_PADDED, 5, "03 00 00");
    CHECK_CONN_ERR(&b, H2_PROTOCOL_ERROR, NULL);
    /* too short for the PRIORITY fields / the Pad Length octet: FRAME_SIZE_ERROR (§4.2) */
    ONE(&b, 4, H2_FT_HEADERS, H2_FLAG_PRIORITY, 5, "00 00 00 01");
    CHECK_CONN_ERR(&b, H2_FRAME_SIZE_ERROR, "HEADERS too short for PADDED/PRIORITY fields");
    ONE(&b, 5, H2_FT_HEADERS, H2_FLAG_PRIORITY | H2_FLAG_PADDED, 5, "00 00 00 00 01");
    CHECK_CONN_ERR(&b, H2_FRAME_SIZE_ERROR, NULL);
    ONE(&b, 0, H2_FT_HEADERS, H2_FLAG_PADDED, 5, "");
    CHECK_CONN_ERR(&b, H2_FRAME_SIZE_ERROR, NULL);
    /* on stream 0 */
    ONE(&b, 1, H2_FT_HEADERS, H2_FLAG_END_HEADERS, 0, "82");
    CHECK_CONN_ERR(&b, H2_PROTOCOL_ERROR, "HEADERS on stream 0");
    h2_buf_free(&b);
}

H2_TEST(rfc9113_5_3_1_headers_self_dependency)
{
    h2_buf b;
    h2_frame f;
    h2_frame_error e;

    h2_buf_init(&b);
    /* stream 5 depends on 5 (R/E bit set: still itself) */
    ONE(&b, 7, H2_FT_HEADERS, H2_FLAG_PRIORITY | H2_FLAG_END_HEADERS, 5, "80 00 00 05 10 82 86");
    CHECK_STREAM_ERR(&b, H2_PROTOCOL_ERROR, 5);
    /* the frame is still fully decoded: the session feeds the block to HPACK */
    H2_CHECK_EQ(h2_frame_decode(b.data, b.data + 9, MAXF, &f, &e), H2_FR_ERROR);
    H2_CHECK(strcmp(e.reason, "HEADERS stream depends on itself") == 0);
    H2_CHECK_EQ(f.type, H2_FT_HEADERS);
    H2_CHECK_EQ(f.stream_id, 5);
    H2_CHECK_EQ(f.payload_len, 2);
    H2_CHECK_MEM(f.payload, "\x82\x86", 2);
    /* same through the reader, which continues with the next frame */
    {
        h2_frame_reader r;
        size_t used;
        h2_frame_put_window_update(&b, 0, 100);
        h2_frame_reader_init(&r, MAXF);
        H2_CHECK_EQ(h2_frame_read(&r, b.data, b.len, &used, &f, &e), H2_FR_ERROR);
        H2_CHECK_EQ(used, 16);
        H2_CHECK_EQ(e.is_conn, 0);
        H2_CHECK_EQ(f.payload_len, 2);
        H2_CHECK(f.payload == b.data + 14);
        H2_CHECK(!r.dead);
        H2_CHECK_EQ(h2_frame_read(&r, b.data + used, b.len - used, &used, &f, &e), H2_FR_FRAME);
        H2_CHECK_EQ(f.type, H2_FT_WINDOW_UPDATE);
        H2_CHECK_EQ(f.window_increment, 100);
        h2_frame_reader_free(&r);
    }
    h2_buf_free(&b);
}

/* ------------------------------------------------------------------------------------ */
/* §6.3 PRIORITY */

H2_TEST(rfc9113_6_3_priority)
{
    h2_buf b;
    h2_frame f;
    h2_frame_error e;

    h2_buf_init(&b);
    H2_CHECK_EQ(h2_frame_put_priority(&b, 3, 1, 1, 200), 0);
    H2_CHECK_EQ(b.len, 14);
    H2_CHECK_EQ(dec(&b, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(f.type, H2_FT_PRIORITY);
    H2_CHECK_EQ(f.has_priority, 1);
    H2_CHECK_EQ(f.exclusive, 1);
    H2_CHECK_EQ(f.dep_stream_id, 1);
    H2_CHECK_EQ(f.weight, 200);
    H2_CHECK_EQ(f.payload_len, 0);
    h2_buf_reset(&b);
    H2_CHECK_EQ(h2_frame_put_priority(&b, 3, 0x80000007u, 0, 0), 0);   /* R of dep masked */
    H2_CHECK_EQ(dec(&b, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(f.exclusive, 0);
    H2_CHECK_EQ(f.dep_stream_id, 7);
    h2_buf_free(&b);
}

H2_TEST(rfc9113_6_3_priority_errors)
{
    h2_buf b;
    h2_buf_init(&b);
    /* length != 5: a STREAM error FRAME_SIZE_ERROR */
    ONE(&b, 4, H2_FT_PRIORITY, 0, 3, "00 00 00 01");
    CHECK_STREAM_ERR(&b, H2_FRAME_SIZE_ERROR, 3);
    ONE(&b, 6, H2_FT_PRIORITY, 0, 3, "00 00 00 01 10 00");
    CHECK_STREAM_ERR(&b, H2_FRAME_SIZE_ERROR, 3);
    ONE(&b, 0, H2_FT_PRIORITY, 0, 9, "");
    CHECK_STREAM_ERR(&b, H2_FRAME_SIZE_ERROR, 9);
    /* stream 0: connection PROTOCOL_ERROR, which wins over the length */
    ONE(&b, 5, H2_FT_PRIORITY, 0, 0, "00 00 00 01 10");
    CHECK_CONN_ERR(&b, H2_PROTOCOL_ERROR, "PRIORITY on stream 0");
    ONE(&b, 4, H2_FT_PRIORITY, 0, 0, "00 00 00 01");
    CHECK_CONN_ERR(&b, H2_PROTOCOL_ERROR, NULL);
    /* §5.3.1 depends on itself: STREAM error PROTOCOL_ERROR */
    ONE(&b, 5, H2_FT_PRIORITY, 0, 3, "00 00 00 03 10");
    CHECK_STREAM_ERR(&b, H2_PROTOCOL_ERROR, 3);
    ONE(&b, 5, H2_FT_PRIORITY, 0, 3, "80 00 00 03 10");
    CHECK_STREAM_ERR(&b, H2_PROTOCOL_ERROR, 3);
    h2_buf_free(&b);
}

H2_TEST(rfc9113_6_3_priority_wrong_length_skipped_without_buffer)
{
    h2_buf b;
    h2_frame f;
    h2_frame_error e;
    h2_frame_reader r;
    size_t used, k;
    int errors = 0, frames = 0;

    h2_buf_init(&b);
    raw_fill(&b, 10000, H2_FT_PRIORITY, 0, 3, 0xee);         /* stream error, big payload */
    h2_frame_put_ping(&b, (const uint8_t *)"12345678", 0);
    h2_frame_reader_init(&r, MAXF);
    for (k = 0; k < b.len; k += 700) {
        size_t n = b.len - k < 700 ? b.len - k : 700, off = 0;
        while (off < n) {
            int rc = h2_frame_read(&r, b.data + k + off, n - off, &used, &f, &e);
            off += used;
            if (rc == H2_FR_ERROR) {
                errors++;
                H2_CHECK_EQ(e.is_conn, 0);
                H2_CHECK_EQ(e.code, H2_FRAME_SIZE_ERROR);
                H2_CHECK_EQ(e.stream_id, 3);
                H2_CHECK(strcmp(e.reason, "PRIORITY length != 5") == 0);
            }
            else if (rc == H2_FR_FRAME) {
                frames++;
                H2_CHECK_EQ(f.type, H2_FT_PING);
                H2_CHECK_MEM(f.opaque, "12345678", 8);
            }
        }
    }
    H2_CHECK_EQ(errors, 1);
    H2_CHECK_EQ(frames, 1);
    H2_CHECK(r.buf == NULL);                                    /* skipped, never buffered */
    h2_frame_reader_free(&r);
    h2_buf_free(&b);
}

/* ------------------------------------------------------------------------------------ */
/* §6.4 RST_STREAM */

H2_TEST(rfc9113_6_4_rst_stream)
{
    h2_buf b;
    h2_frame f;
    h2_frame_error e;

    h2_buf_init(&b);
    H2_CHECK_EQ(h2_frame_put_rst_stream(&b, 0x80000009u, H2_CANCEL), 0);
    H2_CHECK_EQ(dec(&b, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(f.type, H2_FT_RST_STREAM);
    H2_CHECK_EQ(f.stream_id, 9);
    H2_CHECK_EQ(f.error_code, H2_CANCEL);
    ONE(&b, 4, H2_FT_RST_STREAM, 0, 1, "ff ff ff ff");           /* unknown codes pass */
    H2_CHECK_EQ(dec(&b, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(f.error_code, 0xffffffffu);
    ONE(&b, 3, H2_FT_RST_STREAM, 0, 1, "00 00 08");
    CHECK_CONN_ERR(&b, H2_FRAME_SIZE_ERROR, "RST_STREAM length != 4");
    ONE(&b, 5, H2_FT_RST_STREAM, 0, 1, "00 00 00 08 00");
    CHECK_CONN_ERR(&b, H2_FRAME_SIZE_ERROR, NULL);
    ONE(&b, 4, H2_FT_RST_STREAM, 0, 0, "00 00 00 08");
    CHECK_CONN_ERR(&b, H2_PROTOCOL_ERROR, "RST_STREAM on stream 0");
    h2_buf_free(&b);
}

/* ------------------------------------------------------------------------------------ */
/* §6.5 SETTINGS */

H2_TEST(rfc9113_6_5_settings_roundtrip)
{
    h2_buf b;
    h2_frame f;
    h2_frame_error e;
    const h2_setting s[] = {
        { H2_SET_HEADER_TABLE_SIZE, 0 }, { H2_SET_ENABLE_PUSH, 1 },
        { H2_SET_MAX_CONCURRENT_STREAMS, 0xffffffffu }, { H2_SET_INITIAL_WINDOW_SIZE, H2_MAX_WINDOW_SIZE },
        { H2_SET_MAX_FRAME_SIZE, H2_MAX_MAX_FRAME_SIZE }, { H2_SET_MAX_HEADER_LIST_SIZE, 8192 },
        { H2_SET_ENABLE_CONNECT_PROTOCOL, 1 }, { H2_SET_NO_RFC7540_PRIORITIES, 1 },
        { 0x0, 77 }, { 0x7, 0xffffffffu }, { 0xabcd, 0xffffffffu },   /* unknown: ignored */
        { H2_SET_MAX_FRAME_SIZE, MAXF }, { H2_SET_ENABLE_PUSH, 0 },
    };
    size_t i, n = sizeof(s) / sizeof(s[0]);

    h2_buf_init(&b);
    H2_CHECK_EQ(h2_frame_put_settings(&b, s, n), 0);
    H2_CHECK_EQ(b.len, 9 + 6 * n);
    H2_CHECK_EQ(dec(&b, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(f.type, H2_FT_SETTINGS);
    H2_CHECK_EQ(f.flags, 0);
    H2_CHECK_EQ(f.n_settings, n);
    for (i = 0; i < n; i++) {
        h2_setting g = h2_frame_setting(&f, i);
        H2_CHECK_EQ(g.id, s[i].id);
        H2_CHECK_EQ(g.value, s[i].value);
    }
    /* empty SETTINGS and the ACK */
    h2_buf_reset(&b);
    H2_CHECK_EQ(h2_frame_put_settings(&b, NULL, 0), 0);
    H2_CHECK_EQ(dec(&b, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(f.n_settings, 0);
    h2_buf_reset(&b);
    H2_CHECK_EQ(h2_frame_put_settings_ack(&b), 0);
    H2_CHECK_EQ(dec(&b, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(f.flags, H2_FLAG_ACK);
    H2_CHECK_EQ(f.n_settings, 0);
    h2_buf_free(&b);
}

H2_TEST(rfc9113_6_5_settings_frame_errors)
{
    h2_buf b;
    h2_buf_init(&b);
    ONE(&b, 6, H2_FT_SETTINGS, H2_FLAG_ACK, 0, "00 01 00 00 10 00");
    CHECK_CONN_ERR(&b, H2_FRAME_SIZE_ERROR, "SETTINGS ACK with a payload");
    ONE(&b, 1, H2_FT_SETTINGS, H2_FLAG_ACK, 0, "00");
    CHECK_CONN_ERR(&b, H2_FRAME_SIZE_ERROR, NULL);
    ONE(&b, 5, H2_FT_SETTINGS, 0, 0, "00 01 00 00 10");
    CHECK_CONN_ERR(&b, H2_FRAME_SIZE_ERROR, "SETTINGS length % 6 != 0");
    ONE(&b, 7, H2_FT_SETTINGS, 0, 0, "00 01 00 00 10 00 00");
    CHECK_CONN_ERR(&b, H2_FRAME_SIZE_ERROR, NULL);
    ONE(&b, 6, H2_FT_SETTINGS, 0, 1, "00 01 00 00 10 00");
    CHECK_CONN_ERR(&b, H2_PROTOCOL_ERROR, "SETTINGS on a stream");
    ONE(&b, 0, H2_FT_SETTINGS, H2_FLAG_ACK, 3, "");
    CHECK_CONN_ERR(&b, H2_PROTOCOL_ERROR, NULL);
    h2_buf_free(&b);
}

static void settings_one(h2_buf *b, uint16_t id, uint32_t v)
{
    h2_setting s;
    s.id = id;
    s.value = v;
    h2_buf_reset(b);
    h2_frame_put_settings(b, &s, 1);
}

H2_TEST(rfc9113_6_5_2_settings_values)
{
    h2_buf b;
    h2_buf_init(&b);
    settings_one(&b, H2_SET_ENABLE_PUSH, 2);
    CHECK_CONN_ERR(&b, H2_PROTOCOL_ERROR, "SETTINGS_ENABLE_PUSH > 1");
    settings_one(&b, H2_SET_ENABLE_PUSH, 0xffffffffu);
    CHECK_CONN_ERR(&b, H2_PROTOCOL_ERROR, NULL);
    settings_one(&b, H2_SET_INITIAL_WINDOW_SIZE, H2_MAX_WINDOW_SIZE + 1u);
    CHECK_CONN_ERR(&b, H2_FLOW_CONTROL_ERROR, "SETTINGS_INITIAL_WINDOW_SIZE > 2^31-1");
    settings_one(&b, H2_SET_INITIAL_WINDOW_SIZE, 0xffffffffu);
    CHECK_CONN_ERR(&b, H2_FLOW_CONTROL_ERROR, NULL);
    settings_one(&b, H2_SET_INITIAL_WINDOW_SIZE, 0);
    CHECK_OK(&b);
    settings_one(&b, H2_SET_MAX_FRAME_SIZE, MAXF - 1);
    CHECK_CONN_ERR(&b, H2_PROTOCOL_ERROR, "SETTINGS_MAX_FRAME_SIZE out of 2^14..2^24-1");
    settings_one(&b, H2_SET_MAX_FRAME_SIZE, 0);
    CHECK_CONN_ERR(&b, H2_PROTOCOL_ERROR, NULL);
    settings_one(&b, H2_SET_MAX_FRAME_SIZE, H2_MAX_MAX_FRAME_SIZE + 1);
    CHECK_CONN_ERR(&b, H2_PROTOCOL_ERROR, NULL);
    settings_one(&b, H2_SET_MAX_FRAME_SIZE, MAXF);
    CHECK_OK(&b);
    settings_one(&b, H2_SET_MAX_FRAME_SIZE, H2_MAX_MAX_FRAME_SIZE);
    CHECK_OK(&b);
    settings_one(&b, H2_SET_NO_RFC7540_PRIORITIES, 2);          /* RFC 9218 §2.1 */
    CHECK_CONN_ERR(&b, H2_PROTOCOL_ERROR, "SETTINGS_NO_RFC7540_PRIORITIES > 1");
    settings_one(&b, H2_SET_ENABLE_CONNECT_PROTOCOL, 2);        /* RFC 8441 §3 */
    CHECK_CONN_ERR(&b, H2_PROTOCOL_ERROR, "SETTINGS_ENABLE_CONNECT_PROTOCOL > 1");
    settings_one(&b, H2_SET_HEADER_TABLE_SIZE, 0xffffffffu);
    CHECK_OK(&b);
    settings_one(&b, H2_SET_MAX_HEADER_LIST_SIZE, 0xffffffffu);
    CHECK_OK(&b);
    settings_one(&b, 0x10, 0xffffffffu);
    CHECK_OK(&b);
    settings_one(&b, 0xffff, 0xffffffffu);
    CHECK_OK(&b);
    /* a bad value after good ones */
    {
        const h2_setting s[] = { { 1, 4096 }, { 3, 100 }, { 0x99, 2 }, { 4, 0x80000000u } };
        h2_buf_reset(&b);
        h2_frame_put_settings(&b, s, 4);
        CHECK_CONN_ERR(&b, H2_FLOW_CONTROL_ERROR, NULL);
    }
    h2_buf_free(&b);
}

/* ------------------------------------------------------------------------------------ */
/* §6.6 PUSH_PROMISE */

H2_TEST(rfc9113_6_6_push_promise)
{
    h2_buf b;
    h2_frame f;
    h2_frame_error e;
    const uint8_t block[] = { 0x82, 0x87, 0x85 };

    h2_buf_init(&b);
    H2_CHECK_EQ(h2_frame_put_push_promise(&b, 1, 0x80000002u, block, 3, MAXF), 0);
    H2_CHECK_EQ(b.len, 9 + 4 + 3);
    H2_CHECK_EQ(dec(&b, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(f.type, H2_FT_PUSH_PROMISE);
    H2_CHECK_EQ(f.flags, H2_FLAG_END_HEADERS);
    H2_CHECK_EQ(f.stream_id, 1);
    H2_CHECK_EQ(f.promised_stream_id, 2);
    H2_CHECK(b.data[9] == 0);                                   /* R not sent */
    H2_CHECK_EQ(f.payload_len, 3);
    H2_CHECK_MEM(f.payload, block, 3);
    /* padded, reserved bit of the promised id set on the wire */
    ONE(&b, 8, H2_FT_PUSH_PROMISE, H2_FLAG_PADDED | H2_FLAG_END_HEADERS, 3, "02 80 00 00 04 82 00 00");
    H2_CHECK_EQ(dec(&b, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(f.promised_stream_id, 4);
    H2_CHECK_EQ(f.pad_len, 3);
    H2_CHECK_EQ(f.payload_len, 1);
    H2_CHECK(f.payload[0] == 0x82);
    ONE(&b, 8, H2_FT_PUSH_PROMISE, H2_FLAG_PADDED, 3, "04 00 00 00 04 82 00 00");
    CHECK_CONN_ERR(&b, H2_PROTOCOL_ERROR, "PUSH_PROMISE padding exceeds field block fragment");
    ONE(&b, 8, H2_FT_PUSH_PROMISE, H2_FLAG_PADDED, 3, "03 00 00 00 04 82 00 00");
    CHECK_OK(&b);
    ONE(&b, 3, H2_FT_PUSH_PROMISE, 0, 3, "00 00 04");
    CHECK_CONN_ERR(&b, H2_FRAME_SIZE_ERROR, "PUSH_PROMISE too short for Promised Stream ID");
    ONE(&b, 4, H2_FT_PUSH_PROMISE, H2_FLAG_PADDED, 3, "00 00 00 04");
    CHECK_CONN_ERR(&b, H2_FRAME_SIZE_ERROR, NULL);
    ONE(&b, 4, H2_FT_PUSH_PROMISE, 0, 0, "00 00 00 04");
    CHECK_CONN_ERR(&b, H2_PROTOCOL_ERROR, "PUSH_PROMISE on stream 0");
    h2_buf_free(&b);
}

/* ------------------------------------------------------------------------------------ */
/* §6.7 PING */

H2_TEST(rfc9113_6_7_ping)
{
    h2_buf b;
    h2_frame f;
    h2_frame_error e;
    const uint8_t op[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

    h2_buf_init(&b);
    H2_CHECK_EQ(h2_frame_put_ping(&b, op, 1), 0);
    H2_CHECK_EQ(dec(&b, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(f.type, H2_FT_PING);
    H2_CHECK_EQ(f.flags, H2_FLAG_ACK);
    H2_CHECK_MEM(f.opaque, op, 8);
    H2_CHECK_EQ(f.payload_len, 0);
    h2_buf_reset(&b);
    H2_CHECK_EQ(h2_frame_put_ping(&b, op, 0), 0);
    H2_CHECK_EQ(dec(&b, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(f.flags, 0);
    h2_buf_free(&b);
}

H2_TEST(rfc9113_6_7_ping_length)
{
    h2_buf b;
    h2_buf_init(&b);
    ONE(&b, 7, H2_FT_PING, 0, 0, "00 00 00 00 00 00 00");
    CHECK_CONN_ERR(&b, H2_FRAME_SIZE_ERROR, "PING length != 8");
    ONE(&b, 9, H2_FT_PING, H2_FLAG_ACK, 0, "00 00 00 00 00 00 00 00 00");
    CHECK_CONN_ERR(&b, H2_FRAME_SIZE_ERROR, "PING length != 8");
    ONE(&b, 0, H2_FT_PING, 0, 0, "");
    CHECK_CONN_ERR(&b, H2_FRAME_SIZE_ERROR, NULL);
    h2_buf_free(&b);
}

H2_TEST(rfc9113_6_7_ping_stream)
{
    h2_buf b;
    h2_buf_init(&b);
    ONE(&b, 8, H2_FT_PING, 0, 1, "00 00 00 00 00 00 00 00");
    CHECK_CONN_ERR(&b, H2_PROTOCOL_ERROR, "PING on a stream");
    h2_buf_free(&b);
}

/* ------------------------------------------------------------------------------------ */
/* §6.8 GOAWAY */

H2_TEST(rfc9113_6_8_goaway)
{
    h2_buf b;
    h2_frame f;
    h2_frame_error e;

    h2_buf_init(&b);
    H2_CHECK_EQ(h2_frame_put_goaway(&b, 0xffffffffu, H2_ENHANCE_YOUR_CALM, (const uint8_t *)"calm", 4), 0);
    H2_CHECK_EQ(b.len, 9 + 8 + 4);
    H2_CHECK(b.data[9] == 0x7f);                                /* R not sent */
    H2_CHECK_EQ(dec(&b, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(f.type, H2_FT_GOAWAY);
    H2_CHECK_EQ(f.last_stream_id, 0x7fffffffu);
    H2_CHECK_EQ(f.error_code, H2_ENHANCE_YOUR_CALM);
    H2_CHECK_EQ(f.payload_len, 4);
    H2_CHECK_MEM(f.payload, "calm", 4);
    ONE(&b, 8, H2_FT_GOAWAY, 0, 0, "80 00 00 05 00 00 00 00");
    H2_CHECK_EQ(dec(&b, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(f.last_stream_id, 5);
    H2_CHECK_EQ(f.payload_len, 0);
    ONE(&b, 7, H2_FT_GOAWAY, 0, 0, "00 00 00 05 00 00 00");
    CHECK_CONN_ERR(&b, H2_FRAME_SIZE_ERROR, "GOAWAY length < 8");
    ONE(&b, 8, H2_FT_GOAWAY, 0, 1, "00 00 00 05 00 00 00 00");
    CHECK_CONN_ERR(&b, H2_PROTOCOL_ERROR, "GOAWAY on a stream");
    h2_buf_free(&b);
}

/* ------------------------------------------------------------------------------------ */
/* §6.9 WINDOW_UPDATE */

H2_TEST(rfc9113_6_9_window_update)
{
    h2_buf b;
    h2_frame f;
    h2_frame_error e;

    h2_buf_init(&b);
    H2_CHECK_EQ(h2_frame_put_window_update(&b, 0, H2_MAX_WINDOW_SIZE), 0);
    H2_CHECK_EQ(dec(&b, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(f.stream_id, 0);
    H2_CHECK_EQ(f.window_increment, H2_MAX_WINDOW_SIZE);
    h2_buf_reset(&b);
    H2_CHECK_EQ(h2_frame_put_window_update(&b, 11, 0xffffffffu), 0);   /* R masked on send */
    H2_CHECK(b.data[9] == 0x7f);
    H2_CHECK_EQ(dec(&b, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(f.stream_id, 11);
    H2_CHECK_EQ(f.window_increment, 0x7fffffffu);
    /* increment 0 is left to the session */
    ONE(&b, 4, H2_FT_WINDOW_UPDATE, 0, 1, "00 00 00 00");
    H2_CHECK_EQ(dec(&b, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(f.window_increment, 0);
    ONE(&b, 4, H2_FT_WINDOW_UPDATE, 0, 0, "80 00 00 00");      /* R set, increment 0 */
    H2_CHECK_EQ(dec(&b, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(f.window_increment, 0);
    ONE(&b, 3, H2_FT_WINDOW_UPDATE, 0, 1, "00 00 01");
    CHECK_CONN_ERR(&b, H2_FRAME_SIZE_ERROR, "WINDOW_UPDATE length != 4");
    ONE(&b, 5, H2_FT_WINDOW_UPDATE, 0, 0, "00 00 00 01 00");
    CHECK_CONN_ERR(&b, H2_FRAME_SIZE_ERROR, NULL);
    h2_buf_free(&b);
}

/* ------------------------------------------------------------------------------------ */
/* §6.10 CONTINUATION and the field block encoders */

/* Walk the frames of b: check types, flags, payload sizes; rebuild the field block. */
static size_t walk_block(const h2_buf *b, uint8_t first_type, uint32_t sid, uint32_t max,
                         h2_buf *block, int end_stream)
{
    size_t off = 0, n = 0;
    h2_frame f;
    h2_frame_error e;

    while (off < b->len) {
        H2_CHECK_EQ(h2_frame_decode(b->data + off, b->data + off + 9, max, &f, &e), H2_FR_FRAME);
        H2_CHECK_EQ(f.type, n == 0 ? first_type : H2_FT_CONTINUATION);
        H2_CHECK_EQ(f.stream_id, sid);
        H2_CHECK(f.length <= max);
        off += 9 + f.length;
        H2_CHECK_EQ(!!(f.flags & H2_FLAG_END_HEADERS), off == b->len);
        H2_CHECK_EQ(!!(f.flags & H2_FLAG_END_STREAM), n == 0 && end_stream);
        if (off < b->len) {
            H2_CHECK_EQ(f.length, max);                        /* all but the last are full */
        }
        if (first_type == H2_FT_PUSH_PROMISE && n == 0) {
            H2_CHECK_EQ(f.promised_stream_id, 4);
        }
        h2_buf_append(block, f.payload, f.payload_len);
        n++;
    }
    H2_CHECK_EQ(off, b->len);
    return n;
}

H2_TEST(rfc9113_6_10_headers_split_into_continuation)
{
    h2_buf b, blk;
    uint8_t *block = malloc(100000);
    size_t i, sizes[] = { 0, 1, 16383, 16384, 16385, 32768, 32769, 40000, 100000 };
    size_t nframes[] = { 1, 1, 1, 1, 2, 2, 3, 3, 7 };
    uint32_t max;

    for (i = 0; i < 100000; i++) {
        block[i] = (uint8_t)(i * 7 + 3);
    }
    h2_buf_init(&b);
    h2_buf_init(&blk);
    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        h2_buf_reset(&b);
        h2_buf_reset(&blk);
        H2_CHECK_EQ(h2_frame_put_headers(&b, 3, block, sizes[i], (int)(i & 1), MAXF), 0);
        H2_CHECK_EQ(walk_block(&b, H2_FT_HEADERS, 3, MAXF, &blk, (int)(i & 1)), nframes[i]);
        H2_CHECK_EQ(blk.len, sizes[i]);
        H2_CHECK(sizes[i] == 0 || memcmp(blk.data, block, sizes[i]) == 0);
        H2_CHECK_EQ(b.len, sizes[i] + 9 * nframes[i]);
    }
    /* PUSH_PROMISE: the promised id takes 4 octets of the first frame */
    {
        size_t pp_sizes[] = { 0, 16380, 16381, 40000 };
        size_t pp_frames[] = { 1, 1, 2, 3 };
        for (i = 0; i < 4; i++) {
            h2_buf_reset(&b);
            h2_buf_reset(&blk);
            H2_CHECK_EQ(h2_frame_put_push_promise(&b, 1, 4, block, pp_sizes[i], MAXF), 0);
            H2_CHECK_EQ(walk_block(&b, H2_FT_PUSH_PROMISE, 1, MAXF, &blk, 0), pp_frames[i]);
            H2_CHECK_EQ(blk.len, pp_sizes[i]);
            H2_CHECK(pp_sizes[i] == 0 || memcmp(blk.data, block, pp_sizes[i]) == 0);
        }
    }
    /* a larger peer limit; out-of-range limits are clamped to 2^14..2^24-1 */
    max = 50000;
    h2_buf_reset(&b);
    h2_buf_reset(&blk);
    H2_CHECK_EQ(h2_frame_put_headers(&b, 5, block, 100000, 0, max), 0);
    H2_CHECK_EQ(walk_block(&b, H2_FT_HEADERS, 5, max, &blk, 0), 2);
    h2_buf_reset(&b);
    h2_buf_reset(&blk);
    H2_CHECK_EQ(h2_frame_put_headers(&b, 5, block, 20000, 0, 0), 0);
    H2_CHECK_EQ(walk_block(&b, H2_FT_HEADERS, 5, MAXF, &blk, 0), 2);
    free(block);
    h2_buf_free(&b);
    h2_buf_free(&blk);
}

H2_TEST(rfc9113_6_10_continuation)
{
    h2_buf b;
    h2_frame f;
    h2_frame_error e;

    h2_buf_init(&b);
    ONE(&b, 2, H2_FT_CONTINUATION, H2_FLAG_END_HEADERS | H2_FLAG_PADDED | H2_FLAG_PRIORITY, 3, "82 86");
    H2_CHECK_EQ(dec(&b, &f, &e), H2_FR_FRAME);                  /* no padding in CONTINUATION */
    H2_CHECK_EQ(f.payload_len, 2);
    H2_CHECK_EQ(f.pad_len, 0);
    H2_CHECK_EQ(f.has_priority, 0);
    ONE(&b, 0, H2_FT_CONTINUATION, 0, 3, "");
    CHECK_OK(&b);
    ONE(&b, 2, H2_FT_CONTINUATION, H2_FLAG_END_HEADERS, 0, "82 86");
    CHECK_CONN_ERR(&b, H2_PROTOCOL_ERROR, "CONTINUATION on stream 0");
    h2_buf_free(&b);
}

/* ------------------------------------------------------------------------------------ */
/* RFC 9218 §7.1 PRIORITY_UPDATE */

H2_TEST(rfc9218_7_1_priority_update)
{
    h2_buf b;
    h2_frame f;
    h2_frame_error e;

    h2_buf_init(&b);
    H2_CHECK_EQ(h2_frame_put_priority_update(&b, 0x80000005u, "u=1, i", 6), 0);
    H2_CHECK_EQ(b.len, 9 + 4 + 6);
    H2_CHECK_EQ(dec(&b, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(f.type, H2_FT_PRIORITY_UPDATE);
    H2_CHECK_EQ(f.stream_id, 0);
    H2_CHECK_EQ(f.prioritized_stream_id, 5);
    H2_CHECK_EQ(f.payload_len, 6);
    H2_CHECK_MEM(f.payload, "u=1, i", 6);
    ONE(&b, 4, H2_FT_PRIORITY_UPDATE, 0, 0, "80 00 00 07");     /* empty value, R set */
    H2_CHECK_EQ(dec(&b, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(f.prioritized_stream_id, 7);
    H2_CHECK_EQ(f.payload_len, 0);
    ONE(&b, 4, H2_FT_PRIORITY_UPDATE, 0, 1, "00 00 00 07");
    CHECK_CONN_ERR(&b, H2_PROTOCOL_ERROR, "PRIORITY_UPDATE on a stream");
    ONE(&b, 3, H2_FT_PRIORITY_UPDATE, 0, 0, "00 00 07");
    CHECK_CONN_ERR(&b, H2_FRAME_SIZE_ERROR, "PRIORITY_UPDATE length < 4");
    ONE(&b, 5, H2_FT_PRIORITY_UPDATE, 0, 0, "00 00 00 00 75");
    CHECK_CONN_ERR(&b, H2_PROTOCOL_ERROR, "PRIORITY_UPDATE for stream 0");
    h2_buf_free(&b);
}

/* ------------------------------------------------------------------------------------ */
/* §4.1, §5.5 unknown types and flags */

H2_TEST(rfc9113_5_5_unknown_types_and_flags)
{
    h2_buf b;
    h2_frame f;
    h2_frame_error e;

    h2_buf_init(&b);
    ONE(&b, 3, 0x0a, 0xff, 0, "01 02 03");
    H2_CHECK_EQ(dec(&b, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(f.type, 0x0a);
    H2_CHECK_EQ(f.flags, 0xff);
    H2_CHECK_EQ(f.stream_id, 0);
    H2_CHECK_EQ(f.payload_len, 3);
    H2_CHECK(f.payload == b.data + 9);
    H2_CHECK_EQ(f.pad_len, 0);                                  /* PADDED means nothing here */
    ONE(&b, 0, 0xff, 0x08, 0x80000003u, "");
    H2_CHECK_EQ(dec(&b, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(f.type, 0xff);
    H2_CHECK_EQ(f.stream_id, 3);
    ONE(&b, 5, 0x11, 0, 9, "68 65 6c 6c 6f");
    H2_CHECK_EQ(dec(&b, &f, &e), H2_FR_FRAME);
    H2_CHECK_MEM(f.payload, "hello", 5);
    /* unknown flags on known types are kept and ignored */
    ONE(&b, 8, H2_FT_PING, 0xfe, 0, "01 02 03 04 05 06 07 08");
    H2_CHECK_EQ(dec(&b, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(f.flags, 0xfe);
    H2_CHECK_EQ(f.flags & H2_FLAG_ACK, 0);
    ONE(&b, 2, H2_FT_DATA, 0xf6 & ~H2_FLAG_PADDED, 1, "41 42");
    H2_CHECK_EQ(dec(&b, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(f.payload_len, 2);
    H2_CHECK_EQ(f.flags, 0xf6);
    ONE(&b, 4, H2_FT_RST_STREAM, 0xff, 1, "00 00 00 01");     /* PADDED bit meaningless */
    CHECK_OK(&b);
    ONE(&b, 0, H2_FT_SETTINGS, 0xfe, 0, "");                  /* not an ACK */
    CHECK_OK(&b);
    ONE(&b, 6, H2_FT_SETTINGS, 0xfe, 0, "00 03 00 00 00 64");
    CHECK_OK(&b);
    h2_buf_free(&b);
}

/* ------------------------------------------------------------------------------------ */
/* the reader */

H2_TEST(reader_zero_copy)
{
    h2_buf b;
    h2_frame f;
    h2_frame_error e;
    h2_frame_reader r;
    size_t used, off = 0;
    int n = 0;

    h2_buf_init(&b);
    h2_frame_put_settings(&b, NULL, 0);
    h2_frame_put_headers(&b, 1, (const uint8_t *)"\x82\x86\x84", 3, 0, MAXF);
    h2_frame_put_data(&b, 1, (const uint8_t *)"body", 4, 1, 5);
    raw_fill(&b, 3000, H2_FT_DATA, 0, 3, 9);
    h2_frame_reader_init(&r, MAXF);
    while (off < b.len) {
        H2_CHECK_EQ(h2_frame_read(&r, b.data + off, b.len - off, &used, &f, &e), H2_FR_FRAME);
        if (f.payload_len) {
            H2_CHECK(f.payload >= b.data + off && f.payload + f.payload_len <= b.data + off + used);
        }
        off += used;
        n++;
    }
    H2_CHECK_EQ(n, 4);
    H2_CHECK(r.buf == NULL);
    /* header in one call, the whole payload in the next: the payload is still not copied */
    h2_buf_reset(&b);
    raw_fill(&b, 100, H2_FT_DATA, 0, 1, 7);
    H2_CHECK_EQ(h2_frame_read(&r, b.data, 5, &used, &f, &e), H2_FR_AGAIN);
    H2_CHECK_EQ(h2_frame_read(&r, b.data + 5, 4, &used, &f, &e), H2_FR_AGAIN);
    H2_CHECK_EQ(h2_frame_read(&r, b.data + 9, b.len - 9, &used, &f, &e), H2_FR_FRAME);
    H2_CHECK(f.payload == b.data + 9);
    H2_CHECK_EQ(f.payload_len, 100);
    H2_CHECK(r.buf == NULL);
    /* empty input */
    H2_CHECK_EQ(h2_frame_read(&r, NULL, 0, &used, &f, &e), H2_FR_AGAIN);
    H2_CHECK_EQ(used, 0);
    h2_frame_reader_free(&r);
    h2_buf_free(&b);
}

H2_TEST(reader_assembles_split_payload)
{
    h2_buf b;
    h2_frame f;
    h2_frame_error e;
    h2_frame_reader r;
    size_t used;

    h2_buf_init(&b);
    h2_frame_put_goaway(&b, 7, H2_NO_ERROR, (const uint8_t *)"0123456789", 10);
    h2_frame_reader_init(&r, MAXF);
    H2_CHECK_EQ(h2_frame_read(&r, b.data, 12, &used, &f, &e), H2_FR_AGAIN);
    H2_CHECK_EQ(used, 12);
    H2_CHECK_EQ(h2_frame_read(&r, b.data + 12, b.len - 12, &used, &f, &e), H2_FR_FRAME);
    H2_CHECK_EQ(used, b.len - 12);
    H2_CHECK_EQ(f.last_stream_id, 7);
    H2_CHECK(f.payload == r.buf + 8);
    H2_CHECK_MEM(f.payload, "0123456789", 10);
    H2_CHECK_EQ(r.buf_cap, MAXF);
    h2_frame_reader_free(&r);
    H2_CHECK(r.buf == NULL);
    h2_buf_free(&b);
}

/* A stream of frames of every kind, fed at every split point. */
static void build_valid_stream(h2_buf *b)
{
    const h2_setting s[] = { { 3, 100 }, { 4, 1 << 20 }, { 9, 1 } };
    const uint8_t op[8] = { 'p', 'i', 'n', 'g', 0, 1, 2, 3 };
    uint8_t block[40];
    size_t i;

    for (i = 0; i < sizeof(block); i++) {
        block[i] = (uint8_t)(0x80 + i);
    }
    h2_frame_put_settings(b, s, 3);
    h2_frame_put_settings_ack(b);
    h2_frame_put_window_update(b, 0, 1 << 24);
    h2_frame_put_headers(b, 1, block, sizeof(block), 0, MAXF);
    raw(b, 11, H2_FT_HEADERS, H2_FLAG_PADDED | H2_FLAG_PRIORITY, 3, "03 80 00 00 01 20 82 84 00 00 00");
    raw(b, 2, H2_FT_CONTINUATION, H2_FLAG_END_HEADERS, 3, "86 87");
    h2_frame_put_data(b, 1, (const uint8_t *)"some body bytes", 15, 0, 0);
    h2_frame_put_data(b, 1, (const uint8_t *)"padded", 6, 1, 9);
    h2_frame_put_data(b, 3, NULL, 0, 1, 0);
    h2_frame_put_priority(b, 5, 3, 1, 99);
    h2_frame_put_rst_stream(b, 3, H2_CANCEL);
    h2_frame_put_ping(b, op, 0);
    h2_frame_put_ping(b, op, 1);
    raw(b, 6, 0x2a, 0x5a, 0x80000007u, "de ad be ef 00 01");   /* unknown type */
    raw(b, 0, 0xfa, 0, 0, "");
    h2_frame_put_push_promise(b, 1, 2, block, 20, MAXF);
    raw(b, 9, H2_FT_PUSH_PROMISE, H2_FLAG_PADDED | H2_FLAG_END_HEADERS, 1, "02 00 00 00 04 82 83 00 00");
    h2_frame_put_priority_update(b, 1, "u=0", 3);
    h2_frame_put_window_update(b, 1, 0x7fffffffu);
    h2_frame_put_goaway(b, 0x7fffffffu, H2_NO_ERROR, (const uint8_t *)"bye", 3);
}

H2_TEST(reader_every_split_point_valid_frames)
{
    h2_buf b;
    h2_buf_init(&b);
    build_valid_stream(&b);
    check_all_splits(&b, MAXF, 20);
    h2_buf_free(&b);
}

H2_TEST(reader_every_split_point_with_errors)
{
    h2_buf b;

    h2_buf_init(&b);
    /* stream errors in between: the reader goes on; a connection error at the end */
    h2_frame_put_ping(&b, (const uint8_t *)"abcdefgh", 0);
    raw(&b, 6, H2_FT_PRIORITY, 0, 3, "00 00 00 01 10 00");    /* length != 5 */
    raw(&b, 5, H2_FT_PRIORITY, 0, 3, "00 00 00 03 10");       /* self dependency */
    raw(&b, 7, H2_FT_HEADERS, H2_FLAG_PRIORITY | H2_FLAG_END_HEADERS, 5, "00 00 00 05 10 82 86");
    raw(&b, 0, H2_FT_PRIORITY, 0, 7, "");
    h2_frame_put_data(&b, 1, (const uint8_t *)"x", 1, 0, 3);
    raw(&b, 8, H2_FT_PING, 0, 1, "00 00 00 00 00 00 00 00");   /* connection error */
    h2_frame_put_data(&b, 1, (const uint8_t *)"never seen", 10, 0, 0);
    check_all_splits(&b, MAXF, 7);
    /* each connection error on its own, preceded by a valid frame */
    {
        const char *const bad[] = {
            "000003 00 00 00000000 616263",            /* DATA on stream 0 */
            "000004 00 08 00000001 04000000",          /* DATA padding */
            "000000 00 08 00000001",                   /* DATA PADDED, no Pad Length */
            "000004 01 20 00000001 00000000",          /* HEADERS priority too short */
            "000003 03 00 00000001 000000",            /* RST_STREAM length 3 */
            "000001 04 01 00000000 00",                /* SETTINGS ACK with payload */
            "000006 04 00 00000000 00020000 0002",     /* ENABLE_PUSH 2 */
            "000003 05 00 00000001 000002",            /* PUSH_PROMISE too short */
            "000007 06 00 00000000 00000000000000",    /* PING length 7 */
            "000004 07 00 00000000 00000000",          /* GOAWAY too short */
            "000005 08 00 00000000 0000000100",        /* WINDOW_UPDATE length 5 */
            "000000 09 04 00000000",                   /* CONTINUATION on stream 0 */
            "000004 10 00 00000000 00000000",          /* PRIORITY_UPDATE for stream 0 */
            "004001 00 00 00000001",                   /* larger than max */
        };
        size_t i;
        for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            uint8_t tmp[64];
            size_t n = h2test_unhex(bad[i], tmp, sizeof(tmp));
            h2_buf_reset(&b);
            h2_frame_put_window_update(&b, 0, 1000);
            h2_buf_append(&b, tmp, n);
            h2_frame_put_ping(&b, (const uint8_t *)"abcdefgh", 0);
            check_all_splits(&b, MAXF, 2);
        }
    }
    h2_buf_free(&b);
}

H2_TEST(reader_every_split_point_large_frame)
{
    /* frames larger than any single piece: assembled in r->buf */
    h2_buf b, ref, got;
    size_t k;

    h2_buf_init(&b);
    h2_buf_init(&ref);
    h2_buf_init(&got);
    h2_frame_put_ping(&b, (const uint8_t *)"abcdefgh", 0);
    raw_fill(&b, MAXF, H2_FT_DATA, 0, 1, 0x11);
    raw_fill(&b, 5000, H2_FT_CONTINUATION, 0, 1, 0x22);
    h2_frame_put_ping(&b, (const uint8_t *)"abcdefgh", 1);
    feed(b.data, b.len, NULL, 0, MAXF, &ref);
    for (k = 1; k < b.len; k += 97) {
        h2_buf_reset(&got);
        feed(b.data, b.len, &k, 1, MAXF, &got);
        H2_CHECK(got.len == ref.len && memcmp(got.data, ref.data, ref.len) == 0);
    }
    h2_buf_free(&b);
    h2_buf_free(&ref);
    h2_buf_free(&got);
}

H2_TEST(reader_connection_error_is_sticky)
{
    h2_buf b;
    h2_frame f;
    h2_frame_error e, e2;
    h2_frame_reader r;
    size_t used;

    h2_buf_init(&b);
    raw(&b, 8, H2_FT_PING, 0, 3, "00 00 00 00 00 00 00 00");
    h2_frame_put_ping(&b, (const uint8_t *)"abcdefgh", 0);
    h2_frame_reader_init(&r, MAXF);
    H2_CHECK_EQ(h2_frame_read(&r, b.data, b.len, &used, &f, &e), H2_FR_ERROR);
    H2_CHECK_EQ(e.is_conn, 1);
    H2_CHECK_EQ(e.code, H2_PROTOCOL_ERROR);
    H2_CHECK_EQ(e.stream_id, 3);
    H2_CHECK(r.dead);
    memset(&f, 0xa5, sizeof(f));
    H2_CHECK_EQ(h2_frame_read(&r, b.data + 17, b.len - 17, &used, &f, &e2), H2_FR_ERROR);
    H2_CHECK_EQ(used, 0);
    H2_CHECK_EQ(f.type, H2_FT_PING);                            /* the offending header again */
    H2_CHECK_EQ(f.stream_id, 3);
    H2_CHECK_EQ(f.length, 8);
    H2_CHECK_EQ(f.payload_len, 0);
    H2_CHECK_EQ(e2.is_conn, 1);
    H2_CHECK_EQ(e2.code, e.code);
    H2_CHECK(e2.reason == e.reason);
    H2_CHECK_EQ(h2_frame_read(&r, NULL, 0, &used, &f, &e2), H2_FR_ERROR);
    h2_frame_reader_free(&r);
    h2_buf_free(&b);
}

/* ------------------------------------------------------------------------------------ */
/* encoders */

H2_TEST(encoders_refuse_what_does_not_fit)
{
    h2_buf b;
    size_t before;
    static const uint8_t big[1];

    h2_buf_init(&b);
    h2_frame_put_ping(&b, (const uint8_t *)"abcdefgh", 0);
    before = b.len;
    H2_CHECK_EQ(h2_frame_put_data(&b, 1, big, (size_t)H2_MAX_MAX_FRAME_SIZE + 1, 0, 0), -1);
    H2_CHECK_EQ(h2_frame_put_data(&b, 1, big, H2_MAX_MAX_FRAME_SIZE, 0, 1), -1);
    H2_CHECK_EQ(h2_frame_put_goaway(&b, 1, 0, big, H2_MAX_MAX_FRAME_SIZE - 7), -1);
    H2_CHECK_EQ(h2_frame_put_priority_update(&b, 1, (const char *)big, H2_MAX_MAX_FRAME_SIZE - 3), -1);
    H2_CHECK_EQ(h2_frame_put_settings(&b, NULL, H2_MAX_MAX_FRAME_SIZE / 6 + 1), -1);
    H2_CHECK_EQ(h2_frame_put_hdr(&b, H2_MAX_MAX_FRAME_SIZE + 1, 0, 0, 1), -1);
    H2_CHECK_EQ(b.len, before);                                 /* nothing appended */
    /* frames are appended after what is there */
    H2_CHECK_EQ(h2_frame_put_rst_stream(&b, 1, H2_STREAM_CLOSED), 0);
    H2_CHECK_EQ(b.len, before + 13);
    H2_CHECK(b.data[before + 3] == H2_FT_RST_STREAM);
    h2_buf_free(&b);
}

int main(void)
{
    H2_RUN(rfc9113_4_1_header_pack);
    H2_RUN(rfc9113_4_1_type_names);
    H2_RUN(rfc9113_4_2_larger_than_max_on_header_alone);
    H2_RUN(rfc9113_4_2_exactly_max_accepted);
    H2_RUN(rfc9113_4_2_set_max_grows_buffer);
    H2_RUN(rfc9113_6_1_data_roundtrip);
    H2_RUN(rfc9113_6_1_data_stream_0);
    H2_RUN(rfc9113_6_1_data_padding);
    H2_RUN(rfc9113_6_2_headers_roundtrip);
    H2_RUN(rfc9113_6_2_headers_priority_and_padding);
    H2_RUN(rfc9113_5_3_1_headers_self_dependency);
    H2_RUN(rfc9113_6_3_priority);
    H2_RUN(rfc9113_6_3_priority_errors);
    H2_RUN(rfc9113_6_3_priority_wrong_length_skipped_without_buffer);
    H2_RUN(rfc9113_6_4_rst_stream);
    H2_RUN(rfc9113_6_5_settings_roundtrip);
    H2_RUN(rfc9113_6_5_settings_frame_errors);
    H2_RUN(rfc9113_6_5_2_settings_values);
    H2_RUN(rfc9113_6_6_push_promise);
    H2_RUN(rfc9113_6_7_ping);
    H2_RUN(rfc9113_6_7_ping_length);
    H2_RUN(rfc9113_6_7_ping_stream);
    H2_RUN(rfc9113_6_8_goaway);
    H2_RUN(rfc9113_6_9_window_update);
    H2_RUN(rfc9113_6_10_headers_split_into_continuation);
    H2_RUN(rfc9113_6_10_continuation);
    H2_RUN(rfc9218_7_1_priority_update);
    H2_RUN(rfc9113_5_5_unknown_types_and_flags);
    H2_RUN(reader_zero_copy);
    H2_RUN(reader_assembles_split_payload);
    H2_RUN(reader_every_split_point_valid_frames);
    H2_RUN(reader_every_split_point_with_errors);
    H2_RUN(reader_every_split_point_large_frame);
    H2_RUN(reader_connection_error_is_sticky);
    H2_RUN(encoders_refuse_what_does_not_fit);
    return h2test_summary();
}
