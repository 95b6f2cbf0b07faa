/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * fuzz_frame.c -- libFuzzer target for the frame reader (RFC 9113 §4, §6).
 *
 * Input: one control octet, then the byte stream. The control octet picks the reader's
 * max_frame_size and how piece lengths are drawn; the piece lengths themselves come from the
 * stream's own bytes, so the fuzzer steers the split points. Each piece is copied into a
 * malloc'd block of exactly its size (ASan sees any over-read).
 *
 * Checked: consumed <= len; AGAIN consumes everything; frames respect max_frame_size and lie
 * inside the current piece or the reader's buffer; the buffer never exceeds max_frame_size;
 * a connection error is sticky; the frames and errors seen are exactly those of feeding the
 * whole stream at once; decoded frames re-encode to frames that decode the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "h2_frame.h"

#define CHECK(c) do { if (!(c)) { __builtin_trap(); } } while (0)

static void log_u32(h2_buf *log, uint32_t v)
{
    uint8_t t[4];
    h2_put_u32(t, v);
    h2_buf_append(log, t, 4);
}

static void log_event(h2_buf *log, int rc, const h2_frame *f, const h2_frame_error *e)
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
    log_u32(log, ((uint32_t)f->type << 8) | f->flags);
    log_u32(log, f->stream_id);
    log_u32(log, (uint32_t)f->payload_len);
    h2_buf_append(log, f->payload, f->payload_len);
    log_u32(log, f->pad_len);
    log_u32(log, ((uint32_t)f->has_priority << 16) | ((uint32_t)f->exclusive << 8) | f->weight);
    log_u32(log, f->dep_stream_id);
    log_u32(log, f->error_code);
    log_u32(log, f->last_stream_id);
    log_u32(log, f->promised_stream_id);
    log_u32(log, f->window_increment);
    log_u32(log, f->prioritized_stream_id);
    h2_buf_append(log, f->opaque, 8);
    log_u32(log, (uint32_t)f->n_settings);
}

static int inside(const uint8_t *p, size_t n, const uint8_t *base, size_t len)
{
    return n == 0 || (base && p >= base && p + n <= base + len);
}

/* Re-encode what the encoders can express and check it decodes to the same fields. */
static void check_reencode(const h2_frame *f, uint32_t max)
{
    h2_buf b;
    h2_frame g;
    h2_frame_error e;
    int rc = 0;

    h2_buf_init(&b);
    switch (f->type) {
    case H2_FT_DATA:
        if (f->pad_len > 255) {
            goto out;
        }
        rc = h2_frame_put_data(&b, f->stream_id, f->payload, f->payload_len,
                               f->flags & H2_FLAG_END_STREAM, (uint8_t)f->pad_len);
        break;
    case H2_FT_PRIORITY:
        rc = h2_frame_put_priority(&b, f->stream_id, f->dep_stream_id, f->exclusive, f->weight);
        break;
    case H2_FT_RST_STREAM:
        rc = h2_frame_put_rst_stream(&b, f->stream_id, f->error_code);
        break;
    case H2_FT_PING:
        rc = h2_frame_put_ping(&b, f->opaque, f->flags & H2_FLAG_ACK);
        break;
    case H2_FT_GOAWAY:
        rc = h2_frame_put_goaway(&b, f->last_stream_id, f->error_code, f->payload, f->payload_len);
        break;
    case H2_FT_WINDOW_UPDATE:
        rc = h2_frame_put_window_update(&b, f->stream_id, f->window_increment);
        break;
    case H2_FT_PRIORITY_UPDATE:
        rc = h2_frame_put_priority_update(&b, f->prioritized_stream_id, (const char *)f->payload,
                                          f->payload_len);
        break;
    case H2_FT_SETTINGS: {
        h2_setting s[64];
        size_t i, n = f->n_settings;
        if (f->flags & H2_FLAG_ACK) {
            rc = h2_frame_put_settings_ack(&b);
            break;
        }
        if (n > 64) {
            goto out;
        }
        for (i = 0; i < n; i++) {
            s[i] = h2_frame_setting(f, i);
        }
        rc = h2_frame_put_settings(&b, s, n);
        break;
    }
    case H2_FT_HEADERS:
    case H2_FT_PUSH_PROMISE: {
        /* the field block survives splitting into HEADERS/PUSH_PROMISE + CONTINUATION */
        size_t off = 0, got = 0;
        if (f->type == H2_FT_HEADERS) {
            rc = h2_frame_put_headers(&b, f->stream_id, f->payload, f->payload_len,
                                      f->flags & H2_FLAG_END_STREAM, H2_DEFAULT_MAX_FRAME_SIZE);
        }
        else {
            rc = h2_frame_put_push_promise(&b, f->stream_id, f->promised_stream_id, f->payload,
                                           f->payload_len, H2_DEFAULT_MAX_FRAME_SIZE);
        }
        CHECK(rc == 0);
        while (off < b.len) {
            CHECK(b.len - off >= H2_FRAME_HDR_LEN);
            CHECK(h2_frame_decode(b.data + off, b.data + off + H2_FRAME_HDR_LEN,
                                  H2_DEFAULT_MAX_FRAME_SIZE, &g, &e) == H2_FR_FRAME);
            CHECK(off == 0 ? g.type == f->type : g.type == H2_FT_CONTINUATION);
            CHECK(g.stream_id == f->stream_id);
            CHECK(g.payload_len == 0 || memcmp(g.payload, f->payload + got, g.payload_len) == 0);
            got += g.payload_len;
            off += H2_FRAME_HDR_LEN + g.length;
            CHECK(!!(g.flags & H2_FLAG_END_HEADERS) == (off == b.len));
        }
        CHECK(off == b.len && got == f->payload_len);
        goto out;
    }
    default:
        goto out;
    }
    CHECK(rc == 0);
    CHECK(b.len >= H2_FRAME_HDR_LEN);
    rc = h2_frame_decode(b.data, b.data + H2_FRAME_HDR_LEN, max, &g, &e);
    CHECK(rc == H2_FR_FRAME);
    CHECK(g.type == f->type && g.stream_id == f->stream_id);
    CHECK(g.payload_len == f->payload_len);
    CHECK(g.payload_len == 0 || memcmp(g.payload, f->payload, g.payload_len) == 0);
    CHECK(g.pad_len == f->pad_len && g.weight == f->weight && g.exclusive == f->exclusive);
    CHECK(g.dep_stream_id == f->dep_stream_id && g.error_code == f->error_code);
    CHECK(g.last_stream_id == f->last_stream_id && g.window_increment == f->window_increment);
    CHECK(g.prioritized_stream_id == f->prioritized_stream_id && g.n_settings == f->n_settings);
    CHECK(memcmp(g.opaque, f->opaque, 8) == 0);
out:
    h2_buf_free(&b);
}

static void check_frame(const h2_frame_reader *r, const h2_frame *f, const uint8_t *piece,
                        size_t plen, uint32_t max)
{
    CHECK(f->length <= max);
    CHECK(f->payload_len <= f->length);
    CHECK(f->stream_id <= H2_STREAM_ID_MASK);
    CHECK(inside(f->payload, f->payload_len, piece, plen)
          || inside(f->payload, f->payload_len, r->buf, r->buf_cap));
    CHECK(f->pad_len <= f->length);
    if (f->type == H2_FT_SETTINGS) {
        CHECK(f->n_settings * 6 == f->payload_len);
    }
    CHECK(h2_frame_type_name(f->type) != NULL);
}

/* Feed stream[0..len) in pieces (all at once when split is 0); log every event. With
 * toggle, the limit alternates between max and the minimum at every piece boundary (our
 * SETTINGS acknowledged mid-frame): frames then stay within the larger of the two. */
static void run(const uint8_t *stream, size_t len, uint32_t max, unsigned split, int toggle,
                h2_buf *log)
{
    h2_frame_reader r;
    size_t start = 0, pieces = 0;

    h2_frame_reader_init(&r, max);
    while (start < len) {
        size_t plen = len - start, off = 0;
        uint8_t *piece;

        if (split) {
            /* piece length from the stream itself: 1..split+1 octets, or longer runs */
            size_t want = 1 + (size_t)(stream[start] % (split + 1));
            if (stream[start] & 0x80) {
                want *= 97;
            }
            plen = want < plen ? want : plen;
        }
        piece = malloc(plen);
        if (!piece) {
            break;
        }
        memcpy(piece, stream + start, plen);
        for (;;) {
            h2_frame f;
            h2_frame_error e, e2;
            size_t used = (size_t)-1;
            int rc = h2_frame_read(&r, piece + off, plen - off, &used, &f, &e);

            CHECK(used <= plen - off);
            CHECK(r.buf_cap <= max);
            off += used;
            if (rc == H2_FR_AGAIN) {
                CHECK(off == plen);
                break;
            }
            CHECK(rc == H2_FR_FRAME || rc == H2_FR_ERROR);
            log_event(log, rc, &f, &e);
            if (rc == H2_FR_FRAME) {
                check_frame(&r, &f, piece, plen, max);
                check_reencode(&f, max);
                continue;
            }
            CHECK(e.reason != NULL);
            if (e.is_conn) {
                uint8_t type = f.type;
                uint32_t sid = f.stream_id;
                CHECK(r.dead);
                CHECK(h2_frame_read(&r, piece, plen, &used, &f, &e2) == H2_FR_ERROR);
                CHECK(used == 0 && e2.code == e.code && e2.reason == e.reason);
                CHECK(f.type == type && f.stream_id == sid);
                free(piece);
                goto done;
            }
            CHECK(!r.dead);
        }
        free(piece);
        start += plen;
        if (toggle) {
            h2_frame_reader_set_max(&r, (++pieces & 1) ? H2_DEFAULT_MAX_FRAME_SIZE : max);
        }
    }
done:
    h2_frame_reader_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t maxes[4] = { 16384, 16384, 20000, 1u << 20 };
    h2_buf whole, split;
    uint32_t max;
    unsigned mode;

    if (size < 1) {
        return 0;
    }
    mode = data[0];
    max = maxes[mode & 3];
    h2_buf_init(&whole);
    h2_buf_init(&split);
    run(data + 1, size - 1, max, 0, 0, &whole);
    run(data + 1, size - 1, max, 1 + ((mode >> 2) & 63), 0, &split);
    CHECK(whole.len == split.len);
    CHECK(whole.len == 0 || memcmp(whole.data, split.data, whole.len) == 0);
    if (max > H2_DEFAULT_MAX_FRAME_SIZE) {
        h2_buf_reset(&split);
        run(data + 1, size - 1, max, 1 + ((mode >> 2) & 63), 1, &split);
    }
    h2_buf_free(&whole);
    h2_buf_free(&split);
    return 0;
}
