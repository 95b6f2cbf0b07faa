/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_c1_io.h -- c1's connection I/O: reading c1's input filters into the engine, the
 * output buffer the engine's frames are written to, passing it through c1's output
 * filters, TLS warm-up/cool-down (small records), file bodies (pread or mmap windows)
 * and the deferred release of mappings and descriptors still referenced by buckets.
 *
 * Threads: c1 only (every field of h2_c1_io, every function here).
 */
#ifndef H2_C1_IO_H
#define H2_C1_IO_H

#include "apr_buckets.h"
#include "apr_time.h"

#include <sys/uio.h>

#include "h2_stream.h"

struct h2_c1;

/* output buffers kept for reuse per connection until it is idle: a pass of output
 * (pass_max, at most 256 KB, plus the built frames that go first) fills at most 5 of
 * 64 KB */
#define H2_C1_IO_KEEP 6

/* file reads of DATA payloads waiting to be made as one preadv() (see h2_c1_io.c) */
#define H2_C1_IO_RDV 16

typedef struct h2_c1_io {
    apr_bucket_brigade *bbin;
    apr_bucket_brigade *bbout;
    char *obuf;                  /* frames being assembled (malloc()ed, OBUF_SIZE; NULL
                                  * while parked: taken again by the next output) */
    /* Output buffers are reused: a full one goes out as a transient bucket and is free
     * again once the brigade was passed: nothing refers to it then, as every filter that
     * keeps data past its call sets it aside, which copies a transient bucket (the core
     * does so with what the socket did not take: writes never block, so that copy is the
     * price of a full socket). A fresh malloc() per buffer cost page faults on every
     * large response. */
    char *inflight[H2_C1_IO_KEEP]; /* buffers in bbout, free after the next pass */
    int ninflight;
    char *spare[H2_C1_IO_KEEP];  /* free buffers (released when no stream is active) */
    int nspare;
    /* TLS: records mod_ssl passes down, gathered for one write (H2_C1_TLS_OUT filter).
     * The filter holds bytes only within a pass: every pass ends with a metadata bucket
     * (boundary, FLUSH, EOC), at which it passes what it gathered on. */
    apr_bucket_brigade *bbtls;
    struct ap_filter_t *tls_f;   /* the H2_C1_TLS_OUT instance on c1 (TLS only) */
    char *tbuf;                  /* TLS_BATCH bytes, while the connection is busy */
    apr_size_t tlen;
    int tls_off;                 /* c1's cleanup ran: the filter only passes through */
    apr_size_t olen, ocap;
    apr_size_t batch_bytes;      /* bytes in bbout, not yet passed */
    apr_size_t olim;             /* fill obuf up to here (< ocap while TLS warms up) */
    struct h2_c1_defer *defer;   /* mappings/fds to release once the output is written */
    /* TLS warm-up (H2TLSWarmUpSize, H2TLSCoolDownSecs) */
    int tls_warming;             /* flush every TLS_SMALL_WRITE bytes: small TLS records */
    apr_int64_t tls_warm_bytes;  /* bytes written since the warm-up began */
    apr_time_t tls_last_write;   /* when output was last passed (0: never) */
    apr_status_t write_status;   /* the first write error */
    apr_size_t pass_max;         /* bytes passed at a time (below FlushMaxThreshold, with
                                  * room for the overhead of full-size TLS records) */
    apr_size_t pass_warm;        /* the same during the TLS warm-up (small records) */
    /* Payload bytes of consecutive DATA frames of one file, read by one preadv() into
     * their places in obuf (between the frame headers) before obuf goes out. */
    struct {
        int fd;
        apr_off_t off;           /* file offset of the first byte */
        apr_size_t len;          /* bytes in iov */
        int n;                   /* iov entries used (0: nothing waits) */
        struct iovec iov[H2_C1_IO_RDV];
    } rd;
    apr_off_t written;           /* bytes passed to the filters so far */
    apr_off_t read_total;        /* bytes read from the client so far */
    apr_time_t stall_since;      /* the socket took nothing since then (0: not stalled) */
    apr_time_t last_input;       /* bytes were last read from the client then */
    int sndbuf;                  /* SO_SNDBUF of the socket (0: not asked yet, -1: unknown) */
    int no_small_flush;          /* a thread other than c1's writes (a stop, pre_close):
                                  * never the FLUSHed small write (c1_io_small_write_fits) */
    apr_interval_time_t stall_timeout; /* Timeout: a client that reads nothing for so long
                                        * loses the connection */
} h2_c1_io;

/* Register the connection filter of c1's TLS output (H2_C1_TLS_OUT). */
void h2_c1_io_register_hooks(void);
/* Set up the buffers of c1->io (c1->c, c1->cfg, c1->is_tls set). APR_ENOMEM on failure. */
apr_status_t h2_c1_io_init(struct h2_c1 *c1);
/* The connection is idle: release the spare output buffers, the current one when it is
 * empty and the TLS gathering buffer (all taken again by the next output). */
void h2_c1_io_trim(struct h2_c1 *c1);
/* Release everything c1->io holds (connection cleanup). */
void h2_c1_io_cleanup(struct h2_c1 *c1);

/* Read what is there (block: APR_NONBLOCK_READ or APR_BLOCK_READ for the first read) and
 * feed the engine. APR_SUCCESS (read something), APR_EAGAIN (nothing), error / APR_EOF. */
apr_status_t h2_c1_io_read(struct h2_c1 *c1, apr_read_type_e block);

/* Write what the socket did not take before, then let the engine produce frames and pass
 * them through c1's output filters; never blocks. What the socket does not take waits in
 * the core output filter (at most pass_max bytes) and no more frames are produced until
 * it is written (h2_c1_io_pending: wait for POLLOUT). */
apr_status_t h2_c1_io_write(struct h2_c1 *c1);
/* The connection ends: write what can be written; when the socket is full, the last
 * frames (a GOAWAY) still go behind what waits, for the MPM to write at the close. */
apr_status_t h2_c1_io_write_last(struct h2_c1 *c1);
/* Write what waits for the socket for at most max_wait (polling in short steps). 1 when
 * nothing waits any more. */
int h2_c1_io_flush_for(struct h2_c1 *c1, apr_interval_time_t max_wait);
/* Output waits for the socket. */
int h2_c1_io_pending(struct h2_c1 *c1);
/* Output waits for the socket and the engine holds more than H2_C1_IN_HOLD of frames
 * built behind it: c1 takes no more input (h2_c1_io_read answers EAGAIN, the poll drops
 * POLLIN) until the client reads, so requests whose responses it does not take cannot
 * grow that backlog (HEAD or 304 responses need no window). */
int h2_c1_io_backlogged(struct h2_c1 *c1);
/* Send stall: output waited for the socket for stall_timeout without the socket becoming
 * writable. writable: the last poll said POLLOUT (progress). */
int h2_c1_io_stalled(struct h2_c1 *c1, apr_time_t now, int writable);

/* Engine callbacks' sinks: append frame bytes; write a stream's next len body bytes. */
int h2_c1_io_append(struct h2_c1 *c1, const void *p, size_t n);
int h2_c1_io_write_body(struct h2_c1 *c1, uint32_t sid, h2_strm *strm, size_t len,
                        int end_stream);

/* The FILE items of a stream being released: their mappings and descriptors are released
 * once the output that may reference them was written (the items keep none). */
void h2_c1_io_file_done_all(struct h2_c1 *c1, h2_strm *strm);

#endif /* H2_C1_IO_H */
