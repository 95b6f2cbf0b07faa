/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * mod_h2.c -- the module record and hook registrations of mod_h2.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_connection.h"
#include "http_log.h"
#include "http_main.h"
#include "mpm_common.h"
#include "apr_optional.h"

#include "mod_h2.h"
#include "h2_log.h"
#include "h2_version.h"
#include "h2_config.h"
#include "h2_c1.h"
#include "h2_c1_io.h"
#include "h2_c2.h"
#include "h2_switch.h"
#include "h2_c1_idle.h"
#include "h2_c1_park.h"
#include "h2_workers.h"
#include "h2_ws.h"
#include "h2_status.h"
#include "h2_vars.h"
#include "h2_hints.h"


APLOG_USE_MODULE(h2);

static int h2_is_h2(conn_rec *c)
{
    return h2_c1_is_h2(c);
}

/* mod_http2's optional functions, under its names (include/mod_h2.h) */
static int http2_is_h2(conn_rec *c)
{
    return h2_c1_is_h2(c);
}

static char *http2_var_lookup(apr_pool_t *p, server_rec *s, conn_rec *c, request_rec *r,
                              char *name)
{
    return (char *)h2_vars_lookup(p, s, c, r, name);
}

/* mod_proxy sizes a backend's connection pool by it in its child_init, which may run
 * before ours: the numbers come from the configuration, not from the running pool. Only
 * the main server's values count (the pool is per child). */
static void http2_get_num_workers(server_rec *s, int *minw, int *maxw)
{
    int threaded = 0, idle;
    ap_mpm_query(AP_MPMQ_IS_THREADED, &threaded);
    if (threaded == AP_MPMQ_NOT_SUPPORTED) {
        *minw = *maxw = 1;               /* no pool: streams run on c1, one at a time */
        return;
    }
    h2_config_workers(ap_server_conf ? ap_server_conf : s, minw, maxw, &idle);
}

static void h2_child_init(apr_pool_t *pchild, server_rec *s)
{
    int mn, mx, idle;
    h2_config_workers(s, &mn, &mx, &idle);
    h2_workers_create(s, pchild, mn, mx, idle);
    h2_c1_idle_child_init(pchild);
    h2_c1_park_child_init(pchild, h2_c1_idle_expire);
    h2_hints_child_init(pchild, s);
}

static int h2_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    /* httpd runs post_config twice at start: log once, on the real run. */
    void *data = NULL;
    const char *key = "mod_h2_init";
    apr_pool_userdata_get(&data, key, s->process->pool);
    if (!data) {
        apr_pool_userdata_set((const void *)1, key, apr_pool_cleanup_null, s->process->pool);
        return OK;
    }
    h2_config_apply_defaults(s);
    h2_config_log_warnings(pconf, s);
    ap_log_error(APLOG_MARK, APLOG_INFO, 0, s, H2LOGNO(00001) "mod_h2 %s started (own HTTP/2 engine)",
                 MOD_H2_VERSION);
    return OK;
}

static void h2_register_hooks(apr_pool_t *p)
{
    static const char *const before_ssl[] = { "mod_ssl.c", NULL };
    (void)p;
    /* post_config: APR_HOOK_MIDDLE, nothing we set up here depends on other modules. */
    ap_hook_post_config(h2_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    /* child_init: MIDDLE, the worker pool needs nothing from other modules */
    ap_hook_child_init(h2_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    h2_switch_register_hooks();
    /* child_stopping: MIDDLE, it only wakes our own busy sessions' polls (they then end
     * or send GOAWAY on their own threads); nothing depends on other modules' order */
    ap_hook_child_stopping(h2_c1_child_stopping, NULL, NULL, APR_HOOK_MIDDLE);
    /* pre_close_connection (GOAWAY before a close the MPM decides): REALLY_FIRST, and
     * before mod_ssl as a successor: the connection must leave the list of parked
     * connections before any other module's pre_close touches it (the stopping thread may
     * write to a parked connection, h2_c1_idle.h), and the GOAWAY must go out inside the
     * TLS session, ahead of anything that ends it (httpd 2.4's mod_ssl has no pre_close
     * hook today; the MPM's flush and close_notify follow the hooks). */
    ap_hook_pre_close_connection(h2_c1_idle_pre_close, NULL, before_ssl,
                                 APR_HOOK_REALLY_FIRST);
    /* resume_connection: REALLY_FIRST for the same reason: the first code that runs when
     * the MPM gives a parked connection to a worker unparks it, ahead of other modules. */
    ap_hook_resume_connection(h2_c1_idle_resume, NULL, NULL, APR_HOOK_REALLY_FIRST);
    /* suspend_connection: REALLY_LAST, the mirror of resume: the MPM's thread that parked
     * one of our connections runs every other module's suspend hook with it first; only
     * after the last one may a timed callback run the session or the park thread write
     * to it (h2_c1_idle_suspend, h2_c1_park.h) */
    ap_hook_suspend_connection(h2_c1_idle_suspend, NULL, NULL, APR_HOOK_REALLY_LAST);
    /* child_stopping: MIDDLE, it only signals our park thread, which writes to our own
     * parked connections (the listener still polls them whatever other modules do
     * here). */
    ap_hook_child_stopping(h2_c1_idle_child_stopping, NULL, NULL, APR_HOOK_MIDDLE);
    /* child_stopping: MIDDLE, it only marks our own streams as without a client on a hard
     * stop (the MPM closes the connections then, whatever the order of the hooks) */
    ap_hook_child_stopping(h2_workers_child_stopping, NULL, NULL, APR_HOOK_MIDDLE);
    h2_c2_register_hooks();
    h2_ws_register_hooks();
    h2_status_register_hooks();
    h2_c1_io_register_hooks();
    APR_REGISTER_OPTIONAL_FN(h2_is_h2);
    /* mod_http2's: ap_expr (%{HTTP2}) and mod_proxy_http2 retrieve them in post_config,
     * mod_proxy in child_init, so they are registered here, before either runs */
    APR_REGISTER_OPTIONAL_FN(http2_is_h2);
    APR_REGISTER_OPTIONAL_FN(http2_var_lookup);
    APR_REGISTER_OPTIONAL_FN(http2_get_num_workers);
}

module AP_MODULE_DECLARE_DATA h2_module = {
    STANDARD20_MODULE_STUFF,
    h2_config_create_dir, /* dir config creater */
    h2_config_merge_dir,  /* dir merger */
    h2_config_create_srv, /* server config */
    h2_config_merge_srv,  /* merge server config */
    h2_cmds,              /* command table */
    h2_register_hooks,
#if defined(AP_MODULE_FLAG_ALWAYS_MERGE)
    AP_MODULE_FLAG_ALWAYS_MERGE /* per-dir H2Push must see every level */
#endif
};
