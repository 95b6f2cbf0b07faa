/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * session_int.h -- the session struct and the helpers shared by session.c (input, state,
 * flow control, budgets) and session_out.c (submit calls, output, scheduler driving).
 * Internal to mod_h2/proto/.
 */
#ifndef H2_SESSION_INT_H
#define H2_SESSION_INT_H

#include "h2_proto.h"
#include "h2_frame.h"
#include "h2_hpack.h"
#include "h2_session.h"
#include "stream.h"
#include "sched.h"

#define H2_PEER_SETTINGS_SLOTS 10     /* ids 1..9 */
#define H2_STREAM_FREELIST_MAX 32

enum { H2_IN_PREFACE = 0, H2_IN_FIRST_SETTINGS, H2_IN_FRAMES, H2_IN_DEAD };

/* what a header block in progress is for */
enum {
    H2_HB_NEW = 0,     /* a new request */
    H2_HB_TRAILERS,    /* trailers of an open stream */
    H2_HB_REFUSE,      /* decode, then RST_STREAM(REFUSED_STREAM) */
    H2_HB_ERROR,       /* decode, then stream error err_code */
    H2_HB_IGNORE       /* decode, then nothing */
};

typedef struct h2_hblock {
    int active;              /* CONTINUATION expected */
    int kind;
    uint32_t sid;
    int end_stream;
    int new_stream;          /* the HEADERS opened the stream */
    unsigned state;          /* the stream's state when the block began */
    uint32_t err_code;
    const char *err_reason;
    uint32_t frames;         /* HEADERS + CONTINUATION frames so far */
    size_t bytes;            /* fragment octets so far */
    h2_stream *st;           /* the stream when the block began (only compared with NULL
                              * at the end: it may be gone by then, look it up by sid) */
} h2_hblock;

typedef struct h2_closed_rec {
    uint32_t id;
    uint8_t state;
} h2_closed_rec;

typedef struct h2_pending_prio {
    uint32_t id;
    h2_priority prio;
} h2_pending_prio;

struct h2_session {
    h2_allocator mem;                /* copy of *cfg.allocator (libc's when NULL) */
    h2_session_config cfg;
    h2_session_callbacks cb;
    void *ud;
    uint64_t now;
    int have_now;
    int rv;                          /* sticky result once fatal */

    /* input */
    int in_state;
    int upgraded;                    /* h2c Upgrade: HTTP2-Settings are the client's first SETTINGS */
    size_t preface_have;
    h2_frame_reader rd;
    h2_hpack_decoder *dec;
    h2_hblock hb;
    h2_fields fields;

    /* streams */
    h2_stream **buckets;
    uint32_t bucket_mask;
    h2_stream *all;                  /* all streams in the table */
    h2_stream *close_head, *close_tail;
    h2_stream *free_streams;
    uint32_t n_free;
    uint32_t n_streams, n_active;
    h2_closed_rec *closed;
    uint32_t closed_cap, closed_n, closed_next;
    h2_pending_prio *pprio;
    uint32_t pprio_cap, pprio_n;
    uint8_t prio_aware;        /* the client sent a priority signal other than the
                                * defaults (a Priority field or any PRIORITY_UPDATE) */
    uint32_t last_client_sid;        /* highest client stream id seen */
    uint32_t n_pushed;               /* pushed (even) streams in the table */
    uint32_t n_push_active;          /* ... of them active (half-closed remote) */
    uint32_t next_push_sid;          /* next promised stream id (even), 0 when exhausted */
    uint32_t last_push_sid;          /* highest promised stream id, 0 none */
    uint64_t pushes;
    uint32_t last_accepted_sid;      /* highest stream handed to the glue */
    uint64_t requests;

    /* settings */
    uint32_t peer[H2_PEER_SETTINGS_SLOTS];
    int settings_unacked;
    int settings_acked;
    uint64_t settings_sent_at;
    uint32_t local_iws_eff;          /* stream receive window enforced now */

    /* flow control */
    int64_t conn_send_window;
    int64_t conn_recv_window;
    uint64_t conn_unconsumed;
    uint64_t conn_pending;
    uint32_t conn_recv_target;

    /* output */
    h2_hpack_encoder *enc;
    h2_buf out, out2;
    uint32_t out_ctrl;
    h2_buf hblock;                   /* HPACK encoding scratch */
    h2_buf lcnames;                  /* lowercased names scratch */
    h2_nv *snv;
    size_t snv_cap;
    h2_sched sched;
    uint64_t rng;                    /* xorshift64 state (padding) */

    /* shutdown */
    int goaway_sent, goaway_final;
    uint32_t goaway_last;
    int graceful_pending;
    uint64_t graceful_deadline;
    int goaway_recv;
    int dead;                        /* stopped reading */

    /* budgets, counted per interval */
    uint64_t budget_start;
    uint32_t n_settings, n_pings, n_resets, n_glitches, n_empty;
    uint32_t n_oversized;            /* per connection (max_oversized_blocks), never rolled */

    /* stats */
    uint64_t frames_in, frames_out, stream_errors;
};

/* the opaque of the PING that ends the first step of a graceful shutdown */
extern const uint8_t h2_graceful_ping[8];

/* session.c */
h2_stream *h2s_find(const h2_session *s, uint32_t sid);
h2_stream *h2s_stream_new(h2_session *s, uint32_t sid);     /* not in the table yet */
void h2s_stream_discard(h2_session *s, h2_stream *st);      /* one never inserted */
void h2s_stream_insert(h2_session *s, h2_stream *st);
void h2s_set_state(h2_session *s, h2_stream *st, unsigned state);
void h2s_close_stream(h2_session *s, h2_stream *st, uint32_t code, int by_peer);
void h2s_maybe_close(h2_session *s, h2_stream *st);
void h2s_drain_closes(h2_session *s);
void h2s_conn_error(h2_session *s, uint32_t code, const char *reason, int local);
void h2s_fatal(h2_session *s, int rv);
int h2s_queue_rst(h2_session *s, uint32_t sid, uint32_t code);
void h2s_sched_update(h2_session *s, h2_stream *st);
void h2s_send_final_goaway(h2_session *s, const char *debug);

/* session_out.c */
int h2s_flush_out(h2_session *s, size_t *done);
/* discarded request body, our END_STREAM sent, the client still sending: RST(NO_ERROR) */
void h2s_discard_rst(h2_session *s, h2_stream *st);
uint64_t h2s_rand(h2_session *s);

#endif /* H2_SESSION_INT_H */
