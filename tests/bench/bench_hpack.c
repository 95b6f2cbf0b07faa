/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * bench_hpack -- HPACK decoder throughput: our decoder and libnghttp2's inflater on the
 * same header blocks, in one run. Prints figures; it never fails on speed.
 *
 *   bench_hpack [-n REPEAT] [STORY.json...]
 *
 * Default stories: every file of $HPACK_TEST_CASE/nghttp2 (or, run from the top of the
 * source tree, the copy in tests/data/hpack-test-case/nghttp2). Each repetition decodes
 * every story from its first case with a fresh decoder per story (the cases of a story
 * share the dynamic table), header_table_size honoured. Both decoders hand each field to
 * a consumer that only adds up the lengths, the work any caller does at least. The
 * figure is wire megabytes (10^6 octets) decoded per second, best of 5 rounds each,
 * the two decoders' rounds interleaved.
 */
#include <jansson.h>
#include <nghttp2/nghttp2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "h2_hpack.h"

typedef struct block {
    uint8_t *data;
    size_t len;
    long table_size;   /* header_table_size before this case, or -1 */
} block;

typedef struct story {
    block *blocks;
    size_t n;
} story;

static story *stories;
static size_t nstories, total_blocks, total_bytes;

static int load_story(const char *path)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr), *cases, *c;
    story *s, *ns;
    size_t i;
    if (!root || !json_is_array(cases = json_object_get(root, "cases"))) {
        fprintf(stderr, "%s: %s\n", path, root ? "no cases" : jerr.text);
        json_decref(root);
        return -1;
    }
    ns = realloc(stories, (nstories + 1) * sizeof(*stories));
    if (!ns) {
        return -1;
    }
    stories = ns;
    s = &stories[nstories++];
    s->n = json_array_size(cases);
    total_blocks += s->n;
    s->blocks = calloc(s->n ? s->n : 1, sizeof(*s->blocks));
    json_array_foreach(cases, i, c) {
        const char *hex = json_string_value(json_object_get(c, "wire"));
        json_t *hts = json_object_get(c, "header_table_size");
        block *b = &s->blocks[i];
        size_t k, len = hex ? strlen(hex) / 2 : 0;
        b->data = malloc(len ? len : 1);
        b->len = len;
        b->table_size = json_is_integer(hts) ? (long)json_integer_value(hts) : -1;
        for (k = 0; k < len; k++) {
            unsigned v;
            sscanf(hex + 2 * k, "%2x", &v);
            b->data[k] = (uint8_t)v;
        }
        total_bytes += len;
    }
    json_decref(root);
    return 0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------------------------ */

typedef struct sink {
    size_t fields, octets;
} sink;

static int on_field(void *ctx, const h2_nv *nv)
{
    sink *k = ctx;
    k->fields++;
    k->octets += nv->name_len + nv->value_len;
    return 0;
}

static int run_ours(sink *k)
{
    size_t s, i;
    for (s = 0; s < nstories; s++) {
        h2_hpack_decoder *d = h2_hpack_decoder_new(4096);
        if (!d) {
            return -1;
        }
        h2_hpack_decoder_set_limits(d, (size_t)1 << 30, (size_t)1 << 20);
        for (i = 0; i < stories[s].n; i++) {
            const block *b = &stories[s].blocks[i];
            if (b->table_size >= 0) {
                h2_hpack_decoder_set_max_table_size(d, (size_t)b->table_size);
            }
            if (h2_hpack_decode(d, b->data, b->len, 1, on_field, k) != H2_HPACK_OK) {
                h2_hpack_decoder_free(d);
                return -1;
            }
        }
        h2_hpack_decoder_free(d);
    }
    return 0;
}

static int run_nghttp2(sink *k)
{
    size_t s, i;
    for (s = 0; s < nstories; s++) {
        nghttp2_hd_inflater *inf;
        if (nghttp2_hd_inflate_new(&inf) != 0) {
            return -1;
        }
        for (i = 0; i < stories[s].n; i++) {
            const block *b = &stories[s].blocks[i];
            const uint8_t *in = b->data;
            size_t inlen = b->len;
            if (b->table_size >= 0) {
                nghttp2_hd_inflate_change_table_size(inf, (size_t)b->table_size);
            }
            for (;;) {
                nghttp2_nv nv;
                int flags = 0;
                ssize_t rv = nghttp2_hd_inflate_hd2(inf, &nv, &flags, in, inlen, 1);
                if (rv < 0) {
                    nghttp2_hd_inflate_del(inf);
                    return -1;
                }
                in += rv;
                inlen -= (size_t)rv;
                if (flags & NGHTTP2_HD_INFLATE_EMIT) {
                    k->fields++;
                    k->octets += nv.namelen + nv.valuelen;
                }
                if (flags & NGHTTP2_HD_INFLATE_FINAL) {
                    nghttp2_hd_inflate_end_headers(inf);
                    break;
                }
                if (!(flags & NGHTTP2_HD_INFLATE_EMIT) && inlen == 0) {
                    break;
                }
            }
        }
        nghttp2_hd_inflate_del(inf);
    }
    return 0;
}

/* Seconds for `repeat` passes over the stories. */
static double timed(int (*run)(sink *), long repeat, sink *k)
{
    double t0 = now();
    long r;
    for (r = 0; r < repeat; r++) {
        if (run(k) != 0) {
            return -1;
        }
    }
    return now() - t0;
}

int main(int argc, char **argv)
{
    long repeat = 0, r;
    int i, round;
    double best_ours = 1e30, best_ng = 1e30;
    sink ko = {0, 0}, kn = {0, 0};

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
            repeat = atol(argv[++i]);
        } else if (load_story(argv[i]) != 0) {
            return 2;
        }
    }
    if (nstories == 0) {
        const char *dir = getenv("HPACK_TEST_CASE");
        char path[4096];
        int n;
        for (n = 0; n < 1000; n++) {
            FILE *f;
            snprintf(path, sizeof(path), "%s/nghttp2/story_%02d.json",
                     dir && *dir ? dir : "tests/data/hpack-test-case", n);
            if (!(f = fopen(path, "r"))) {
                break;
            }
            fclose(f);
            if (load_story(path) != 0) {
                return 2;
            }
        }
    }
    if (nstories == 0 || total_bytes == 0) {
        fprintf(stderr, "usage: bench_hpack [-n REPEAT] [STORY.json...]\n"
                        "  (default: $HPACK_TEST_CASE/nghttp2/story_*.json)\n");
        return 2;
    }
    if (repeat <= 0) {   /* about half a second a round */
        double t = timed(run_ours, 1, &ko);
        repeat = t > 0 ? (long)(0.5 / t) + 1 : 100;
    }
    /* both must agree on what the blocks hold */
    ko.fields = ko.octets = 0;
    if (run_ours(&ko) != 0 || run_nghttp2(&kn) != 0) {
        fprintf(stderr, "bench_hpack: a decoder failed on the input\n");
        return 1;
    }
    if (ko.fields != kn.fields || ko.octets != kn.octets) {
        fprintf(stderr, "bench_hpack: decoders disagree (%zu/%zu fields, %zu/%zu octets)\n",
                ko.fields, kn.fields, ko.octets, kn.octets);
        return 1;
    }
    for (round = 0; round < 5; round++) {
        double t = timed(run_ours, repeat, &ko);
        if (t < best_ours) {
            best_ours = t;
        }
        t = timed(run_nghttp2, repeat, &kn);
        if (t < best_ng) {
            best_ng = t;
        }
    }
    r = repeat;
    printf("HPACK decoding, %zu stories, %zu blocks of %zu wire octets, x%ld, best of 5:\n",
           nstories, total_blocks, total_bytes, r);
    printf("  mod_h2:   %8.1f MB/s\n", (double)total_bytes * (double)r / best_ours / 1e6);
    printf("  nghttp2:  %8.1f MB/s (libnghttp2 %s)\n",
           (double)total_bytes * (double)r / best_ng / 1e6, nghttp2_version(0)->version_str);
    printf("  ratio mod_h2/nghttp2: %.2f\n", best_ng / best_ours);
    return 0;
}
