/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * bench_session.c -- the session engine alone, in memory: small GET requests (pre-encoded
 * request bytes, one HPACK context per connection like a real client's) answered with a
 * 200 and a small body through the zero-copy DATA path. Prints requests per second and CPU
 * microseconds per request. A figure, never a pass/fail.
 *
 *   bench_session [requests-per-connection [connections [body-bytes]]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "h2_proto.h"
#include "h2_frame.h"
#include "h2_hpack.h"
#include "h2_session.h"

typedef struct bench {
    h2_session *s;
    size_t out_bytes;
    size_t body_len;
    const uint8_t *body;
    size_t responses;
} bench;

static int b_send_bytes(void *ud, const uint8_t *p, size_t n)
{
    bench *b = ud;
    (void)p;
    b->out_bytes += n;
    return 0;
}

static long b_data_available(void *ud, uint32_t sid, void *sud, size_t max, int *eos)
{
    bench *b = ud;
    (void)sid;
    (void)sud;
    *eos = 1;
    return (long)(b->body_len < max ? b->body_len : max);
}

static int b_send_data(void *ud, uint32_t sid, void *sud, const uint8_t hdr[9], size_t len,
                       int end_stream)
{
    bench *b = ud;
    (void)sid;
    (void)sud;
    (void)hdr;
    (void)end_stream;
    b->out_bytes += 9 + len;   /* a real glue would write b->body here */
    return 0;
}

static int b_on_request(void *ud, const h2_request *r)
{
    static const h2_nv hdr[3] = {
        { (const uint8_t *)"content-type", 12, (const uint8_t *)"text/html", 9, 0 },
        { (const uint8_t *)"server", 6, (const uint8_t *)"Apache", 6, 0 },
        { (const uint8_t *)"cache-control", 13, (const uint8_t *)"max-age=3600", 12, 0 },
    };
    bench *b = ud;
    b->responses++;
    return h2_session_submit_response(b->s, r->stream_id, 200, hdr, 3, b->body_len == 0);
}

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* the client's bytes for one connection: preface, SETTINGS, ACK, then n GET requests in
 * batches of 10 with a connection WINDOW_UPDATE between batches */
static void build_client(h2_buf *in, unsigned n)
{
    h2_hpack_encoder *enc = h2_hpack_encoder_new(4096);
    h2_buf blk;
    unsigned i;
    char path[64];
    h2_buf_init(&blk);
    h2_buf_append(in, H2_PREFACE, H2_PREFACE_LEN);
    h2_frame_put_settings(in, NULL, 0);
    h2_frame_put_settings_ack(in);
    for (i = 0; i < n; i++) {
        h2_nv nv[8] = {
            { (const uint8_t *)":method", 7, (const uint8_t *)"GET", 3, 0 },
            { (const uint8_t *)":scheme", 7, (const uint8_t *)"https", 5, 0 },
            { (const uint8_t *)":authority", 10, (const uint8_t *)"www.example.org", 15, 0 },
            { (const uint8_t *)":path", 5, NULL, 0, 0 },
            { (const uint8_t *)"user-agent", 10, (const uint8_t *)"bench/1.0 (engine)", 18, 0 },
            { (const uint8_t *)"accept", 6, (const uint8_t *)"text/html,*/*;q=0.8", 19, 0 },
            { (const uint8_t *)"accept-encoding", 15, (const uint8_t *)"gzip, br", 8, 0 },
            { (const uint8_t *)"accept-language", 15, (const uint8_t *)"en-US,en;q=0.5", 14, 0 },
        };
        int pl = snprintf(path, sizeof(path), "/static/asset-%u.css", i % 50);
        nv[3].value = (const uint8_t *)path;
        nv[3].value_len = (size_t)pl;
        h2_buf_reset(&blk);
        h2_hpack_encode(enc, nv, 8, &blk);
        h2_frame_put_headers(in, 2 * i + 1, blk.data, blk.len, 1, 16384);
        if (i % 10 == 9) {
            h2_frame_put_window_update(in, 0, 100000);
        }
    }
    h2_buf_free(&blk);
    h2_hpack_encoder_free(enc);
}

int main(int argc, char **argv)
{
    unsigned per_conn = argc > 1 ? (unsigned)atoi(argv[1]) : 100;
    unsigned conns = argc > 2 ? (unsigned)atoi(argv[2]) : 2000;
    size_t body_len = argc > 3 ? (size_t)atol(argv[3]) : 1024;
    static uint8_t body[65536];
    h2_session_callbacks cb;
    h2_session_config cfg;
    h2_buf in;
    unsigned c;
    size_t total = 0, out = 0;
    double c0, w0, cpu, wall;
    if (per_conn == 0 || per_conn > 100000 || conns == 0 || body_len > sizeof(body)) {
        fprintf(stderr, "usage: bench_session [requests-per-connection [connections [body-bytes]]]\n");
        return 2;
    }
    memset(&cb, 0, sizeof(cb));
    cb.send_bytes = b_send_bytes;
    cb.data_available = b_data_available;
    cb.send_data = b_send_data;
    cb.on_request = b_on_request;
    h2_session_config_init(&cfg);
    cfg.max_concurrent_streams = 1000;
    h2_buf_init(&in);
    build_client(&in, per_conn);

    c0 = cpu_seconds();
    w0 = wall_seconds();
    for (c = 0; c < conns; c++) {
        bench b;
        size_t off = 0, produced;
        memset(&b, 0, sizeof(b));
        b.body = body;
        b.body_len = body_len;
        b.s = h2_session_new(&cfg, &cb, &b);
        if (!b.s) {
            return 1;
        }
        /* feed in 16 KiB reads, write after each, as a connection loop would */
        while (off < in.len) {
            size_t n = in.len - off < 16384 ? in.len - off : 16384;
            if (h2_session_recv(b.s, in.data + off, n, 0) != H2_SESS_OK) {
                fprintf(stderr, "session error\n");
                return 1;
            }
            off += n;
            h2_session_send(b.s, 0, &produced);
        }
        h2_session_send(b.s, 0, &produced);
        if (b.responses != per_conn) {
            fprintf(stderr, "only %zu responses\n", b.responses);
            return 1;
        }
        total += b.responses;
        out += b.out_bytes;
        h2_session_free(b.s);
    }
    cpu = cpu_seconds() - c0;
    wall = wall_seconds() - w0;
    printf("bench_session: %zu requests (%u connections x %u, body %zu bytes)\n",
           total, conns, per_conn, body_len);
    printf("  %.0f requests/s, %.3f CPU us/request, %.1f MB out, %.2f s CPU\n",
           (double)total / wall, cpu * 1e6 / (double)total, (double)out / 1e6, cpu);
    h2_buf_free(&in);
    return 0;
}
