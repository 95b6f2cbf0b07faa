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
 *   - a stop reaches every parked connection with its final GOAWAY, without blocking
 *     (graceful: the client then closes it; hard: the process exit does): the
 *     child_stopping hook only signals, the park thread writes;
 *   - the park thread's tick ends connections parked idle for KeepAliveTimeout.
 *
 * Threads: park on the connection's thread; the MPM has it once that thread ran the
 * MPM's suspend_connection hooks (ours, REALLY_LAST, marks it: h2_c1_idle_suspend);
 * unpark on the thread the MPM gives it to (resume_connection and pre_close_connection
 * hooks, both ordered REALLY_FIRST, and the loop); the park thread writes to parked
 * connections the MPM has (the KeepAliveTimeout and the stop's GOAWAY); child_stopping
 * on the thread that stops the child writes nothing (only without a park thread). The
 * list and each entry's fields are guarded by one mutex per child; a parked connection
 * the MPM has is touched by nobody else while it is on the list (it is idle in the
 * MPM's pollset, and the thread that takes it back unparks it before anything else).
 */
#ifndef H2_C1_IDLE_H
#define H2_C1_IDLE_H

#include "httpd.h"

struct h2_c1;

/* child_init: the list's mutex (from pchild). */
void h2_c1_idle_child_init(apr_pool_t *pchild);

/* c1 thread: park c1's connection before handing it back to the MPM idle. in_mpm: it is
 * in the MPM's pollset already (parked on a callback); else it is the MPM's once the
 * suspend_connection hook ran. Returns 1 when parked, 0 when the child is stopping (or
 * parking is not available): the caller then ends the session with a GOAWAY instead of
 * parking it. */
int h2_c1_idle_park(struct h2_c1 *c1, int in_mpm);

/* The thread the MPM gives the connection to (resume_connection, pre_close, the c1 loop):
 * leave the list (waits while the stopping thread writes to it). */
void h2_c1_idle_unpark(conn_rec *c);

/* Hooks (registered in mod_h2.c, where their order is explained):
 * resume_connection: the MPM gives a parked connection to a worker: unpark it. */
void h2_c1_idle_resume(conn_rec *c, request_rec *r);
/* suspend_connection: the MPM has the connection now (after every other module's suspend
 * hook): the park thread may write to it, a callback may run its session. */
void h2_c1_idle_suspend(conn_rec *c, request_rec *r);
/* pre_close_connection: the MPM closes one of our connections: GOAWAY first. */
int h2_c1_idle_pre_close(conn_rec *c);
/* The park thread's tick: the final GOAWAY to connections parked idle for their
 * KeepAliveTimeout, and once the child stops to every parked connection. */
void h2_c1_idle_expire(apr_time_t now);
/* child_stopping: the park thread writes the final GOAWAY to every parked connection now
 * (waited for, bounded); this thread writes nothing unless there is no park thread. */
void h2_c1_idle_child_stopping(apr_pool_t *pchild, int graceful);

#endif /* H2_C1_IDLE_H */
