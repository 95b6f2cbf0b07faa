/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_workers.c -- worker thread pool. See h2_workers.h.
 */
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "apr_signal.h"
#include "apr_thread_proc.h"
#include "apr_thread_mutex.h"
#include "apr_thread_cond.h"
#include "apr_strings.h"
#include "apr_atomic.h"
#include "httpd.h"
#include "http_log.h"
#include "ap_mpm.h"

#include "h2_log.h"
#include "h2_workers.h"

APLOG_USE_MODULE(h2);

/* How long a child that stops hard (`stop`, `restart`, a graceful stop's timeout) waits
 * for busy workers before it ends without its exit cleanups (the parent sends SIGTERM
 * again 3 s after the stop, SIGKILL after 9 s) */
#define H2_WORKERS_STOP_WAIT apr_time_from_msec(1000)
/* A graceful stop waits for them as long as they run; after this long it names them */
#define H2_WORKERS_STOP_WARN apr_time_from_sec(1)

typedef struct h2_job {
    struct h2_job *next;
    h2_job_fn *fn;
    void *baton;
} h2_job;

struct h2_workers {
    server_rec *s;
    apr_pool_t *pool;
    int min, max;
    apr_interval_time_t idle_timeout;
#if APR_HAS_THREADS
    apr_thread_mutex_t *lock;
    apr_thread_cond_t *more_work;  /* signalled when a job is queued */
    apr_thread_cond_t *all_gone;   /* signalled when the last thread exits at shutdown */
#endif
    h2_job *head, *tail;
    h2_job *ahead_head, *ahead_tail; /* jobs that go before those above (h2_workers_submit) */
    h2_job *free_jobs;             /* recycled job records */
    int queued;                    /* jobs on both lists */
    apr_uint32_t ahead_queued;     /* jobs on the ahead list (atomic: read without the lock) */
    int threads;
    int idle;
    int next_id;
    int shutdown;
#if APR_HAS_THREADS
    struct h2_worker_slot *slots;  /* max slots, one per possible thread */
    struct h2_worker_slot *free_slots; /* [lock] slots without a thread */
    struct h2_worker_slot *zombies;    /* [lock] threads that ended, not yet joined */
#endif
};

#if APR_HAS_THREADS
/* A place for one thread. Threads are joinable: a thread that ends (idle, shutdown) puts
 * its slot on the zombie list and the next start or the shutdown joins it, so a thread's
 * memory is released only after the thread is gone. */
typedef struct h2_worker_slot {
    struct h2_worker_slot *next;
    h2_workers *w;
    apr_pool_t *pool;              /* the apr_thread_t and its pool; cleared after join */
    apr_thread_t *thread;
    h2_worker_ctx *ctx;            /* [lock] the running thread's context, or NULL */
} h2_worker_slot;
#endif

static h2_workers *child_workers;

/* How the child stops (read by any thread): STOP_NONE while it serves; STOP_GONE when
 * its connections are all gone (workers_pre_cleanup); STOP_HARD at once when it stops
 * without grace (h2_workers_child_stopping). */
enum { STOP_NONE = 0, STOP_GONE = 1, STOP_HARD = 2 };
static apr_uint32_t child_stopping;

h2_workers *h2_workers_get(void)
{
    return child_workers;
}

int h2_workers_stopping(void)
{
    return apr_atomic_read32(&child_stopping) != STOP_NONE;
}

/* The parent's SIGTERM while the child stops gracefully (`stop` after `graceful`, the end
 * of GracefulShutdownTimeout): the MPM's threads no longer listen for it (its handler
 * does nothing then), so ours notes it and the waits for handlers (c1's drain,
 * workers_pre_cleanup) turn into a hard stop's short one. */
static volatile sig_atomic_t workers_got_term;

static void workers_sigterm(int sig)
{
    (void)sig;
    workers_got_term = 1;
}

/* The same during the graceful stop, for another process's SIGTERM only: the event MPM's
 * listener sends the child one itself as it closes its listeners (to wake the main
 * thread), which is no stop of ours. */
static void workers_sigterm_info(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    if (!si || si->si_pid != getpid()) workers_got_term = 1;
}

/* child_stopping hook (the thread that stops the child). A hard stop closes the MPM's
 * connections at once: our streams lose their clients just as at once. A graceful stop
 * lets the connections finish first; their ends wait for their handlers, the MPM's join
 * for them: the parent's SIGTERM meanwhile makes it a hard stop (workers_sigterm). */
void h2_workers_child_stopping(apr_pool_t *pchild, int graceful)
{
    (void)pchild;
    if (!graceful) apr_atomic_set32(&child_stopping, STOP_HARD);
    else {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_sigaction = workers_sigterm_info;
        sa.sa_flags = SA_SIGINFO;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGTERM, &sa, NULL);
    }
}

int h2_workers_stopping_hard(void)
{
    if (workers_got_term) apr_atomic_set32(&child_stopping, STOP_HARD);
    return apr_atomic_read32(&child_stopping) == STOP_HARD;
}

#if APR_HAS_THREADS

static void *APR_THREAD_FUNC worker_main(apr_thread_t *thread, void *arg)
{
    h2_worker_slot *slot = arg;
    h2_workers *w = slot->w;
    h2_worker_ctx ctx;
    apr_allocator_t *alloc = NULL;

    memset(&ctx, 0, sizeof(ctx));
    ctx.thread = thread;
    /* Each worker has its own allocator without a mutex: only this thread uses it. The
     * pool is unmanaged: nothing but this thread destroys it (not even apr_terminate at
     * exit, should a handler still run then). */
    apr_allocator_create(&alloc);
    apr_allocator_max_free_set(alloc, 1024 * 1024);
    apr_pool_create_unmanaged_ex(&ctx.pool, NULL, alloc);
    apr_allocator_owner_set(alloc, ctx.pool);
    apr_pool_tag(ctx.pool, "h2_worker");
    ctx.bucket_alloc = apr_bucket_alloc_create(ctx.pool);

    apr_thread_mutex_lock(w->lock);
    ctx.id = w->next_id++;
    slot->ctx = &ctx;
    for (;;) {
        h2_job *job;
        while (!w->head && !w->ahead_head && !w->shutdown) {
            apr_status_t rv;
            ++w->idle;
            if (w->threads > w->min) {
                rv = apr_thread_cond_timedwait(w->more_work, w->lock, w->idle_timeout);
                --w->idle;
                if (APR_STATUS_IS_TIMEUP(rv) && !w->head && !w->ahead_head
                    && w->threads > w->min)
                    goto out;
            }
            else {
                apr_thread_cond_wait(w->more_work, w->lock);
                --w->idle;
            }
        }
        if (w->ahead_head) {
            job = w->ahead_head;
            w->ahead_head = job->next;
            if (!w->ahead_head) w->ahead_tail = NULL;
            apr_atomic_dec32(&w->ahead_queued);
        }
        else if (w->head) {
            job = w->head;
            w->head = job->next;
            if (!w->head) w->tail = NULL;
        }
        else
            break; /* shutdown and nothing left */
        --w->queued;
        {
            h2_job_fn *fn = job->fn;
            void *baton = job->baton;
            job->next = w->free_jobs;
            w->free_jobs = job;
            apr_thread_mutex_unlock(w->lock);
            fn(baton, &ctx);
            apr_thread_mutex_lock(w->lock);
        }
    }
out:
    --w->threads;
    slot->ctx = NULL;
    slot->next = w->zombies;
    w->zombies = slot;
    if (w->threads == 0)
        apr_thread_cond_broadcast(w->all_gone);
    apr_thread_mutex_unlock(w->lock);
    apr_pool_destroy(ctx.pool);
    apr_thread_exit(thread, APR_SUCCESS);
    return NULL;
}

/* Join the threads that ended (lock held; they hold no lock when they end). */
static void workers_reap(h2_workers *w)
{
    h2_worker_slot *slot;
    while ((slot = w->zombies)) {
        apr_status_t st;
        w->zombies = slot->next;
        apr_thread_join(&st, slot->thread);
        slot->thread = NULL;
        apr_pool_clear(slot->pool);
        slot->next = w->free_slots;
        w->free_slots = slot;
    }
}

static apr_status_t start_thread(h2_workers *w)
{
    h2_worker_slot *slot;
    apr_status_t rv;
    /* called with lock held */
    workers_reap(w);
    slot = w->free_slots;
    if (!slot) return APR_EAGAIN;
    if (!slot->pool) {
        rv = apr_pool_create(&slot->pool, w->pool);
        if (rv != APR_SUCCESS) return rv;
        apr_pool_tag(slot->pool, "h2_worker_slot");
    }
    w->free_slots = slot->next;
    slot->next = NULL;
    ++w->threads;
    rv = apr_thread_create(&slot->thread, NULL, worker_main, slot, slot->pool);
    if (rv != APR_SUCCESS) {
        --w->threads;
        slot->thread = NULL;
        slot->next = w->free_slots;
        w->free_slots = slot;
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, w->s, H2LOGNO(00201)
                     "h2 workers: could not start a thread (%d running)", w->threads);
    }
    return rv;
}

/* Name the workers still in a stream (lock held) into buf. Returns how many. */
static int workers_busy_list(h2_workers *w, apr_time_t now, char *buf, apr_size_t size)
{
    apr_size_t len = 0;
    int i, nbusy = 0;
    buf[0] = 0;
    for (i = 0; i < w->max; ++i) {
        h2_worker_ctx *ctx = w->slots[i].ctx;
        if (!ctx || !ctx->stream_id) continue;
        ++nbusy;
        if (len < size - 64)
            len += (apr_size_t)apr_snprintf(buf + len, size - len,
                    " conn %ld stream %u (%" APR_TIME_T_FMT " ms);", ctx->conn_id,
                    (unsigned)ctx->stream_id, apr_time_as_msec(now - ctx->since));
    }
    return nbusy;
}

/* The child is going away (pre-cleanup of the child's pool, on its main thread, after
 * the MPM joined its own threads, so every connection of the child is gone). Streams
 * still running have no client any more: h2_workers_stopping() makes c2's next read or
 * write fail, so that their handlers end. Then wait for every worker: nothing of the
 * child may be freed while a handler runs (the pool cleanups after this one and exit()
 * free the configuration, modules' child state and libraries' globals they use).
 * - After a graceful stop, as long as they run, as the MPM waits for its own threads (a
 *   graceful restart lets a long request finish; GracefulShutdownTimeout ends it);
 *   workers still busy after H2_WORKERS_STOP_WARN are named in the log once.
 * - After a hard stop, H2_WORKERS_STOP_WAIT: then the child ends at once, without its
 *   exit cleanups, rather than free memory under a running handler or hold a restart
 *   until the parent's SIGKILL. */
static apr_status_t workers_pre_cleanup(void *data)
{
    h2_workers *w = data;
    apr_time_t start = apr_time_now(), now = start, hard_since = 0;
    apr_sigfunc_t *old_term;
    int warned = 0;
    apr_atomic_cas32(&child_stopping, STOP_GONE, STOP_NONE);
    /* the parent's SIGTERM (`stop`, the end of GracefulShutdownTimeout) turns a graceful
     * wait into a hard one: the MPM no longer listens for it on this thread */
    old_term = apr_signal(SIGTERM, workers_sigterm);
    if (apr_atomic_read32(&child_stopping) == STOP_HARD) hard_since = start;
    apr_thread_mutex_lock(w->lock);
    w->shutdown = 1;
    apr_thread_cond_broadcast(w->more_work);
    while (w->threads > 0) {
        int hard;
        apr_thread_cond_timedwait(w->all_gone, w->lock, apr_time_from_msec(100));
        if (w->threads <= 0) break;
        now = apr_time_now();
        if (!hard_since && h2_workers_stopping_hard())
            hard_since = now;
        hard = hard_since && now - hard_since >= H2_WORKERS_STOP_WAIT;
        if (hard || (!warned && now - start >= H2_WORKERS_STOP_WARN)) {
            char busy[400];
            int threads = w->threads, nbusy = workers_busy_list(w, now, busy, sizeof(busy));
            warned = 1;
            apr_thread_mutex_unlock(w->lock);
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, w->s, H2LOGNO(00601)
                         "h2 workers: %d thread(s) still running after %" APR_TIME_T_FMT
                         " ms at child exit, %d in a stream:%s %s", threads,
                         apr_time_as_msec(now - start), nbusy, busy,
                         hard ? "the child ends now, without the exit cleanups that "
                                "would free what they use"
                              : hard_since ? "waiting a moment for them (hard stop)"
                                           : "waiting for them (graceful stop)");
            if (hard) _exit(0);
            apr_thread_mutex_lock(w->lock);
        }
    }
    child_workers = NULL;
    workers_reap(w);
    apr_thread_mutex_unlock(w->lock);
    apr_signal(SIGTERM, old_term);
    ap_log_error(APLOG_MARK, warned ? APLOG_NOTICE : APLOG_DEBUG, 0, w->s, H2LOGNO(00602)
                 "h2 workers: all threads joined in %" APR_TIME_T_FMT " ms",
                 apr_time_as_msec(apr_time_now() - start));
    apr_pool_destroy(w->pool);
    return APR_SUCCESS;
}

h2_workers *h2_workers_create(server_rec *s, apr_pool_t *pchild, int min, int max, int idle_secs)
{
    h2_workers *w;
    apr_pool_t *pool;
    apr_allocator_t *alloc = NULL;
    apr_thread_mutex_t *amx = NULL;
    int threaded = 0, i;
    ap_mpm_query(AP_MPMQ_IS_THREADED, &threaded);
    if (threaded == AP_MPMQ_NOT_SUPPORTED)
        return NULL;
    /* Our own, unmanaged pool with a locked allocator (threads create and destroy their
     * pools in it): destroyed by workers_pre_cleanup once every thread is joined, never
     * under a running thread. */
    if (apr_allocator_create(&alloc) != APR_SUCCESS)
        return NULL;
    if (apr_pool_create_unmanaged_ex(&pool, NULL, alloc) != APR_SUCCESS) {
        apr_allocator_destroy(alloc);
        return NULL;
    }
    apr_allocator_owner_set(alloc, pool);
    apr_pool_tag(pool, "h2_workers");
    if (apr_thread_mutex_create(&amx, APR_THREAD_MUTEX_DEFAULT, pool) != APR_SUCCESS) {
        apr_pool_destroy(pool);
        return NULL;
    }
    apr_allocator_mutex_set(alloc, amx);
    if (max < 1) max = 1;
    if (min > max) min = max;
    w = apr_pcalloc(pool, sizeof(*w));
    w->s = s;
    w->pool = pool;
    w->min = min;
    w->max = max;
    w->idle_timeout = apr_time_from_sec(idle_secs);
    w->slots = apr_pcalloc(pool, sizeof(*w->slots) * (apr_size_t)max);
    for (i = max - 1; i >= 0; --i) {
        w->slots[i].w = w;
        w->slots[i].next = w->free_slots;
        w->free_slots = &w->slots[i];
    }
    if (apr_thread_mutex_create(&w->lock, APR_THREAD_MUTEX_DEFAULT, w->pool) != APR_SUCCESS
        || apr_thread_cond_create(&w->more_work, w->pool) != APR_SUCCESS
        || apr_thread_cond_create(&w->all_gone, w->pool) != APR_SUCCESS) {
        apr_pool_destroy(pool);
        return NULL;
    }
    apr_thread_mutex_lock(w->lock);
    for (i = 0; i < min; ++i) {
        if (start_thread(w) != APR_SUCCESS) break;
    }
    apr_thread_mutex_unlock(w->lock);
    /* a pre-cleanup of the child's pool: it runs before anything under pchild is
     * destroyed (and after the MPM joined the connection threads that submit jobs) */
    apr_pool_pre_cleanup_register(pchild, w, workers_pre_cleanup);
    ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, s, H2LOGNO(00202)
                 "h2 workers: started %d threads (min %d, max %d, idle %ds)",
                 w->threads, min, max, idle_secs);
    child_workers = w;
    return w;
}

apr_status_t h2_workers_submit(h2_workers *w, h2_job_fn *fn, void *baton, int ahead)
{
    h2_job *job;
    int wake = 0;
    apr_thread_mutex_lock(w->lock);
    if (w->shutdown) {
        apr_thread_mutex_unlock(w->lock);
        return APR_EOF;
    }
    job = w->free_jobs;
    if (job) w->free_jobs = job->next;
    else job = apr_palloc(w->pool, sizeof(*job));
    job->next = NULL;
    job->fn = fn;
    job->baton = baton;
    if (ahead) {
        if (w->ahead_tail) w->ahead_tail->next = job; else w->ahead_head = job;
        w->ahead_tail = job;
        apr_atomic_inc32(&w->ahead_queued);
    }
    else {
        if (w->tail) w->tail->next = job; else w->head = job;
        w->tail = job;
    }
    ++w->queued;
    /* idle threads not yet woken still count as idle: compare with what is queued */
    if (w->idle >= w->queued || w->threads >= w->max)
        wake = 1;
    else
        start_thread(w);
    apr_thread_mutex_unlock(w->lock);
    /* signalled after the unlock: a woken worker that runs at once (it often preempts
     * the submitting thread on its CPU) finds the lock free, instead of blocking on it
     * and switching back (3 context switches per job instead of 1). The pool's lock and
     * condition live until the child's pool goes (workers_pre_cleanup), after the MPM
     * joined every c1 thread, the only ones that submit. */
    if (wake) apr_thread_cond_signal(w->more_work);
    return APR_SUCCESS;
}

int h2_workers_max(h2_workers *w)
{
    return w->max;
}

int h2_workers_ahead_waiting(h2_workers *w)
{
    return apr_atomic_read32(&w->ahead_queued) > 0;
}

int h2_workers_free(h2_workers *w)
{
    int n;
    apr_thread_mutex_lock(w->lock);
    n = w->max - w->threads + w->idle - w->queued;
    apr_thread_mutex_unlock(w->lock);
    return n > 0 ? n : 0;
}

#else /* !APR_HAS_THREADS */

int h2_workers_max(h2_workers *w)
{
    return 0;
}

int h2_workers_free(h2_workers *w)
{
    return 0;
}

h2_workers *h2_workers_create(server_rec *s, apr_pool_t *pchild, int min, int max, int idle_secs)
{
    return NULL;
}

int h2_workers_ahead_waiting(h2_workers *w)
{
    return 0;
}

apr_status_t h2_workers_submit(h2_workers *w, h2_job_fn *fn, void *baton, int ahead)
{
    return APR_ENOTIMPL;
}

#endif
