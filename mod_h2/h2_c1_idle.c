/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_c1_idle.c -- the list of idle connections parked in the MPM, and the GOAWAY before
 * every close the MPM decides. See h2_c1_idle.h.
 */
#include "apr_thread_mutex.h"
#include "apr_network_io.h"
#include "httpd.h"
#include "http_config.h"
#include "http_connection.h"
#include "http_core.h"
#include "http_log.h"
#include "http_main.h"
#include "mpm_common.h"

#include "h2_log.h"
#include "h2_ctx.h"
#include "h2_c1.h"
#include "h2_c1_idle.h"
#include "h2_c1_park.h"

APLOG_USE_MODULE(h2);

/* One parked connection (allocated once from c->pool, reused on every park). */
typedef struct h2_idle_ent {
    struct h2_idle_ent *prev, *next;  /* [lock] */
    struct h2_c1 *c1;
    conn_rec *c;
    int parked;                       /* [lock] on the list */
    int in_mpm;                       /* [lock] the MPM has it: the thread that parked
                                       * it ran the MPM's suspend hooks (or it parked on
                                       * a callback); only then may the park thread
                                       * write to it */
    int expired;                      /* [lock] its KeepAliveTimeout GOAWAY went out */
    int stop_sent;                    /* [lock] its GOAWAY of the child's stop went out */
    apr_time_t since;                 /* [lock] parked at */
} h2_idle_ent;

static apr_thread_mutex_t *idle_mutex;  /* NULL: not threaded, or no mutex */
static h2_idle_ent *idle_head;          /* [lock] */
static int idle_stopping;               /* [lock] child_stopping ran */
static int idle_graceful;               /* [lock] ... for a graceful stop */

/* How long the child_stopping hook waits for the park thread to have written the stop's
 * GOAWAYs (h2_c1_park_tick_now): a few non-blocking writes, normally well under a ms */
#define H2_IDLE_STOP_WAIT apr_time_from_msec(200)

void h2_c1_idle_child_init(apr_pool_t *pchild)
{
    if (apr_thread_mutex_create(&idle_mutex, APR_THREAD_MUTEX_DEFAULT, pchild) != APR_SUCCESS)
        idle_mutex = NULL;
    idle_head = NULL;
    idle_stopping = 0;
    idle_graceful = 0;
}

/* [lock held] */
static void c1_idle_remove_locked(h2_idle_ent *e)
{
    if (!e->parked) return;
    if (e->prev) e->prev->next = e->next;
    else idle_head = e->next;
    if (e->next) e->next->prev = e->prev;
    e->prev = e->next = NULL;
    e->parked = 0;
    e->in_mpm = 0;
}

/* c->pool cleanup: the connection is gone (normally unparked long before). */
static apr_status_t c1_idle_cleanup(void *data)
{
    h2_idle_ent *e = data;
    if (idle_mutex) {
        apr_thread_mutex_lock(idle_mutex);
        c1_idle_remove_locked(e);
        apr_thread_mutex_unlock(idle_mutex);
    }
    return APR_SUCCESS;
}

int h2_c1_idle_park(struct h2_c1 *c1, int in_mpm)
{
    conn_rec *c = c1->c;
    h2_conn_ctx *ctx = h2_ctx_get(c);
    h2_idle_ent *e;
    int parked = 1;
    if (!ctx || !idle_mutex) return 1;  /* nothing to reach it with at stop: park anyway */
    e = ctx->idle;
    if (!e) {
        e = apr_pcalloc(c->pool, sizeof(*e));
        e->c1 = c1;
        e->c = c;
        ctx->idle = e;
        apr_pool_cleanup_register(c->pool, e, c1_idle_cleanup, apr_pool_cleanup_null);
    }
    apr_thread_mutex_lock(idle_mutex);
    if (idle_stopping) {
        parked = 0;
    }
    else if (!e->parked) {
        e->next = idle_head;
        e->prev = NULL;
        if (idle_head) idle_head->prev = e;
        idle_head = e;
        e->parked = 1;
        e->in_mpm = in_mpm;
        e->expired = 0;
        e->stop_sent = 0;
        e->since = apr_time_now();
    }
    apr_thread_mutex_unlock(idle_mutex);
    return parked;
}

void h2_c1_idle_unpark(conn_rec *c)
{
    h2_conn_ctx *ctx = c->master ? NULL : h2_ctx_get(c);
    if (!ctx || ctx->is_c2 || !ctx->idle || !idle_mutex) return;
    apr_thread_mutex_lock(idle_mutex);   /* waits while the stopping thread writes */
    c1_idle_remove_locked(ctx->idle);
    apr_thread_mutex_unlock(idle_mutex);
}

/* resume_connection, on the worker the MPM gives the connection to, before anything else
 * of the connection is touched (process_connection hooks of mod_ssl and others come
 * later): from here on the connection is that thread's alone. */
void h2_c1_idle_resume(conn_rec *c, request_rec *r)
{
    h2_conn_ctx *ctx = c->master ? NULL : h2_ctx_get(c);
    (void)r;
    /* a session parked for its workers may run on a callback right now: this thread
     * waits for it before anything of the MPM or another module touches the connection
     * (h2_c1_park.h) */
    if (ctx && !ctx->is_c2 && ctx->c1) {
        h2_c1_park_take(ctx->c1->park);
        ctx->c1->on_cb = 0;   /* an MPM thread: c->sbh is its slot */
    }
    h2_c1_idle_unpark(c);
}

/* pre_close_connection, on the thread closing c: the MPM closes one of our connections
 * (its Timeout ran out for a parked connection, keep-alive shedding, a stop, an error):
 * GOAWAY(NO_ERROR, last stream processed) unless the session sent its final GOAWAY. The
 * write is non-blocking (a short write into an idle socket): a client that does not read
 * cannot hold the thread. */
int h2_c1_idle_pre_close(conn_rec *c)
{
    h2_conn_ctx *ctx;
    apr_time_t since = 0;
    if (c->master) return DECLINED;
    ctx = h2_ctx_get(c);
    if (!ctx || ctx->is_c2 || !ctx->c1) return DECLINED;
    h2_c1_park_take(ctx->c1->park);   /* taken already by resume_connection, normally */
    ctx->c1->on_cb = 0;               /* an MPM thread: c->sbh is its slot */
    if (ctx->idle && idle_mutex) {
        apr_thread_mutex_lock(idle_mutex);
        if (ctx->idle->parked) since = ctx->idle->since;
        c1_idle_remove_locked(ctx->idle);
        apr_thread_mutex_unlock(idle_mutex);
    }
    if (ctx->c1->ended && ctx->c1->strms_active > 0) {
        /* a connection the session loop ended: it sent the GOAWAY and drained its
         * workers (c1_end) before the MPM closes it (cannot be: the drain leaves none) */
        ap_log_cerror(APLOG_MARK, APLOG_DEBUG, 0, c, H2LOGNO(00653)
                      "h2: MPM closes a connection with %d streams, no GOAWAY from pre_close",
                      ctx->c1->strms_active);
        h2_c1_park_release(ctx->c1->park);
        return OK;
    }
    /* parked (idle; busy with a client that read nothing until the MPM's Timeout; or
     * with streams that wait for their workers), or let go by a callback just now: the
     * GOAWAY (behind the output the client never took), then the streams stop */
    if (h2_c1_goaway_final(ctx->c1, 1, since ? "idle" : "close")) {
        ap_log_cerror(APLOG_MARK, APLOG_DEBUG, 0, c, H2LOGNO(00650)
                      "h2: GOAWAY before the MPM closes the connection (%s for %"
                      APR_TIME_T_FMT " ms)", since ? "parked idle" : "not parked",
                      since ? apr_time_as_msec(apr_time_now() - since) : (apr_time_t)0);
    }
    h2_c1_end_parked(ctx->c1);
    /* no callback runs the session any more (nothing is parked); the connection's
     * cleanup forgets it */
    h2_c1_park_release(ctx->c1->park);
    return OK;
}

/* [lock held] the child's stop reaches a parked connection the MPM has: its final
 * GOAWAY(NO_ERROR, last stream), without blocking (a short write into an idle socket);
 * graceful: the end of the stream behind it when the connection is idle and all of it
 * went out, as at the KeepAliveTimeout (h2_c1_idle_expire): the client closes at once
 * (RFC 9113 §6.8 tells it to open a new one), which wakes the connection and ends it, so
 * the old child is gone as soon as its streams are (before, an idle client that kept its
 * connection held the old child until the MPM's Timeout); a request sent before the
 * client saw the GOAWAY is above its last-stream-id and ignored, so the client retries it
 * elsewhere. Hard: no worker runs again; the process exit closes the socket after the
 * GOAWAY. (Shutting the socket down for reading to wake it at once is no good: data the
 * client sends after the shutdown makes the kernel answer the later close with a reset,
 * which can destroy the response and GOAWAY still unread at the client.) 1 when a GOAWAY
 * went out. */
static int c1_idle_stop_one_locked(h2_idle_ent *e)
{
    e->stop_sent = 1;
    if (!h2_c1_goaway_final(e->c1, 1, "shutdown")) return 0;
    if (idle_graceful && e->c1->strms_active == 0 && !h2_c1_io_pending(e->c1))
        apr_socket_shutdown(e->c1->sock, APR_SHUTDOWN_WRITE);
    return 1;
}

/* [lock held] the stop's GOAWAY to every parked connection the MPM has (those still
 * being handed back get it from their own thread, h2_c1_idle_suspend) */
static int c1_idle_stop_pass_locked(void)
{
    h2_idle_ent *e;
    int n = 0;
    for (e = idle_head; e; e = e->next)
        if (e->in_mpm && !e->stop_sent) n += c1_idle_stop_one_locked(e);
    return n;
}

/* suspend_connection, on the MPM's thread that handed a connection back, after every
 * other module's suspend hook (REALLY_LAST): the MPM no longer touches the connection
 * from here on but for its own records (c->sbh, its slot, queues and pollset), so the
 * park thread may write to a parked one, and a callback may run a session parked for
 * its workers (h2_c1_park_suspended: at once when their news came meanwhile). A stop
 * that came while the connection was being handed back has its GOAWAY written here, on
 * the thread that still owns it. */
void h2_c1_idle_suspend(conn_rec *c, request_rec *r)
{
    h2_conn_ctx *ctx = c->master ? NULL : h2_ctx_get(c);
    (void)r;
    if (!ctx || ctx->is_c2 || !ctx->c1) return;
    if (ctx->idle && idle_mutex) {
        int n = 0;
        apr_thread_mutex_lock(idle_mutex);
        if (ctx->idle->parked) {
            ctx->idle->in_mpm = 1;
            if (idle_stopping && !ctx->idle->stop_sent) n = c1_idle_stop_one_locked(ctx->idle);
        }
        apr_thread_mutex_unlock(idle_mutex);
        if (n)
            ap_log_cerror(APLOG_MARK, APLOG_DEBUG, 0, c, H2LOGNO(01060)
                          "h2: child stopping: GOAWAY sent as the connection is parked");
    }
    h2_c1_park_suspended(ctx->c1->park);
}

/* The park thread's tick (h2_c1_park_child_init), also run at once by child_stopping
 * (h2_c1_park_tick_now). The park thread writes to parked connections the MPM has, which
 * nobody else touches (the MPM only polls them; the worker it gives one to unparks it
 * first, in resume_connection or pre_close_connection, and waits for this mutex there):
 * - a connection parked idle for its vhost's KeepAliveTimeout gets its final
 *   GOAWAY(NO_ERROR), as mod_http2 closes an idle connection then (non-blocking). When all
 *   of it went out the socket is shut down for writing: the client sees the GOAWAY, then
 *   the end, and closes, which brings the connection back through the MPM (its session is
 *   done: closed). A client that closes nothing is closed by the MPM's Timeout as before.
 *   (For writing only: a shutdown for reading made the kernel answer the close with a
 *   reset, see c1_idle_stop_one_locked.)
 * - once the child stops, every parked connection gets the stop's GOAWAY
 *   (c1_idle_stop_one_locked). */
void h2_c1_idle_expire(apr_time_t now)
{
    h2_idle_ent *e;
    int n = 0, stopped = 0, graceful = 0;
    if (!idle_mutex) return;
    apr_thread_mutex_lock(idle_mutex);
    if (idle_stopping) {
        stopped = c1_idle_stop_pass_locked();
        graceful = idle_graceful;
    }
    for (e = idle_stopping ? NULL : idle_head; e; e = e->next) {
        apr_interval_time_t ka = e->c1->s->keep_alive_timeout;
        /* idle only: sessions parked for their workers are on the list too */
        if (!e->in_mpm || e->expired || ka <= 0 || now - e->since < ka
            || e->c1->strms_active)
            continue;
        e->expired = 1;
        if (h2_c1_goaway_final(e->c1, 1, "idle")) {
            ++n;
            if (!h2_c1_io_pending(e->c1)) apr_socket_shutdown(e->c1->sock, APR_SHUTDOWN_WRITE);
        }
    }
    apr_thread_mutex_unlock(idle_mutex);
    if (n)
        ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, ap_server_conf, H2LOGNO(00652)
                     "h2: KeepAliveTimeout: GOAWAY sent on %d idle connections", n);
    if (stopped)
        ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, ap_server_conf, H2LOGNO(00651)
                     "h2: child stopping (%s): GOAWAY sent on %d parked connections",
                     graceful ? "graceful" : "hard", stopped);
}

/* child_stopping, on the thread stopping the child (the listener or the main thread):
 * it writes to no connection, it signals. Parked connections are nobody's but the park
 * thread's (h2_c1_idle_expire), so the park thread writes their GOAWAYs, at once; this
 * thread waits until it did (bounded: a hard stop ends the process soon after). Busy
 * sessions on their threads are woken by h2_c1_child_stopping and write their own. With
 * no park thread (it could not be started), this thread does the park thread's work,
 * under the list's mutex, as the tick would. */
void h2_c1_idle_child_stopping(apr_pool_t *pchild, int graceful)
{
    (void)pchild;
    if (!idle_mutex) return;
    apr_thread_mutex_lock(idle_mutex);
    idle_stopping = 1;
    idle_graceful = graceful;
    apr_thread_mutex_unlock(idle_mutex);
    if (!h2_c1_park_tick_now(H2_IDLE_STOP_WAIT)) h2_c1_idle_expire(apr_time_now());
}
