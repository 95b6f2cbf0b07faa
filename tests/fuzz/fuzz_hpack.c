/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * fuzz_hpack -- libFuzzer target for the HPACK decoder and encoder.
 *
 * Input: 4 parameter octets, then the wire.
 *   [0] low 3 bits: our max table size (0, 32, 100, 256, 1024, 4096, 8192, 65536);
 *       bit 3: lower the max to half before the second block
 *   [1] the header-list limit (x 64 octets, 0 = 64 KiB); [2] the field count limit
 *   [3] seed for how the wire is cut: into blocks (last = 1), and each block into pieces
 *
 * Checks:
 *  - decoding in pieces gives exactly what decoding each block whole gives (fields,
 *    flags, results, table size), a second decoder fed the same blocks whole;
 *  - emitted fields never exceed the limits;
 *  - encoder round trip: fields made from the wire (names and values of any octets) are
 *    encoded in a few blocks, the peer's table size changing on the way, and decode back
 *    to themselves.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "h2_hpack.h"

static const size_t table_sizes[8] = {0, 32, 100, 256, 1024, 4096, 8192, 65536};

typedef struct rec {
    h2_buf log;          /* name, value and flags of every field, length-prefixed */
    size_t fields, list;
    int cookies;         /* cookie fields of the block: they count as one field (the
                          * request gets them joined, RFC 9113 §8.2.3) */
    int no_flags;        /* log the flags as 0 */
} rec;

static void put_len(h2_buf *b, size_t n)
{
    uint8_t v[8];
    int i;
    for (i = 0; i < 8; i++) {
        v[i] = (uint8_t)(n >> (8 * i));
    }
    h2_buf_append(b, v, 8);
}

static int on_field(void *ctx, const h2_nv *nv)
{
    rec *r = ctx;
    put_len(&r->log, nv->name_len);
    h2_buf_append(&r->log, nv->name, nv->name_len);
    put_len(&r->log, nv->value_len);
    h2_buf_append(&r->log, nv->value, nv->value_len);
    h2_buf_append_byte(&r->log, r->no_flags ? 0 : (uint8_t)nv->flags);
    if (nv->name_len == 6 && !memcmp(nv->name, "cookie", 6) && r->cookies++) {
        /* a further crumb: not a field of its own */
    } else {
        r->fields++;
    }
    r->list += nv->name_len + nv->value_len + 32;
    return 0;
}

static uint32_t next_rand(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static void check_decoder(const uint8_t *p, size_t len, const uint8_t *params)
{
    size_t max = table_sizes[params[0] & 7];
    size_t max_list = params[1] ? (size_t)params[1] * 64 : 65536, max_fields = params[2];
    uint32_t seed = params[3] * 2654435761u + 1;
    h2_hpack_decoder *a = h2_hpack_decoder_new(max), *b = h2_hpack_decoder_new(max);
    rec ra, rb;
    size_t pos = 0;
    int nblock = 0;

    memset(&ra, 0, sizeof(ra));
    memset(&rb, 0, sizeof(rb));
    h2_hpack_decoder_set_limits(a, max_list, max_fields);
    h2_hpack_decoder_set_limits(b, max_list, max_fields);
    while (pos < len) {
        size_t blen = 1 + next_rand(&seed) % (len - pos), off = 0;
        int rca = H2_HPACK_OK, rcb;
        if (nblock++ == 1 && (params[0] & 8)) {
            h2_hpack_decoder_set_max_table_size(a, max / 2);
            h2_hpack_decoder_set_max_table_size(b, max / 2);
        }
        ra.fields = ra.list = rb.fields = rb.list = 0;
        ra.cookies = rb.cookies = 0;
        h2_buf_reset(&ra.log);
        h2_buf_reset(&rb.log);
        while (rca == H2_HPACK_OK) {   /* pieces of the block, some empty */
            size_t n = next_rand(&seed) % (blen - off + 1);
            int last = off + n == blen;
            rca = h2_hpack_decode(a, p + pos + off, n, last, on_field, &ra);
            off += n;
            if (last) {
                break;
            }
        }
        rcb = h2_hpack_decode(b, p + pos, blen, 1, on_field, &rb);
        if (rca != rcb || ra.log.len != rb.log.len ||
            (ra.log.len && memcmp(ra.log.data, rb.log.data, ra.log.len) != 0) ||
            (rca >= 0 && h2_hpack_decoder_table_size(a) != h2_hpack_decoder_table_size(b))) {
            abort();
        }
        if (ra.list > max_list || ra.fields > max_fields ||
            h2_hpack_decoder_table_size(a) > max) {
            abort();
        }
        if (rca < 0) {
            break;
        }
        pos += blen;
    }
    h2_buf_free(&ra.log);
    h2_buf_free(&rb.log);
    h2_hpack_decoder_free(a);
    h2_hpack_decoder_free(b);
}

static void check_roundtrip(const uint8_t *p, size_t len, const uint8_t *params)
{
    size_t max = table_sizes[params[0] & 7], pos = 0, i;
    h2_hpack_encoder *e = h2_hpack_encoder_new(max);
    h2_hpack_decoder *d = h2_hpack_decoder_new(max);
    h2_nv nv[64];
    h2_buf wire;
    rec want, got;
    uint32_t seed = params[3] + 7u;

    h2_buf_init(&wire);
    memset(&want, 0, sizeof(want));
    memset(&got, 0, sizeof(got));
    want.no_flags = got.no_flags = 1;   /* sensitive names come back never-indexed */
    h2_hpack_decoder_set_limits(d, (size_t)1 << 30, 1000);
    while (pos < len) {
        size_t n = 0;
        if (next_rand(&seed) % 4 == 0) {   /* the peer's setting changes */
            size_t s = table_sizes[next_rand(&seed) % 8];
            h2_hpack_encoder_set_peer_max_table_size(e, s);
            h2_hpack_decoder_set_max_table_size(d, s < max ? s : max);
        }
        while (pos < len && n < 64) {   /* name length, value length, then the octets */
            size_t nl = p[pos++] % 24, vl = pos < len ? p[pos++] : 0;
            vl = vl < 200 ? vl % 40 : (vl - 200) * 64;
            nl = nl < len - pos ? nl : len - pos;
            nv[n].name = p + pos;
            nv[n].name_len = nl;
            pos += nl;
            vl = vl < len - pos ? vl : len - pos;
            nv[n].value = p + pos;
            nv[n].value_len = vl;
            pos += vl;
            nv[n].flags = (next_rand(&seed) % 8 == 0) ? H2_NV_NO_INDEX : 0;
            n++;
            if (next_rand(&seed) % 8 == 0) {
                break;
            }
        }
        h2_buf_reset(&want.log);
        for (i = 0; i < n; i++) {
            on_field(&want, &nv[i]);
        }
        h2_buf_reset(&wire);
        h2_buf_reset(&got.log);
        if (h2_hpack_encode(e, nv, n, &wire) != 0 ||
            h2_hpack_decode(d, wire.data, wire.len, 1, on_field, &got) != H2_HPACK_OK ||
            got.log.len != want.log.len ||
            (want.log.len && memcmp(got.log.data, want.log.data, want.log.len) != 0)) {
            abort();
        }
    }
    h2_buf_free(&wire);
    h2_buf_free(&want.log);
    h2_buf_free(&got.log);
    h2_hpack_encoder_free(e);
    h2_hpack_decoder_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4) {
        return 0;
    }
    check_decoder(data + 4, size - 4, data);
    check_roundtrip(data + 4, size - 4, data);
    return 0;
}
