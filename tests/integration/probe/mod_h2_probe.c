/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * mod_h2_probe.c -- a test module (built by tests/integration/test_25_optional_fns.py
 * with apxs, never installed): a handler "h2-probe" that answers with what mod_http2's
 * optional functions say, as a module built against mod_http2.h would ask them.
 *
 * The query string is a '+'-separated list of variable names. For each NAME the body
 * has lines "r:NAME=value" (asked with the request), "c:NAME=value" (with r's connection
 * and no request) and, on a stream connection, "m:NAME=value" (with its master and no
 * request); "(null)" for a NULL answer. Then "is_h2=N", "is_h2_master=N" and
 * "workers=MIN,MAX" ("(none)" for a function nobody registered).
 */
#include <string.h>

#include "apr_strings.h"
#include "httpd.h"
#include "http_config.h"
#include "http_protocol.h"

#include "mod_h2.h"

static void probe_line(request_rec *r, const char *what, const char *name, const char *v)
{
    ap_rprintf(r, "%s:%s=%s\n", what, name, v ? v : "(null)");
}

static int probe_handler(request_rec *r)
{
    APR_OPTIONAL_FN_TYPE(http2_var_lookup) *lookup;
    APR_OPTIONAL_FN_TYPE(http2_is_h2) *is_h2;
    APR_OPTIONAL_FN_TYPE(http2_get_num_workers) *workers;
    char *names, *name, *last;
    conn_rec *c = r->connection;

    if (!r->handler || strcmp(r->handler, "h2-probe")) return DECLINED;
    lookup = APR_RETRIEVE_OPTIONAL_FN(http2_var_lookup);
    is_h2 = APR_RETRIEVE_OPTIONAL_FN(http2_is_h2);
    workers = APR_RETRIEVE_OPTIONAL_FN(http2_get_num_workers);
    ap_set_content_type(r, "text/plain");
    names = apr_pstrdup(r->pool, r->args ? r->args : "");
    for (name = apr_strtok(names, "+", &last); lookup && name;
         name = apr_strtok(NULL, "+", &last)) {
        probe_line(r, "r", name, lookup(r->pool, r->server, c, r, name));
        probe_line(r, "c", name, lookup(r->pool, r->server, c, NULL, name));
        if (c->master)
            probe_line(r, "m", name, lookup(r->pool, r->server, c->master, NULL, name));
    }
    if (is_h2) {
        ap_rprintf(r, "is_h2=%d\n", is_h2(c) ? 1 : 0);
        ap_rprintf(r, "is_h2_master=%d\n", c->master && is_h2(c->master) ? 1 : 0);
    }
    else {
        ap_rputs("is_h2=(none)\n", r);
    }
    if (workers) {
        int mn = -1, mx = -1;
        workers(r->server, &mn, &mx);
        ap_rprintf(r, "workers=%d,%d\n", mn, mx);
    }
    else {
        ap_rputs("workers=(none)\n", r);
    }
    return OK;
}

static void probe_register_hooks(apr_pool_t *p)
{
    (void)p;
    /* handler: MIDDLE, it takes only its own handler name */
    ap_hook_handler(probe_handler, NULL, NULL, APR_HOOK_MIDDLE);
}

module AP_MODULE_DECLARE_DATA h2_probe_module = {
    STANDARD20_MODULE_STUFF,
    NULL, NULL, NULL, NULL, NULL,
    probe_register_hooks,
    0
};
