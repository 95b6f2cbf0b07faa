/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_c1.h -- the client connection (c1) side of an HTTP/2 session.
 *
 * The c1 side is four files, one concern each:
 *   h2_c1.c           session set-up, the loop (h2_c1_run) and its end
 *   h2_c1_io.c        reading and writing c1's filters (h2_c1_io.h)
 *   h2_c1_engine.c    the engine's callbacks
 *   h2_c1_dispatch.c  stream records, handing streams to workers, collecting their news,
 *                     stall checks and the drain at the end
 * The stream record shared with workers is in h2_stream.h.
 *
 * Threads and ownership
 *   h2_c1: created and used by the connection's thread (whatever MPM thread runs
 *     process_connection). Fields marked [lock] are shared with workers and guarded by
 *     hub->lock; everything else is c1-only.
 */
#ifndef H2_C1_H
#define H2_C1_H

#include "apr_poll.h"
#include "apr_time.h"
#include "httpd.h"
#include "scoreboard.h"

#include "h2_session.h"
#include "h2_config.h"
#include "h2_stream.h"
#include "h2_c1_io.h"

typedef struct h2_c1 h2_c1;
struct h2_c1_park;

struct h2_c1 {
    conn_rec *c;
    server_rec *s;               /* the server of the connection (after SNI) */
    const h2_srv_config *cfg;
    h2_session *engine;
    int is_tls;
    const char *proto;           /* "h2" or "h2c" */
    apr_socket_t *sock;
    h2_hub *hub;                 /* what workers share: lock, news list, wakeup, the
                                  * pending streams; NULL once c1_cleanup freed it */
    apr_pool_t *ps_pool;         /* the pollset's pool; hub->pollset (socket + wakeup
                                  * pipe) exists only while the session is busy or waits on
                                  * this thread (idle connections handed back to the MPM
                                  * hold no extra descriptors) */
    apr_pollfd_t sockfd;

    h2_strm *free_strms;
    h2_strm *active_head;
    h2_strm *new_head, *new_tail; /* c1: streams to hand to workers after this read */
    int may_queue;               /* c1: streams may be queued (look at the queue) */
    apr_uint32_t esc_taken;      /* c1: hub->taken when last looked at ... */
    apr_time_t esc_since;        /* c1: ... and when it changed last */
    apr_interval_time_t batch_wait; /* c1: poll timeout while streams are queued (grows
                                  * while nothing happens) */
    int strms_active;            /* c1: streams given to workers and not released */

    h2_c1_io io;                 /* buffers and state of c1's I/O */

    apr_interval_time_t stream_timeout;
    apr_time_t next_stall_check;
    int done;
    int mpm_stopping_seen;
    int stop_level;              /* h2_c1_child_stop_level() when c1_work last looked */
    int sb_busy;                 /* c1's scoreboard slot shows a running stream */
    int on_cb;                   /* the session runs on an MPM timed callback: c->sbh is
                                  * the slot of the thread that parked it (or NULL, the
                                  * MPM clears it after its suspend hooks): never read
                                  * then; cb_sbh is the callback thread's own slot */
    ap_sb_handle_t *cb_sbh;      /* on_cb: the slot of the thread running the callback
                                  * (NULL: not found; the requests counted wait in
                                  * sb_defer_* for the next MPM thread then) */
    unsigned long sb_defer_count;
    apr_off_t sb_defer_bytes;
    int draining;                /* h2_c1_drain runs: the session ends */
    int parked_busy;             /* handed back to the MPM with streams open (the client
                                  * reads nothing, or they wait for their workers);
                                  * cleared when the loop runs again */
    int ended;                   /* the session ended on a callback: the connection waits
                                  * in the MPM for the client to close it */
    struct h2_c1_park *park;     /* who runs the session; parking for workers (NULL: not
                                  * with this MPM, h2_c1_park.h) */
    struct h2_push_diary *push_diary; /* c1: resources pushed on this connection (NULL
                                       * until the first push) */
    int flow_errors;             /* c1: RST_STREAM(FLOW_CONTROL_ERROR) sent (H2MaxStreamErrors) */
    h2_session_config ecfg;      /* c1: the engine's configuration (what we announce) */
    /* c1: counters of the http2-status handler (h2_status.c) */
    apr_uint64_t st_responses;   /* final responses submitted */
    apr_uint64_t st_resets_in;   /* streams the client reset (RST_STREAM, not NO_ERROR) */
    apr_uint64_t st_push_submits; /* pushed streams handed to workers */
    apr_uint64_t st_push_resets; /* pushed streams the client reset */
};

/* c1 thread: set up and run the session on c (TLS or cleartext). upgrade_r: the HTTP/1.1
 * request of an h2c Upgrade (becomes stream 1), else NULL. Returns when the connection
 * is finished (DONE), or OK when the connection was handed back to the MPM idle. */
int h2_c1_run(conn_rec *c, request_rec *upgrade_r, const char *http2_settings);

/* An MPM worker thread, on a timed callback that took the session parked for its
 * workers (h2_c1_park.c): run the loop until the session parks again, goes idle, is
 * wanted by the MPM's thread or ends; the session is let go on return. */
void h2_c1_run_parked(h2_c1 *c1, ap_sb_handle_t *sbh);

/* The thread owning the connection (c1; the MPM's thread in pre_close; the stopping
 * thread for a parked connection): make sure the client gets the final GOAWAY(NO_ERROR,
 * last stream processed) before the connection closes; nothing when the session sent it
 * already or the connection is broken. Never blocks (c1's writes never do): when output
 * still waits for the socket, the GOAWAY goes behind it for the MPM's flush at the close.
 * nonblock: kept for the callers' intent (always non-blocking now). Returns 1 when a
 * GOAWAY was queued or written. */
int h2_c1_goaway_final(h2_c1 *c1, int nonblock, const char *why);

/* The thread the MPM closes a parked connection on (pre_close, an MPM worker thread): a
 * connection parked busy (its client read nothing, H2_C1_WRITE_PARK) still has streams
 * on workers: stop them and wait for the last to leave (h2_c1_drain), so that nothing
 * of the connection is used after its pool is gone. */
void h2_c1_end_parked(h2_c1 *c1);

/* Is c a connection we serve (or the c2 of one)? */
int h2_c1_is_h2(conn_rec *c);

static APR_INLINE apr_uint64_t h2_c1_now_ms(void)
{
    return (apr_uint64_t)(apr_time_now() / 1000);
}

/* --- h2_c1_engine.c --- */

/* The engine's callbacks (user data: the h2_c1). */
extern const h2_session_callbacks h2_c1_engine_callbacks;

/* --- h2_c1_dispatch.c (c1 thread) --- */

/* A new stream record (released by c1 when both sides are done). */
h2_strm *h2_c1_strm_new(h2_c1 *c1, uint32_t id);
/* Release a stream record (its queues, headers, engine link). */
void h2_c1_strm_release(h2_c1 *c1, h2_strm *strm);
/* The connection is idle: free the stream records kept for reuse. */
void h2_c1_strm_trim(h2_c1 *c1);
/* Queue a stream (e.g. a pushed one) for a worker; h2_c1_dispatch_new hands it over. */
void h2_c1_strm_dispatch(h2_c1 *c1, h2_strm *strm);
/* Lock held: take a dispatched stream off the queue before a worker has it (1), or 0
 * when a worker has (had) it. A stream closed while queued is released at once. */
int h2_c1_strm_unqueue_locked(h2_c1 *c1, h2_strm *strm);
/* The MPM gave the connection to this thread again (a resumed process_connection, or a
 * timed callback: then its slot is c1->cb_sbh): its scoreboard slot shows the session
 * busy (the MPM left it "ready"), with the request line of a running stream, so that
 * mod_status and h2_c1_park_threads_short count it. */
void h2_c1_status_resumed(h2_c1 *c1);
/* The requests workers ran, counted in the slot of the thread running the session (on a
 * callback without a slot of its own: they wait for the next MPM thread, h2_c1.h
 * on_cb). */
void h2_c1_status_flush(h2_c1 *c1);
/* Hand the streams queued since the last call to workers. */
void h2_c1_dispatch_new(h2_c1 *c1);
/* Take the news workers reported (responses, data, resets, ends) to the engine. */
void h2_c1_process_dirty(h2_c1 *c1);
/* Reset streams whose output made no progress for the stream timeout (once a second). */
void h2_c1_check_stalls(h2_c1 *c1);
/* No worker holds or reports anything for this session. */
int h2_c1_quiet(h2_c1 *c1);
/* Streams wait for a worker of the pool (queued, or not yet handed over)? */
int h2_c1_streams_queued(h2_c1 *c1);
/* Are there news from workers not yet processed? */
int h2_c1_has_news(h2_c1 *c1);
/* c1 is about to poll for *wait: 1 when news came meanwhile (do not wait); else workers
 * now wake c1 for news, and *wait is shortened while streams are queued. */
int h2_c1_wait_begin(h2_c1 *c1, apr_interval_time_t *wait);
/* c1 is back from poll (timed_out: nothing woke it). */
void h2_c1_wait_end(h2_c1 *c1, int timed_out);
/* The pollset (socket + wakeup pipe) workers wake c1 through. */
apr_status_t h2_c1_pollset_ensure(h2_c1 *c1);
/* Poll the socket for writability too (on) or for input only. */
apr_status_t h2_c1_pollset_want_write(h2_c1 *c1, int on);
/* Only when no worker can reach the session (h2_c1_quiet). */
void h2_c1_pollset_drop(h2_c1 *c1);
/* child_stopping hook (any thread): wake every busy session so it sees the stop now. */
void h2_c1_child_stopping(apr_pool_t *pchild, int graceful);
/* The child stops without grace (stop, restart): sessions end now, streams or not. */
int h2_c1_child_stop_hard(void);
/* any thread: the child began to stop (graceful or hard; set by child_stopping) */
int h2_c1_child_is_stopping(void);
/* any thread: 0 running, 1 stopping gracefully, 2 stopping hard (set by child_stopping
 * before it wakes the busy sessions: a session that joined the busy list after that wake
 * sees the level changed, h2_c1.c c1_wait) */
int h2_c1_child_stop_level(void);
/* The connection is going away (an MPM thread, which may block): stop every stream and
 * wait until the last job of the session has left, as long as its handlers run (a
 * WARNING at the first bound and every 30 s), so that no c2 reaches c1's memory after
 * the MPM recycled it; a child that stops hard ends from here when they do not return
 * (h2_c1_dispatch.c). */
void h2_c1_drain(h2_c1 *c1);

#endif /* H2_C1_H */
