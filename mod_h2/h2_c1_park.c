/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_c1_park.c -- busy sessions parked for their workers, and who runs a session at a
 * time. See h2_c1_park.h.
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "apr_thread_proc.h"
#include "httpd.h"
#include "http_log.h"
#include "http_main.h"
#include "ap_mpm.h"
#include "scoreboard.h"

#include "h2_log.h"
#include "h2_c1.h"
#include "h2_c1_park.h"

APLOG_USE_MODULE(h2);

/* A delayed event of a session (its PING, a retry): the MPM's timed callbacks serve only
 * those due now reliably (httpd 2.4's listener bounds its poll by a timer only when it
 * just ran one that was due, and a new one due no sooner than the earliest does not wake
 * it: a timer in the future can stall every later one until something else wakes the
 * listener; measured, 2 s). So the child's park thread keeps these, and when one is due
 * registers a timed callback of 0 s. Each node holds a reference on its record. */
typedef struct c1_park_due {
    struct c1_park_due *prev, *next; /* [park_tmx] */
    apr_time_t at;               /* [park_tmx] */
    int queued;                  /* [park_tmx] */
    struct h2_c1_park *p;
    int ping;
} c1_park_due;

struct h2_c1_park {
    pthread_mutex_t mx;
    pthread_cond_t cv;           /* the owner let go (h2_c1_park_take waits for it) */
    struct h2_c1 *c1;            /* NULL once the connection is gone */
    int refs;                    /* the connection's (until gone) + one per callback */
    int running;                 /* a thread owns the session ... */
    pthread_t owner;             /* ... this one */
    int on_cb;                   /* ... a callback (else the MPM's thread) */
    int parked;                  /* parked for workers: a callback may take it ... */
    int in_mpm;                  /* ... once the MPM no longer touches the connection: the
                                  * thread that parked it ran the MPM's suspend_connection
                                  * hooks (h2_c1_park_suspended), or it parked on a callback
                                  * (the connection never left the MPM's pollset) */
    int kicked;                  /* news since the owner last looked */
    int waiting;                 /* MPM threads waiting in h2_c1_park_take */
    int cb_now;                  /* a callback for news (or a retry) is registered */
    int cb_ping;                 /* the PING's event is queued (park thread) */
    int ping_due;                /* the callback that runs now is the PING's */
    apr_time_t ping_at;          /* the next PING is due then (0: not in the MPM yet) */
    apr_interval_time_t io_timeout;
    c1_park_due due_ping, due_retry; /* the park thread's nodes */
};

/* The child's park thread and its list of delayed events, ordered by time. */
static pthread_mutex_t park_tmx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t park_tcv = PTHREAD_COND_INITIALIZER;
static c1_park_due *park_head, *park_tail;   /* [park_tmx] */
static int park_run;                          /* [park_tmx] the thread runs */
static int park_stop;                         /* [park_tmx] the child stops */
static pthread_t park_thread;

/* The scoreboard handles of this child's MPM threads, one per thread slot, made on the
 * first callback a thread runs (park_tmx; from park_sb_pool, unmanaged, the child's
 * life: never from pchild, which other threads may use). */
static ap_sb_handle_t **park_sbh;
static apr_pool_t *park_sb_pool;

static void c1_park_free_locked(h2_c1_park *p)
{
    pthread_mutex_unlock(&p->mx);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mx);
    free(p);
}

/* [lock held] drop a reference; returns 1 when the record was freed (and unlocked) */
static int c1_park_unref_locked(h2_c1_park *p)
{
    if (--p->refs > 0) return 0;
    c1_park_free_locked(p);
    return 1;
}

static void c1_park_cb_now(void *baton);

/* [lock held] run the session on an MPM worker thread now (a timed callback of 0 s).
 * 0 when it could not be registered. */
static int c1_park_register_now_locked(h2_c1_park *p)
{
    ++p->refs;
    if (ap_mpm_register_timed_callback(0, c1_park_cb_now, p) != APR_SUCCESS) {
        --p->refs;
        return 0;
    }
    return 1;
}

/* [p's lock held] the delayed event d at `at` (once: a node already queued stays) */
static int c1_park_due_locked(h2_c1_park *p, c1_park_due *d, apr_time_t at)
{
    c1_park_due *after;
    pthread_mutex_lock(&park_tmx);
    if (!park_run || park_stop || d->queued) {
        int queued = d->queued;
        pthread_mutex_unlock(&park_tmx);
        return queued;
    }
    d->at = at;
    d->queued = 1;
    ++p->refs;
    /* from the tail: the events of one kind come in order of time */
    for (after = park_tail; after && after->at > at; after = after->prev)
        ;
    d->prev = after;
    d->next = after ? after->next : park_head;
    if (d->next) d->next->prev = d;
    else park_tail = d;
    if (after) after->next = d;
    else park_head = d;
    if (park_head == d) pthread_cond_signal(&park_tcv);
    pthread_mutex_unlock(&park_tmx);
    return 1;
}

/* the park thread: an event is due */
static void c1_park_fire(c1_park_due *d)
{
    h2_c1_park *p = d->p;
    apr_time_t now = apr_time_now();
    pthread_mutex_lock(&p->mx);
    if (d->ping) {
        p->cb_ping = 0;
        if (p->c1 && p->parked && !p->running && !p->waiting) {
            if (now >= p->ping_at && !p->in_mpm) {
                /* due while the MPM still hands the connection back: the suspend hook
                 * registers the callback (h2_c1_park_suspended) */
                p->ping_due = 1;
                p->ping_at = now + p->io_timeout / 2;
                p->kicked = 1;
            }
            else if (now >= p->ping_at) {
                /* half the MPM's Timeout: the callback sends a PING */
                p->ping_due = 1;
                p->ping_at = now + p->io_timeout / 2;
                if (!p->cb_now) p->cb_now = c1_park_register_now_locked(p);
            }
            else {
                p->cb_ping = c1_park_due_locked(p, &p->due_ping, p->ping_at);
            }
        }
    }
    else if (p->c1 && p->parked && !p->running && !p->in_mpm) {
        p->kicked = 1;   /* the suspend hook registers the callback */
    }
    else if (p->c1 && p->parked && !p->running && !p->cb_now) {
        p->cb_now = c1_park_register_now_locked(p);
    }
    if (!c1_park_unref_locked(p)) pthread_mutex_unlock(&p->mx);
}

/* The tick of the layer above (the idle list's keep-alive expiry), every H2_C1_PARK_TICK
 * on the park thread, without park_tmx held. */
#define H2_C1_PARK_TICK apr_time_from_msec(250)
static void (*park_tick)(apr_time_t now);
static apr_time_t park_tick_next;
/* h2_c1_park_tick_now: ticks asked for and ticks run since (park_tmx); park_tdone
 * signals each run */
static unsigned long park_tick_asked, park_tick_ran;
static pthread_cond_t park_tdone = PTHREAD_COND_INITIALIZER;

/* The child's park thread: fires the delayed events when due, and the tick. */
static void *c1_park_thread_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&park_tmx);
    while (!park_stop) {
        apr_time_t now = apr_time_now();
        c1_park_due *d = park_head;
        if (park_tick && (now >= park_tick_next || park_tick_asked != park_tick_ran)) {
            unsigned long asked = park_tick_asked;
            park_tick_next = now + H2_C1_PARK_TICK;
            pthread_mutex_unlock(&park_tmx);
            park_tick(now);
            pthread_mutex_lock(&park_tmx);
            park_tick_ran = asked;
            pthread_cond_broadcast(&park_tdone);
            continue;
        }
        if (!d || d->at > now) {
            struct timespec ts;
            apr_time_t until = d ? d->at : now + apr_time_from_sec(1);
            if (park_tick && until > park_tick_next) until = park_tick_next;
            ts.tv_sec = (time_t)apr_time_sec(until);
            ts.tv_nsec = (long)apr_time_usec(until) * 1000;
            pthread_cond_timedwait(&park_tcv, &park_tmx, &ts);
            continue;
        }
        park_head = d->next;
        if (park_head) park_head->prev = NULL;
        else park_tail = NULL;
        d->next = d->prev = NULL;
        d->queued = 0;
        pthread_mutex_unlock(&park_tmx);
        c1_park_fire(d);   /* the node's reference goes there */
        pthread_mutex_lock(&park_tmx);
    }
    pthread_mutex_unlock(&park_tmx);
    return NULL;
}

int h2_c1_park_tick_now(apr_interval_time_t wait)
{
    struct timespec ts;
    apr_time_t until = apr_time_now() + wait;
    unsigned long mine;
    pthread_mutex_lock(&park_tmx);
    if (!park_run || park_stop || !park_tick) {
        pthread_mutex_unlock(&park_tmx);
        return 0;
    }
    mine = ++park_tick_asked;
    pthread_cond_signal(&park_tcv);
    ts.tv_sec = (time_t)apr_time_sec(until);
    ts.tv_nsec = (long)apr_time_usec(until) * 1000;
    /* counters wrap far beyond any wait here: "ran < mine" as a difference */
    while (!park_stop && (long)(park_tick_ran - mine) < 0)
        if (pthread_cond_timedwait(&park_tdone, &park_tmx, &ts) != 0) break;
    pthread_mutex_unlock(&park_tmx);
    return 1;
}

static apr_status_t c1_park_child_exit(void *data)
{
    (void)data;
    pthread_mutex_lock(&park_tmx);
    park_stop = 1;
    pthread_cond_signal(&park_tcv);
    pthread_cond_broadcast(&park_tdone);
    pthread_mutex_unlock(&park_tmx);
    if (park_run) pthread_join(park_thread, NULL);
    park_run = 0;
    return APR_SUCCESS;
}

void h2_c1_park_child_init(apr_pool_t *pchild, void (*tick)(apr_time_t now))
{
    int async = 0;
    ap_mpm_query(AP_MPMQ_IS_ASYNC, &async);
    if (!async) return;
    park_tick = tick;
    park_tick_next = 0;
    if (apr_pool_create_unmanaged_ex(&park_sb_pool, NULL, NULL) != APR_SUCCESS)
        park_sb_pool = NULL;   /* callbacks then show no busy slot */
    park_stop = 0;
    park_head = park_tail = NULL;
    if (pthread_create(&park_thread, NULL, c1_park_thread_main, NULL) != 0) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, ap_server_conf, H2LOGNO(00658)
                     "h2: no park thread: busy sessions keep their MPM threads");
        return;
    }
    park_run = 1;
    apr_pool_pre_cleanup_register(pchild, NULL, c1_park_child_exit);
}

h2_c1_park *h2_c1_park_create(struct h2_c1 *c1, apr_interval_time_t io_timeout)
{
    h2_c1_park *p;
    int async = 0, waitio = 0;
    ap_mpm_query(AP_MPMQ_IS_ASYNC, &async);
#ifdef AP_MPMQ_CAN_WAITIO
    if (ap_mpm_query(AP_MPMQ_CAN_WAITIO, &waitio) != APR_SUCCESS) waitio = 0;
#endif
    if (!async || !waitio || !park_run) return NULL;
    p = calloc(1, sizeof(*p));
    if (!p) return NULL;
    if (pthread_mutex_init(&p->mx, NULL) != 0) {
        free(p);
        return NULL;
    }
    if (pthread_cond_init(&p->cv, NULL) != 0) {
        pthread_mutex_destroy(&p->mx);
        free(p);
        return NULL;
    }
    p->c1 = c1;
    p->refs = 1;      /* nobody owns the session yet: h2_c1_run takes it */
    p->io_timeout = io_timeout > 0 ? io_timeout : apr_time_from_sec(60);
    p->due_ping.p = p->due_retry.p = p;
    p->due_ping.ping = 1;
    return p;
}

void h2_c1_park_gone(h2_c1_park *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->mx);
    /* a callback that still runs the session finishes first (cannot be: the MPM closes a
     * connection only after pre_close_connection took it). An MPM thread's ownership is
     * not waited for: the MPM gives a connection to one thread at a time, and the one
     * that destroys it is the last (a take in resume_connection that no process_connection
     * or pre_close followed, e.g. during the lingering close, is left stale) */
    while (p->running && p->on_cb && !pthread_equal(p->owner, pthread_self()))
        pthread_cond_wait(&p->cv, &p->mx);
    p->c1 = NULL;
    p->parked = 0;
    p->in_mpm = 0;
    p->running = 0;
    pthread_cond_broadcast(&p->cv);
    if (!c1_park_unref_locked(p)) pthread_mutex_unlock(&p->mx);
}

void h2_c1_park_take(h2_c1_park *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->mx);
    if (p->running && pthread_equal(p->owner, pthread_self())) {
        /* taken already (resume_connection, then process_connection or pre_close) */
        p->parked = 0;
        pthread_mutex_unlock(&p->mx);
        return;
    }
    /* only a callback is waited for: an MPM thread that owns it is stale (the MPM gives
     * the connection to one thread at a time, this one now) */
    ++p->waiting;
    while (p->running && p->on_cb)
        pthread_cond_wait(&p->cv, &p->mx);
    --p->waiting;
    p->running = 1;
    p->on_cb = 0;
    p->owner = pthread_self();
    p->parked = 0;
    p->in_mpm = 0;
    p->kicked = 0;
    p->ping_due = 0;
    pthread_mutex_unlock(&p->mx);
}

/* This child's scoreboard slot and its MPM thread count; -1 until found (the parent
 * writes our slot's pid after the fork: found on a later call at worst). */
static volatile int park_slot = -1, park_threads = 0;

static int c1_park_child_slot(void)
{
    if (park_slot < 0) {
        apr_proc_t me;
        int i, n = 0;
        me.pid = getpid();
        i = ap_find_child_by_pid(&me);
        if (i < 0 || ap_mpm_query(AP_MPMQ_MAX_THREADS, &n) != APR_SUCCESS || n <= 0)
            return -1;
        park_threads = n;
        park_slot = i;
    }
    return park_slot;
}

int h2_c1_park_threads_short(void)
{
    int i, idle = 0, slot = c1_park_child_slot();
    if (slot < 0) return 0;
    for (i = 0; i < park_threads; ++i) {
        worker_score *ws = ap_get_scoreboard_worker_from_indexes(slot, i);
        if (ws && ws->status == SERVER_READY) ++idle;
    }
    return idle <= park_threads / 4;
}

/* An MPM worker thread on a timed callback: its own slot's handle (the slot whose tid is
 * this thread; the MPM passes callbacks none), and the status the MPM left there. NULL
 * when not found. */
static ap_sb_handle_t *c1_park_cb_sbh(int *status)
{
    int i, slot = c1_park_child_slot();
    pthread_t me = pthread_self();
    worker_score *ws = NULL;
    ap_sb_handle_t *h = NULL;
    if (slot < 0 || !park_sb_pool) return NULL;
    for (i = 0; i < park_threads; ++i) {
        ws = ap_get_scoreboard_worker_from_indexes(slot, i);
        if (ws && pthread_equal(ws->tid, me)) break;
    }
    if (i >= park_threads || !ws) return NULL;
    *status = ws->status;
    pthread_mutex_lock(&park_tmx);
    if (!park_sbh) park_sbh = calloc((size_t)park_threads, sizeof(*park_sbh));
    if (park_sbh && !park_sbh[i]) ap_create_sb_handle(&park_sbh[i], park_sb_pool, slot, i);
    if (park_sbh) h = park_sbh[i];
    pthread_mutex_unlock(&park_tmx);
    return h;
}

int h2_c1_park_for_workers(h2_c1_park *p, apr_interval_time_t retry, int in_mpm)
{
    apr_time_t now;
    pthread_mutex_lock(&p->mx);
    if (p->kicked && !p->waiting) {
        p->kicked = 0;
        pthread_mutex_unlock(&p->mx);
        return 0;
    }
    p->running = 0;
    p->kicked = 0;
    if (p->waiting) {
        /* the client sent something: the MPM's thread takes over (it reads the news) */
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mx);
        return 1;
    }
    p->parked = 1;
    p->in_mpm = in_mpm;
    now = apr_time_now();
    if (retry > 0 && !p->cb_now) c1_park_due_locked(p, &p->due_retry, now + retry);
    if (!p->cb_ping && p->ping_at)
        p->cb_ping = c1_park_due_locked(p, &p->due_ping, p->ping_at);
    pthread_mutex_unlock(&p->mx);
    return 1;
}

void h2_c1_park_release(h2_c1_park *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->mx);
    p->running = 0;
    p->parked = 0;
    p->in_mpm = 0;
    p->kicked = 0;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mx);
}

void h2_c1_park_mpm_parked(h2_c1_park *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->mx);
    p->ping_at = apr_time_now() + p->io_timeout / 2;
    pthread_mutex_unlock(&p->mx);
}

void h2_c1_park_wake(h2_c1_park *p)
{
    pthread_mutex_lock(&p->mx);
    p->kicked = 1;
    /* not in the MPM yet: the thread that parked it still hands it back (the MPM's
     * suspend_connection hooks of other modules may run with the connection): the news
     * wait for h2_c1_park_suspended */
    if (p->c1 && p->parked && p->in_mpm && !p->running && !p->cb_now)
        p->cb_now = c1_park_register_now_locked(p);
    pthread_mutex_unlock(&p->mx);
}

void h2_c1_park_suspended(h2_c1_park *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->mx);
    if (p->c1 && p->parked && !p->running) {
        p->in_mpm = 1;
        /* news (or a due event) came while the connection was handed back */
        if (p->kicked && !p->waiting && !p->cb_now)
            p->cb_now = c1_park_register_now_locked(p);
    }
    pthread_mutex_unlock(&p->mx);
}

int h2_c1_park_wanted(h2_c1_park *p)
{
    int w;
    pthread_mutex_lock(&p->mx);
    w = p->waiting > 0;
    pthread_mutex_unlock(&p->mx);
    return w;
}

int h2_c1_park_ping_due(h2_c1_park *p)
{
    int d;
    pthread_mutex_lock(&p->mx);
    d = p->ping_due;
    p->ping_due = 0;
    pthread_mutex_unlock(&p->mx);
    return d;
}

/* [lock held] a callback may run the parked session: take it */
static struct h2_c1 *c1_park_claim_locked(h2_c1_park *p)
{
    if (!p->c1 || !p->parked || !p->in_mpm || p->running || p->waiting) return NULL;
    p->running = 1;
    p->on_cb = 1;
    p->owner = pthread_self();
    p->parked = 0;
    p->kicked = 0;
    return p->c1;
}

/* MPM worker thread (timed callback of 0 s): news from the workers, the retry of output
 * that waits for the socket, or the PING due */
static void c1_park_cb_now(void *baton)
{
    h2_c1_park *p = baton;
    struct h2_c1 *c1;
    pthread_mutex_lock(&p->mx);
    p->cb_now = 0;
    c1 = c1_park_claim_locked(p);
    /* the connection holds its reference while this thread owns the session */
    if (!c1_park_unref_locked(p)) pthread_mutex_unlock(&p->mx);
    if (c1) {
        /* the MPM counts this thread idle ("ready") while it runs a callback: its slot
         * shows the session busy instead, so that mod_status, the parent's idle-server
         * count and h2_c1_park_threads_short see the thread at work */
        int prev = SERVER_READY;
        ap_sb_handle_t *sbh = c1_park_cb_sbh(&prev);
        h2_c1_run_parked(c1, sbh);
        /* the session was let go (c1 may be gone now): the slot as the MPM left it */
        if (sbh) ap_update_child_status(sbh, prev, NULL);
    }
}
