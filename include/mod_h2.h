/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * mod_h2.h -- optional functions other httpd modules may call.
 *
 * mod_h2 registers mod_http2's optional functions under mod_http2's names and with its
 * signatures (modules/http2/mod_http2.h of httpd), so a module built against mod_http2.h
 * (httpd's ap_expr for %{HTTP2}, mod_proxy's connection pools, mod_proxy_http2) finds
 * them when mod_h2 is loaded instead. Declared here too, unless mod_http2.h was included
 * first (its include guard), so that a module may include either header or both.
 */
#ifndef MOD_H2_H
#define MOD_H2_H

#include "apr_optional.h"
#include "httpd.h"

/* Non-zero when c (a client connection or one of its stream connections) speaks HTTP/2. */
APR_DECLARE_OPTIONAL_FN(int, h2_is_h2, (conn_rec *c));

#ifndef __MOD_HTTP2_H__
/* The value of one of mod_http2's variables: HTTP2, H2PUSH, H2_PUSH, H2_PUSHED,
 * H2_PUSHED_ON, H2_STREAM_ID, H2_STREAM_TAG (values: mod_h2/h2_vars.h); "" for any other
 * name. With r, r's connection c is asked; without r, c's master when c is a stream's. */
APR_DECLARE_OPTIONAL_FN(char *,
                        http2_var_lookup, (apr_pool_t *, server_rec *,
                                           conn_rec *, request_rec *, char *));

/* Non-zero when c or its master connection speaks HTTP/2 (the same as h2_is_h2). */
APR_DECLARE_OPTIONAL_FN(int,
                        http2_is_h2, (conn_rec *));

/* The least and the most worker threads mod_h2 runs per child for HTTP/2 streams
 * (H2MinWorkers, H2MaxWorkers as the pool obeys them; 1 and 1 under a non-threaded MPM,
 * where streams run one at a time on the connection's own thread). */
APR_DECLARE_OPTIONAL_FN(void,
                        http2_get_num_workers, (server_rec *s,
                                                int *minw, int *max));
#endif

#endif
