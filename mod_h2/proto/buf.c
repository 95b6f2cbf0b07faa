/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/* buf.c -- the engine's default allocator, growable byte buffer and error-code names. */
#include <stdlib.h>
#include <string.h>

#include "h2_proto.h"

/* ------------------------------------------------------------------------------------ */
/* The default allocator: libc (the only place of the engine that calls it) */

static void *mem_libc_malloc(size_t size, void *ud)
{
    (void)ud;
    return malloc(size);
}

static void *mem_libc_calloc(size_t nmemb, size_t size, void *ud)
{
    (void)ud;
    return calloc(nmemb, size);
}

static void *mem_libc_realloc(void *ptr, size_t size, void *ud)
{
    (void)ud;
    return realloc(ptr, size);
}

static void mem_libc_free(void *ptr, void *ud)
{
    (void)ud;
    free(ptr);
}

static const h2_allocator mem_libc = {
    mem_libc_malloc, mem_libc_calloc, mem_libc_realloc, mem_libc_free, NULL
};

const h2_allocator *h2_allocator_default(void)
{
    return &mem_libc;
}

/* ------------------------------------------------------------------------------------ */
/* h2_buf */

void h2_buf_init(h2_buf *b)
{
    h2_buf_init_mem(b, NULL);
}

void h2_buf_init_mem(h2_buf *b, const h2_allocator *mem)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->mem = mem;
}

void h2_buf_free(h2_buf *b)
{
    if (b->data) {
        h2_mem_free(h2_mem(b->mem), b->data);
    }
    b->data = NULL;
    b->len = b->cap = 0;
}

int h2_buf_reserve(h2_buf *b, size_t extra)
{
    size_t want, cap;
    uint8_t *p;
    if (extra > SIZE_MAX - b->len) {
        return -1;
    }
    want = b->len + extra;
    if (want <= b->cap) {
        return 0;
    }
    cap = b->cap ? b->cap : 256;
    while (cap < want) {
        cap = (cap > SIZE_MAX / 2) ? want : cap * 2;
    }
    p = h2_mem_realloc(h2_mem(b->mem), b->data, cap);
    if (!p) {
        return -1;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

int h2_buf_append(h2_buf *b, const void *p, size_t n)
{
    if (n == 0) {
        return 0;
    }
    if (h2_buf_reserve(b, n) != 0) {
        return -1;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

int h2_buf_append_byte(h2_buf *b, uint8_t c)
{
    if (b->len == b->cap && h2_buf_reserve(b, 1) != 0) {
        return -1;
    }
    b->data[b->len++] = c;
    return 0;
}

void h2_buf_consume(h2_buf *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
}

static const char *const error_names[] = {
    "NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR",
    "SETTINGS_TIMEOUT", "STREAM_CLOSED", "FRAME_SIZE_ERROR", "REFUSED_STREAM",
    "CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR", "ENHANCE_YOUR_CALM",
    "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED"
};

const char *h2_error_name(uint32_t code)
{
    return code < sizeof(error_names) / sizeof(error_names[0]) ? error_names[code] : "UNKNOWN";
}
