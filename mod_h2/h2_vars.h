/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_vars.h -- mod_http2's variables (HTTP2, H2PUSH, H2_PUSH, H2_PUSHED, H2_PUSHED_ON,
 * H2_STREAM_ID, H2_STREAM_TAG): one table, read by the optional function
 * http2_var_lookup (mod_h2.c) and by c2's fixups, which put every one of them in a
 * stream's r->subprocess_env.
 *
 * Values are mod_http2's:
 *   HTTP2          "on" on an h2 connection (c1 after the switch, or one of its c2s),
 *                  else "off". With r the connection given is asked, without r its
 *                  master (c1).
 *   H2PUSH/H2_PUSH with r on a c2: "on" when the client accepts pushes (or the stream is
 *                  a pushed one) and H2Push is on for r; without r on an h2 connection:
 *                  the stream's answer for a c2, H2Push of c1's server for c1 (c1's
 *                  SETTINGS are c1's thread's state, mod_http2 reads its session there);
 *                  off h2: whether H2Push is on for s (mod_http2 answers so too).
 *   H2_PUSHED      "PUSHED" for a pushed stream, else "".
 *   H2_PUSHED_ON   a pushed stream's parent stream id, else "".
 *   H2_STREAM_TAG  the connection's own tag: "<child>-<serial>-<stream>" on a c2,
 *                  "<child>-<serial>" on c1, "" off h2.
 *   H2_STREAM_ID   what follows the last '-' of H2_STREAM_TAG (the stream id on a c2; on
 *                  c1, as in mod_http2, the serial), NULL when there is no '-'.
 *   any other name "".
 *
 * Threads: any thread; everything read is fixed before a stream reaches its worker (the
 * stream's id, parent and push flag; c1's tag and server), so a worker may ask for its
 * own c2, and c1's thread for c1.
 */
#ifndef H2_VARS_H
#define H2_VARS_H

#include "httpd.h"

/* The value of variable name (see above) for c, or r when given; p allocates. */
const char *h2_vars_lookup(apr_pool_t *p, server_rec *s, conn_rec *c, request_rec *r,
                           const char *name);

/* Worker: every variable of the table into r->subprocess_env (r on a c2). */
void h2_vars_c2_set_env(request_rec *r);

#endif /* H2_VARS_H */
