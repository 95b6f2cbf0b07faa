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
    int expired;                      /* [lock] its KeepAliveTimeout GOAWAY went out */
    apr_time_t since;                 /* [lock] parked at */
} h2_idle_ent;

static apr_thread_mutex_t *idle_mutex;  /* NULL: not threaded, or no mutex */
static h2_idle_ent *idle_head;          /* [lock] */
static int idle_stopping;               /* [lock] child_stopping ran */

void h2_c1_idle_child_init(apr_pool_t *pchild)
{
    if (apr_thread_mutex_create(&idle_mutex, APR_THREAD_MUTEX_DEFAULT, pchild) != APR_SUCCESS)
        idle_mutex = NULL;
    idle_head = NULL;
    idle_stopping = 0;
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

int h2_c1_idle_park(struct h2_c1 *c1)
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
        e->expired = 0;
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

/* The park thread's tick (h2_c1_park_child_init): a connection parked idle for its
 * vhost's KeepAliveTimeout gets its final GOAWAY(NO_ERROR), as mod_http2 closes an idle
 * connection then; written as the stopping thread writes (non-blocking, under the list's
 * mutex: a parked connection is nobody else's). When all of it went out the socket is
 * shut down for writing: the client sees the GOAWAY, then the end, and closes, which
 * brings the connection back through the MPM (its session is done: closed). A client
 * that closes nothing is closed by the MPM's Timeout as before. (For writing only: a
 * shutdown for reading made the kernel answer the close with a reset, see below.) */
void h2_c1_idle_expire(apr_time_t now)
{
    h2_idle_ent *e;
    int n = 0;
    if (!idle_mutex) return;
    apr_thread_mutex_lock(idle_mutex);
    for (e = idle_stopping ? NULL : idle_head; e; e = e->next) {
        apr_interval_time_t ka = e->c1->s->keep_alive_timeout;
        /* idle only: sessions parked for their workers are on the list too */
        if (e->expired || ka <= 0 || now - e->since < ka || e->c1->strms_active) continue;
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
}

/* child_stopping, on the thread stopping the child: the final GOAWAY(NO_ERROR, last
 * stream) to every parked connection, written from here, without blocking (a short write
 * into an idle socket), under the list's mutex: a parked connection is nobody else's (the
 * MPM only polls it; the worker it is given to unparks it first, in resume_connection or
 * pre_close_connection, and waits for us there). Graceful: the connection stays parked;
 * the client closes it (RFC 9113 §6.8 tells it to open a new one), which wakes it and
 * ends it, or the MPM's Timeout does; a request sent before the client saw the GOAWAY is
 * above its last-stream-id and ignored, so the client retries it elsewhere. Hard: no
 * worker runs again; the process exit closes the socket after the GOAWAY.
 * (Shutting the socket down for reading to wake it at once is no good: data the client
 * sends after the shutdown makes the kernel answer the later close with a reset, which
 * can destroy the response and GOAWAY still unread at the client.) */
void h2_c1_idle_child_stopping(apr_pool_t *pchild, int graceful)
{
    h2_idle_ent *e;
    int n = 0;
    (void)pchild;
    if (!idle_mutex) return;
    apr_thread_mutex_lock(idle_mutex);
    idle_stopping = 1;
    for (e = idle_head; e; e = e->next) {
        if (!h2_c1_goaway_final(e->c1, 1, "shutdown")) continue;
        ++n;
        /* graceful: the end of the stream behind the GOAWAY, as at the KeepAliveTimeout
         * (h2_c1_idle_expire): the client closes at once, and the old child is gone as
         * soon as its streams are; before, an idle client that kept its connection held
         * the old child until the MPM's Timeout */
        if (graceful && e->c1->strms_active == 0 && !h2_c1_io_pending(e->c1))
            apr_socket_shutdown(e->c1->sock, APR_SHUTDOWN_WRITE);
    }
    apr_thread_mutex_unlock(idle_mutex);
    if (n)
        ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, ap_server_conf, H2LOGNO(00651)
                     "h2: child stopping (%s): GOAWAY sent on %d idle connections",
                     graceful ? "graceful" : "hard", n);
}
