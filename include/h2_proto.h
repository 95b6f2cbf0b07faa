/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_proto.h -- constants and small shared types of the sans-I/O HTTP/2 engine
 * (mod_h2/proto/). C99, libc only. Nothing in here knows about APR or httpd.
 */
#ifndef H2_PROTO_H
#define H2_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define H2_VERSION_STR "0.1.0"

/* RFC 9113 §3.4 client connection preface */
#define H2_PREFACE "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
#define H2_PREFACE_LEN 24

#define H2_FRAME_HDR_LEN 9
#define H2_DEFAULT_MAX_FRAME_SIZE 16384u     /* §6.5.2 initial value and minimum */
#define H2_MAX_MAX_FRAME_SIZE 16777215u      /* 2^24-1 */
#define H2_DEFAULT_WINDOW_SIZE 65535u
#define H2_MAX_WINDOW_SIZE 2147483647u       /* 2^31-1 */
#define H2_DEFAULT_HEADER_TABLE_SIZE 4096u
#define H2_STREAM_ID_MASK 0x7fffffffu

/* RFC 9113 §6 frame types, RFC 9218 §7.1 PRIORITY_UPDATE */
typedef enum h2_frame_type {
    H2_FT_DATA = 0x0,
    H2_FT_HEADERS = 0x1,
    H2_FT_PRIORITY = 0x2,
    H2_FT_RST_STREAM = 0x3,
    H2_FT_SETTINGS = 0x4,
    H2_FT_PUSH_PROMISE = 0x5,
    H2_FT_PING = 0x6,
    H2_FT_GOAWAY = 0x7,
    H2_FT_WINDOW_UPDATE = 0x8,
    H2_FT_CONTINUATION = 0x9,
    H2_FT_PRIORITY_UPDATE = 0x10
} h2_frame_type;

/* frame flags (meaning depends on the type) */
#define H2_FLAG_END_STREAM  0x01
#define H2_FLAG_ACK         0x01
#define H2_FLAG_END_HEADERS 0x04
#define H2_FLAG_PADDED      0x08
#define H2_FLAG_PRIORITY    0x20

/* RFC 9113 §6.5.2 settings identifiers, RFC 8441, RFC 9218 */
typedef enum h2_settings_id {
    H2_SET_HEADER_TABLE_SIZE = 0x1,
    H2_SET_ENABLE_PUSH = 0x2,
    H2_SET_MAX_CONCURRENT_STREAMS = 0x3,
    H2_SET_INITIAL_WINDOW_SIZE = 0x4,
    H2_SET_MAX_FRAME_SIZE = 0x5,
    H2_SET_MAX_HEADER_LIST_SIZE = 0x6,
    H2_SET_ENABLE_CONNECT_PROTOCOL = 0x8,
    H2_SET_NO_RFC7540_PRIORITIES = 0x9
} h2_settings_id;

/* RFC 9113 §7 error codes */
typedef enum h2_error_code {
    H2_NO_ERROR = 0x0,
    H2_PROTOCOL_ERROR = 0x1,
    H2_INTERNAL_ERROR = 0x2,
    H2_FLOW_CONTROL_ERROR = 0x3,
    H2_SETTINGS_TIMEOUT = 0x4,
    H2_STREAM_CLOSED = 0x5,
    H2_FRAME_SIZE_ERROR = 0x6,
    H2_REFUSED_STREAM = 0x7,
    H2_CANCEL = 0x8,
    H2_COMPRESSION_ERROR = 0x9,
    H2_CONNECT_ERROR = 0xa,
    H2_ENHANCE_YOUR_CALM = 0xb,
    H2_INADEQUATE_SECURITY = 0xc,
    H2_HTTP_1_1_REQUIRED = 0xd
} h2_error_code;

/* Name of an error code ("PROTOCOL_ERROR"), "UNKNOWN" for others. */
const char *h2_error_name(uint32_t code);

/* Big-endian helpers used by every codec in the engine. */
static inline uint32_t h2_get_u32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline uint32_t h2_get_u24(const uint8_t *p)
{
    return ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
}
static inline uint16_t h2_get_u16(const uint8_t *p)
{
    return (uint16_t)(((unsigned)p[0] << 8) | p[1]);
}
static inline void h2_put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}
static inline void h2_put_u24(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 16); p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)v;
}
static inline void h2_put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v;
}

/*
 * h2_allocator: where the engine's memory comes from. Every allocation of mod_h2/proto/
 * (session, streams, buffers, HPACK tables, frame reader) goes through one, passed when a
 * session (h2_session_config.allocator) or a standalone HPACK context is created; NULL or
 * h2_allocator_default() is libc's malloc/calloc/realloc/free. ud is passed to every call.
 * realloc(NULL, n) must allocate; free(NULL) must do nothing; a failed realloc leaves the
 * old block untouched (as libc's). The struct must outlive whatever uses it (a session
 * keeps its own copy).
 */
typedef struct h2_allocator {
    void *(*malloc)(size_t size, void *ud);
    void *(*calloc)(size_t nmemb, size_t size, void *ud);
    void *(*realloc)(void *ptr, size_t size, void *ud);
    void (*free)(void *ptr, void *ud);
    void *ud;
} h2_allocator;

/* libc's allocator (a static struct; never NULL) */
const h2_allocator *h2_allocator_default(void);
/* mem, or the default when mem is NULL */
static inline const h2_allocator *h2_mem(const h2_allocator *mem)
{
    return mem ? mem : h2_allocator_default();
}
static inline void *h2_mem_malloc(const h2_allocator *mem, size_t n)
{
    return mem->malloc(n, mem->ud);
}
static inline void *h2_mem_calloc(const h2_allocator *mem, size_t nmemb, size_t size)
{
    return mem->calloc(nmemb, size, mem->ud);
}
static inline void *h2_mem_realloc(const h2_allocator *mem, void *p, size_t n)
{
    return mem->realloc(p, n, mem->ud);
}
static inline void h2_mem_free(const h2_allocator *mem, void *p)
{
    mem->free(p, mem->ud);
}

/*
 * h2_buf: a growable byte buffer (through its allocator, libc's unless initialised with
 * h2_buf_init_mem; a zeroed h2_buf uses libc's). The engine's encoders append to one.
 * Functions returning int give 0 on success, -1 when memory could not be had (the buffer
 * is then unchanged).
 */
typedef struct h2_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
    const h2_allocator *mem;   /* NULL: libc */
} h2_buf;

void h2_buf_init(h2_buf *b);
void h2_buf_init_mem(h2_buf *b, const h2_allocator *mem);
void h2_buf_free(h2_buf *b);
int h2_buf_reserve(h2_buf *b, size_t extra);       /* ensure cap >= len + extra */
int h2_buf_append(h2_buf *b, const void *p, size_t n);
int h2_buf_append_byte(h2_buf *b, uint8_t c);
void h2_buf_consume(h2_buf *b, size_t n);           /* drop n bytes from the front */
static inline void h2_buf_reset(h2_buf *b) { b->len = 0; }

#endif /* H2_PROTO_H */
