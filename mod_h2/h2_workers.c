/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_workers.c -- worker thread pool. See h2_workers.h.
 */
#include <stdlib.h>

#include "apr_thread_proc.h"
#include "apr_thread_mutex.h"
#include "apr_thread_cond.h"
#include "apr_strings.h"
#include "httpd.h"
#include "http_log.h"
#include "ap_mpm.h"

#include "h2_log.h"
#include "h2_workers.h"

APLOG_USE_MODULE(h2);

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
    h2_job *free_jobs;             /* recycled job records */
    int queued;
    int threads;
    int idle;
    int next_id;
    int shutdown;
};

static h2_workers *child_workers;

h2_workers *h2_workers_get(void)
{
    return child_workers;
}

#if APR_HAS_THREADS

static void *APR_THREAD_FUNC worker_main(apr_thread_t *thread, void *arg)
{
    h2_workers *w = arg;
    h2_worker_ctx ctx;
    apr_allocator_t *alloc = NULL;

    ctx.thread = thread;
    ctx.c2_cache = NULL;
    /* Each worker has its own allocator without a mutex: only this thread uses it. */
    apr_allocator_create(&alloc);
    apr_allocator_max_free_set(alloc, 1024 * 1024);
    apr_pool_create_ex(&ctx.pool, NULL, NULL, alloc);
    apr_allocator_owner_set(alloc, ctx.pool);
    apr_pool_tag(ctx.pool, "h2_worker");
    ctx.bucket_alloc = apr_bucket_alloc_create(ctx.pool);

    apr_thread_mutex_lock(w->lock);
    ctx.id = w->next_id++;
    for (;;) {
        h2_job *job;
        while (!w->head && !w->shutdown) {
            apr_status_t rv;
            ++w->idle;
            if (w->threads > w->min) {
                rv = apr_thread_cond_timedwait(w->more_work, w->lock, w->idle_timeout);
                --w->idle;
                if (APR_STATUS_IS_TIMEUP(rv) && !w->head && w->threads > w->min)
                    goto out;
            }
            else {
                apr_thread_cond_wait(w->more_work, w->lock);
                --w->idle;
            }
        }
        if (!w->head)
            break; /* shutdown and nothing left */
        job = w->head;
        w->head = job->next;
        if (!w->head) w->tail = NULL;
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
    if (w->threads == 0)
        apr_thread_cond_broadcast(w->all_gone);
    apr_thread_mutex_unlock(w->lock);
    apr_pool_destroy(ctx.pool);
    apr_thread_exit(thread, APR_SUCCESS);
    return NULL;
}

static apr_status_t start_thread(h2_workers *w)
{
    apr_thread_t *t;
    apr_threadattr_t *attr;
    apr_status_t rv;
    /* called with lock held */
    apr_threadattr_create(&attr, w->pool);
    apr_threadattr_detach_set(attr, 1);
    ++w->threads;
    rv = apr_thread_create(&t, attr, worker_main, w, w->pool);
    if (rv != APR_SUCCESS) {
        --w->threads;
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, w->s, H2LOGNO(00201)
                     "h2 workers: could not start a thread (%d running)", w->threads);
    }
    return rv;
}

static apr_status_t workers_cleanup(void *data)
{
    h2_workers *w = data;
    apr_thread_mutex_lock(w->lock);
    w->shutdown = 1;
    apr_thread_cond_broadcast(w->more_work);
    while (w->threads > 0) {
        if (apr_thread_cond_timedwait(w->all_gone, w->lock, apr_time_from_sec(5)) != APR_SUCCESS)
            break;
    }
    apr_thread_mutex_unlock(w->lock);
    child_workers = NULL;
    return APR_SUCCESS;
}

h2_workers *h2_workers_create(server_rec *s, apr_pool_t *pchild, int min, int max, int idle_secs)
{
    h2_workers *w;
    int threaded = 0, i;
    ap_mpm_query(AP_MPMQ_IS_THREADED, &threaded);
    if (threaded == AP_MPMQ_NOT_SUPPORTED)
        return NULL;
    w = apr_pcalloc(pchild, sizeof(*w));
    w->s = s;
    apr_pool_create(&w->pool, pchild);
    apr_pool_tag(w->pool, "h2_workers");
    w->min = min;
    w->max = max;
    w->idle_timeout = apr_time_from_sec(idle_secs);
    if (apr_thread_mutex_create(&w->lock, APR_THREAD_MUTEX_DEFAULT, w->pool) != APR_SUCCESS
        || apr_thread_cond_create(&w->more_work, w->pool) != APR_SUCCESS
        || apr_thread_cond_create(&w->all_gone, w->pool) != APR_SUCCESS)
        return NULL;
    apr_thread_mutex_lock(w->lock);
    for (i = 0; i < min; ++i) {
        if (start_thread(w) != APR_SUCCESS) break;
    }
    apr_thread_mutex_unlock(w->lock);
    apr_pool_pre_cleanup_register(w->pool, w, workers_cleanup);
    ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, s, H2LOGNO(00202)
                 "h2 workers: started %d threads (min %d, max %d, idle %ds)",
                 w->threads, min, max, idle_secs);
    child_workers = w;
    return w;
}

apr_status_t h2_workers_submit(h2_workers *w, h2_job_fn *fn, void *baton)
{
    h2_job *job;
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
    if (w->tail) w->tail->next = job; else w->head = job;
    w->tail = job;
    ++w->queued;
    /* idle threads not yet woken still count as idle: compare with what is queued */
    if (w->idle >= w->queued || w->threads >= w->max)
        apr_thread_cond_signal(w->more_work);
    else
        start_thread(w);
    apr_thread_mutex_unlock(w->lock);
    return APR_SUCCESS;
}

int h2_workers_max(h2_workers *w)
{
    return w->max;
}

#else /* !APR_HAS_THREADS */

int h2_workers_max(h2_workers *w)
{
    return 0;
}

h2_workers *h2_workers_create(server_rec *s, apr_pool_t *pchild, int min, int max, int idle_secs)
{
    return NULL;
}

apr_status_t h2_workers_submit(h2_workers *w, h2_job_fn *fn, void *baton)
{
    return APR_ENOTIMPL;
}

#endif
