/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_c1_dispatch.c -- c1's streams and workers: stream records, handing streams to
 * workers (one job per session takes its pending streams one after another, up to half
 * of the pool per connection), collecting the news workers report (one wakeup per
 * batch), stall checks, and the drain when the connection ends.
 * Threads: c1, except worker_session_job (a worker).
 */
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>

#include "apr_strings.h"
#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "ap_mpm.h"
#include "scoreboard.h"

#include "h2_log.h"
#include "h2_c1.h"
#include "h2_c1_io.h"
#include "h2_c2.h"
#include "h2_push.h"
#include "h2_status.h"
#include "h2_workers.h"
#include "h2_ws.h"

APLOG_USE_MODULE(h2);

/* ---------------------------------------------------------------------------------- */
/* streams */

/* The scoreboard slot of the thread running the session: the MPM's (c->sbh), or on a
 * timed callback the callback thread's own (never c->sbh then: the parking thread's,
 * which the MPM clears after its suspend hooks). NULL: none. */
static ap_sb_handle_t *c1_sbh(h2_c1 *c1)
{
    return c1->on_cb ? c1->cb_sbh : c1->c->sbh;
}

h2_strm *h2_c1_strm_new(h2_c1 *c1, uint32_t id)
{
    h2_strm *strm = c1->free_strms;
    if (strm) {
        c1->free_strms = strm->next_free;
        h2_strm_reset(strm);
    }
    else {
        strm = h2_strm_create();
        if (!strm) return NULL;
    }
    strm->hub = c1->hub;
    strm->c1 = c1;
    strm->id = id;
    strm->req_content_length = -1;
    strm->created = apr_time_now();
    strm->next_active = c1->active_head;
    if (c1->active_head) c1->active_head->prev_active = strm;
    c1->active_head = strm;
    ++c1->strms_active;
    return strm;
}

void h2_c1_strm_trim(h2_c1 *c1)
{
    h2_strm *strm;
    while ((strm = c1->free_strms)) {
        c1->free_strms = strm->next_free;
        h2_strm_destroy(strm);
    }
}

void h2_c1_strm_release(h2_c1 *c1, h2_strm *strm)
{
    h2_c1_io_file_done_all(c1, strm);
    h2_strm_clear(strm);
    if (strm->id && c1->engine && !strm->closed)
        h2_session_set_stream_data(c1->engine, strm->id, NULL);
    if (strm->prev_active) strm->prev_active->next_active = strm->next_active;
    else c1->active_head = strm->next_active;
    if (strm->next_active) strm->next_active->prev_active = strm->prev_active;
    strm->next_active = strm->prev_active = NULL;
    strm->next_free = c1->free_strms;
    c1->free_strms = strm;
    --c1->strms_active;
    if (c1->sb_busy && c1->strms_active == 0 && c1_sbh(c1)) {
        /* nothing runs: the session waits for frames (as a keep-alive HTTP/1.1 one) */
        ap_update_child_status_from_conn(c1_sbh(c1), SERVER_BUSY_KEEPALIVE, c1->c);
        c1->sb_busy = 0;
    }
}

/* The child's busy sessions (those with a pollset: c1 waits in it, its streams run on
 * workers). A stopping child wakes them all (h2_c1_child_stopping), so that each notices
 * the stop (and, after a hard stop, its closed socket) at once rather than at its next
 * timeout: the child exits sooner. Lock order: c1_busy_mx, then a hub's lock. */
static pthread_mutex_t c1_busy_mx = PTHREAD_MUTEX_INITIALIZER;
static h2_hub *c1_busy_head;

static void c1_busy_add(h2_hub *hub)
{
    pthread_mutex_lock(&c1_busy_mx);
    if (!hub->busy) {
        hub->busy = 1;
        hub->busy_prev = NULL;
        hub->busy_next = c1_busy_head;
        if (c1_busy_head) c1_busy_head->busy_prev = hub;
        c1_busy_head = hub;
    }
    pthread_mutex_unlock(&c1_busy_mx);
}

static void c1_busy_remove(h2_hub *hub)
{
    pthread_mutex_lock(&c1_busy_mx);
    if (hub->busy) {
        hub->busy = 0;
        if (hub->busy_prev) hub->busy_prev->busy_next = hub->busy_next;
        else c1_busy_head = hub->busy_next;
        if (hub->busy_next) hub->busy_next->busy_prev = hub->busy_prev;
        hub->busy_prev = hub->busy_next = NULL;
    }
    pthread_mutex_unlock(&c1_busy_mx);
}

static volatile int c1_stop_hard;
static volatile int c1_stopping;

int h2_c1_child_stop_hard(void)
{
    return c1_stop_hard;
}

int h2_c1_child_is_stopping(void)
{
    return c1_stopping;
}

int h2_c1_child_stop_level(void)
{
    return c1_stop_hard ? 2 : c1_stopping ? 1 : 0;
}

void h2_c1_child_stopping(apr_pool_t *pchild, int graceful)
{
    h2_hub *hub;
    (void)pchild;
    c1_stopping = 1;
    if (!graceful) c1_stop_hard = 1;
    pthread_mutex_lock(&c1_busy_mx);
    for (hub = c1_busy_head; hub; hub = hub->busy_next)
        h2_hub_wake(hub);
    pthread_mutex_unlock(&c1_busy_mx);
}

/* The pollset (socket + wakeup pipe) exists while the session is busy. */
apr_status_t h2_c1_pollset_ensure(h2_c1 *c1)
{
    apr_status_t rv;
    apr_pollset_t *ps;
    if (c1->hub->pollset) return APR_SUCCESS;
    /* a pool of its own allocator: destroyed when the connection is parked, its memory
     * goes back to malloc (a subpool of c->pool would keep its blocks on the connection's
     * allocator, resident as long as the connection) */
    rv = apr_pool_create_unmanaged_ex(&c1->ps_pool, NULL, NULL);
    if (rv != APR_SUCCESS) {
        c1->ps_pool = NULL;
        return rv;
    }
    apr_pool_tag(c1->ps_pool, "h2_pollset");
    rv = apr_pollset_create(&ps, 2, c1->ps_pool, APR_POLLSET_WAKEABLE);
    if (rv != APR_SUCCESS) {
        apr_pool_destroy(c1->ps_pool);
        c1->ps_pool = NULL;
        return rv;
    }
    c1->sockfd.p = c1->ps_pool;
    /* a draining session waits for its workers only: its socket (at EOF once the client
     * left, so always readable) would make every wait return at once */
    rv = c1->draining ? APR_SUCCESS : apr_pollset_add(ps, &c1->sockfd);
    h2_hub_lock(c1->hub);
    c1->hub->pollset = ps;
    h2_hub_unlock(c1->hub);
    if (!c1->draining) c1_busy_add(c1->hub);
    return rv;
}

apr_status_t h2_c1_pollset_want_write(h2_c1 *c1, int on)
{
    /* backlogged: no input is taken (h2_c1_io_backlogged), a readable socket would end
     * every wait at once */
    apr_int16_t want = !on ? APR_POLLIN
                       : h2_c1_io_backlogged(c1) ? APR_POLLOUT : (APR_POLLIN | APR_POLLOUT);
    apr_status_t rv;
    if (c1->sockfd.reqevents == want) return APR_SUCCESS;
    apr_pollset_remove(c1->hub->pollset, &c1->sockfd);
    c1->sockfd.reqevents = want;
    rv = apr_pollset_add(c1->hub->pollset, &c1->sockfd);
    return rv;
}

/* Only when no worker can reach the session (nothing attached, nothing running). */
void h2_c1_pollset_drop(h2_c1 *c1)
{
    if (!c1->hub->pollset) return;
    c1_busy_remove(c1->hub);
    h2_hub_lock(c1->hub);
    c1->hub->pollset = NULL;
    h2_hub_unlock(c1->hub);
    apr_pool_destroy(c1->ps_pool);
    c1->ps_pool = NULL;
}

/* Worker job of a session: process its pending streams one after another, so that a
 * worker that finished a stream takes the next one without a trip through the pool's
 * queue (and without sleeping). The hub stays alive while attached > 0: c1 does not go
 * before the last job left (h2_c1_drain). */
static void worker_session_job(void *baton, h2_worker_ctx *w)
{
    h2_hub *hub = baton;
    h2_workers *pool = w ? h2_workers_get() : NULL;
    int ran = 0;
    h2_hub_lock(hub);
    for (;;) {
        h2_strm *strm = hub->pending_head;
        if (!strm) break;
        if (ran && pool && !hub->ahead && h2_workers_ahead_waiting(pool)) {
            /* a new connection's job waits for a worker: this one goes to the back of
             * the pool's queue, still attached (its streams stay queued here) */
            h2_hub_unlock(hub);
            if (h2_workers_submit(pool, worker_session_job, hub, 0) == APR_SUCCESS) return;
            h2_hub_lock(hub);   /* shutting down: go on here */
            pool = NULL;
            continue;
        }
        hub->pending_head = strm->next_pending;
        if (!hub->pending_head) hub->pending_tail = NULL;
        --hub->queued;
        ++hub->taken;            /* the queue moves (h2_c1_dispatch_new) */
        if (strm->aborted || h2_workers_stopping()) {
            /* gone before it started (reset, connection ending, child stopping): nothing
             * to run */
            int wake = 0;
            strm->out_eos = 1;
            strm->c2_done = 1;
            h2_strm_mark_dirty(strm, &wake);
            if (wake) {
                h2_hub_unlock(hub);
                h2_hub_wake(hub);
                h2_hub_lock(hub);
            }
            continue;
        }
        if (w) {
            w->conn_id = hub->c->id;
            w->stream_id = strm->id;
            w->since = apr_time_now();
        }
        h2_hub_unlock(hub);
        h2_c2_process(strm, w);
        ++ran;
        h2_hub_lock(hub);
        if (w) w->stream_id = 0;
    }
    if (--hub->attached == 0 && hub->c1_draining && hub->pollset) {
        /* c1 waits for the last job to leave before the connection closes: now (under
         * the lock, which c1 holds when it drops the pollset) */
        apr_pollset_wakeup(hub->pollset);
    }
    /* the last touch of the hub: c1 may free it as soon as the lock is free */
    h2_hub_unlock(hub);
}

/* Take a stream off the queue of streams waiting for a worker (c1's new list or the
 * hub's pending list, lock held): 1 when it was there (no worker will see it), 0 when a
 * worker has it (or had it). O(queued), and at most the streams open at once wait. */
int h2_c1_strm_unqueue_locked(h2_c1 *c1, h2_strm *strm)
{
    h2_hub *hub = c1->hub;
    h2_strm **pp, *prev = NULL;
    for (pp = &c1->new_head; *pp; prev = *pp, pp = &(*pp)->next_pending) {
        if (*pp == strm) {
            *pp = strm->next_pending;
            if (c1->new_tail == strm) c1->new_tail = prev;
            strm->next_pending = NULL;
            return 1;
        }
    }
    prev = NULL;
    for (pp = &hub->pending_head; *pp; prev = *pp, pp = &(*pp)->next_pending) {
        if (*pp == strm) {
            *pp = strm->next_pending;
            if (hub->pending_tail == strm) hub->pending_tail = prev;
            strm->next_pending = NULL;
            --hub->queued;
            return 1;
        }
    }
    return 0;
}

void h2_c1_strm_dispatch(h2_c1 *c1, h2_strm *strm)
{
    strm->dispatched = 1;
    strm->next_pending = NULL;
    /* H2PUSH and push collection on the worker: may the client be pushed to at all? */
    strm->push_ok = !strm->pushed_on
                    && h2_session_peer_setting(c1->engine, H2_SET_ENABLE_PUSH) != 0;
    /* queued, never run from here: this may be inside the engine's callbacks (without a
     * worker pool the stream runs on this thread from h2_c1_dispatch_new) */
    if (c1->new_tail) c1->new_tail->next_pending = strm; else c1->new_head = strm;
    c1->new_tail = strm;
}

/* The scoreboard: c1's slot (owned by this thread; workers have none) shows the session
 * busy with the request line of a running stream while streams run, so that mod_status
 * lists in-flight h2 requests ("W") and counts them in BusyWorkers, as mod_http2 does. */
static void c1_status_busy(h2_c1 *c1)
{
    h2_strm *s, *shown = NULL;
    int n = 0;
    char line[128], pre[24] = "";
    ap_sb_handle_t *sbh = c1_sbh(c1);
    if (!sbh) return;
    for (s = c1->active_head; s; s = s->next_active) {
        if (s->dispatched && !s->c2_done && s->method) {
            if (!shown) shown = s;
            ++n;
        }
    }
    if (!shown) return;
    /* "[n] " first when more run: the slot's request field is short (64 bytes) */
    if (n > 1) apr_snprintf(pre, sizeof(pre), "[%d] ", n);
    apr_snprintf(line, sizeof(line), "%s%s %s HTTP/2.0", pre, shown->method,
                 shown->path ? shown->path : "/");
    ap_update_child_status_descr(sbh, SERVER_BUSY_WRITE, line);
    c1->sb_busy = 1;
}

void h2_c1_status_resumed(h2_c1 *c1)
{
    ap_sb_handle_t *sbh = c1_sbh(c1);
    c1->sb_busy = 0;          /* another thread, another slot: it shows nothing yet */
    if (!sbh) return;
    h2_c1_status_flush(c1);   /* what callbacks without a slot counted meanwhile */
    if (c1->strms_active) c1_status_busy(c1);
    if (!c1->sb_busy) ap_update_child_status_from_conn(sbh, SERVER_BUSY_READ, c1->c);
}

/* A stream is done: count its request in c1's slot (a worker ran it), and show the
 * session as waiting for frames once nothing runs. */
static void c1_status_done(h2_c1 *c1, h2_strm *strm, apr_off_t bytes)
{
    (void)strm;
    c1->sb_defer_count++;
    c1->sb_defer_bytes += bytes;
    h2_c1_status_flush(c1);   /* on a callback without a slot: by the next MPM thread */
}

void h2_c1_status_flush(h2_c1 *c1)
{
    ap_sb_handle_t *sbh = c1_sbh(c1);
    worker_score *ws = sbh ? ap_get_scoreboard_worker(sbh) : NULL;
    if (!ws || !c1->sb_defer_count) return;
    ws->access_count += c1->sb_defer_count;
    ws->my_access_count += c1->sb_defer_count;
    ws->conn_count += c1->sb_defer_count;
    ws->bytes_served += c1->sb_defer_bytes;
    ws->my_bytes_served += c1->sb_defer_bytes;
    ws->conn_bytes += c1->sb_defer_bytes;
    c1->sb_defer_count = 0;
    c1->sb_defer_bytes = 0;
}

/* Hand the streams collected during a read to workers, and give a busy session more
 * workers when its queue stands still. One job per session at first: its worker takes
 * the queued streams one after another without sleeping, and c1 gets their news in
 * batches (h2_strm_mark_dirty). When H2_BATCH_WAIT passes with streams queued and none
 * taken (every attached worker is in a long stream, e.g. a handler that waits), the
 * session gets as many more workers again, up to half of the pool: a slow stream never
 * holds up the streams queued behind it for longer than that. */
void h2_c1_dispatch_new(h2_c1 *c1)
{
    h2_workers *w = h2_workers_get();
    h2_hub *hub = c1->hub;
    int need = 0, i, ahead;
    apr_time_t now;
    int had_new = c1->new_head != NULL;
    if (!hub || (!had_new && !c1->may_queue)) return;
    if (had_new) h2_c1_pollset_ensure(c1);   /* workers wake us through it */
    now = apr_time_now();
    h2_hub_lock(hub);
    if (c1->new_head) {
        if (hub->pending_tail) hub->pending_tail->next_pending = c1->new_head;
        else hub->pending_head = c1->new_head;
        hub->pending_tail = c1->new_tail;
        for (; c1->new_head; c1->new_head = c1->new_head->next_pending) ++hub->queued;
        c1->new_tail = NULL;
    }
    c1->may_queue = hub->queued > 0;
    hub->ahead = hub->taken < H2_AHEAD_FIRST || c1->strms_active <= H2_AHEAD_FEW;
    if (hub->queued > 0) {
        /* one connection gets at most half of the workers: a client stalling its streams
         * (zero windows, bodies that never come) must not take every worker of the child */
        int cap = w ? h2_workers_max(w) / 2 : 1;
        if (cap < 2) cap = 2;
        if (hub->attached == 0) {
            need = 1;
            c1->esc_taken = hub->taken;
            c1->esc_since = now;
        }
        else if (hub->taken != c1->esc_taken) {
            c1->esc_taken = hub->taken;
            c1->esc_since = now;
        }
        else if (now - c1->esc_since >= H2_BATCH_WAIT) {
            /* more workers only from what the pool has beyond a reserve of a quarter:
             * connections whose streams stall (zero windows, handlers that wait) cannot
             * take the workers that other clients' first streams need; a connection's
             * first job is never held back */
            int room = w ? h2_workers_free(w) - h2_workers_max(w) / 4 : hub->attached;
            need = hub->attached < room ? hub->attached : room;
            c1->esc_since = now;
        }
        if (need > hub->queued) need = hub->queued;
        if (need > cap - hub->attached) need = cap - hub->attached;
        if (need < 0) need = 0;
    }
    hub->attached += need;
    ahead = hub->ahead;
    h2_hub_unlock(hub);
    if (had_new || need > 0) c1_status_busy(c1);
    for (i = 0; i < need; ++i) {
        if (!w || h2_workers_submit(w, worker_session_job, c1->hub, ahead) != APR_SUCCESS) {
            /* no worker pool (prefork), or shutting down: the pending streams run here,
             * one after another (h2_hub.inline_pump does c1's I/O while they wait) */
            worker_session_job(c1->hub, NULL);
        }
    }
}

int h2_c1_wait_begin(h2_c1 *c1, apr_interval_time_t *wait)
{
    h2_hub *hub = c1->hub;
    h2_hub_lock(hub);
    if (hub->dirty_head) {
        h2_hub_unlock(hub);
        return 1;
    }
    if (hub->queued > 0 && hub->attached > 0) {
        /* back soon: for the news workers batch up, and to give the queue more workers
         * if it stands still (h2_c1_dispatch_new) */
        if (c1->batch_wait < H2_BATCH_WAIT) c1->batch_wait = H2_BATCH_WAIT;
        if (*wait > c1->batch_wait) *wait = c1->batch_wait;
    }
    hub->c1_waiting = 1;
    hub->c1_wait_short = *wait <= H2_BATCH_WAIT;
    h2_hub_unlock(hub);
    return 0;
}

void h2_c1_wait_end(h2_c1 *c1, int timed_out)
{
    h2_hub *hub = c1->hub;
    int news;
    h2_hub_lock(hub);
    hub->c1_waiting = 0;
    news = hub->dirty_head != NULL;
    h2_hub_unlock(hub);
    /* nothing happened for a whole short wait (every worker of the session is in a long
     * stream and the cap is reached): look less often, up to once a second */
    if (timed_out && !news) {
        c1->batch_wait *= 2;
        if (c1->batch_wait > apr_time_from_sec(1)) c1->batch_wait = apr_time_from_sec(1);
    }
    else {
        c1->batch_wait = H2_BATCH_WAIT;
    }
}

/* ---------------------------------------------------------------------------------- */
/* worker news */

void h2_c1_process_dirty(h2_c1 *c1)
{
    h2_strm *list, *strm;
    h2_hub_lock(c1->hub);
    list = c1->hub->dirty_head;
    c1->hub->dirty_head = NULL;
    c1->hub->wake_pending = 0;
    h2_hub_unlock(c1->hub);

    /* Take what each stream has under the lock, talk to the engine (HPACK encoding of
     * responses, ...) without it: workers are not held up meanwhile. */
    while ((strm = list)) {
        h2_interim *interims, *im;
        h2_hdrs *resp = NULL;
        h2_push_req *pushes = NULL;
        apr_size_t consumed;
        uint32_t rst_code;
        int out_eos, has_trailers, c2_done, end, discard, sb_count, status_req;
        apr_size_t out_total;
        apr_off_t sb_bytes;

        h2_hub_lock(c1->hub);
        list = strm->next_dirty;
        strm->dirty = 0;
        discard = 0;
        if (strm->c2_done && strm->in_head) {
            /* the request is over: body bytes it did not read go back to the windows
             * (through h2_session_discard_body while the request is still coming) */
            h2_ichunk *ic;
            apr_size_t unread = 0;
            while ((ic = strm->in_head)) {
                strm->in_head = ic->next;
                unread += ic->len - ic->off;
                free(ic);
            }
            strm->in_tail = NULL;
            strm->in_bytes = 0;
            if (strm->in_eos_seen) strm->in_consumed += unread;
        }
        if (strm->c2_done && !strm->in_eos_seen && !strm->body_discarded) {
            strm->body_discarded = 1;
            discard = 1;
        }
        consumed = strm->in_consumed;
        strm->in_consumed = 0;
        interims = strm->interims;
        strm->interims = NULL;
        if (!strm->resp_submitted) {
            resp = strm->resp;
            strm->resp = NULL;
            if (resp) {
                pushes = strm->pushes;
                strm->pushes = NULL;
            }
        }
        rst_code = strm->rst_code;
        strm->rst_code = 0;
        sb_count = strm->sb_count;
        sb_bytes = strm->sb_bytes;
        strm->sb_count = 0;
        out_eos = strm->out_eos;
        out_total = strm->out_total;
        has_trailers = strm->trailers != NULL;
        c2_done = strm->c2_done;
        status_req = strm->status_req && !strm->status_json;
        h2_hub_unlock(c1->hub);

        if (status_req) {
            /* the http2-status handler waits for the session's figures (h2_status.h) */
            char *json = h2_status_c1_json(c1, strm);
            h2_hub_lock(c1->hub);
            if (strm->status_req) {
                strm->status_json = json;
                json = NULL;
            }
            strm->status_req = 0;
            h2_strm_signal(strm);
            h2_hub_unlock(c1->hub);
            free(json);
        }

        if (sb_count) c1_status_done(c1, strm, sb_bytes);
        if (c2_done && c1->sb_busy) c1_status_busy(c1);   /* the next running stream */
        if (consumed && !strm->closed && !strm->in_no_flow)
            h2_session_consume(c1->engine, strm->id, consumed);
        if (discard && !strm->closed && !strm->in_no_flow) {
            /* §8.1: the response does not need the rest of the request body; the engine
             * credits the windows and resets the stream with NO_ERROR after our END_STREAM */
            h2_session_discard_body(c1->engine, strm->id);
        }
        while ((im = interims)) {
            interims = im->next;
            if (im->pushes && !strm->closed) {
                /* promises go out before the 103 that announces them */
                h2_push_c1_promise(c1, strm, im->pushes);
                im->pushes = NULL;
            }
            h2_push_list_free(im->pushes);
            if (!strm->closed)
                h2_session_submit_response(c1->engine, strm->id, im->hdrs->status,
                                           im->hdrs->nv, im->hdrs->n, 0);
            h2_hdrs_free(im->hdrs);
            free(im);
        }
        if (resp) {
            if (!strm->closed) {
                /* a Priority response field, H2PushPriority; then promises before the
                 * HEADERS that reference them (§8.4) */
                h2_push_c1_response_priority(c1, strm, resp->nv, resp->n);
                if (pushes) h2_push_c1_promise(c1, strm, pushes);
                pushes = NULL;
                end = out_eos && !out_total && !has_trailers;
                h2_session_submit_response(c1->engine, strm->id, resp->status,
                                           resp->nv, resp->n, end);
                ++c1->st_responses;
                strm->resp_submitted = 1;
                strm->last_progress = apr_time_now();
                if (end) strm->eos_sent = 1;
            }
            h2_hdrs_free(resp);
        }
        h2_push_list_free(pushes);
        if (!strm->closed) {
            if (rst_code) {
                h2_session_submit_rst(c1->engine, strm->id, rst_code);
            }
            else if (strm->resp_submitted && strm->deferred && (out_total || out_eos)) {
                strm->deferred = 0;
                h2_session_resume_data(c1->engine, strm->id);
            }
            else if (c2_done && !strm->resp_submitted) {
                /* the worker ended without a response */
                h2_session_submit_rst(c1->engine, strm->id, H2_INTERNAL_ERROR);
            }

        }
        if (c2_done && strm->closed) {
            int again;
            h2_hub_lock(c1->hub);
            again = strm->dirty;   /* cannot be: c2 is done; be safe anyway */
            h2_hub_unlock(c1->hub);
            if (!again) h2_c1_strm_release(c1, strm);
        }
    }
}

/* Responses the client does not take (zero window) must not hold the connection
 * forever: reset streams whose queued output made no progress for the stream timeout. */
void h2_c1_check_stalls(h2_c1 *c1)
{
    apr_time_t now = apr_time_now();
    h2_strm *s;
    if (now < c1->next_stall_check) return;
    c1->next_stall_check = now + apr_time_from_sec(1);
    h2_hub_lock(c1->hub);
    for (s = c1->active_head; s; s = s->next_active) {
        if (!s->closed && s->resp_submitted && !s->eos_sent && s->out_total > 0
            && now - s->last_progress > c1->stream_timeout) {
            ap_log_cerror(APLOG_MARK, APLOG_DEBUG, 0, c1->c, H2LOGNO(00316)
                          "h2 stream %u: client took no data for %" APR_TIME_T_FMT "s, reset",
                          (unsigned)s->id, apr_time_sec(now - s->last_progress));
            h2_session_submit_rst(c1->engine, s->id, H2_CANCEL);
            s->last_progress = now;
        }
    }
    h2_hub_unlock(c1->hub);
}

/* No worker holds or reports anything for this session. */
int h2_c1_quiet(h2_c1 *c1)
{
    int quiet;
    h2_hub_lock(c1->hub);
    quiet = !c1->hub->dirty_head && c1->hub->attached == 0;
    h2_hub_unlock(c1->hub);
    return quiet;
}

int h2_c1_streams_queued(h2_c1 *c1)
{
    int queued;
    h2_hub_lock(c1->hub);
    queued = c1->hub->queued > 0 || c1->new_head != NULL;
    h2_hub_unlock(c1->hub);
    return queued;
}

int h2_c1_has_news(h2_c1 *c1)
{
    int news;
    h2_hub_lock(c1->hub);
    news = c1->hub->dirty_head != NULL;
    h2_hub_unlock(c1->hub);
    return news;
}

/* Stop every stream of the session (c1 thread, lock held). */
static void c1_abort_all(h2_c1 *c1)
{
    h2_strm *s;
    for (s = c1->active_head; s; s = s->next_active) {
        s->closed = 1;
        if (!s->dispatched || (!s->c2_done && h2_c1_strm_unqueue_locked(c1, s)))
            s->c2_done = 1;   /* never ran, and never will */
        if (!s->aborted) {
            s->aborted = 1;
            h2_ws_signal_locked(s);
            h2_strm_signal(s);
        }
    }
}

/* Release the streams whose worker is done (lock held; returns with it held). */
static void c1_release_done(h2_c1 *c1)
{
    h2_strm *s, *next;
    for (s = c1->active_head; s; s = next) {
        next = s->next_active;
        if (s->c2_done && !s->dirty) {
            h2_hub_unlock(c1->hub);
            h2_c1_strm_release(c1, s);
            h2_hub_lock(c1->hub);
            next = c1->active_head; /* list changed: start over */
        }
    }
}

/* How long the end of a connection waits for its handlers before it says so (at most;
 * the first word comes at the Timeout when that is shorter), and how often it says so
 * again while it still waits */
#define H2_DRAIN_WARN_FIRST apr_time_from_sec(5)
#define H2_DRAIN_WARN_AGAIN apr_time_from_sec(30)
/* How long it waits once the child stops hard: then the child ends here (see below) */
#define H2_DRAIN_HARD_STOP  apr_time_from_msec(1500)

/* The streams that still run on workers, as "1,3,5" (lock held); returns how many. */
static int c1_running_ids_locked(h2_c1 *c1, char *ids, apr_size_t size)
{
    h2_strm *s;
    apr_size_t ilen = 0;
    int n = 0;
    ids[0] = 0;
    for (s = c1->active_head; s; s = s->next_active) {
        if (!s->dispatched || s->c2_done) continue;
        if (ilen + 12 < size)
            ilen += (size_t)apr_snprintf(ids + ilen, size - ilen, "%s%u", n ? "," : "",
                                         (unsigned)s->id);
        ++n;
    }
    return n;
}

/* The connection is going away: stop every stream (a handler's next write fails at once,
 * its next read of the request body too) and wait until the last job of the session has
 * left. No stream outlives the connection: the MPM recycles c1's pool once this returns,
 * and a c2 reads c1's memory until its handler returns (c2->master, mod_ssl's variables
 * for the access log, the conn's ctx on internal redirects). So the wait is bounded by
 * what bounds the handler (Timeout on each of its I/O), as an HTTP/1.1 request holds its
 * MPM thread; mod_http2 waits as well (h2_mplx). Said once at the first bound, then every
 * H2_DRAIN_WARN_AGAIN at most.
 * The threads that run this are the MPM's (process_connection, a timed callback, or
 * pre_close_connection: the event MPM defers a close to a worker thread, never runs it
 * on its listener), which may block as a request does.
 * A hard stop must exit before the parent kills the child, and its MPM joins this thread
 * first: after H2_DRAIN_HARD_STOP the child ends from here, without its exit cleanups
 * (as h2_workers' pre-cleanup ends it when its workers do not return), rather than give
 * c1's memory back under a running handler. */
void h2_c1_drain(h2_c1 *c1)
{
    apr_time_t start = apr_time_now(), hard_since = 0;
    apr_interval_time_t warn_at = c1->s->timeout > 0 && c1->s->timeout < H2_DRAIN_WARN_FIRST
                                  ? c1->s->timeout : H2_DRAIN_WARN_FIRST;
    /* ending: no stop needs to wake us any more (the poll below ends every 100 ms) */
    c1->draining = 1;
    c1_busy_remove(c1->hub);
    h2_hub_lock(c1->hub);
    c1->hub->c1_waiting = 1;   /* from now on every news wakes c1 at once */
    c1->hub->c1_wait_short = 0;
    c1->hub->c1_draining = 1;  /* and so does the last job that leaves */
    if (c1->hub->pollset) {
        /* the wait below is for workers only: the socket (readable at EOF once the
         * client left) made it return at once, and c1 spun at 100% CPU for as long as a
         * handler ran (test_74_close.py) */
        apr_pollset_remove(c1->hub->pollset, &c1->sockfd);
    }
    h2_hub_unlock(c1->hub);
    for (;;) {
        apr_int32_t n;
        const apr_pollfd_t *out;
        apr_time_t now;
        h2_hub_lock(c1->hub);
        c1_abort_all(c1);
        h2_hub_unlock(c1->hub);
        h2_c1_process_dirty(c1);
        h2_hub_lock(c1->hub);
        c1_release_done(c1);
        if (c1->strms_active <= 0 && c1->hub->attached <= 0) {
            h2_hub_unlock(c1->hub);
            break;
        }
        now = apr_time_now();
        if (!hard_since && h2_workers_stopping_hard()) hard_since = now;
        if (now - start >= warn_at || (hard_since && now - hard_since >= H2_DRAIN_HARD_STOP)) {
            char ids[200];
            int running = c1_running_ids_locked(c1, ids, sizeof(ids)), jobs = c1->hub->attached;
            int end_child = hard_since && now - hard_since >= H2_DRAIN_HARD_STOP;
            h2_hub_unlock(c1->hub);
            ap_log_cerror(APLOG_MARK, APLOG_WARNING, 0, c1->c, H2LOGNO(01000)
                          "h2: connection ends while %d stream(s) (ids %s) still run on "
                          "%d worker(s) after %" APR_TIME_T_FMT " ms: %s", running, ids, jobs,
                          apr_time_as_msec(now - start),
                          end_child ? "the child stops hard, it ends now, without the exit "
                                      "cleanups that would free what they use"
                                    : "waiting for their handlers to return (the client is "
                                      "gone, their output fails)");
            if (end_child) _exit(0);
            warn_at = now - start + H2_DRAIN_WARN_AGAIN;
        }
        else {
            h2_hub_unlock(c1->hub);
        }
        if (h2_c1_pollset_ensure(c1) == APR_SUCCESS)
            apr_pollset_poll(c1->hub->pollset, apr_time_from_msec(100), &n, &out);
        else
            apr_sleep(apr_time_from_msec(10));
    }
}
