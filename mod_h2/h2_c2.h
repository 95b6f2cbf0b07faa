/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_c2.h -- stream processing on a worker: a secondary conn_rec (c2, recycled per
 * worker) and a request_rec built straight from the decoded HTTP/2 request; filters that
 * take the response from r->status / r->headers_out and move the body to c1.
 *
 * A c2 is set up as httpd sets up a secondary connection: c2->master = c1, our network
 * filters, pre_connection and process_connection (mod_reqtimeout, mod_logio, the MPM's
 * state work on it; mod_ssl reads c->master), a placeholder socket of the worker whose
 * timeout bounds each wait for request body, no scoreboard slot on a worker (c1 shows and
 * counts the streams in its own).
 *
 * Threads: h2_c2_process runs on a worker thread (or inline on c1 without a worker
 * pool, where waits for body or output room run c1's I/O through h2_hub.inline_pump);
 * the filters run on the thread processing the stream.
 */
#ifndef H2_C2_H
#define H2_C2_H

#include "httpd.h"
#include "h2_workers.h"

struct h2_strm;

/* Worker job: process one stream (baton: h2_strm). w is NULL when run inline. */
void h2_c2_process(void *baton, h2_worker_ctx *w);

/* Register filters and request hooks of the c2 side (register_hooks). */
void h2_c2_register_hooks(void);

/* c1 thread: fill the new stream record strm (stream 1) from the HTTP/1.1 request of an
 * h2c Upgrade (reads its body). 0, or -1 when out of memory. */
int h2_c2_upgrade_stream(struct h2_strm *strm, request_rec *r);

#endif /* H2_C2_H */
