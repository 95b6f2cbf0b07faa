/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_c1.c -- the session on the client connection's thread: set-up, the loop, the end.
 * See h2_c1.h.
 *
 * One loop iteration: read everything c1's input filters have (non-blocking, so bytes
 * pending inside mod_ssl are drained), feed the engine; collect what workers reported
 * (one wakeup per batch); let the engine produce frames into one output buffer; pass
 * them through c1's output filters with a single FLUSH; then wait on the socket and the
 * workers' wakeup pipe together.
 */
#include <stdlib.h>
#include <string.h>

#include "apr_strings.h"
#include "apr_time.h"
#include "apr_general.h"
#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_connection.h"
#include "http_protocol.h"
#include "http_log.h"
#include "ap_mpm.h"
#include "mod_ssl.h"

#include "h2_log.h"
#include "h2_ctx.h"
#include "h2_c1.h"
#include "h2_c2.h"
#include "h2_push.h"
#include "h2_ws.h"
#include "h2_workers.h"
#include "h2_c1_idle.h"
#include "h2_c1_park.h"

APLOG_USE_MODULE(h2);

int h2_c1_is_h2(conn_rec *c)
{
    h2_conn_ctx *ctx;
    if (!c) return 0;
    ctx = h2_ctx_get(c);
    if (ctx && (ctx->proto || ctx->is_c2)) return 1;
    return c->master ? h2_c1_is_h2(c->master) : 0;
}

static int c1_mpm_stopping(void)
{
    int state = AP_MPMQ_RUNNING;
    ap_mpm_query(AP_MPMQ_MPM_STATE, &state);
    return state == AP_MPMQ_STOPPING;
}

/* ---------------------------------------------------------------------------------- */
/* setup */

/* RFC 9113 §9.2: TLS 1.2 or later; with TLS 1.2 only ephemeral key exchange and AEAD
 * ciphers (the §9.2.2 / Appendix A block list is everything else). */
static int c1_tls_adequate(h2_c1 *c1)
{
    APR_OPTIONAL_FN_TYPE(ssl_var_lookup) *lookup = APR_RETRIEVE_OPTIONAL_FN(ssl_var_lookup);
    const char *proto, *cipher;
    if (!lookup) return 1;
    proto = lookup(c1->c->pool, c1->s, c1->c, NULL, "SSL_PROTOCOL");
    cipher = lookup(c1->c->pool, c1->s, c1->c, NULL, "SSL_CIPHER");
    if (!proto || !*proto) return 1;
    if (!strcmp(proto, "SSLv3") || !strcmp(proto, "TLSv1") || !strcmp(proto, "TLSv1.1"))
        return 0;
    if (!strcmp(proto, "TLSv1.2") && cipher) {
        if (strncmp(cipher, "ECDHE-", 6) && strncmp(cipher, "DHE-", 4)) return 0;
        if (!ap_strstr_c(cipher, "GCM") && !ap_strstr_c(cipher, "CHACHA20")
            && !ap_strstr_c(cipher, "CCM"))
            return 0;
    }
    return 1;
}

/* Inline mode (no worker pool, e.g. prefork): a stream's handler runs on this thread,
 * called from h2_c1_dispatch_new in the loop (never from inside the engine). When it waits
 * for request body or for room for its output, c1's I/O runs from here: the streams' news
 * go to the engine (the response, consumed body as WINDOW_UPDATE), frames are written,
 * and input is read, waiting at most timeout for it. Streams that arrive meanwhile are
 * only queued; they run after this one. So request bodies and responses stay within the
 * windows and H2StreamMaxMemSize as with workers. */
static apr_status_t c1_inline_pump(void *baton, apr_interval_time_t timeout)
{
    h2_c1 *c1 = baton;
    apr_status_t rv;
    if (c1->done || c1->c->aborted) return APR_ECONNABORTED;
    h2_c1_process_dirty(c1);
    if (h2_c1_io_write(c1) != APR_SUCCESS) {
        c1->done = 1;
        return APR_ECONNABORTED;
    }
    rv = h2_c1_io_read(c1, APR_NONBLOCK_READ);
    if (APR_STATUS_IS_EAGAIN(rv) && timeout > 0) {
        apr_int32_t n = 0;
        apr_pollfd_t pfd = c1->sockfd;
        pfd.p = c1->c->pool;
        /* output waiting for the socket: its writability is progress too */
        pfd.reqevents = APR_POLLIN | (h2_c1_io_pending(c1) ? APR_POLLOUT : 0);
        rv = apr_poll(&pfd, 1, &n, timeout);
        if (rv == APR_SUCCESS && n > 0) rv = h2_c1_io_read(c1, APR_NONBLOCK_READ);
        else if (rv == APR_SUCCESS || APR_STATUS_IS_TIMEUP(rv)) return APR_TIMEUP;
    }
    if (rv == APR_SUCCESS || APR_STATUS_IS_EAGAIN(rv)) {
        h2_c1_process_dirty(c1);
        if (h2_c1_io_write(c1) != APR_SUCCESS) {
            c1->done = 1;
            return APR_ECONNABORTED;
        }
        return APR_STATUS_IS_EAGAIN(rv) ? APR_TIMEUP : APR_SUCCESS;
    }
    /* the connection is gone */
    c1->done = 1;
    return APR_ECONNABORTED;
}

/* any thread (a worker with news, under the hub's lock): the hub's wake of a parked
 * session */
static void c1_park_wake_any(void *baton)
{
    h2_c1_park_wake(baton);
}

static apr_status_t c1_cleanup(void *data)
{
    h2_c1 *c1 = data;
    h2_strm *strm;
    if (c1->hub && !c1->draining && c1->strms_active > 0) {
        /* the MPM frees the connection without ending the session (no process_connection
         * or pre_close came back, e.g. an error in its listener): the streams' workers
         * must leave before anything here goes */
        c1->done = 1;
        h2_c1_drain(c1);
    }
    if (c1->hub) {
        h2_hub_lock(c1->hub);
        c1->hub->c1_parked = 0;
        c1->hub->park_wake = NULL;
        c1->hub->park_baton = NULL;
        h2_hub_unlock(c1->hub);
    }
    if (c1->engine) {
        h2_session_free(c1->engine);
        c1->engine = NULL;
    }
    h2_c1_io_cleanup(c1);
    h2_push_diary_free(c1->push_diary);
    c1->push_diary = NULL;
    while ((strm = c1->free_strms)) {
        c1->free_strms = strm->next_free;
        h2_strm_destroy(strm);
    }
    /* streams never dispatched (set-up failed); the drain released all others */
    while ((strm = c1->active_head)) {
        c1->active_head = strm->next_active;
        h2_strm_clear(strm);
        h2_strm_destroy(strm);
    }
    /* the pollset's pool has an allocator of its own (h2_c1_pollset_ensure): not a
     * subpool of c->pool, so it goes here */
    if (c1->hub) h2_c1_pollset_drop(c1);
    if (c1->ps_pool) {
        apr_pool_destroy(c1->ps_pool);   /* no worker reaches it any more */
        c1->ps_pool = NULL;
    }
    /* no job of the session is left (h2_c1_drain waited for the last) */
    h2_hub_destroy(c1->hub);
    c1->hub = NULL;
    /* callbacks still registered for the session find it gone */
    h2_c1_park_gone(c1->park);
    c1->park = NULL;
    return APR_SUCCESS;
}


static h2_c1 *c1_create(conn_rec *c)
{
    h2_c1 *c1 = apr_pcalloc(c->pool, sizeof(*c1));
    h2_session_config cfg;
    APR_OPTIONAL_FN_TYPE(ssl_is_https) *is_https = APR_RETRIEVE_OPTIONAL_FN(ssl_is_https);
    int limit;

    h2_conn_ctx *ctx = h2_ctx_get(c);

    c1->c = c;
    c1->s = ctx && ctx->server ? ctx->server : c->base_server;
    c1->cfg = h2_config_sget(c1->s);
    c1->is_tls = is_https && is_https(c);
    c1->proto = c1->is_tls ? "h2" : "h2c";
    c1->sock = ap_get_conn_socket(c);
    h2_c1_io_init(c1);
    c1->hub = h2_hub_create(c, c1->proto, (apr_size_t)c1->cfg->stream_max_mem);
    if (!c1->hub) return NULL;
    /* from here on c1_cleanup releases what c1 holds, whatever happens */
    apr_pool_cleanup_register(c->pool, c1, c1_cleanup, apr_pool_cleanup_null);
    c1->stream_timeout = h2_config_stream_timeout(c1->s, NULL);
    if (c1->stream_timeout <= 0) c1->stream_timeout = apr_time_from_sec(60);
    c1->sockfd.desc_type = APR_POLL_SOCKET;
    c1->sockfd.desc.s = c1->sock;
    c1->sockfd.reqevents = APR_POLLIN;
    c1->sockfd.client_data = c1;

    h2_session_config_init(&cfg);
    cfg.max_concurrent_streams = (uint32_t)c1->cfg->max_streams;
    cfg.initial_window_size = (uint32_t)c1->cfg->window_size;
    cfg.max_frame_size = (uint32_t)c1->cfg->max_frame_size;
    cfg.header_table_size = (uint32_t)c1->cfg->header_table_size;
    limit = c1->s->limit_req_fieldsize > 0 ? c1->s->limit_req_fieldsize : 8190;
    cfg.max_header_list_size = (uint32_t)(limit + 32) > 65536u ? (uint32_t)(limit + 32) : 65536u;
    cfg.max_header_fields = c1->s->limit_req_fields > 0 ? (uint32_t)c1->s->limit_req_fields : 1000;
    cfg.conn_window_size = (uint32_t)c1->cfg->conn_window_size;
    cfg.max_continuations = (uint32_t)c1->cfg->max_continuations;
    cfg.max_resets = (uint32_t)c1->cfg->reset_budget;
    cfg.max_glitches = (uint32_t)c1->cfg->reset_budget;
    cfg.max_control_queued = (uint32_t)c1->cfg->control_budget;
    cfg.max_empty_frames = (uint32_t)c1->cfg->empty_frame_budget;
    cfg.max_data_frame_len = (uint32_t)c1->cfg->max_data_frame_len;
    cfg.max_oversized_blocks = (uint32_t)c1->cfg->oversized_budget;
    cfg.enable_connect_protocol = h2_ws_c1_enabled(c1->s) ? 1 : 0;  /* RFC 8441 */
    if (c1->cfg->padding_bits > 0) {
        cfg.padding_bits = (uint32_t)c1->cfg->padding_bits;
        if (apr_generate_random_bytes((unsigned char *)&cfg.padding_seed,
                                      sizeof(cfg.padding_seed)) != APR_SUCCESS)
            cfg.padding_seed = (uint64_t)apr_time_now() ^ (uint64_t)(apr_uintptr_t)c1;
    }
    if (!h2_workers_get()) {
        /* no worker pool: streams run on this thread and do c1's I/O while they wait */
        c1->hub->inline_pump = c1_inline_pump;
        c1->hub->inline_baton = c1;
    }
    else if ((c1->park = h2_c1_park_create(c1, c->base_server->timeout))) {
        c1->hub->park_wake = c1_park_wake_any;
        c1->hub->park_baton = c1->park;
    }
    c1->ecfg = cfg;
    c1->engine = h2_session_new(&cfg, &h2_c1_engine_callbacks, c1);
    if (!c1->engine) return NULL;
    /* the push diary is made on the first push (h2_c1_push.c) */
    return c1;
}

/* ---------------------------------------------------------------------------------- */
/* the loop */

/* How long the end of a connection in a stopping child waits for the client to take
 * its last output */
#define H2_DRAIN_STOPPING  apr_time_from_msec(500)

/* What the loop does after a round of work */
typedef enum {
    C1_AGAIN,       /* more work right away */
    C1_WAIT,        /* poll the socket and the wakeup pipe for loop->wait */
    C1_HANDBACK,    /* idle: give the connection back to the MPM */
    C1_PARK,        /* streams wait for their workers: give the thread back until news */
    C1_END          /* the connection is over */
} c1_next;

typedef struct c1_loop {
    int async;                   /* the MPM can take the idle connection back */
    int can_waitio;              /* ... as CONN_STATE_ASYNC_WAITIO (AP_MPMQ_CAN_WAITIO) */
    apr_interval_time_t idle_timeout;
    apr_time_t idle_deadline;    /* idle on this thread until then (0: not idle) */
    apr_interval_time_t wait;    /* poll timeout of this round */
    int idle_wait;               /* this round waits idle (no stream open) */
    int lingered;                /* waited H2_C1_LINGER since the last stream ended */
    int on_cb;                   /* runs on an MPM timed callback (h2_c1_park.h), not in
                                  * process_connection: the connection stays in the
                                  * MPM's wait-io queue for reading meanwhile */
    apr_interval_time_t quiet;   /* streams run, and waits brought nothing for so long */
} c1_loop;

/* When the last open stream ended, wait this long for the client's next requests before
 * the connection goes back to the MPM: a busy client's next requests usually follow at
 * once, and the round through the MPM (and our pollset made again) costs far more than
 * a short poll. */
#define H2_C1_LINGER apr_time_from_msec(2)

/* Output that waited this long for a socket that took nothing (the client reads nothing
 * or slowly) makes a busy connection give its thread back: the MPM waits for POLLOUT
 * (CONN_STATE_ASYNC_WAITIO, CONN_SENSE_WANT_WRITE) within Timeout, and the loop goes on
 * when the client reads again. A client that reads at all drains a socket buffer far
 * sooner; the own poll is cheaper than a round through the MPM then. */
#define H2_C1_WRITE_PARK apr_time_from_msec(20)

/* Streams that ran this long without news (and output nothing waits, and none waits
 * for a worker of the pool) let the session give its thread back, when the child's MPM
 * threads run short (h2_c1_park.h); then looked at again every H2_C1_PARK_CHECK.
 * Not shorter: a parked session depends on the MPM's listener for its PING ACK before
 * the wait-io Timeout, and an overloaded listener (h2load -c 1000 -m 100 on 1 KB against
 * 200 threads, 2 cores) blocks for free threads; with 50 ms, sessions whose handlers
 * were merely starved of CPU parked too, and 2 runs in 3 lost 84-86 connections. On a
 * callback, output that waits for the socket is tried again after H2_C1_PARK_RETRY (the
 * MPM waits for reading then). */
#define H2_C1_WORKER_PARK apr_time_from_msec(250)
#define H2_C1_PARK_CHECK apr_time_from_msec(250)
#define H2_C1_PARK_RETRY apr_time_from_msec(100)

/* A new session on c: engine, the client preface read in direct mode, stream 1 of an h2c
 * Upgrade. NULL when the connection is over already (*result: what to return). */
static h2_c1 *c1_start(conn_rec *c, h2_conn_ctx *ctx, request_rec *upgrade_r,
                       const char *http2_settings, int *result)
{
    h2_c1 *c1 = c1_create(c);
    *result = DONE;
    if (!c1) {
        ap_log_cerror(APLOG_MARK, APLOG_ERR, 0, c, H2LOGNO(00305)
                      "h2: could not set up the session");
        return NULL;
    }
    ctx->c1 = c1;
    if (!ctx->proto) ctx->proto = c1->proto;
    /* mod_reqtimeout watched the TLS handshake (and an Upgrade's HTTP/1.1 request); its
     * stages end with a request on c1, which HTTP/2 never has: out of the way, or its
     * handshake/header timer would end the session. Streams have their own (on c2). */
    ap_remove_input_filter_byhandle(c->input_filters, "reqtimeout");
    if (c1->is_tls && c1->cfg->modern_tls_only && !c1_tls_adequate(c1)) {
        ap_log_cerror(APLOG_MARK, APLOG_INFO, 0, c, H2LOGNO(00306)
                      "h2: TLS version or cipher not adequate for HTTP/2 (H2ModernTLSOnly)");
        h2_session_submit_goaway(c1->engine, 0, H2_INADEQUATE_SECURITY, "TLS");
        h2_c1_io_write(c1);
        c->keepalive = AP_CONN_CLOSE;
        return NULL;
    }
    if (ctx->preface_consumed) {
        /* direct mode read the preface already: the engine still wants it first */
        ctx->preface_consumed = 0;
        h2_session_recv(c1->engine, (const uint8_t *)H2_PREFACE, H2_PREFACE_LEN,
                        h2_c1_now_ms());
    }
    if (upgrade_r) {
        h2_strm *strm = h2_c1_strm_new(c1, 1);
        if (!strm || h2_c2_upgrade_stream(strm, upgrade_r) != 0
            || h2_session_upgrade(c1->engine, http2_settings,
                                  strlen(http2_settings), strm) != H2_SESS_OK) {
            ap_log_cerror(APLOG_MARK, APLOG_DEBUG, 0, c, H2LOGNO(00307)
                          "h2c upgrade: bad HTTP2-Settings");
            if (strm) h2_c1_strm_release(c1, strm);  /* its headers and body */
            c->keepalive = AP_CONN_CLOSE;
            return NULL;
        }
        h2_c1_strm_dispatch(c1, strm);
        h2_c1_dispatch_new(c1);
    }
    ap_log_cerror(APLOG_MARK, APLOG_DEBUG, 0, c, H2LOGNO(00308)
                  "h2: session started (%s)", c1->proto);
    return c1;
}

/* One round of protocol work: input, workers' news, timers, output. */
static void c1_work(h2_c1 *c1)
{
    conn_rec *c = c1->c;
    apr_status_t rv = h2_c1_io_read(c1, APR_NONBLOCK_READ);
    ap_log_cerror(APLOG_MARK, APLOG_TRACE2, rv, c, H2LOGNO(00310)
                  "h2 loop: read, active=%d want_write=%d", c1->strms_active,
                  h2_session_want_write(c1->engine));
    if (rv != APR_SUCCESS && !APR_STATUS_IS_EAGAIN(rv)) {
        if (!c1->done && !APR_STATUS_IS_EOF(rv))
            ap_log_cerror(APLOG_MARK, APLOG_DEBUG, rv, c, H2LOGNO(00309)
                          "h2: reading from client");
        c1->done = 1;
    }
    h2_c1_dispatch_new(c1);
    h2_c1_process_dirty(c1);
    h2_c1_dispatch_new(c1);   /* pushed streams promised while processing responses */
    c1->stop_level = h2_c1_child_stop_level();   /* before the looks at the stop below */
    if (!c1->mpm_stopping_seen && c1_mpm_stopping()) {
        h2_session_stats st;
        c1->mpm_stopping_seen = 1;
        h2_session_get_stats(c1->engine, &st);
        /* a parked connection got its final GOAWAY from the stopping thread already
         * (h2_c1_idle.c): the last-stream-id must never go up again (RFC 9113 §6.8) */
        if (!st.goaway_sent) {
            ap_log_cerror(APLOG_MARK, APLOG_DEBUG, 0, c, H2LOGNO(00314)
                          "h2: child is stopping, sending GOAWAY");
            h2_session_submit_goaway(c1->engine, 1, H2_NO_ERROR, "shutdown");
        }
    }
    if (c1->mpm_stopping_seen && h2_c1_child_stop_hard() && !c1->done) {
        /* stop or restart: the MPM closes its connections now (a graceful stop lets the
         * streams finish): the GOAWAY goes out below, then the session ends */
        ap_log_cerror(APLOG_MARK, APLOG_DEBUG, 0, c, H2LOGNO(00605)
                      "h2: child stops now, ending the session (%d streams)",
                      c1->strms_active);
        c1->done = 1;
    }
    if (c1->strms_active) h2_c1_check_stalls(c1);
    h2_session_tick(c1->engine, h2_c1_now_ms());
    if (h2_c1_io_write(c1) != APR_SUCCESS && !c1->done) c1->done = 1;
}

/* After a round of work: go on, wait (how long), hand back or end. */
static c1_next c1_decide(h2_c1 *c1, c1_loop *loop)
{
    conn_rec *c = c1->c;
    apr_uint64_t t;
    if (c1->done || c->aborted || h2_session_is_done(c1->engine)) return C1_END;
    /* frames to write, unless earlier output still waits for the socket */
    if (h2_session_want_write(c1->engine) && !h2_c1_io_pending(c1)) return C1_AGAIN;
    /* news marked from inside our own callbacks: handle before waiting */
    if (h2_c1_has_news(c1)) return C1_AGAIN;

    loop->idle_wait = 0;
    if (c1->strms_active) loop->lingered = 0;
    if (c1->strms_active == 0 && !h2_c1_quiet(c1)) {
        /* a worker is just leaving this session: look again very soon */
        loop->wait = apr_time_from_msec(1);
    }
    else if (c1->strms_active == 0) {
        apr_time_t now;
        if (c1->mpm_stopping_seen) {
            /* c1_end sends the final GOAWAY; but while only the first step of §6.8 is out
             * (last-stream-id 2^31-1), requests the client sent before it saw it are
             * still on their way (a connection accepted just before the child began to
             * stop, MaxConnectionsPerChild: Apache PR 65731): wait for the client's PING
             * ACK, on which the engine sends the final GOAWAY, or its graceful timeout */
            h2_session_stats st;
            h2_session_get_stats(c1->engine, &st);
            if (!st.goaway_sent || st.goaway_sent_last_id != H2_STREAM_ID_MASK
                || h2_c1_child_stop_hard())
                return C1_END;
            loop->wait = apr_time_from_msec(200);   /* the engine's timer bounds it */
        }
        else if (loop->async && !c->data_in_input_filters) {
            /* a short linger first (H2_C1_LINGER), then back to the MPM (WAITIO) */
            if (loop->lingered) return C1_HANDBACK;
            loop->lingered = 1;
            loop->wait = H2_C1_LINGER;
            return C1_WAIT;
        }
        else {
            /* wait in steps of a second: a graceful stop is noticed in time */
            now = apr_time_now();
            if (!loop->idle_deadline) loop->idle_deadline = now + loop->idle_timeout;
            loop->wait = loop->idle_deadline > now ? loop->idle_deadline - now : 0;
            if (loop->wait > apr_time_from_sec(1)) loop->wait = apr_time_from_sec(1);
            loop->idle_wait = 1;
        }
    }
    else {
        /* streams in progress: look at stalls once a second */
        loop->wait = apr_time_from_sec(1);
        if (c1->mpm_stopping_seen) loop->wait = apr_time_from_msec(200);
        if (h2_c1_io_pending(c1) && loop->async && loop->can_waitio
            && !c1->mpm_stopping_seen && !h2_c1_child_is_stopping()) {
            /* on a callback the MPM waits for reading: the retry looks again */
            if (loop->on_cb) return C1_HANDBACK;
            /* output waits for the socket: after H2_C1_WRITE_PARK without the socket
             * taking anything, and without input (a client busy sending, an upload, is
             * still read here: a client that reads only once it sent everything would
             * wait for us otherwise), the MPM waits for POLLOUT instead of this thread */
            apr_time_t since = c1->io.stall_since, now = apr_time_now();
            if (since && now - since >= H2_C1_WRITE_PARK
                && now - c1->io.last_input >= H2_C1_WRITE_PARK)
                return C1_HANDBACK;
            if (loop->wait > H2_C1_WRITE_PARK) loop->wait = H2_C1_WRITE_PARK;
        }
        else if (!h2_c1_io_pending(c1) && c1->park && loop->async && loop->can_waitio
                 && !c1->mpm_stopping_seen && !h2_c1_child_is_stopping()) {
            /* the streams' workers have nothing for us: on a callback give the thread
             * back at once; on our own after H2_C1_WORKER_PARK, if threads run short */
            if (loop->on_cb) return C1_PARK;
            /* waiting for handlers, not for our own pool: streams queued for a worker
             * keep the thread (the pool is busy; holding the thread slows down what
             * the MPM accepts, and such a session has news again soon) */
            if (loop->quiet >= H2_C1_WORKER_PARK && !h2_c1_streams_queued(c1)
                && h2_c1_park_threads_short())
                return C1_PARK;
            if (loop->wait > H2_C1_PARK_CHECK) loop->wait = H2_C1_PARK_CHECK;
            if (loop->quiet < H2_C1_WORKER_PARK && loop->wait > H2_C1_WORKER_PARK - loop->quiet)
                loop->wait = H2_C1_WORKER_PARK - loop->quiet;
        }
    }
    t = h2_session_next_timer(c1->engine);
    if (t) {
        apr_uint64_t n = h2_c1_now_ms();
        apr_interval_time_t tw = t > n ? apr_time_from_msec(t - n) : 0;
        if (tw < loop->wait) loop->wait = tw;
    }
    return C1_WAIT;
}

/* Wait for the socket or a worker's wakeup. 0 to go on, -1 when the connection ends. */
static int c1_wait(h2_c1 *c1, c1_loop *loop)
{
    apr_status_t rv;
    apr_int32_t nev = 0, i;
    const apr_pollfd_t *ev;
    int pending = h2_c1_io_pending(c1), writable = 0;
    if ((rv = h2_c1_pollset_ensure(c1)) != APR_SUCCESS
        || (rv = h2_c1_pollset_want_write(c1, pending)) != APR_SUCCESS) {
        ap_log_cerror(APLOG_MARK, APLOG_ERR, rv, c1->c, H2LOGNO(00317)
                      "h2: cannot create a pollset");
        return -1;
    }
    if (h2_c1_child_stop_level() != c1->stop_level) {
        /* the child began to stop (or to stop hard) since this round looked: the stop
         * hook's wake walks the busy sessions once and missed a pollset made after it
         * (h2_c1_child_stopping). A poll is all that could hold a session here (its
         * reads and writes never block), and the MPM's hard stop closes only the
         * sockets of its threads in process_connection, never those of sessions on a
         * callback: the next round sees the stop and ends or winds down the session */
        return 0;
    }
    if (h2_c1_wait_begin(c1, &loop->wait)) {   /* news came meanwhile */
        loop->quiet = 0;
        return 0;
    }
    rv = apr_pollset_poll(c1->hub->pollset, loop->wait, &nev, &ev);
    h2_c1_wait_end(c1, APR_STATUS_IS_TIMEUP(rv));
    if (APR_STATUS_IS_TIMEUP(rv) && c1->strms_active && !pending) loop->quiet += loop->wait;
    else loop->quiet = 0;
    for (i = 0; rv == APR_SUCCESS && i < nev; ++i)
        if (ev[i].desc.s == c1->sock && (ev[i].rtnevents & (APR_POLLOUT | APR_POLLERR
                                                             | APR_POLLHUP)))
            writable = 1;
    if (!loop->idle_wait) loop->idle_deadline = 0;
    else if (APR_STATUS_IS_TIMEUP(rv) && !pending) h2_c1_io_trim(c1);   /* idle here */
    if (pending && h2_c1_io_stalled(c1, apr_time_now(), writable)) {
        /* the client reads nothing: this connection must not hold the thread (nor
         * memory) forever. Nothing more can be sent: close without lingering. */
        ap_log_cerror(APLOG_MARK, APLOG_INFO, 0, c1->c, H2LOGNO(00603)
                      "h2: the client took no data for %" APR_TIME_T_FMT " s with "
                      "output waiting: closing the connection",
                      apr_time_sec(c1->io.stall_timeout));
        c1->c->aborted = 1;
        c1->done = 1;
        return -1;
    }
    if (APR_STATUS_IS_TIMEUP(rv) && loop->idle_wait && !c1->mpm_stopping_seen && !pending
        && apr_time_now() >= loop->idle_deadline && !h2_session_next_timer(c1->engine)) {
        /* keep-alive timeout on a connection we keep on this thread */
        h2_session_submit_goaway(c1->engine, 0, H2_NO_ERROR, "timeout");
        h2_c1_io_write(c1);
        return -1;
    }
    /* APR_EINTR: woken by a worker; readable: the next round reads; writable: the next
     * round writes what waits */
    return 0;
}

/* The session is idle and goes back to the MPM: nothing that can be made again is kept
 * while it waits there (the pollset, output buffers, stream records, the engine's scratch
 * buffers: all allocated again on the next work). */
static void c1_trim_idle(h2_c1 *c1)
{
    h2_c1_pollset_drop(c1);   /* h2_c1_quiet: no worker can reach it */
    h2_c1_io_trim(c1);
    h2_c1_strm_trim(c1);
    if (c1->hub) h2_hub_spare_drop(c1->hub);  /* no stream to reuse them */
    h2_session_trim(c1->engine);
}

/* The session is not (or no longer) parked for its workers: their news wake it through
 * its pollset again. */
static void c1_hub_unpark(h2_c1 *c1)
{
    c1->parked_busy = 0;
    if (!c1->hub) return;
    h2_hub_lock(c1->hub);
    c1->hub->c1_parked = 0;
    h2_hub_unlock(c1->hub);
}

/* Idle: give the thread back; the MPM calls us again when bytes arrive. The connection
 * waits as CONN_STATE_ASYNC_WAITIO where the MPM offers it: in the MPM's wait-io queue,
 * within Timeout, and never shed when all MPM threads are busy (the keep-alive queue of
 * CONN_STATE_WRITE_COMPLETION is closed wholesale then, and a keep-alive connection that
 * becomes readable while no thread is idle is closed too). See docs/ARCHITECTURE.md.
 * It is parked (h2_c1_idle_park) as the very last step, so that a close the MPM decides,
 * a graceful stop and a hard stop all reach it with a GOAWAY: once parked, the stopping
 * thread may write to it, so nothing here touches the connection afterwards. Returns OK,
 * or -1 when the child is stopping (the caller ends the connection). */
static int c1_hand_back(h2_c1 *c1, const c1_loop *loop)
{
    conn_rec *c = c1->c;
    if (c1->strms_active == 0) c1_trim_idle(c1);
    /* else busy, waiting for a client that reads nothing (H2_C1_WRITE_PARK): workers
     * still run streams and report to the hub (they wake nobody: c1 does not wait in the
     * pollset); the loop takes their news when the MPM gives the connection back */
    c1->sb_busy = 0;   /* the MPM takes the slot; the next thread shows the streams */
    c1->parked_busy = c1->strms_active > 0;
    ap_log_cerror(APLOG_MARK, APLOG_TRACE2, 0, c, H2LOGNO(00311)
                  "h2 loop: %s, back to the MPM (%s)",
                  c1->strms_active ? "output waits for the client" : "idle",
                  loop->can_waitio ? "wait-io" : "keep-alive");
    c->keepalive = AP_CONN_KEEPALIVE;
#ifdef AP_MPMQ_CAN_WAITIO
    if (loop->can_waitio) {
        /* output still waiting for the socket (a slow reader): come back when writable,
         * else when readable */
        c->cs->state = CONN_STATE_ASYNC_WAITIO;
        c->cs->sense = h2_c1_io_pending(c1) ? CONN_SENSE_WANT_WRITE : CONN_SENSE_WANT_READ;
    }
    else
#endif
    c->cs->state = CONN_STATE_WRITE_COMPLETION;
    if (h2_c1_idle_park(c1, 0)) {
        /* the record, not the connection: the MPM's Timeout counts from now */
        h2_c1_park_mpm_parked(c1->park);
        h2_c1_park_release(c1->park);
        return OK;
    }
    c1->parked_busy = 0;
    c->cs->state = CONN_STATE_PROCESSING;
    c->cs->sense = CONN_SENSE_DEFAULT;
    return -1;
}

/* Streams run but their workers have nothing for us (C1_PARK): the connection waits in
 * the MPM for reading (it is there already on a callback), parked on the idle list (so
 * that a close the MPM decides and a stop reach it with GOAWAY and stop its streams),
 * and the workers' next news, a retry after `retry` or the PING timer run the session
 * on a callback (h2_c1_park.h). 1 when parked (nothing here touches the connection
 * afterwards), 0 when the loop goes on instead (news came, the child stops). */
static int c1_park(h2_c1 *c1, const c1_loop *loop, apr_interval_time_t retry)
{
    conn_rec *c = c1->c;
    h2_hub *hub = c1->hub;
    h2_hub_lock(hub);
    if (hub->dirty_head) {
        h2_hub_unlock(hub);
        return 0;
    }
    hub->c1_parked = 1;
    hub->wake_pending = 0;   /* the next news wakes the session */
    h2_hub_unlock(hub);
    c1->sb_busy = 0;
    c1->parked_busy = 1;
    if (!loop->on_cb) {
        c->keepalive = AP_CONN_KEEPALIVE;
        c->cs->state = CONN_STATE_ASYNC_WAITIO;
        c->cs->sense = CONN_SENSE_WANT_READ;
        h2_c1_park_mpm_parked(c1->park);
    }
    ap_log_cerror(APLOG_MARK, APLOG_TRACE2, 0, c, H2LOGNO(00655)
                  "h2 loop: %d streams wait for their workers, back to the MPM (%s)",
                  c1->strms_active, loop->on_cb ? "from a callback" : "wait-io");
    /* on the MPM's thread the connection is the MPM's only once its suspend_connection
     * hooks ran: until then no callback runs the session, nor writes to it from the park
     * thread (h2_c1_idle_suspend); from a callback it never left the MPM */
    if (h2_c1_idle_park(c1, loop->on_cb)) {
        if (h2_c1_park_for_workers(c1->park, retry, loop->on_cb)) return 1;
        h2_c1_idle_unpark(c);   /* news came meanwhile */
    }
    c1_hub_unpark(c1);
    if (!loop->on_cb) {
        c->cs->state = CONN_STATE_PROCESSING;
        c->cs->sense = CONN_SENSE_DEFAULT;
    }
    return 0;
}

/* On a callback, the session is idle now: it waits in the MPM for reading already;
 * parked on the idle list like c1_hand_back does it. */
static void c1_idle_on_cb(h2_c1 *c1)
{
    c1_trim_idle(c1);
    c1->sb_busy = 0;
    c1->parked_busy = 0;
    ap_log_cerror(APLOG_MARK, APLOG_TRACE2, 0, c1->c, H2LOGNO(00656)
                  "h2 loop: idle on a callback, left to the MPM");
    if (!h2_c1_idle_park(c1, 1)) {
        /* the child stops: the connection stays in the MPM; the stopping thread's
         * GOAWAY could not reach it, so it goes out here */
        h2_c1_goaway_final(c1, 1, "shutdown");
    }
    h2_c1_park_release(c1->park);
}

void h2_c1_end_parked(h2_c1 *c1)
{
    c1_hub_unpark(c1);
    if (!c1->hub || c1->strms_active == 0) return;
    ap_log_cerror(APLOG_MARK, APLOG_DEBUG, 0, c1->c, H2LOGNO(00654)
                  "h2: MPM closes a connection with %d streams open (parked; its "
                  "client read nothing or answered no PING): stopping them",
                  c1->strms_active);
    c1->done = 1;
    h2_c1_drain(c1);
}

int h2_c1_goaway_final(h2_c1 *c1, int nonblock, const char *why)
{
    h2_session_stats st;

    if (!c1->engine || c1->c->aborted) return 0;
    h2_session_get_stats(c1->engine, &st);
    if (st.goaway_sent && st.goaway_sent_last_id != H2_STREAM_ID_MASK) return 0;
    if (h2_session_submit_goaway(c1->engine, 0, H2_NO_ERROR, why) != H2_SESS_OK) return 0;
    /* also when output still waits for the socket: the GOAWAY goes behind it, for the
     * MPM's flush at the close */
    /* nonblock: called on another thread (a stop, the MPM's pre_close): the plain
     * non-blocking pass only, never the FLUSHed small write (a hard stop closes sockets
     * under it: measured, the GOAWAY was lost then) */
    c1->io.no_small_flush = nonblock;
    h2_c1_io_write_last(c1);
    c1->io.no_small_flush = 0;
    return 1;
}

/* The connection ends: last frames out, streams stopped, workers drained. On a callback
 * (on_cb) the connection stays in the MPM for reading: the client closes it after the
 * GOAWAY (process_connection then finds the session ended), or the MPM's Timeout does. */
static int c1_end(h2_c1 *c1, int on_cb)
{
    conn_rec *c = c1->c;
    h2_session_stats st;
    h2_session_get_stats(c1->engine, &st);
    ap_log_cerror(APLOG_MARK, APLOG_DEBUG, c1->io.write_status, c, H2LOGNO(00313)
                  "h2: session ends (done=%d, aborted=%d, engine done=%d, streams=%d, "
                  "goaway sent=%d recv=%d, requests=%lu)",
                  c1->done, c->aborted, h2_session_is_done(c1->engine), c1->strms_active,
                  st.goaway_sent, st.goaway_received, (unsigned long)st.requests);
    if (c1->engine && !c->aborted) {
        /* no silent close: the final GOAWAY, also after the first step of a graceful
         * shutdown (harmless when the client went away first), behind what still waits
         * for the socket (the MPM writes it at the close) */
        h2_c1_goaway_final(c1, 0, c1->mpm_stopping_seen ? "shutdown" : NULL);
        h2_c1_io_write_last(c1);
    }
    h2_c1_dispatch_new(c1);
    /* until the last handler returned: nothing of c1 may go before (h2_c1_drain) */
    h2_c1_drain(c1);
    if (c1_mpm_stopping() && !c->aborted && !h2_c1_io_flush_for(c1, H2_DRAIN_STOPPING)) {
        /* a stopping child: what the client does not take now is dropped. The MPM's
         * flush at the close would block up to Timeout, and a hard stop closes the socket
         * under it without waking it: the child would be killed. */
        ap_log_cerror(APLOG_MARK, APLOG_DEBUG, 0, c, H2LOGNO(00604)
                      "h2: child stopping, the client does not take the last output: "
                      "dropped");
        c->aborted = 1;
    }
    c->keepalive = AP_CONN_CLOSE;
    if (c->cs && !on_cb) c->cs->state = CONN_STATE_LINGER;
    c1->ended = 1;
    h2_c1_park_release(c1->park);
    return DONE;
}

/* The loop, on the MPM's thread in process_connection or on a callback (loop->on_cb). */
static int c1_loop_run(h2_c1 *c1, c1_loop *loop)
{
    conn_rec *c = c1->c;
    while (!c1->done && !c->aborted) {
        c1_work(c1);
        switch (c1_decide(c1, loop)) {
        case C1_AGAIN:
            continue;
        case C1_HANDBACK:
            if (!loop->on_cb) {
                if (c1_hand_back(c1, loop) == OK) return OK;
                /* the child is stopping: end with GOAWAY, once the streams are done */
                if (c1->strms_active && c1_wait(c1, loop) == 0) continue;
                break;
            }
            /* on a callback: the MPM waits for reading (not for writing) */
            if (c1->strms_active == 0 && !h2_c1_io_pending(c1)) {
                c1_idle_on_cb(c1);
                return OK;
            }
            if (c1_park(c1, loop, H2_C1_PARK_RETRY)) return OK;
            if (c1_wait(c1, loop) == 0) continue;
            break;
        case C1_PARK:
            if (c1_park(c1, loop, 0)) return OK;
            continue;
        case C1_WAIT:
            if (loop->on_cb && h2_c1_park_wanted(c1->park)) {
                /* the client sent something: the MPM's thread waits to take over */
                c1->parked_busy = 0;
                c1->sb_busy = 0;   /* this callback's slot: the MPM's again */
                h2_c1_park_release(c1->park);
                return OK;
            }
            if (c1_wait(c1, loop) == 0) continue;
            break;
        case C1_END:
            break;
        }
        break;
    }
    return c1_end(c1, loop->on_cb);
}

static void c1_loop_init(h2_c1 *c1, c1_loop *loop, int async)
{
    memset(loop, 0, sizeof(*loop));
    loop->async = async;
#ifdef AP_MPMQ_CAN_WAITIO
    if (ap_mpm_query(AP_MPMQ_CAN_WAITIO, &loop->can_waitio) != APR_SUCCESS)
        loop->can_waitio = 0;
#endif
    loop->idle_timeout = c1->s->keep_alive_timeout > 0 ? c1->s->keep_alive_timeout
                                                        : apr_time_from_sec(5);
}

/* The session was parked for its workers or waits to write (h2_c1_park.h): back from
 * the MPM or not, it is no longer. */
static void c1_unparked(h2_c1 *c1)
{
    h2_c1_idle_unpark(c1->c);
    c1_hub_unpark(c1);
}

void h2_c1_run_parked(h2_c1 *c1, ap_sb_handle_t *sbh)
{
    c1_loop loop;
    c1_unparked(c1);
    c1_loop_init(c1, &loop, 1);
    loop.on_cb = 1;
    if (h2_c1_park_ping_due(c1->park)) {
        /* the MPM's Timeout is half over: the client's ACK brings the connection back
         * through the MPM, which starts it again */
        static const uint8_t opaque[8] = { 'h', '2', 'a', 'l', 'i', 'v', 'e', 0 };
        h2_session_submit_ping(c1->engine, opaque);
    }
    ap_log_cerror(APLOG_MARK, APLOG_TRACE2, 0, c1->c, H2LOGNO(00657)
                  "h2 loop: on a callback (%d streams)", c1->strms_active);
    /* c->sbh is the parking MPM thread's slot (the MPM clears it after its suspend
     * hooks): not ours to read or write. This thread's own slot shows the session
     * instead (h2_c1_park.c found it). on_cb is cleared by the next MPM thread that
     * takes the session (h2_c1_run), not here: once the loop let go, the MPM may close
     * the connection and free c1 */
    c1->on_cb = 1;
    c1->cb_sbh = sbh;
    h2_c1_status_resumed(c1);
    c1_loop_run(c1, &loop);
}

int h2_c1_run(conn_rec *c, request_rec *upgrade_r, const char *http2_settings)
{
    h2_conn_ctx *ctx = h2_ctx_create(c);
    h2_c1 *c1 = ctx->c1;
    c1_loop loop;
    int async = 0;

    if (!c1) {
        int result;
        c1 = c1_start(c, ctx, upgrade_r, http2_settings, &result);
        if (!c1) return result;
    }
    /* normally taken already by the resume_connection hook: a callback that runs the
     * session finishes first */
    h2_c1_park_take(c1->park);
    c1->on_cb = 0;   /* the MPM's thread: its slot is c->sbh */
    c1_unparked(c1);
    if (c1->ended) {
        /* ended on a callback: the client closed, or sent more after the GOAWAY */
        c->keepalive = AP_CONN_CLOSE;
        if (c->cs) c->cs->state = CONN_STATE_LINGER;
        h2_c1_park_release(c1->park);
        return DONE;
    }
    h2_c1_status_resumed(c1);
    ap_mpm_query(AP_MPMQ_IS_ASYNC, &async);
    if (!c->cs) async = 0;
    if (upgrade_r) async = 0; /* inside an HTTP/1.1 request: stay */
    c1_loop_init(c1, &loop, async);
    if (c->cs) c->cs->state = CONN_STATE_PROCESSING;
    return c1_loop_run(c1, &loop);
}
