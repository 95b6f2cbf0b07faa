/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * hpack_static.h -- the HPACK static table (RFC 7541 Appendix A) and, for the encoder, its
 * distinct names grouped by length. Included by hpack.c only.
 */
#ifndef H2_HPACK_STATIC_H
#define H2_HPACK_STATIC_H

#include <stdint.h>

#define H2_HPACK_STATIC_COUNT 61

typedef struct h2_hpack_static_entry {
    const char *name;
    const char *value;
    uint8_t name_len;
    uint8_t value_len;
} h2_hpack_static_entry;

/* index 1..61; entry 0 is unused (index 0 is an error on the wire) */
static const h2_hpack_static_entry h2_hpack_static[H2_HPACK_STATIC_COUNT + 1] = {
    {"", "", 0, 0},
    /*  1 */ {":authority", "", 10, 0},
    /*  2 */ {":method", "GET", 7, 3},
    /*  3 */ {":method", "POST", 7, 4},
    /*  4 */ {":path", "/", 5, 1},
    /*  5 */ {":path", "/index.html", 5, 11},
    /*  6 */ {":scheme", "http", 7, 4},
    /*  7 */ {":scheme", "https", 7, 5},
    /*  8 */ {":status", "200", 7, 3},
    /*  9 */ {":status", "204", 7, 3},
    /* 10 */ {":status", "206", 7, 3},
    /* 11 */ {":status", "304", 7, 3},
    /* 12 */ {":status", "400", 7, 3},
    /* 13 */ {":status", "404", 7, 3},
    /* 14 */ {":status", "500", 7, 3},
    /* 15 */ {"accept-charset", "", 14, 0},
    /* 16 */ {"accept-encoding", "gzip, deflate", 15, 13},
    /* 17 */ {"accept-language", "", 15, 0},
    /* 18 */ {"accept-ranges", "", 13, 0},
    /* 19 */ {"accept", "", 6, 0},
    /* 20 */ {"access-control-allow-origin", "", 27, 0},
    /* 21 */ {"age", "", 3, 0},
    /* 22 */ {"allow", "", 5, 0},
    /* 23 */ {"authorization", "", 13, 0},
    /* 24 */ {"cache-control", "", 13, 0},
    /* 25 */ {"content-disposition", "", 19, 0},
    /* 26 */ {"content-encoding", "", 16, 0},
    /* 27 */ {"content-language", "", 16, 0},
    /* 28 */ {"content-length", "", 14, 0},
    /* 29 */ {"content-location", "", 16, 0},
    /* 30 */ {"content-range", "", 13, 0},
    /* 31 */ {"content-type", "", 12, 0},
    /* 32 */ {"cookie", "", 6, 0},
    /* 33 */ {"date", "", 4, 0},
    /* 34 */ {"etag", "", 4, 0},
    /* 35 */ {"expect", "", 6, 0},
    /* 36 */ {"expires", "", 7, 0},
    /* 37 */ {"from", "", 4, 0},
    /* 38 */ {"host", "", 4, 0},
    /* 39 */ {"if-match", "", 8, 0},
    /* 40 */ {"if-modified-since", "", 17, 0},
    /* 41 */ {"if-none-match", "", 13, 0},
    /* 42 */ {"if-range", "", 8, 0},
    /* 43 */ {"if-unmodified-since", "", 19, 0},
    /* 44 */ {"last-modified", "", 13, 0},
    /* 45 */ {"link", "", 4, 0},
    /* 46 */ {"location", "", 8, 0},
    /* 47 */ {"max-forwards", "", 12, 0},
    /* 48 */ {"proxy-authenticate", "", 18, 0},
    /* 49 */ {"proxy-authorization", "", 19, 0},
    /* 50 */ {"range", "", 5, 0},
    /* 51 */ {"referer", "", 7, 0},
    /* 52 */ {"refresh", "", 7, 0},
    /* 53 */ {"retry-after", "", 11, 0},
    /* 54 */ {"server", "", 6, 0},
    /* 55 */ {"set-cookie", "", 10, 0},
    /* 56 */ {"strict-transport-security", "", 25, 0},
    /* 57 */ {"transfer-encoding", "", 17, 0},
    /* 58 */ {"user-agent", "", 10, 0},
    /* 59 */ {"vary", "", 4, 0},
    /* 60 */ {"via", "", 3, 0},
    /* 61 */ {"www-authenticate", "", 16, 0}
};

/* The distinct names, ordered by length: the first static index of the name and how many
 * consecutive entries share it. h2_hpack_static_by_len[L] .. [L+1] is the range of names of
 * length L. */
typedef struct h2_hpack_static_name {
    const char *name;
    uint8_t index;
    uint8_t count;
} h2_hpack_static_name;

static const h2_hpack_static_name h2_hpack_static_names[52] = {
    {"age", 21, 1},
    {"via", 60, 1},
    {"date", 33, 1},
    {"etag", 34, 1},
    {"from", 37, 1},
    {"host", 38, 1},
    {"link", 45, 1},
    {"vary", 59, 1},
    {":path", 4, 2},
    {"allow", 22, 1},
    {"range", 50, 1},
    {"accept", 19, 1},
    {"cookie", 32, 1},
    {"expect", 35, 1},
    {"server", 54, 1},
    {":method", 2, 2},
    {":scheme", 6, 2},
    {":status", 8, 7},
    {"expires", 36, 1},
    {"referer", 51, 1},
    {"refresh", 52, 1},
    {"if-match", 39, 1},
    {"if-range", 42, 1},
    {"location", 46, 1},
    {":authority", 1, 1},
    {"set-cookie", 55, 1},
    {"user-agent", 58, 1},
    {"retry-after", 53, 1},
    {"content-type", 31, 1},
    {"max-forwards", 47, 1},
    {"accept-ranges", 18, 1},
    {"authorization", 23, 1},
    {"cache-control", 24, 1},
    {"content-range", 30, 1},
    {"if-none-match", 41, 1},
    {"last-modified", 44, 1},
    {"accept-charset", 15, 1},
    {"content-length", 28, 1},
    {"accept-encoding", 16, 1},
    {"accept-language", 17, 1},
    {"content-encoding", 26, 1},
    {"content-language", 27, 1},
    {"content-location", 29, 1},
    {"www-authenticate", 61, 1},
    {"if-modified-since", 40, 1},
    {"transfer-encoding", 57, 1},
    {"proxy-authenticate", 48, 1},
    {"content-disposition", 25, 1},
    {"if-unmodified-since", 43, 1},
    {"proxy-authorization", 49, 1},
    {"strict-transport-security", 56, 1},
    {"access-control-allow-origin", 20, 1}
};

#define H2_HPACK_STATIC_NAME_MAX 27

static const uint8_t h2_hpack_static_by_len[H2_HPACK_STATIC_NAME_MAX + 2] = {
    0, 0, 0, 0, 2, 8, 11, 15, 21, 24, 24, 27, 28, 30, 36, 38, 40, 44, 46, 47, 50, 50, 50, 50,
    50, 50, 51, 51, 52
};

#endif /* H2_HPACK_STATIC_H */
