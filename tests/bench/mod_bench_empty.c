/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/* `SetHandler bench-empty`: a 200 with an empty body and no file, for
 * tests/bench/bench_servers.py's floor row (httpd's per-request work without the file:
 * every hook still runs, only the handler is empty), beside nginx's `return 200`. */
#include "httpd.h"
#include "http_config.h"
#include "http_protocol.h"

#include <string.h>

static int bench_empty_c2_handler(request_rec *r)
{
    if (!r->handler || strcmp(r->handler, "bench-empty")) {
        return DECLINED;
    }
    ap_set_content_type(r, "text/plain");
    ap_set_content_length(r, 0);
    return OK;
}

static void bench_empty_register_hooks(apr_pool_t *p)
{
    (void)p;
    /* middle: it declines every handler name but its own, so the order does not matter */
    ap_hook_handler(bench_empty_c2_handler, NULL, NULL, APR_HOOK_MIDDLE);
}

module AP_MODULE_DECLARE_DATA bench_empty_module = {
    STANDARD20_MODULE_STUFF, NULL, NULL, NULL, NULL, NULL, bench_empty_register_hooks,
    AP_MODULE_FLAG_NONE
};
