/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_workers.h -- the module's own worker thread pool (one per child process).
 *
 * Jobs are plain (fn, baton) pairs queued FIFO in two lanes: jobs submitted `ahead` go
 * before all others (a connection's first streams), the rest after them. min threads are started in child_init and
 * live as long as the child; up to max threads are added while jobs wait and no thread is
 * idle; threads above min exit after idle_secs without work. Each worker owns a long-lived
 * pool and bucket allocator that jobs may use (h2_worker_ctx) so that stream connections
 * (c2) are recycled per worker instead of rebuilt per request.
 *
 * Threads: h2_workers_submit() from any thread (c1's); jobs run on worker threads.
 *
 * Shutdown: h2_workers_stopping() makes c2's reads and writes fail once streams have no
 * client: at once on a hard stop (child_stopping), when the connections are all gone on
 * a graceful one. A pre-cleanup of the child's pool joins the threads: after a graceful
 * stop however long they take (the MPM joins its own the same way), after a hard stop
 * for a second, then the child ends without its exit cleanups (nothing is freed under
 * a running handler). Threads are joinable; one that ends early (idle) is joined by the
 * next thread start.
 */
#ifndef H2_WORKERS_H
#define H2_WORKERS_H

#include "apr_pools.h"
#include "apr_buckets.h"
#include "httpd.h"

typedef struct h2_workers h2_workers;

typedef struct h2_worker_ctx {
    int id;                       /* worker number (for logs) */
    apr_pool_t *pool;             /* worker lifetime; owned by the worker thread */
    apr_bucket_alloc_t *bucket_alloc; /* worker lifetime */
    void *c2_cache;               /* recycled stream connection, owned by h2_c2.c */
    /* what the worker runs, for the shutdown log (written by the worker; read without a
     * lock at shutdown, for logging only) */
    volatile long conn_id;        /* c1's connection id */
    volatile apr_uint32_t stream_id; /* 0: no stream */
    volatile apr_time_t since;    /* when the stream started */
#if APR_HAS_THREADS
    apr_thread_t *thread;
#endif
} h2_worker_ctx;

typedef void h2_job_fn(void *baton, h2_worker_ctx *w);

/* Create the pool for a child; NULL under a non-threaded MPM (callers then run jobs inline). */
h2_workers *h2_workers_create(server_rec *s, apr_pool_t *pchild, int min, int max, int idle_secs);

/* Queue a job, ahead (non-zero) of the jobs queued without it or behind them. Returns
 * APR_SUCCESS, or an error when shutting down. */
apr_status_t h2_workers_submit(h2_workers *w, h2_job_fn *fn, void *baton, int ahead);

/* Non-zero while jobs submitted ahead wait for a thread (any thread, no lock: a hint for
 * a long job to give its thread up). */
int h2_workers_ahead_waiting(h2_workers *w);

/* The most threads the pool may run. */
int h2_workers_max(h2_workers *w);

/* Threads that could take a job now: idle or not yet started, less the jobs queued. */
int h2_workers_free(h2_workers *w);

/* The child's pool (set in child_init), NULL if none. */
h2_workers *h2_workers_get(void);

/* Non-zero once a stream still running has no client (any thread): the child stops
 * hard, or its connections are all gone. */
int h2_workers_stopping(void);

/* child_stopping hook. */
void h2_workers_child_stopping(apr_pool_t *pchild, int graceful);

/* any thread: the child stops without grace (`stop`, `restart`, or the parent's SIGTERM
 * during a graceful stop): it must exit within seconds, before the parent kills it. */
int h2_workers_stopping_hard(void);

#endif /* H2_WORKERS_H */
