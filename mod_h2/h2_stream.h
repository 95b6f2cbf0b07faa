/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_stream.h -- the stream record shared by the client connection (c1), the worker
 * processing the stream (c2) and push, and the small part of a session that workers may
 * touch (h2_hub). This header is the whole interface between c1 and c2: h2_c2.c includes
 * it, never h2_c1.h.
 *
 * Threads and ownership
 *   h2_hub: one per session, created by c1. lock guards every field marked [lock] here and
 *     in h2_strm; c, proto and stream_max_mem are written before the first stream is
 *     dispatched and read-only afterwards.
 *   h2_strm: one per stream handed to a worker. Request fields are written by c1 before
 *     the stream is queued and read-only afterwards. Fields marked [lock] are shared and
 *     guarded by hub->lock; c2-only and c1-only fields are labelled.
 *   Memory that crosses threads (request fields, response headers, body chunks) is
 *   malloc()ed, never taken from a pool another thread owns.
 */
#ifndef H2_STREAM_H
#define H2_STREAM_H

#include <pthread.h>

#include "apr_poll.h"
#include "httpd.h"

#include "h2_session.h"

struct h2_c1;
struct h2_push_req;
typedef struct h2_strm h2_strm;

/* The session as its workers see it. malloc()ed; freed by c1 once no job of the session
 * is left: c1 waits for the last one before the connection goes (h2_c1_drain), so that
 * no worker ever touches freed memory, neither the hub nor c1's pool. */
typedef struct h2_hub {
    pthread_mutex_t mx;          /* the session lock: h2_hub_lock/h2_hub_unlock */
    conn_rec *c;                 /* c1's connection (read by c2 set-up only) */
    const char *proto;           /* "h2" or "h2c" (static string) */
    apr_size_t stream_max_mem;   /* H2StreamMaxMemSize: output bytes queued per stream */
    h2_strm *dirty_head;         /* [lock] streams with news for c1 */
    volatile apr_uint32_t wake_pending; /* [lock] a wakeup is on its way (one per batch) */
    apr_pollset_t *pollset;      /* [lock] c1's pollset while workers can reach the
                                  * session; workers wake c1 through it */
    h2_strm *pending_head, *pending_tail; /* [lock] streams waiting for a worker */
    /* Batching the news (h2_strm_mark_dirty): a worker wakes c1 only when c1 waits in
     * poll, and not even then while more streams of the session are queued for workers
     * and c1's poll ends within H2_BATCH_WAIT by itself: c1 then takes the whole batch of
     * finished streams at once. */
    int queued;                  /* [lock] streams on the pending list */
    apr_uint32_t taken;          /* [lock] streams workers took from the queue (a count) */
    int c1_waiting;              /* [lock] c1 is in (or about to enter) poll, or drains:
                                  * every news wakes it unless c1_wait_short applies */
    int c1_wait_short;           /* [lock] c1's poll ends within H2_BATCH_WAIT */
    int attached;                /* [lock] worker jobs (queued or running) of this session */
    int ahead;                   /* [lock] the session's jobs go ahead in the pool's queue
                                  * (a new or lightly loaded connection, h2_c1_dispatch_new);
                                  * the others' jobs give their worker up to them */
    int c1_draining;             /* [lock] c1 waits for the jobs to leave before the
                                  * connection closes (h2_c1_drain): the last wakes it */
    struct h2_hub *busy_prev, *busy_next; /* the child's busy sessions (h2_c1_dispatch.c,
                                  * its own mutex): woken when the child stops */
    int busy;
    int out_fds;                 /* [lock] descriptors the connection's streams hold, at
                                  * most H2_FDS_PER_CONN: output FILE items (c2 adds, c1
                                  * subtracts when one is done) and WebSocket pipes (2
                                  * each, counted by c2 from the stream's start to its
                                  * end, h2_ws.h) */
    /* Inline mode (no worker pool, e.g. prefork): a stream's handler runs on c1's thread
     * and calls this (without the lock) when it waits for request body or for room for its
     * output: c1's I/O runs for at most timeout. APR_SUCCESS, APR_TIMEUP, or an error when
     * the connection is gone. NULL with a worker pool. Set by c1 at start. */
    apr_status_t (*inline_pump)(void *baton, apr_interval_time_t timeout);
    void *inline_baton;
    /* Parked for workers (h2_c1_park.h): c1 gave its thread back while its streams run;
     * the next news calls park_wake(park_baton) (under the lock), which has the session
     * run on an MPM thread. Cleared by c1 before it goes. */
    int c1_parked;               /* [lock] */
    void (*park_wake)(void *baton); /* [lock] */
    void *park_baton;            /* [lock] */
    /* Spare output memory items (H2_OI_MEM of capacity H2_ITEM_MIN) for the next streams:
     * c1 keeps up to H2_SPARE_ITEMS of the items it has sent, workers take them
     * (h2_hub_spare_take) instead of a malloc in their thread and a free in c1's (glibc's
     * slow path across arenas). Freed when the connection goes idle (h2_hub_spare_drop). */
    struct h2_oitem *spare;      /* [lock] */
    int nspare;                  /* [lock] */
} h2_hub;

/* The connection's cap on descriptors its streams hold (h2_hub.out_fds): FILE output
 * items beyond it are copied, WebSocket streams beyond it refused. */
#define H2_FDS_PER_CONN 64

#define H2_ITEM_MIN     (16 * 1024)  /* capacity of an output memory item */
#define H2_SPARE_ITEMS  4

/* worker: a spare memory item of the connection (H2_ITEM_MIN capacity, reset), or NULL */
struct h2_oitem *h2_hub_spare_take(h2_hub *hub);
/* c1, with the lock held: keep a sent memory item as a spare; 0 when not kept (the
 * caller frees it) */
int h2_hub_spare_put_locked(h2_hub *hub, struct h2_oitem *oi);
/* c1: free the spares (the connection goes idle, or ends) */
void h2_hub_spare_drop(h2_hub *hub);

/* A new hub (NULL when out of memory); freed by h2_hub_destroy. */
h2_hub *h2_hub_create(conn_rec *c, const char *proto, apr_size_t stream_max_mem);
void h2_hub_destroy(h2_hub *hub);

/* The session lock. Every lock of hub->mx goes through these two. */
static APR_INLINE void h2_hub_lock(h2_hub *hub)
{
    pthread_mutex_lock(&hub->mx);
}

static APR_INLINE void h2_hub_unlock(h2_hub *hub)
{
    pthread_mutex_unlock(&hub->mx);
}

/* How long finished streams' news may wait for c1 while the session's queue is busy, and
 * how long queued streams wait with none taken before the session gets more workers. */
#define H2_BATCH_WAIT apr_time_from_msec(1)

/* Admission (h2_c1_dispatch_new): the jobs of a session that workers took fewer than
 * H2_AHEAD_FIRST streams of so far (a new connection's first requests), or that has at
 * most H2_AHEAD_FEW streams open, go ahead of the jobs of busier sessions in the pool's
 * queue, and a busier session's job gives its worker up between two streams while such
 * jobs wait: a new visitor's first request is not queued behind the streams of
 * connections that keep a hundred in flight. */
#define H2_AHEAD_FIRST 32
#define H2_AHEAD_FEW 4

/* mod_logio's %O counts what was sent: before a request is logged its worker waits until
 * no more than this much of the response is still queued (or the stream is gone), so a
 * response the client aborts logs the bytes that went out. Smaller responses never
 * wait; one aborted in its last H2_LOG_SLACK bytes logs its full size (h2_c2.c). */
#define H2_LOG_SLACK (1024 * 1024)

/* A header list in one malloc()ed block (names and values NUL-terminated). */
typedef struct h2_hdrs {
    int status;          /* response status, 0 for requests/trailers */
    size_t n;
    h2_nv *nv;           /* points into the same block */
} h2_hdrs;

h2_hdrs *h2_hdrs_from_nv(const h2_nv *nv, size_t n, int status);
/* The fields of table t as a header list (status as h2_hdrs_from_nv); _skip leaves out
 * the fields named in skip (NULL-terminated, case-insensitive). p: scratch pool. */
h2_hdrs *h2_hdrs_from_table(apr_pool_t *p, apr_table_t *t, int status);
h2_hdrs *h2_hdrs_from_table_skip(apr_pool_t *p, apr_table_t *t, int status,
                                 const char *const *skip);
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
    h2_hub *hub;                 /* the session's shared part */
    struct h2_c1 *c1;            /* the owning session (opaque outside c1) */
    uint32_t id;
    h2_strm *next_free;          /* c1: free list */
    h2_strm *next_pending;       /* [lock] hub->pending list / c1-only new list */
    h2_strm *next_active, *prev_active; /* c1: streams not yet released */

    /* request: written by c1 before dispatch, then read-only */
    h2_hdrs *req;                /* regular fields */
    char *method, *scheme, *authority, *path;
    int req_too_large;
    apr_int64_t req_content_length;
    int req_has_body;            /* the request's HEADERS did not end the stream */
    int in_no_flow;              /* body arrived over HTTP/1.1 (h2c Upgrade): no consume */

    pthread_cond_t cond;         /* the c2 side waits here (input, output space) */

    /* [lock] input (c1 -> c2) */
    h2_ichunk *in_head, *in_tail;
    apr_size_t in_bytes;
    int in_eos;
    h2_hdrs *in_trailers;
    apr_size_t in_consumed;      /* read by c2, not yet reported to the engine */
    int in_waiting;              /* c2 waits for input */
    apr_off_t body_limit;        /* LimitRequestBody of the request, set by c2 once known
                                  * (0: none yet / unlimited) */
    int in_over;                 /* c1 got more body than body_limit: c2 answers 413 */

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
    apr_off_t out_sent;          /* [lock] body bytes c1 took from the queue into DATA
                                  * frames (written by c1; c2 corrects %O by it) */
    int log_waiting;             /* [lock] c2 waits for the output to go out before the
                                  * request is logged (h2_c2.c c2_log_sent) */
    int status_req;              /* [lock] the http2-status handler asks c1 for the
                                  * session's figures (h2_status.h) */
    char *status_json;           /* [lock] c1's answer (malloc()ed; c2 takes it) */
    int sb_count;                /* a worker ran the request: c1 counts it in its own
                                  * scoreboard slot (workers have none) */
    apr_off_t sb_bytes;          /* the response's bytes for that count */

    /* push: written by c1 before dispatch, then read-only */
    uint32_t pushed_on;          /* a pushed stream: its parent's id (0: client stream) */
    int push_ok;                 /* the client allows push (SETTINGS_ENABLE_PUSH) */
    struct h2_ws *ws;            /* extended CONNECT (RFC 8441), NULL for other streams:
                                  * set by c1 before dispatch, freed by c1 at release;
                                  * its fields' owners are in h2_ws.h */

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
    apr_off_t in_received;       /* request body bytes received */
    int body_discarded;          /* c1: h2_session_discard_body called (§8.1) */
    apr_time_t last_progress;    /* c1: response submitted or DATA sent (stall detection) */
    apr_time_t created;          /* c1: when the request arrived (http2-status) */
};

/* A zeroed stream record (malloc()ed, NULL when out of memory); h2_strm_destroy frees it
 * (call h2_strm_clear first). h2_strm_reset makes a released record new again. */
h2_strm *h2_strm_create(void);
void h2_strm_reset(h2_strm *strm);
void h2_strm_destroy(h2_strm *strm);
/* Free what a stream record holds: queues, headers, pushes. FILE items are closed and
 * unmapped at once (c1 defers those that output buckets may still reference first). */
void h2_strm_clear(h2_strm *strm);

/* hub->mx held: wait on the stream's condition for at most t, and at most a second
 * (APR_TIMEUP, or APR_SUCCESS when signalled: callers loop until their deadline), wake
 * its waiter. */
apr_status_t h2_strm_wait(h2_strm *strm, apr_interval_time_t t);
void h2_strm_signal(h2_strm *strm);

/* Append len request body bytes (copied) to the stream's input queue. The caller holds the
 * session lock, or owns the stream alone (before dispatch). Returns 0, or -1 when out of
 * memory. */
int h2_strm_in_append(h2_strm *strm, const char *data, apr_size_t len);

/* any thread: the stream has news for c1 (call with hub->lock held; *pwake set to 1 when
 * the caller must call h2_hub_wake after releasing the lock). */
void h2_strm_mark_dirty(h2_strm *strm, int *pwake);
/* any thread, hub->mx NOT held: wake c1's poll (one wakeup per batch of news). */
void h2_hub_wake(h2_hub *hub);

#endif /* H2_STREAM_H */
