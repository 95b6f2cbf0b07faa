/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_c1_idle.h -- idle client connections parked in the MPM, and the closes the MPM
 * decides: no connection of ours is closed without a GOAWAY.
 *
 * An idle h2 connection (no open stream, nothing unwritten) is handed back to the event
 * MPM as CONN_STATE_ASYNC_WAITIO (c1_hand_back in h2_c1.c, docs/ARCHITECTURE.md) and
 * "parked" here: a per-child list of the parked connections, so that
 *   - the pre_close_connection hook (the MPM closes a connection: its Timeout for a
 *     parked one, keep-alive shedding, lingering close after errors) writes
 *     GOAWAY(NO_ERROR, last stream) before the close, unless the session sent its final
 *     GOAWAY already;
 *   - the child_stopping hook reaches every parked connection and writes its final
 *     GOAWAY, without blocking (graceful: the client then closes it; hard: the process
 *     exit does).
 *
 * Threads: park on the connection's thread; unpark on the thread the MPM gives it to
 * (resume_connection and pre_close_connection hooks, both ordered REALLY_FIRST, and the
 * loop); child_stopping on the thread that stops the child. The list and each entry's
 * fields are guarded by one mutex per child; a parked connection is touched by nobody
 * else while it is on the list (it is idle in the MPM's pollset, and the thread that takes
 * it back unparks it before anything else), so the stopping thread may write to it.
 */
#ifndef H2_C1_IDLE_H
#define H2_C1_IDLE_H

#include "httpd.h"

struct h2_c1;

/* child_init: the list's mutex (from pchild). */
void h2_c1_idle_child_init(apr_pool_t *pchild);

/* c1 thread: park c1's connection before handing it back to the MPM idle. Returns 1 when
 * parked, 0 when the child is stopping (or parking is not available): the caller then
 * ends the session with a GOAWAY instead of parking it. */
int h2_c1_idle_park(struct h2_c1 *c1);

/* The thread the MPM gives the connection to (resume_connection, pre_close, the c1 loop):
 * leave the list (waits while the stopping thread writes to it). */
void h2_c1_idle_unpark(conn_rec *c);

/* Hooks (registered in mod_h2.c, where their order is explained):
 * resume_connection: the MPM gives a parked connection to a worker: unpark it. */
void h2_c1_idle_resume(conn_rec *c, request_rec *r);
/* pre_close_connection: the MPM closes one of our connections: GOAWAY first. */
int h2_c1_idle_pre_close(conn_rec *c);
/* The park thread's tick: the final GOAWAY to connections parked idle for their
 * KeepAliveTimeout. */
void h2_c1_idle_expire(apr_time_t now);
/* child_stopping: the final GOAWAY to every parked connection. */
void h2_c1_idle_child_stopping(apr_pool_t *pchild, int graceful);

#endif /* H2_C1_IDLE_H */
