/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_ws.h -- WebSockets over HTTP/2 (RFC 8441) in the glue.
 *
 * With H2WebSockets on, the engine announces SETTINGS_ENABLE_CONNECT_PROTOCOL and accepts
 * an extended CONNECT (:method CONNECT, :protocol, :scheme, :path, :authority). Such a
 * stream becomes, on its worker, what httpd's own WebSocket proxying expects of an
 * HTTP/1.1 connection:
 *
 *   - the request is an HTTP/1.1-style upgrade: GET :path with "Upgrade: websocket",
 *     "Connection: Upgrade", a fresh Sec-WebSocket-Key and Sec-WebSocket-Version 13; it
 *     has no body (the first read of its body gives EOS);
 *   - the handler's interim "101 Switching Protocols" (mod_proxy_http writes it with
 *     ap_send_interim_response) is checked against the Sec-WebSocket-Accept we expect and
 *     becomes the stream's final 200 response (without Upgrade, Connection and
 *     Sec-WebSocket-Accept); a 2xx without that 101 becomes 502 (the resource does not
 *     speak WebSocket); 3xx-5xx pass unchanged;
 *   - after the 101 the stream is a tunnel: c2's input filter reads the stream's DATA
 *     (APR_NONBLOCK_READ gives EAGAIN when nothing is queued, EOF after the client's
 *     END_STREAM), c2's output hands every write to c1 at once, and the hook
 *     get_pollfd_from_conn gives mod_proxy's tunnel (ap_proxy_tunnel_run) a pipe that
 *     becomes readable when c1 queued input, END_STREAM or a reset for the stream;
 *   - descriptors: the pipe is made by the worker when the tunnel first asks for it (never
 *     as HEADERS arrive: a stream queued, reset or answered without a tunnel costs none)
 *     and closed when the worker ends the stream. Its 2 descriptors count in the
 *     connection's descriptor cap (h2_hub.out_fds, H2_FDS_PER_CONN) from the moment the
 *     stream starts on its worker: at the cap the stream is refused with
 *     RST_STREAM(REFUSED_STREAM) before anything of the request runs, which a client may
 *     retry (RFC 9113 §8.7); one INFO line a second at most per child. A pipe exists only
 *     while a worker runs its tunnel: the child holds at most 2 x H2MaxWorkers of them;
 *   - "proxy-nohalfclose" is set, so the tunnel ends when either side closes: the
 *     backend's close ends the stream (END_STREAM), and so does the client's END_STREAM
 *     or RST_STREAM (RFC 8441 §5: END_STREAM is the TCP FIN, RST_STREAM the RST).
 *
 * A plain CONNECT (RFC 9113 §8.5: :method and :authority only) uses the same tunnel:
 * mod_proxy_connect (ProxyRequests On, AllowCONNECT) answers with HTTP/1.0 text
 * "200 Connection Established" written to the connection, which becomes the stream's
 * 200; then its tunnel moves DATA both ways, and the client's END_STREAM is a FIN
 * (half-close: the backend's answer still comes back). Without a proxy the request is
 * answered as over HTTP/1.1 (405 with Allow).
 *
 * Threads and ownership of h2_ws (one per extended-CONNECT stream, malloc()ed by c1 in
 * h2_ws_c1_request, freed with the stream record's other contents by h2_strm_clear on
 * every path: release by c1, which waits for the stream's worker before the connection
 * goes (h2_c1_drain), or c1_cleanup for a stream never dispatched):
 *   websocket: written by c1 before the stream is dispatched, then read-only.
 *   rfd, wfd, signalled, fds_held: [lock] (the session lock, h2_hub.lock); rfd/wfd are
 *     made and closed by c2, c1 writes the signal byte.
 *   everything else: c2 only (the worker processing the stream).
 */
#ifndef H2_WS_H
#define H2_WS_H

#include "apr_file_io.h"
#include "httpd.h"
#include "util_filter.h"

#include "h2_session.h"

struct h2_strm;

typedef struct h2_ws {
    int websocket;        /* :protocol is "websocket" (others are answered 501) */
    int connect;          /* a plain CONNECT (RFC 9113 §8.5): a TCP tunnel through
                           * mod_proxy_connect, whose 200 makes the stream a tunnel */
    int rfd, wfd;         /* [lock] the stream's input signal pipe (-1 when none) */
    int signalled;        /* [lock] a byte is in the pipe */
    int fds_held;         /* [lock] the pipe's descriptors are counted in hub->out_fds */
    int upgraded;         /* c2: the handler answered 101: the stream is a tunnel */
    int failed;           /* c2: the 101 did not check out: 502 sent, the tunnel stops */
    int eos_given;        /* c2: the request's (empty) body ended */
    char accept[32];      /* c2: the Sec-WebSocket-Accept the 101 must carry */
    apr_file_t *rfile;    /* c2: rfd as an APR file for the tunnel's pollset (c2 pool) */
} h2_ws;

/* c1 thread: may the connection announce SETTINGS_ENABLE_CONNECT_PROTOCOL? (H2WebSockets
 * on for the connection's server, and a worker pool: a tunnel needs a thread of its own) */
int h2_ws_c1_enabled(server_rec *s);

/* c1 thread, from on_request: set up strm->ws for an extended CONNECT (req->protocol
 * set), or for a plain CONNECT when there is a worker pool (a tunnel holds its worker).
 * Returns 0, or -1 when out of memory. */
int h2_ws_c1_request(struct h2_strm *strm, const h2_request *req);

/* any thread with the session lock held: input, END_STREAM or a reset arrived for the
 * stream: make its pipe readable (once until c2 drains it). No-op for other streams. */
void h2_ws_signal_locked(struct h2_strm *strm);

/* whoever owns the record alone (c1 at release, c1_cleanup for a stream never
 * dispatched): close the pipe if c2 left it open, free strm->ws. From h2_strm_clear. */
void h2_ws_free(struct h2_strm *strm);

/* c2 (the worker), before anything of the stream's request runs: count the tunnel's pipe
 * in the connection's descriptor cap. 0, or -1 when the connection is at the cap: the
 * caller refuses the stream (RST_STREAM(REFUSED_STREAM)). 0 for other streams. */
int h2_ws_c2_begin(struct h2_strm *strm);

/* c2, session lock held, as the worker ends the stream: close the pipe, give its
 * descriptors back. */
void h2_ws_c2_end_locked(struct h2_strm *strm);

/* c2: turn the request (built from the extended CONNECT) into an HTTP/1.1-style upgrade
 * GET. Called at the end of building the request_rec. */
void h2_ws_c2_request(request_rec *r, struct h2_strm *strm);

/* c2: the input filter of a WebSocket stream (H2_C2_IN delegates here). */
apr_status_t h2_ws_c2_in(ap_filter_t *f, apr_bucket_brigade *bb, ap_input_mode_t mode,
                         apr_read_type_e block, apr_off_t readbytes);

/* c2: HTTP/1.x interim response text reached c2's output before the final response.
 * Returns 1 when it was the 101 of a WebSocket stream (now the final response, or a 502
 * when it did not check out), 0 when the caller should treat it as before. */
int h2_ws_c2_interim(conn_rec *c2, const char *text, apr_size_t len);

/* c2: the final response of a WebSocket stream is about to be made from r: a 2xx that
 * did not come through a valid 101 becomes 502 without a body. */
void h2_ws_c2_final(conn_rec *c2, request_rec *r);

/* register_hooks: get_pollfd_from_conn, post_read_request. */
void h2_ws_register_hooks(void);

#endif /* H2_WS_H */
