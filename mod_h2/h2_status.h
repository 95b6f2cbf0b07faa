/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_status.h -- the "http2-status" handler: a JSON view of the HTTP/2 connection a
 * request arrived on, in the layout mod_http2 (1.x) documented ("version" draft-01,
 * settings, peerSettings, connFlowIn/Out, sentGoAway, streams, stats).
 *
 * Threads: the handler runs on the stream's worker (c2); the figures belong to the
 * engine, which lives on c1's thread. The worker never reads them: it asks c1 for a
 * snapshot through the stream record (h2_strm.status_req under the session lock, a news
 * like any other) and waits on the stream's condition; c1 builds the JSON while it takes
 * the news (h2_c1_process_dirty) and hands it back in h2_strm.status_json (malloc()ed).
 * Inline (no worker pool) the handler runs on c1's thread and drives c1's I/O meanwhile
 * (h2_hub.inline_pump), which takes the news the same way.
 */
#ifndef H2_STATUS_H
#define H2_STATUS_H

struct h2_c1;
struct h2_strm;

/* c1 thread: the JSON snapshot of the session for the request on strm (malloc()ed, NULL
 * when out of memory). */
char *h2_status_c1_json(struct h2_c1 *c1, const struct h2_strm *strm);

/* Register the handler. */
void h2_status_register_hooks(void);

#endif /* H2_STATUS_H */
