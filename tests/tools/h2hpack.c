/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2hpack -- the engine's HPACK codec against hpack-test-case stories (JSON, jansson).
 *
 *   h2hpack decode STORY.json...
 *       decodes every case's "wire" (one decoder per story, header_table_size honoured
 *       per case) and compares with its "headers"; one line per file; exit 0 only when
 *       every case of every file matched.
 *   h2hpack encode [--table-size N] STORY.json
 *       encodes the story's header lists with one encoder (the peer's table size N,
 *       default 4096) and prints the story again with each case's "wire" (hex).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h2_hpack.h"

static int unhex(const char *hex, h2_buf *out)
{
    size_t n = strlen(hex), i;
    if (n % 2 || h2_buf_reserve(out, n / 2) != 0) {
        return -1;
    }
    for (i = 0; i < n; i += 2) {
        unsigned v;
        if (sscanf(hex + i, "%2x", &v) != 1) {
            return -1;
        }
        out->data[out->len++] = (uint8_t)v;
    }
    return 0;
}

/* ------------------------------------------------------------------------------------ */
/* decode */

typedef struct expect {
    json_t *headers;   /* [{name: value}, ...] */
    size_t next;
    int mismatch;
} expect;

static int on_field(void *ctx, const h2_nv *nv)
{
    expect *x = ctx;
    json_t *h = json_array_get(x->headers, x->next++);
    const char *key;
    json_t *val;
    int ok = 0;
    if (h && json_object_size(h) == 1) {
        json_object_foreach(h, key, val) {
            const char *v = json_string_value(val);
            ok = v && strlen(key) == nv->name_len && memcmp(key, nv->name, nv->name_len) == 0 &&
                 strlen(v) == nv->value_len && memcmp(v, nv->value, nv->value_len) == 0;
        }
    }
    if (!ok) {
        x->mismatch = 1;
    }
    return 0;
}

/* Returns the number of failed cases (or 1 when the file cannot be read). */
static int decode_story(const char *path, size_t *ncases)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr), *cases, *c;
    h2_hpack_decoder *d = h2_hpack_decoder_new(H2_DEFAULT_HEADER_TABLE_SIZE);
    h2_buf wire;
    size_t i;
    int failed = 0;

    *ncases = 0;
    if (!root || !d || !json_is_array(cases = json_object_get(root, "cases"))) {
        fprintf(stderr, "%s: %s\n", path, root ? "no cases" : jerr.text);
        json_decref(root);
        h2_hpack_decoder_free(d);
        return 1;
    }
    h2_hpack_decoder_set_limits(d, (size_t)1 << 30, (size_t)1 << 20);
    h2_buf_init(&wire);
    json_array_foreach(cases, i, c) {
        json_t *hts = json_object_get(c, "header_table_size");
        const char *hex = json_string_value(json_object_get(c, "wire"));
        expect x;
        int rc;
        x.headers = json_object_get(c, "headers");
        x.next = 0;
        x.mismatch = 0;
        h2_buf_reset(&wire);
        if (json_is_integer(hts)) {
            h2_hpack_decoder_set_max_table_size(d, (size_t)json_integer_value(hts));
        }
        if (!hex || unhex(hex, &wire) != 0) {
            fprintf(stderr, "%s: case %zu: no wire\n", path, i);
            failed++;
            break;
        }
        rc = h2_hpack_decode(d, wire.data, wire.len, 1, on_field, &x);
        if (rc != H2_HPACK_OK || x.mismatch || x.next != json_array_size(x.headers)) {
            fprintf(stderr, "%s: case %zu: %s\n", path, i,
                    rc != H2_HPACK_OK ? "decoding failed" : "headers differ");
            failed++;
            if (rc < 0) {
                break;
            }
        }
        (*ncases)++;
    }
    h2_buf_free(&wire);
    h2_hpack_decoder_free(d);
    json_decref(root);
    return failed;
}

static int cmd_decode(int argc, char **argv)
{
    int i, bad = 0;
    for (i = 0; i < argc; i++) {
        size_t n;
        int f = decode_story(argv[i], &n);
        printf("%s %s (%zu cases)\n", f ? "FAIL" : "ok  ", argv[i], n);
        bad += f != 0;
    }
    printf("%d files, %d failed\n", argc, bad);
    return bad ? 1 : 0;
}

/* ------------------------------------------------------------------------------------ */
/* encode */

static int encode_case(h2_hpack_encoder *e, json_t *headers, h2_buf *wire)
{
    size_t n = json_array_size(headers), i, k = 0;
    h2_nv *nv = calloc(n ? n : 1, sizeof(*nv));
    json_t *h;
    int rc;
    if (!nv) {
        return -1;
    }
    json_array_foreach(headers, i, h) {
        const char *key;
        json_t *val;
        json_object_foreach(h, key, val) {
            const char *v = json_string_value(val);
            if (k < n && v) {
                nv[k].name = (const uint8_t *)key;
                nv[k].name_len = strlen(key);
                nv[k].value = (const uint8_t *)v;
                nv[k].value_len = strlen(v);
                k++;
            }
        }
    }
    rc = h2_hpack_encode(e, nv, k, wire);
    free(nv);
    return rc;
}

static int cmd_encode(int argc, char **argv)
{
    size_t table_size = H2_DEFAULT_HEADER_TABLE_SIZE, i;
    json_error_t jerr;
    json_t *root, *cases, *c;
    h2_hpack_encoder *e;
    h2_buf wire;
    char *hex = NULL;
    int rc = 0;

    if (argc >= 2 && strcmp(argv[0], "--table-size") == 0) {
        table_size = (size_t)strtoul(argv[1], NULL, 10);
        argc -= 2;
        argv += 2;
    }
    if (argc != 1) {
        fprintf(stderr, "usage: h2hpack encode [--table-size N] STORY.json\n");
        return 2;
    }
    root = json_load_file(argv[0], 0, &jerr);
    if (!root || !json_is_array(cases = json_object_get(root, "cases"))) {
        fprintf(stderr, "%s: %s\n", argv[0], root ? "no cases" : jerr.text);
        json_decref(root);
        return 1;
    }
    e = h2_hpack_encoder_new(table_size > H2_DEFAULT_HEADER_TABLE_SIZE
                             ? table_size : H2_DEFAULT_HEADER_TABLE_SIZE);
    h2_hpack_encoder_set_peer_max_table_size(e, table_size);
    h2_buf_init(&wire);
    json_array_foreach(cases, i, c) {
        size_t k;
        char *nh;
        h2_buf_reset(&wire);
        if (encode_case(e, json_object_get(c, "headers"), &wire) != 0 ||
            !(nh = realloc(hex, wire.len * 2 + 1))) {
            rc = 1;
            break;
        }
        hex = nh;
        for (k = 0; k < wire.len; k++) {
            snprintf(hex + 2 * k, 3, "%02x", wire.data[k]);
        }
        hex[2 * wire.len] = '\0';
        json_object_set_new(c, "seqno", json_integer((json_int_t)i));
        if (i == 0) {
            json_object_set_new(c, "header_table_size", json_integer((json_int_t)table_size));
        }
        json_object_set_new(c, "wire", json_string(hex));
    }
    json_object_set_new(root, "description",
                        json_string("Encoded by mod_h2's HPACK encoder (tests/tools/h2hpack)."));
    if (!rc) {
        json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        printf("\n");
    }
    free(hex);
    h2_buf_free(&wire);
    h2_hpack_encoder_free(e);
    json_decref(root);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "decode") == 0) {
        return cmd_decode(argc - 2, argv + 2);
    }
    if (argc >= 3 && strcmp(argv[1], "encode") == 0) {
        return cmd_encode(argc - 2, argv + 2);
    }
    fprintf(stderr, "usage: h2hpack decode STORY.json...\n"
                    "       h2hpack encode [--table-size N] STORY.json\n");
    return 2;
}
