/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_c1.h -- the client connection (c1) side of an HTTP/2 session and the per-stream
 * record shared between c1 and the worker processing the stream (c2).
 *
 * Threads and ownership
 *   h2_c1: created and used by the connection's thread (whatever MPM thread runs
 *     process_connection). Fields marked [lock] are shared with workers and guarded by
 *     h2_c1.lock; everything else is c1-only.
 *   h2_strm: one per stream handed to a worker. Request fields are written by c1 before
 *     the stream is queued and read-only afterwards. Fields marked [lock] are shared and
 *     guarded by the session lock; c2-only and c1-only fields are labelled.
 *   Memory that crosses threads (request fields, response headers, body chunks) is
 *   malloc()ed, never taken from a pool another thread owns.
 */
#ifndef H2_C1_H
#define H2_C1_H

#include "apr_thread_mutex.h"
#include "apr_thread_cond.h"
#include "apr_poll.h"
#include "apr_atomic.h"
#include "httpd.h"

#include "h2_session.h"
#include "h2_config.h"

typedef struct h2_c1 h2_c1;
typedef struct h2_strm h2_strm;

/* A header list in one malloc()ed block (names and values NUL-terminated). */
typedef struct h2_hdrs {
    int status;          /* response status, 0 for requests/trailers */
    size_t n;
    h2_nv *nv;           /* points into the same block */
} h2_hdrs;

h2_hdrs *h2_hdrs_from_nv(const h2_nv *nv, size_t n, int status);
void h2_hdrs_free(h2_hdrs *h);

/* Queued response body piece */
#define H2_OI_MEM  0
#define H2_OI_FILE 1
typedef struct h2_oitem {
    struct h2_oitem *next;
    int type;
    apr_size_t len;      /* bytes still to send */
    apr_size_t cap;      /* MEM: capacity of data[] */
    apr_size_t off;      /* MEM: start of unsent bytes in data[] */
    int fd;              /* FILE: our own dup of the descriptor */
    apr_off_t foff;      /* FILE: file offset of the next byte */
    char *map;           /* FILE, c1 only: mapped window of the file (h2c), or NULL */
    apr_off_t map_off;   /* file offset of map[0] */
    apr_size_t map_len;
    int can_map;         /* FILE: EnableMMAP allows mapping this file */
    char data[1];        /* MEM */
} h2_oitem;

/* Queued request body piece */
typedef struct h2_ichunk {
    struct h2_ichunk *next;
    apr_size_t len, off;
    char data[1];
} h2_ichunk;

/* An interim (1xx) response waiting for c1 */
typedef struct h2_interim {
    struct h2_interim *next;
    h2_hdrs *hdrs;
    struct h2_push_req *pushes;  /* resources to promise before it (h2_push.h) */
} h2_interim;

struct h2_strm {
    h2_c1 *c1;
    uint32_t id;
    h2_strm *next_free;          /* c1: free list */
    h2_strm *next_pending;       /* [lock] c1->pending list / c1-only new list */
    h2_strm *next_active, *prev_active; /* c1: streams not yet released */

    /* request: written by c1 before dispatch, then read-only */
    h2_hdrs *req;                /* regular fields */
    char *method, *scheme, *authority, *path;
    int req_too_large;
    apr_int64_t req_content_length;
    int req_has_body;            /* the request's HEADERS did not end the stream */
    int in_no_flow;              /* body arrived over HTTP/1.1 (h2c Upgrade): no consume */

    apr_thread_cond_t *cond;     /* the c2 side waits here (input, output space) */

    /* [lock] input (c1 -> c2) */
    h2_ichunk *in_head, *in_tail;
    apr_size_t in_bytes;
    int in_eos;
    h2_hdrs *in_trailers;
    apr_size_t in_consumed;      /* read by c2, not yet reported to the engine */
    int in_waiting;              /* c2 waits for input */

    /* [lock] output (c2 -> c1) */
    h2_interim *interims;        /* 1xx responses to submit first */
    h2_hdrs *resp;               /* final response headers, until c1 submits them */
    h2_oitem *out_head, *out_tail;
    apr_size_t out_mem;          /* bytes of MEM items queued */
    apr_size_t out_total;        /* bytes queued (MEM + FILE) */
    int out_eos;                 /* the body is complete */
    h2_hdrs *trailers;           /* response trailers */
    int out_waiting;             /* c2 waits for room */
    uint32_t rst_code;           /* c2 asks to reset the stream (0: no) */
    int c2_done;                 /* the worker is finished with the stream */
    int aborted;                 /* the stream is gone on the wire: c2 stops */
    struct h2_push_req *pushes;  /* resources to promise with the final response */
    int push_dep, push_weight;   /* pushed stream: H2PushPriority of its response */

    /* push: written by c1 before dispatch, then read-only */
    uint32_t pushed_on;          /* a pushed stream: its parent's id (0: client stream) */
    int push_ok;                 /* the client allows push (SETTINGS_ENABLE_PUSH) */

    /* [lock] c1 wakeup list */
    int dirty;
    h2_strm *next_dirty;

    /* c1 only */
    int resp_submitted;
    int trailers_submitted;
    int deferred;                /* data_available deferred it: resume when data arrives */
    int closed;                  /* engine reported on_stream_close */
    int eos_sent;
    int in_eos_seen;             /* c1 saw the request end */
    int dispatched;
    int inline_wait;             /* no worker pool: run once the request body is complete */
    int body_discarded;          /* c1: h2_session_discard_body called (§8.1) */
    apr_time_t last_progress;    /* c1: response submitted or DATA sent (stall detection) */
};

struct h2_c1 {
    conn_rec *c;
    server_rec *s;               /* the server of the connection (after SNI) */
    const h2_srv_config *cfg;
    h2_session *engine;
    int is_tls;
    const char *proto;           /* "h2" or "h2c" */
    apr_socket_t *sock;
    apr_bucket_brigade *bbin;
    apr_bucket_brigade *bbout;
    apr_pollset_t *pollset;      /* socket + wakeup pipe; only while the session is busy
                                  * or waits on this thread (idle connections handed back
                                  * to the MPM hold no extra descriptors) */
    apr_pool_t *ps_pool;         /* the pollset's pool */
    apr_pollfd_t sockfd;

    apr_thread_mutex_t *lock;
    h2_strm *dirty_head;         /* [lock] streams with news from workers */
    volatile apr_uint32_t wake_pending; /* a wakeup is on its way (one per batch) */

    h2_strm *free_strms;
    h2_strm *active_head;
    h2_strm *new_head, *new_tail; /* c1: streams to hand to workers after this read */
    h2_strm *pending_head, *pending_tail; /* [lock] streams waiting for a worker */
    int pending_n;               /* [lock] */
    int attached;                /* [lock] workers running this session's job */
    int strms_active;            /* c1: streams given to workers and not released */
    apr_size_t stream_max_mem;

    /* output batch (c1 only) */
    char *obuf;
    apr_size_t olen, ocap;
    apr_size_t batch_bytes;      /* bytes passed since the last flush */
    apr_size_t olim;             /* fill obuf up to here (< ocap while TLS warms up) */
    struct h2_defer *defer;      /* mappings/fds to release once the output is written */
    /* TLS warm-up (H2TLSWarmUpSize, H2TLSCoolDownSecs), c1 only */
    int tls_warming;             /* flush every TLS_SMALL_WRITE bytes: small TLS records */
    apr_int64_t tls_warm_bytes;  /* bytes written since the warm-up began */
    apr_time_t tls_last_write;   /* when output was last passed (0: never) */
    apr_status_t write_status;

    apr_interval_time_t stream_timeout;
    apr_time_t next_stall_check;
    int goaway_sent;
    int done;
    int mpm_stopping_seen;
    apr_uint64_t started_ms;
    struct h2_push_diary *push_diary; /* c1: resources pushed on this connection */
};

/* c1 thread: set up and run the session on c (TLS or cleartext). upgrade_r: the HTTP/1.1
 * request of an h2c Upgrade (becomes stream 1), else NULL. Returns when the connection
 * is finished (DONE), or OK when the connection was handed back to the MPM idle. */
int h2_c1_run(conn_rec *c, request_rec *upgrade_r, const char *http2_settings);

/* How h2_c1_goaway_final passes the GOAWAY (see there). */
#define H2_C1_PASS_NOFLUSH  0
#define H2_C1_PASS_FLUSH    1
#define H2_C1_PASS_NONBLOCK 2
/* The thread owning the connection: send the final GOAWAY(NO_ERROR) unless sent. */
int h2_c1_goaway_final(h2_c1 *c1, int how, const char *why);

/* Append len request body bytes (copied) to the stream's input queue. The caller holds the
 * session lock, or owns the stream alone (before dispatch). Returns 0, or -1 when out of
 * memory. */
int h2_strm_in_append(h2_strm *strm, const char *data, apr_size_t len);

/* c1 thread: a new stream record (released by c1 when both sides are done). */
h2_strm *h2_c1_strm_new(h2_c1 *c1, uint32_t id);
/* c1 thread: release a stream record that was never dispatched. */
void h2_c1_strm_release(h2_c1 *c1, h2_strm *strm);
/* c1 thread: hand a stream (e.g. a pushed one) to a worker. */
void h2_c1_strm_dispatch(h2_c1 *c1, h2_strm *strm);

/* any thread: the stream has news for c1 (call with the lock held; *pwake set to 1 when
 * the caller must call h2_c1_wake after releasing the lock). */
void h2_c1_mark_dirty(h2_strm *strm, int *pwake);
void h2_c1_wake(h2_c1 *c1);

/* Is c a connection we serve (or the c2 of one)? */
int h2_c1_is_h2(conn_rec *c);

#endif /* H2_C1_H */
