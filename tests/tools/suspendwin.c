/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/* suspendwin.c -- a test-only httpd module that detects a thread writing to a connection
 * while the event MPM still hands that connection back on another thread (issue 17 row 9,
 * issue 18: "a timed callback can start before the parking MPM thread has finished handing
 * the connection back").
 *
 * When process_connection returns a connection to the MPM for waiting (wait-io,
 * write completion, keep-alive), the MPM runs the suspend_connection hooks on the thread
 * that processed it, then puts it in its pollset. This module's suspend_connection hook
 * (APR_HOOK_MIDDLE: the place any other module's hook runs) holds that thread
 * SUSPENDWIN_HOLD_MS ms (environment; 0 or unset: no hold), so that the window in which
 * the MPM still uses the connection becomes milliseconds wide. Its output filter (just
 * above the core's) sees every write to the connection: one made by another thread while
 * the hold runs is logged as "SUSPENDWIN: write on thread ... while the MPM suspends the
 * connection" at ERROR. Each hold of a connection with mod_h2's session logs one
 * "SUSPENDWIN hold" line at INFO (LogLevel suspendwin:info), so a test can assert that the
 * window was exercised at all.
 *
 * The same filter looks at the scoreboard slot of the MPM thread that writes (the slot
 * whose tid is the writing thread; threads of no slot, such as mod_h2's park thread, are
 * left alone): a write from a thread whose slot says SERVER_READY (idle, as the MPM
 * leaves a thread that runs a timed callback) is logged once per connection as
 * "SUSPENDWIN: write on a thread the scoreboard counts idle" at ERROR: the MPM and
 * mod_status do not see that thread at work.
 *
 * Build: gcc -shared -fPIC -O2 -o mod_suspendwin.so suspendwin.c -I/usr/include/apache2
 *        -I/usr/include/apr-1.0
 * Use:   LoadModule suspendwin_module /path/mod_suspendwin.so
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "httpd.h"
#include "http_config.h"
#include "http_connection.h"
#include "http_log.h"
#include "util_filter.h"
#include "mpm_common.h"
#include "ap_mpm.h"
#include "scoreboard.h"
#include "apr_optional.h"

module AP_MODULE_DECLARE_DATA suspendwin_module;

APR_DECLARE_OPTIONAL_FN(int, http2_is_h2, (conn_rec *));

typedef struct {
    volatile int holding;
    pthread_t holder;
    int idle_logged;
} sw_conn;

/* the status of the calling thread's scoreboard slot, -1 when it has none */
static int sw_my_status(void)
{
    static int slot = -1, threads = 0;
    apr_proc_t me;
    int i;
    if (slot < 0) {
        me.pid = getpid();
        slot = ap_find_child_by_pid(&me);
        if (slot < 0 || ap_mpm_query(AP_MPMQ_MAX_THREADS, &threads) != APR_SUCCESS)
            return -1;
    }
    for (i = 0; i < threads; ++i) {
        worker_score *ws = ap_get_scoreboard_worker_from_indexes(slot, i);
        if (ws && pthread_equal(ws->tid, pthread_self())) return ws->status;
    }
    return -1;
}

static int sw_hold_ms(void)
{
    const char *v = getenv("SUSPENDWIN_HOLD_MS");
    return v ? atoi(v) : 0;
}

static apr_status_t sw_out_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    sw_conn *st = f->ctx;
    if (st && st->holding && !pthread_equal(st->holder, pthread_self()))
        ap_log_cerror(APLOG_MARK, APLOG_ERR, 0, f->c,
                      "SUSPENDWIN: write on thread %lu while the MPM suspends the "
                      "connection on thread %lu", (unsigned long)pthread_self(),
                      (unsigned long)st->holder);
    if (st && !st->idle_logged && sw_my_status() == SERVER_READY) {
        st->idle_logged = 1;
        ap_log_cerror(APLOG_MARK, APLOG_ERR, 0, f->c,
                      "SUSPENDWIN: write on a thread the scoreboard counts idle");
    }
    return ap_pass_brigade(f->next, bb);
}

static int sw_pre_connection(conn_rec *c, void *csd)
{
    sw_conn *st;
    (void)csd;
    if (c->master) return OK;
    st = apr_pcalloc(c->pool, sizeof(*st));
    ap_set_module_config(c->conn_config, &suspendwin_module, st);
    ap_add_output_filter("SUSPENDWIN", st, NULL, c);
    return OK;
}

static void sw_suspend(conn_rec *c, request_rec *r)
{
    static APR_OPTIONAL_FN_TYPE(http2_is_h2) *is_h2;
    sw_conn *st = c->master ? NULL : ap_get_module_config(c->conn_config, &suspendwin_module);
    int ms = sw_hold_ms();
    (void)r;
    if (!st || ms <= 0) return;
    if (!is_h2) is_h2 = APR_RETRIEVE_OPTIONAL_FN(http2_is_h2);
    if (!is_h2 || !is_h2(c)) return;
    st->holder = pthread_self();
    __atomic_store_n(&st->holding, 1, __ATOMIC_SEQ_CST);
    usleep((useconds_t)ms * 1000);
    __atomic_store_n(&st->holding, 0, __ATOMIC_SEQ_CST);
    ap_log_cerror(APLOG_MARK, APLOG_INFO, 0, c, "SUSPENDWIN hold %d ms", ms);
}

static void sw_register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_pre_connection(sw_pre_connection, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_suspend_connection(sw_suspend, NULL, NULL, APR_HOOK_MIDDLE);
    ap_register_output_filter("SUSPENDWIN", sw_out_filter, NULL, AP_FTYPE_NETWORK - 1);
}

AP_DECLARE_MODULE(suspendwin) = {
    STANDARD20_MODULE_STUFF, NULL, NULL, NULL, NULL, NULL, sw_register_hooks
#if defined(AP_MODULE_FLAG_NONE)
    , AP_MODULE_FLAG_NONE
#endif
};
