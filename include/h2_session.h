/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_session.h -- the HTTP/2 session engine, server role (RFC 9113, RFC 9218 priorities).
 *
 * A sans-I/O state machine: bytes in (h2_session_recv), events out (callbacks), bytes out
 * (h2_session_send through callbacks). C99, libc only, no threads, no clock: the caller
 * passes the time in milliseconds. One session is used by one thread at a time.
 *
 * Lifecycle
 *   h2_session_config_init(&cfg); adjust cfg;           (defaults are sane)
 *   s = h2_session_new(&cfg, &callbacks, user_data);     (queues our SETTINGS and, when the
 *                                                          connection window is bigger than
 *                                                          65535, a WINDOW_UPDATE on stream 0)
 *   [h2_session_upgrade(s, "HTTP2-Settings value", ...)] (h2c Upgrade only, before any recv)
 *   loop: h2_session_recv(s, bytes, n, now)  -> callbacks, output queued
 *         h2_session_send(s, max_bytes)       -> send_bytes / send_data callbacks
 *         h2_session_tick(s, now)             (timers: settings ACK, graceful shutdown)
 *   until h2_session_is_done(s); then h2_session_free(s).
 *
 * Re-entrancy: callbacks may call the h2_session_submit_* (incl. push promises),
 * h2_session_resume_data, h2_session_consume, h2_session_discard_body,
 * h2_session_set_stream_data and query functions (send_bytes, send_data and
 * send_data_padded excepted: they must not call into the session at all). No callback may call
 * h2_session_recv, h2_session_send, h2_session_tick or h2_session_free.
 *
 * Output flood protection: frames the engine builds (SETTINGS ACK, PING ACK, RST_STREAM, ...)
 * wait in the engine until h2_session_send hands them to send_bytes. The glue should call
 * h2_session_send only when it can actually write (its own output backlog is small): a
 * client that sends PING or SETTINGS without reading its socket then fills the engine's
 * queue, and beyond max_control_queued frames the connection is closed with
 * GOAWAY(ENHANCE_YOUR_CALM).
 *
 * Error handling (RFC 9113 §5.4)
 *   Stream errors: RST_STREAM is queued, the stream is closed (on_stream_close with the
 *   code, by_peer = 0), the connection carries on. Each stream error the engine has to
 *   raise counts as a "glitch" (max_glitches budget, MadeYouReset).
 *   Connection errors: GOAWAY(last-stream-id, code) is queued, on_conn_error reports a
 *   short static reason, h2_session_recv returns H2_SESS_ERR_CONN, every open stream gets
 *   on_stream_close(code), further input is discarded. The glue flushes the output
 *   (h2_session_send) and closes the socket.
 *   Budgets: exceeding any budget is a connection error ENHANCE_YOUR_CALM.
 *   Out of memory (cfg.allocator failed): where only one stream is concerned and the
 *   connection state is intact (its header block could not be stored; HPACK stays in
 *   step) the stream is reset, REFUSED_STREAM for a new request (nothing of it was
 *   processed: the client may retry it), INTERNAL_ERROR for trailers; no glitch is counted.
 *   Otherwise the connection ends: GOAWAY(last-stream-id, INTERNAL_ERROR) is queued if it
 *   can still be built (frames are built whole or not at all), every open stream gets
 *   on_stream_close(INTERNAL_ERROR), nothing more is read, and h2_session_recv / _send /
 *   _tick and the failing submit call return H2_SESS_ERR_NOMEM (the frame reader's
 *   buffer failing is a connection error INTERNAL_ERROR: H2_SESS_ERR_CONN). Fatal: flush
 *   the output, then close.
 *
 * Decisions (documented here once):
 *   - CONTINUATION flood (more than max_continuations frames or max_header_block_bytes
 *     octets in one field block): connection error ENHANCE_YOUR_CALM, detected as soon as
 *     the limit is crossed (the HPACK state cannot be kept in step without decoding).
 *   - Header list larger than max_header_list_size / max_header_fields: the block is still
 *     decoded (HPACK state in step) and what of it was delivered within the limits is
 *     validated as for any request: a malformed one (a bad pseudo-header value, :protocol
 *     where not allowed, a relative :path, a missing pseudo-header when the pseudo-header
 *     section was seen whole, ...) is RST_STREAM(PROTOCOL_ERROR). A well-formed one is
 *     delivered to on_request with req->too_large = 1 and possibly incomplete fields; the
 *     glue MUST answer it (431) or reset it, and act on nothing else of it. Such blocks (requests and trailers) are counted per connection: beyond
 *     max_oversized_blocks the block is not delivered and the connection ends with
 *     GOAWAY(ENHANCE_YOUR_CALM) (a client that keeps sending them only costs decoding). Too large trailers cannot be answered with 431 any more: the stream is
 *     reset with PROTOCOL_ERROR (treated like a malformed trailer section).
 *   - Streams above SETTINGS_MAX_CONCURRENT_STREAMS: HPACK-decoded, then
 *     RST_STREAM(REFUSED_STREAM) (the client may retry).
 *   - HEADERS for new streams above the last-stream-id of a GOAWAY we sent: decoded and
 *     ignored; DATA on them counts against (and is returned to) the connection window.
 *   - Frames on a stream we reset are ignored as long as its record is kept
 *     (max_closed_streams most recent closed streams). DATA or HEADERS on a stream that
 *     was closed normally (END_STREAM both ways), or whose record is gone, is a connection
 *     error STREAM_CLOSED; HEADERS on an unused lower stream id is PROTOCOL_ERROR (§5.1.1).
 *
 * Server push (RFC 9113 §8.4, §6.6), h2_session_submit_push_promise:
 *   - Allowed only while the client's SETTINGS_ENABLE_PUSH is 1 (its default until the
 *     client says 0), after the client's first SETTINGS frame arrived (it may disable
 *     push) or, on an h2c Upgrade, right away (HTTP2-Settings are the client's initial
 *     settings; a change in its preface SETTINGS applies once received), before any GOAWAY was sent (also the first step of a graceful shutdown) or
 *     received, and while promised stream ids are left. Otherwise H2_SESS_ERR_REFUSED.
 *   - The parent must be a client-initiated stream in open or half-closed (remote) state:
 *     it has not sent END_STREAM (nor been reset). Otherwise H2_SESS_ERR_STATE.
 *   - The promised request must be safe and cacheable (§8.4): :method GET or HEAD;
 *     :scheme, :authority and :path present and non-empty (for http/https :path starts
 *     with '/'), no other pseudo-header, no request body (a content-length other than 0
 *     is refused). Otherwise H2_SESS_ERR_ARG. Regular fields are cleaned as for responses.
 *   - Concurrency (§5.1.2): reserved streams do not count toward the client's
 *     SETTINGS_MAX_CONCURRENT_STREAMS, half-closed (remote) pushed streams do. A push is
 *     refused when the pushed streams in the table (reserved + active) already reach the
 *     client's limit (so every promise can get its response) or cfg.max_push_streams. If
 *     the client lowered its limit meanwhile, h2_session_submit_response on a reserved
 *     stream resets it with REFUSED_STREAM and returns H2_SESS_ERR_REFUSED. Our own
 *     SETTINGS_MAX_CONCURRENT_STREAMS counts client-initiated streams only.
 *   - Ids: even, increasing from 2. The PUSH_PROMISE (HPACK, CONTINUATION beyond the
 *     client's MAX_FRAME_SIZE) joins the built frames: it goes out before any DATA of the
 *     parent produced later (also when submitted from within data_available).
 *   - The promised stream is reserved (local) and known to the glue at once (stream_ud
 *     given; on_stream_close follows for it, e.g. by_peer = 1 when the client resets it
 *     with CANCEL or REFUSED_STREAM). The glue answers it with h2_session_submit_response
 *     (-> half-closed (remote)) and the body through data_available / send_data.
 *   - A GOAWAY from the client closes the pushed streams above its last-stream-id (the
 *     client ignores them, §6.8): on_stream_close(REFUSED_STREAM, by_peer = 1), nothing
 *     is sent on them.
 *   - Client frames on pushed streams (§5.1): RST_STREAM, PRIORITY, WINDOW_UPDATE and
 *     PRIORITY_UPDATE are fine; HEADERS or DATA on a reserved stream is a connection
 *     error PROTOCOL_ERROR, on a half-closed (remote) one a stream error STREAM_CLOSED;
 *     any frame on an even id not yet promised (idle) is a connection error
 *     PROTOCOL_ERROR; a PUSH_PROMISE from the client is always PROTOCOL_ERROR.
 *   - Priority: a pushed stream takes the parent's urgency and incremental flag at
 *     promise time. Among non-incremental streams of one urgency it is ordered right
 *     after its parent (before later client streams), so the push never starves the
 *     response that caused it; among incremental ones it takes turns with the parent.
 *     The client may change it with PRIORITY_UPDATE (RFC 9218 §7.1), the glue with
 *     h2_session_set_priority.
 *
 * Discarding a request body (§8.1 early response), h2_session_discard_body:
 *   request DATA for the stream is no longer delivered (no on_data): it is credited back
 *   to the stream and connection windows at once, and the bytes delivered but not yet
 *   consumed are credited now (a connection WINDOW_UPDATE goes out at once). When our
 *   END_STREAM has been sent (now, or later when the response completes) and the client
 *   is still sending, the engine sends RST_STREAM(NO_ERROR) and closes the stream
 *   (on_stream_close with NO_ERROR). on_request_end is still called if the request ends
 *   before that.
 *
 * Padding (cfg.padding_bits = N, 0..8; mod_http2's H2Padding): when N > 0 every HEADERS,
 *   PUSH_PROMISE and DATA frame the engine emits is PADDED with a random 0..2^N-1 zero
 *   octets (plus the Pad Length octet), drawn from a xorshift PRNG of the session (seeded
 *   with cfg.padding_seed; no shared state between sessions or threads). Padding counts
 *   toward MAX_FRAME_SIZE and, for DATA, toward flow control (it is shrunk to fit the
 *   window). DATA is padded only when the glue installed send_data_padded; otherwise
 *   DATA goes unpadded through send_data as before. CONTINUATION frames cannot be padded.
 */
#ifndef H2_SESSION_H
#define H2_SESSION_H

#include "h2_proto.h"
#include "h2_hpack.h"   /* h2_nv */

#ifdef __cplusplus
extern "C" {
#endif

typedef struct h2_session h2_session;

/* ------------------------------------------------------------------------------------- */
/* Return values (int) of the session functions */
#define H2_SESS_OK            0
#define H2_SESS_ERR_CONN    (-1)  /* the connection failed (GOAWAY queued or received):
                                   * flush with h2_session_send, then close */
#define H2_SESS_ERR_NOMEM   (-2)  /* out of memory: the session is unusable, close */
#define H2_SESS_ERR_CALLBACK (-3) /* a callback returned failure: GOAWAY(INTERNAL_ERROR)
                                   * queued, flush and close */
#define H2_SESS_ERR_STATE   (-4)  /* a submit call does not fit the stream's state (unknown
                                   * or closed stream: e.g. the client reset it meanwhile).
                                   * Not fatal. */
#define H2_SESS_ERR_ARG     (-5)  /* invalid argument (e.g. bad HTTP2-Settings). Not fatal
                                   * except for h2_session_upgrade. */
#define H2_SESS_ERR_REFUSED (-6)  /* a push is not possible now (push disabled by the client,
                                   * GOAWAY, stream limits, ids exhausted). Not fatal. */

/* ------------------------------------------------------------------------------------- */
/* RFC 9218 priority */
#define H2_PRIO_URGENCY_DEFAULT 3
#define H2_PRIO_URGENCY_MAX     7
typedef struct h2_priority {
    uint8_t urgency;      /* 0 (most urgent) .. 7; default 3 */
    uint8_t incremental;  /* 0 or 1; default 0 */
} h2_priority;

/*
 * Parse an RFC 9218 Priority field value (structured-field dictionary) into *p, starting
 * from the values already in *p (so absent parameters keep them). u=0..7 and i (boolean)
 * are used, unknown keys and out-of-range values are ignored. Returns 0, or -1 when the
 * syntax is invalid (then *p is left unchanged, as RFC 9218 §4 asks).
 */
int h2_priority_parse(const uint8_t *value, size_t len, h2_priority *p);

/* ------------------------------------------------------------------------------------- */
/* Configuration. h2_session_config_init fills the defaults shown. Values out of the RFC's
 * ranges are clamped by h2_session_new. A budget of 0 means "unlimited". */
typedef struct h2_session_config {
    /* Our SETTINGS */
    uint32_t max_concurrent_streams;   /* 100 */
    uint32_t initial_window_size;      /* 65535: stream receive window we announce (H2WindowSize) */
    uint32_t max_frame_size;           /* 16384 */
    uint32_t header_table_size;        /* 4096: HPACK table we let the client use */
    uint32_t max_header_list_size;     /* 65536: announced and enforced (RFC 7541 §4.1 sizes);
                                        * 0 = the default */
    uint32_t max_header_fields;        /* 100: fields per block, enforced (LimitRequestFields;
                                        * all cookie crumbs count as one field);
                                        * 0 = the default */
    uint32_t enable_connect_protocol;  /* 0: RFC 8441 not announced, :protocol is malformed */

    /* Flow control, receive side */
    uint32_t conn_window_size;         /* 1 MiB: connection receive window (hard bound of
                                        * unconsumed request body bytes per connection) */
    uint32_t stream_buffer_max;        /* 1 MiB: a stream's receive window grows from
                                        * initial_window_size up to this while the
                                        * application keeps up (never below initial) */

    /* Header blocks */
    uint32_t max_continuations;        /* 32: CONTINUATION frames per field block */
    uint32_t max_header_block_bytes;   /* 0 = 2 * max_header_list_size + 16384: octets of one
                                        * field block on the wire (HEADERS + CONTINUATIONs) */

    /* Budgets */
    uint32_t budget_interval_ms;       /* 1000: length of the interval the *_per_interval
                                        * budgets are counted in */
    uint32_t max_control_queued;       /* 1000: engine-built frames waiting unsent */
    uint32_t max_settings;             /* 50 per interval: SETTINGS frames (non-ACK) */
    uint32_t max_pings;                /* 200 per interval: PING frames (non-ACK) */
    uint32_t max_resets;               /* 200 per interval: RST_STREAM from the client
                                        * (Rapid Reset, CVE-2023-44487) */
    uint32_t max_glitches;             /* 200 per interval: stream errors we had to raise,
                                        * refused streams after our SETTINGS were ACKed,
                                        * HEADERS ignored after GOAWAY (MadeYouReset) */
    uint32_t max_empty_frames;         /* 1000 per interval: frames that do nothing: DATA of
                                        * length 0 without END_STREAM, CONTINUATION or
                                        * HEADERS with an empty fragment and no END_HEADERS,
                                        * PRIORITY frames, unknown frame types, WINDOW_UPDATE /
                                        * RST_STREAM / DATA ignored on closed streams */
    uint32_t max_requests;             /* 0: requests per connection; when reached the
                                        * engine sends GOAWAY(NO_ERROR, that stream) */

    /* Bookkeeping bounds */
    uint32_t max_closed_streams;       /* 64: records of recently closed streams (late frames) */
    uint32_t max_pending_priorities;   /* 0 = max_concurrent_streams: PRIORITY_UPDATEs kept
                                        * for idle streams */

    /* Timers (ms, 0 = off) */
    uint32_t settings_timeout_ms;      /* 0: no ACK of our SETTINGS in time ->
                                        * GOAWAY(SETTINGS_TIMEOUT) (§6.5.3) */
    uint32_t graceful_timeout_ms;      /* 2000: graceful shutdown waits this long for the PING
                                        * ACK before sending the final GOAWAY */

    /* Server push */
    uint32_t max_push_streams;         /* 32: pushed streams (reserved + active) at a time;
                                        * 0 = only the client's MAX_CONCURRENT_STREAMS */

    /* Padding (H2Padding) */
    uint32_t padding_bits;             /* 0: frames carry 0..2^N-1 padding octets (N <= 8) */
    uint64_t padding_seed;             /* 0: derived from the session's address (not secret:
                                        * the glue should pass random bits) */

    /* Output */
    uint32_t max_data_frame_len;       /* 0: DATA frames up to the client's MAX_FRAME_SIZE;
                                        * else at most this many payload octets (incl.
                                        * padding) per DATA frame (H2MaxDataFrameLen) */

    /* Header blocks over the limits (appended: positional initializers stay valid) */
    uint32_t max_oversized_blocks;     /* 4 per connection: header blocks over
                                        * max_header_list_size / max_header_fields (each
                                        * answered 431 or reset); the next one is
                                        * GOAWAY(ENHANCE_YOUR_CALM). 0 = unlimited */

    /* Memory (appended) */
    const h2_allocator *allocator;     /* NULL: libc. Every allocation of the session
                                        * (and of its HPACK contexts, frame reader,
                                        * buffers) goes through it; the session keeps a
                                        * copy of the struct */
} h2_session_config;

void h2_session_config_init(h2_session_config *cfg);

/* ------------------------------------------------------------------------------------- */
/* A request whose header block is complete (on_request). Everything points into engine
 * memory valid during the callback only. Strings are NUL-terminated (the NUL is not
 * counted in the lengths). Absent pseudo-headers are NULL with length 0. */
typedef struct h2_request {
    uint32_t stream_id;
    const char *method;     size_t method_len;
    const char *scheme;     size_t scheme_len;
    const char *authority;  size_t authority_len;
    const char *path;       size_t path_len;
    const char *protocol;   size_t protocol_len;   /* :protocol (RFC 8441), if enabled */
    const h2_nv *fields;    /* regular fields in order, names lowercase and validated
                             * (§8.2); name and value NUL-terminated. Cookie fields are
                             * passed as received: the glue joins them with "; " (§8.2.3) */
    size_t nfields;
    int end_stream;         /* 1: no body follows (on_request_end follows immediately) */
    int too_large;          /* 1: the header list exceeded max_header_list_size or
                             * max_header_fields: fields are incomplete (a pseudo-header may
                             * be absent because it was cut off); the ones present were
                             * validated. The glue must answer 431 or reset, and must not
                             * act on the request otherwise (no tunnel, no rewriting). */
    int64_t content_length; /* -1 when absent */
    h2_priority priority;   /* from the Priority field, or a PRIORITY_UPDATE that arrived
                             * while the stream was idle; default u=3, i=0 */
    unsigned priority_signal; /* H2_PRIO_SIG_FIELD, H2_PRIO_SIG_UPDATE: where it came from */
} h2_request;

/* ------------------------------------------------------------------------------------- */
/* Callbacks. ud is the user_data given to h2_session_new; stream_ud is what the glue set
 * with h2_session_set_stream_data (NULL until then). int-returning callbacks return 0 to go
 * on; anything else is fatal (H2_SESS_ERR_CALLBACK, GOAWAY(INTERNAL_ERROR)). All optional
 * except the three output callbacks. */
typedef struct h2_session_callbacks {
    /* --- output (required) --- */

    /* Frames the engine built, in wire order. Copy or write them before returning. */
    int (*send_bytes)(void *ud, const uint8_t *p, size_t n);

    /*
     * The scheduler picked stream sid to send DATA: how many body bytes can it send now,
     * at most max (max > 0)? Return n (0..max) and set *eos = 1 when those n bytes end the
     * body. Returning fewer than max without eos means "that is all for now": the stream
     * is deferred until h2_session_resume_data(). Returning 0 without eos defers at once.
     * A negative return resets the stream with INTERNAL_ERROR.
     * Before reporting eos the glue submits trailers if it has any.
     */
    long (*data_available)(void *ud, uint32_t sid, void *stream_ud, size_t max, int *eos);

    /*
     * Zero-copy DATA: write the 9 octets of hdr, then the next len (> 0) body bytes of
     * stream sid from the glue's own buffers or files. end_stream repeats the frame's
     * END_STREAM flag. len never exceeds the n last returned by data_available.
     */
    int (*send_data)(void *ud, uint32_t sid, void *stream_ud,
                     const uint8_t hdr[H2_FRAME_HDR_LEN], size_t len, int end_stream);

    /* --- input events --- */

    /* A request's header block is complete and valid (or too_large). Malformed requests
     * never reach the glue: they are reset with PROTOCOL_ERROR. The glue may call
     * h2_session_set_stream_data and even h2_session_submit_response from here. */
    int (*on_request)(void *ud, const h2_request *req);

    /* Request body bytes (padding removed). The glue calls h2_session_consume(s, sid, n)
     * when it has processed them: that reopens the flow-control windows. */
    int (*on_data)(void *ud, uint32_t sid, void *stream_ud, const uint8_t *data, size_t len);

    /* The request ended cleanly (END_STREAM, content-length matched). Trailers, if any,
     * valid during the call (n = 0 without trailers). Called exactly once per request that
     * ends cleanly, also right after on_request when req->end_stream is 1. */
    int (*on_request_end)(void *ud, uint32_t sid, void *stream_ud, const h2_nv *trailers,
                          size_t n);

    /* Stream sid left the engine (closed, reset by either side, or the connection ended).
     * Called once for each stream the glue saw in on_request (or h2_session_upgrade),
     * only from within h2_session_recv / send / tick, never from a submit call. After it,
     * consume calls for sid are ignored: its unconsumed bytes were credited back to the
     * connection window. error_code is NO_ERROR for a normal close. */
    void (*on_stream_close)(void *ud, uint32_t sid, void *stream_ud, uint32_t error_code,
                            int by_peer);

    /* The engine raised a connection error or a budget was exceeded (reason: short static
     * text for the log; the glue should rate-limit it). */
    void (*on_conn_error)(void *ud, uint32_t error_code, const char *reason);

    /* The engine raised a stream error (RST_STREAM sent). For debug logging. */
    void (*on_stream_error)(void *ud, uint32_t sid, uint32_t error_code, const char *reason);

    /* The client sent GOAWAY. */
    void (*on_goaway)(void *ud, uint32_t last_stream_id, uint32_t error_code);

    /* A PRIORITY_UPDATE changed the priority of an open stream the glue knows. */
    void (*on_priority)(void *ud, uint32_t sid, void *stream_ud, const h2_priority *p);

    /* --- optional output (added after the above: positional initializers stay valid) --- */

    /*
     * Padded zero-copy DATA, used instead of send_data only when cfg.padding_bits > 0 and
     * this is set. Write the prefix_len octets of prefix (frame header and Pad Length
     * octet), then the next len (> 0) body bytes of stream sid, then the pad_len octets at
     * padding (zeros, engine memory valid for the session's life; pad_len may be 0).
     * end_stream as for send_data; len never exceeds the n last returned by data_available.
     */
    int (*send_data_padded)(void *ud, uint32_t sid, void *stream_ud, const uint8_t *prefix,
                            size_t prefix_len, size_t len, const uint8_t *padding,
                            size_t pad_len, int end_stream);
} h2_session_callbacks;

/* ------------------------------------------------------------------------------------- */
/* Creation */

/* Copies cfg (and *cfg->allocator) and callbacks. Returns NULL when out of memory. The
 * server preface (SETTINGS with our values incl. SETTINGS_NO_RFC7540_PRIORITIES = 1, and a
 * connection WINDOW_UPDATE when conn_window_size > 65535) is queued at once. */
h2_session *h2_session_new(const h2_session_config *cfg, const h2_session_callbacks *cb,
                           void *user_data);
/* Frees everything (through the session's allocator: it gets back every block it gave).
 * Calls no callbacks: the glue cleans up its own streams. */
void h2_session_free(h2_session *s);
/* The connection is idle: release the scratch buffers and the free stream records (they
 * are allocated again when needed). Keeps all protocol state (HPACK tables, streams,
 * settings); buffers that hold something (pending output, a frame or header block split
 * across reads) are kept. Calls no callbacks. */
void h2_session_trim(h2_session *s);

/*
 * h2c Upgrade (RFC 7540 §3.2): call once, right after h2_session_new and before any input.
 * http2_settings is the HTTP2-Settings header value (base64url, no padding required; the
 * engine decodes it). Its SETTINGS are applied as if received in a SETTINGS frame (no ACK
 * is sent: the 101 response acknowledges them). Stream 1 is opened half-closed (remote)
 * for the upgraded request; the glue processes that request itself (no on_request), sets
 * stream_ud for it and submits its response on stream 1 like any other. The client
 * preface is still required as the first input. Returns H2_SESS_OK or H2_SESS_ERR_ARG
 * (bad base64url or SETTINGS payload: do not upgrade) or H2_SESS_ERR_STATE (too late).
 */
int h2_session_upgrade(h2_session *s, const char *http2_settings, size_t len,
                       void *stream_ud);

/* The most settings an HTTP2-Settings header may carry (more is refused). */
#define H2_UPGRADE_MAX_SETTINGS 64

/*
 * Validate an HTTP2-Settings header value (RFC 7540 §3.2.1) without a session, before
 * answering 101: base64url, a whole number of 6-octet settings, at most
 * H2_UPGRADE_MAX_SETTINGS of them, every known setting's value in range (§6.5.2: ENABLE_PUSH,
 * ENABLE_CONNECT_PROTOCOL, NO_RFC7540_PRIORITIES 0 or 1, INITIAL_WINDOW_SIZE <= 2^31-1,
 * MAX_FRAME_SIZE in 2^14..2^24-1). Returns 0 when h2_session_upgrade would accept it, -1 if not.
 */
int h2_settings_payload_check(const char *http2_settings, size_t len);

/* base64url (RFC 4648 §5) decoder used by h2_session_upgrade; padding '=' optional.
 * Returns the decoded length, or -1 on invalid input or when out is too small. */
long h2_base64url_decode(const char *in, size_t len, uint8_t *out, size_t cap);

/* ------------------------------------------------------------------------------------- */
/* Input */

/*
 * Feed received bytes. Resumable at any byte boundary; every byte is consumed. The client
 * preface (24 octets) followed by a SETTINGS frame is required first; anything else is
 * GOAWAY(PROTOCOL_ERROR). now_ms: a monotonic clock in milliseconds (budget intervals,
 * timers). Returns H2_SESS_OK, or H2_SESS_ERR_CONN / _NOMEM / _CALLBACK (fatal: flush the
 * output, then close).
 */
int h2_session_recv(h2_session *s, const uint8_t *in, size_t len, uint64_t now_ms);

/* The application processed n body bytes of stream sid (see on_data): WINDOW_UPDATEs for
 * the stream and the connection are queued when worthwhile. Returns H2_SESS_OK. */
int h2_session_consume(h2_session *s, uint32_t sid, size_t n);

/* Timers (settings ACK timeout, graceful shutdown). Call when h2_session_next_timer() is
 * due, or simply now and then. Returns like h2_session_recv. */
int h2_session_tick(h2_session *s, uint64_t now_ms);
/* The next time (ms, same clock) h2_session_tick wants to run, or 0 for none. */
uint64_t h2_session_next_timer(const h2_session *s);

/* ------------------------------------------------------------------------------------- */
/* Output */

/*
 * Produce output through send_bytes / send_data, in wire order: first every frame the
 * engine built (control frames, response HEADERS in submit order), then DATA frames picked
 * by the scheduler (RFC 9218 urgency, round robin) within the connection and stream send
 * windows and the client's MAX_FRAME_SIZE, until max_bytes are produced (0: no limit) or
 * nothing more can go. DATA frames are cut to stay within max_bytes (not below 4 KB of
 * payload, except the first frame of a call: with less room left the call ends); built
 * frames beyond max_bytes wait for the next call (cut anywhere, in order, no DATA between
 * them), so no call goes above max_bytes. *produced (may be NULL) gets the byte count.
 * Returns H2_SESS_OK or a fatal H2_SESS_ERR_*.
 */
int h2_session_send(h2_session *s, size_t max_bytes, size_t *produced);

/*
 * Response HEADERS for stream sid. status 100..599 (101 is refused: §8.6). 1xx are
 * interim responses (103 Early Hints, 100 Continue): any number of them before the final
 * one, with end_stream 0. Field names may be in any case (the engine lowercases them);
 * connection-specific fields (connection, keep-alive, proxy-connection,
 * transfer-encoding, upgrade) and fields with invalid names or values are dropped (§8.2).
 * end_stream 0: the body follows through data_available / send_data (the stream is
 * scheduled at once). HPACK encoding and HEADERS/CONTINUATION framing are done here; the
 * frames go out with the next h2_session_send. Returns H2_SESS_OK, H2_SESS_ERR_STATE
 * (stream unknown, reset, or final response already submitted), H2_SESS_ERR_ARG.
 */
int h2_session_submit_response(h2_session *s, uint32_t sid, int status, const h2_nv *fields,
                               size_t n, int end_stream);

/* Trailers for stream sid, sent (HEADERS with END_STREAM) after the body's last DATA.
 * Submit before data_available reports eos. Fields as for submit_response (no pseudo). */
int h2_session_submit_trailers(h2_session *s, uint32_t sid, const h2_nv *fields, size_t n);

/* The glue has (more) body data or the end of the body for stream sid: put it back into
 * the scheduler (after data_available returned less than asked). */
int h2_session_resume_data(h2_session *s, uint32_t sid);

/* Reset stream sid with error_code (H2_CANCEL for an aborted response, H2_NO_ERROR after
 * a complete response when the request body is not wanted: §8.1). */
int h2_session_submit_rst(h2_session *s, uint32_t sid, uint32_t error_code);

/*
 * Shut down. graceful = 1: the two-step GOAWAY of §6.8: GOAWAY(2^31-1, NO_ERROR) and a
 * PING now; on the PING ACK (or graceful_timeout_ms later) GOAWAY(last stream id,
 * NO_ERROR). Streams up to that id are completed, later ones ignored; calling it again
 * sends the final GOAWAY at once. graceful = 0:
 * GOAWAY(last stream id, error_code) at once; with error_code NO_ERROR open streams still
 * complete, otherwise the session stops reading and all streams are closed.
 * debug (may be NULL) goes into the GOAWAY's debug data (truncated to 64 octets).
 */
int h2_session_submit_goaway(h2_session *s, int graceful, uint32_t error_code,
                             const char *debug);

/* Send a PING (e.g. to measure RTT or keep alive); the ACK is consumed by the engine. */
int h2_session_submit_ping(h2_session *s, const uint8_t opaque[8]);

/*
 * Server push (§8.4; rules in the header comment above). Promise the request described by
 * fields[0..n) on behalf of client stream parent_sid: the pseudo-headers :method (GET or
 * HEAD), :scheme, :authority, :path in any order among them (names may be in any case),
 * plus any regular request fields. A PUSH_PROMISE is queued and the promised stream
 * enters reserved (local) with stream data promised_stream_ud; *promised_sid gets its id.
 * The glue then answers it with h2_session_submit_response(*promised_sid, ...).
 * Returns H2_SESS_OK, H2_SESS_ERR_REFUSED (push not possible now), H2_SESS_ERR_STATE
 * (parent unknown, not client-initiated, or done sending), H2_SESS_ERR_ARG (request not
 * pushable), H2_SESS_ERR_NOMEM (fatal).
 */
int h2_session_submit_push_promise(h2_session *s, uint32_t parent_sid, const h2_nv *fields,
                                   size_t n, void *promised_stream_ud, uint32_t *promised_sid);

/* 1 when h2_session_submit_push_promise would currently accept a push as far as the
 * connection is concerned (client allows push, no GOAWAY, below the stream limits). */
int h2_session_push_enabled(const h2_session *s);

/*
 * The request body of stream sid is not wanted (§8.1, early response): see the header
 * comment above. Call any time after on_request; idempotent. Returns H2_SESS_OK or
 * H2_SESS_ERR_STATE (stream unknown, closed, or a pushed stream: it has no request body).
 */
int h2_session_discard_body(h2_session *s, uint32_t sid);

/* ------------------------------------------------------------------------------------- */
/* Streams and queries */

int h2_session_set_stream_data(h2_session *s, uint32_t sid, void *stream_ud);
void *h2_session_get_stream_data(const h2_session *s, uint32_t sid);

/* Priority of stream sid (RFC 9218). The server may override it (set). */
int h2_session_get_priority(const h2_session *s, uint32_t sid, h2_priority *p);
int h2_session_set_priority(h2_session *s, uint32_t sid, const h2_priority *p);

/*
 * What the client said about the priority of stream sid (RFC 9218), as bits:
 * H2_PRIO_SIG_FIELD   the request carried a valid Priority field (any value, u=3 too),
 * H2_PRIO_SIG_UPDATE  a PRIORITY_UPDATE for the stream arrived (before or after the
 *                     request; h2_session_set_priority afterwards does not clear it),
 * H2_PRIO_SIG_CONN    the client sent, on any stream of the connection so far, a Priority
 *                     field whose value differs from the defaults (u=3, i=0) or any
 *                     PRIORITY_UPDATE: it speaks RFC 9218, so its requests without a
 *                     field mean u=3 on purpose.
 * Returns the bits (0: nothing), or H2_SESS_ERR_STATE for an unknown stream.
 */
#define H2_PRIO_SIG_FIELD  0x01
#define H2_PRIO_SIG_UPDATE 0x02
#define H2_PRIO_SIG_CONN   0x04
int h2_session_priority_signals(const h2_session *s, uint32_t sid);

/* RFC 9113 §5.1 stream states, plus the way a stream was closed (late frames, §5.1). */
typedef enum h2_stream_state {
    H2_SS_IDLE = 0,
    H2_SS_RESERVED_LOCAL,
    H2_SS_RESERVED_REMOTE,
    H2_SS_OPEN,
    H2_SS_HALF_CLOSED_LOCAL,
    H2_SS_HALF_CLOSED_REMOTE,
    H2_SS_CLOSED,            /* closed by END_STREAM in both directions */
    H2_SS_CLOSED_RST_RECV,   /* closed by a RST_STREAM the peer sent */
    H2_SS_CLOSED_RST_SENT,   /* closed by a RST_STREAM we sent */
    H2_SS_COUNT
} h2_stream_state;
/* State of stream sid as the engine knows it (closed streams while their record is kept,
 * otherwise IDLE for ids above the last one, CLOSED below). */
h2_stream_state h2_session_stream_state(const h2_session *s, uint32_t sid);
const char *h2_stream_state_name(h2_stream_state st);
/* A stream's flow-control windows: what the client may still send on it (recv) and what
 * we may still send (send, may be negative, §6.9.2). -1 when the stream is not in the
 * table (idle or closed). */
int h2_session_stream_windows(const h2_session *s, uint32_t sid, int64_t *recv_window,
                              int64_t *send_window);

int h2_session_want_read(const h2_session *s);   /* 0 once the session stopped reading */
int h2_session_want_write(const h2_session *s);  /* output queued or DATA sendable now */
size_t h2_session_out_pending(const h2_session *s); /* octets of built frames not yet sent */
int h2_session_is_done(const h2_session *s);     /* nothing more to read or write: close */
uint32_t h2_session_open_streams(const h2_session *s);  /* open + half-closed (§5.1.2) */
/* Highest client stream id the engine accepted for processing. */
uint32_t h2_session_last_stream_id(const h2_session *s);
/* A SETTINGS value the client sent (its default if not sent). */
uint32_t h2_session_peer_setting(const h2_session *s, uint16_t id);

/* Counters and invariants, for tests, fuzzers and mod_status. */
typedef struct h2_session_stats {
    uint32_t streams_active;       /* open + half-closed */
    uint32_t streams_in_table;     /* entries in the stream table (incl. reserved, closing) */
    uint32_t closed_records;       /* kept records of closed streams */
    uint32_t pending_priorities;   /* PRIORITY_UPDATEs kept for idle streams */
    int64_t conn_send_window;
    int64_t conn_recv_window;      /* what the client may still send */
    uint64_t conn_recv_unconsumed; /* delivered to on_data, not yet consumed */
    size_t out_pending;            /* bytes of built frames not yet sent */
    uint32_t out_control_frames;   /* engine-built frames among them */
    uint32_t last_client_stream;   /* highest client stream id seen */
    uint32_t goaway_sent_last_id;  /* 0 when no GOAWAY sent (2^31-1 for the first step) */
    int goaway_sent;
    int goaway_received;
    uint64_t frames_received;
    uint64_t frames_sent;
    uint64_t requests;
    uint64_t stream_errors;        /* RST_STREAM raised by the engine */
    size_t mem_bytes;              /* heap held by the session (approximate) */
    uint32_t streams_pushed;       /* pushed streams in the table (reserved + active) */
    uint64_t pushes;               /* PUSH_PROMISE frames sent */
} h2_session_stats;
void h2_session_get_stats(const h2_session *s, h2_session_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* H2_SESSION_H */
