/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * mod_h2.c -- the module record and hook registrations of mod_h2.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_connection.h"
#include "http_log.h"
#include "apr_optional.h"

#include "mod_h2.h"
#include "h2_log.h"
#include "h2_version.h"


APLOG_USE_MODULE(h2);

static int h2_is_h2(conn_rec *c)
{
    (void)c;
    return 0;
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
    ap_log_error(APLOG_MARK, APLOG_INFO, 0, s, H2LOGNO(00001) "mod_h2 %s started (own HTTP/2 engine)",
                 MOD_H2_VERSION);
    return OK;
}

static void h2_register_hooks(apr_pool_t *p)
{
    (void)p;
    /* post_config: APR_HOOK_MIDDLE, nothing we set up here depends on other modules. */
    ap_hook_post_config(h2_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    APR_REGISTER_OPTIONAL_FN(h2_is_h2);
}

module AP_MODULE_DECLARE_DATA h2_module = {
    STANDARD20_MODULE_STUFF,
    NULL, /* dir config creater */
    NULL, /* dir merger */
    NULL, /* server config */
    NULL, /* merge server config */
    NULL, /* command table */
    h2_register_hooks,
#if defined(AP_MODULE_FLAG_ALWAYS_MERGE)
    AP_MODULE_FLAG_ALWAYS_MERGE /* per-dir H2Push must see every level */
#endif
};
