/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_c1_park.h -- a busy connection that only waits for its workers gives its MPM thread
 * back, and who may run the session at a time.
 *
 * httpd 2.4's event MPM resumes a connection it holds (CONN_STATE_ASYNC_WAITIO) only when
 * its socket is readable or writable; it offers no way for a module to wake it (no
 * resume of a SUSPENDED connection, no poll callbacks: those are trunk only), only timed
 * callbacks (ap_mpm_register_timed_callback), which run on one of its worker threads. So
 * a session whose streams run long while MPM threads are short is parked in the MPM for
 * reading (a request, a WINDOW_UPDATE, a PING ACK bring it back as usual), and its
 * workers' news register a timed callback of 0 s: the session then runs on the thread
 * the MPM gives the callback, and parks again. Delayed events (the PING below, a retry
 * of output that waits for the socket) are kept by a thread of ours per child, which
 * registers the 0 s callback when one is due: 2.4's listener does not serve timers in
 * the future reliably. See docs/ARCHITECTURE.md.
 *
 * Who runs the session: one thread at a time, the owner. The MPM's thread in
 * process_connection and pre_close_connection takes it (h2_c1_park_take waits while a
 * callback runs it); a callback takes it only while the session is parked for workers
 * and the MPM no longer touches the connection: a session parked on the MPM's thread is
 * still that thread's until the MPM ran its suspend_connection hooks, after
 * process_connection returned (other modules' hooks get the connection there), and our
 * hook, the last one, tells it here (h2_c1_park_suspended); news that come sooner wait
 * for it. After that hook the MPM only writes its own records (c->sbh, its slot, its
 * queues and pollset), none of which a callback reads.
 * The record is malloc()ed: callbacks registered for a connection that is gone find it
 * marked gone, and the last one frees it.
 *
 * The MPM counts its wait-io Timeout from when process_connection returned; sessions
 * that run on callbacks never return there. Unless the client sent something
 * meanwhile, a PING goes out at half that Timeout: the ACK brings the connection back
 * through the MPM, which starts its Timeout again. A client that answers no PING is
 * closed at the Timeout (with GOAWAY, pre_close_connection).
 *
 * Threads: every function may be called from any thread; the fields are guarded by the
 * record's mutex.
 */
#ifndef H2_C1_PARK_H
#define H2_C1_PARK_H

#include "apr_pools.h"
#include "apr_time.h"

struct h2_c1;
typedef struct h2_c1_park h2_c1_park;

/* child_init: start the child's park thread (delayed events: PINGs, retries; and tick,
 * NULL or called about every 250 ms on that thread: the idle list's expiry, a layer above
 * this one); joined by a pre-cleanup of pchild. Without it (or without the event MPM)
 * nothing is parked. */
void h2_c1_park_child_init(apr_pool_t *pchild, void (*tick)(apr_time_t now));

/* Any thread (the child_stopping hook): run the tick on the park thread now and wait at
 * most `wait` for it to have run. 0 when there is no park thread (nothing ran: the
 * caller does the tick's work itself). */
int h2_c1_park_tick_now(apr_interval_time_t wait);

/* c1 thread (session set-up): the record, or NULL when the MPM cannot park busy sessions
 * (not the event MPM: no timed callbacks, no CONN_STATE_ASYNC_WAITIO). io_timeout: the
 * MPM's wait-io Timeout for this connection. Nobody owns the session yet. */
h2_c1_park *h2_c1_park_create(struct h2_c1 *c1, apr_interval_time_t io_timeout);

/* The connection's pool cleanup: the session is gone; registered callbacks find nothing
 * and the last one frees the record. */
void h2_c1_park_gone(h2_c1_park *p);

/* The MPM's thread enters the connection (resume_connection, the first hook the MPM
 * runs for it, before mod_ssl's process_connection reads through c1's filters; then
 * process_connection and pre_close again, a no-op then): wait while a callback runs the
 * session, then own it (a parked session is parked no more). Every path that took it
 * lets go (h2_c1_park_release, h2_c1_park_for_workers) before the connection goes back
 * to the MPM, or the connection is closed (h2_c1_park_gone). Only a callback's ownership
 * is waited for: the MPM gives a connection to one thread at a time, so an MPM thread's
 * ownership that nothing released (a resume for the lingering close) is stale and taken
 * over. */
void h2_c1_park_take(h2_c1_park *p);

/* The owner: may a session whose streams wait for their workers give its thread back now?
 * Only when this child's MPM threads run short (a quarter or less idle): with threads to
 * spare, the session keeps its thread, its slot shows the running request in mod_status
 * and the news arrive without a round through the MPM. */
int h2_c1_park_threads_short(void);

/* The owner parks the session for its workers (the connection is, or is about to be, in
 * the MPM's wait-io queue for reading): from now on a worker's news (h2_c1_park_wake) or
 * the retry after `retry` (0: none; output waits for the socket) runs it on a callback,
 * once the MPM has the connection: in_mpm 1 on a callback (it never left the MPM), 0 on
 * the MPM's thread (h2_c1_park_suspended then). Returns 0, and the caller stays the
 * owner, when news came since the owner last looked (h2_c1_park_wake was called): it
 * goes on instead. */
int h2_c1_park_for_workers(h2_c1_park *p, apr_interval_time_t retry, int in_mpm);

/* The MPM's thread, in the suspend_connection hook (the last one): the connection it
 * parked is the MPM's now; a callback may run the session (at once when news came
 * meanwhile). Nothing for a session not parked for workers. */
void h2_c1_park_suspended(h2_c1_park *p);

/* The owner lets go without parking for workers (the connection goes back to the MPM
 * idle or to wait for writing, or it ended): callbacks find nothing to do. */
void h2_c1_park_release(h2_c1_park *p);

/* The owner returns the connection to the MPM's wait-io queue now: its Timeout counts
 * from here (the next PING is due at half of it). */
void h2_c1_park_mpm_parked(h2_c1_park *p);

/* Any thread (a worker with news, under the hub's lock): run the session soon. */
void h2_c1_park_wake(h2_c1_park *p);

/* The owner, running on a callback: does an MPM thread wait for the session (the client
 * sent something)? Then the callback should let go at once. */
int h2_c1_park_wanted(h2_c1_park *p);

/* The owner, on a callback: a PING is due (the MPM's Timeout is half over). Clears it. */
int h2_c1_park_ping_due(h2_c1_park *p);

#endif /* H2_C1_PARK_H */
