/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * stream.h -- streams of the session engine (internal to mod_h2/proto/).
 *
 *  - h2_stream: one stream's state, windows, accounting and output flags.
 *  - The RFC 9113 §5.1 state machine as a table (state, event) -> (next state, action).
 *  - h2_fields: collects and validates one decoded field block (§8.2, §8.3) while HPACK
 *    emits it, and turns it into an h2_request or a trailer list.
 */
#ifndef H2_STREAM_H
#define H2_STREAM_H

#include "h2_proto.h"
#include "h2_hpack.h"
#include "h2_session.h"
#include "sched.h"

/* ------------------------------------------------------------------------------------- */
/* §5.1 transition table */

typedef enum h2_stream_event {
    H2_EV_RECV_HEADERS = 0,    /* HEADERS (a new request or trailers) */
    H2_EV_RECV_DATA,
    H2_EV_RECV_END_STREAM,     /* END_STREAM flag of a received HEADERS / DATA (after it) */
    H2_EV_RECV_RST,
    H2_EV_RECV_WINDOW_UPDATE,
    H2_EV_RECV_PRIORITY,
    H2_EV_SEND_HEADERS,
    H2_EV_SEND_END_STREAM,
    H2_EV_SEND_RST,
    H2_EV_SEND_PUSH_PROMISE,
    H2_EV_COUNT
} h2_stream_event;

typedef enum h2_stream_action {
    H2_TR_OK = 0,        /* allowed; state becomes next */
    H2_TR_IGNORE,        /* the frame is ignored (late frame on a closed stream) */
    H2_TR_STREAM_ERR,    /* stream error with code */
    H2_TR_CONN_ERR,      /* connection error with code */
    H2_TR_INVALID        /* not a possible event in this state (local API misuse) */
} h2_stream_action;

typedef struct h2_stream_trans {
    uint8_t next;        /* h2_stream_state */
    uint8_t action;      /* h2_stream_action */
    uint8_t code;        /* h2_error_code for errors */
} h2_stream_trans;

extern const h2_stream_trans h2_stream_table[H2_SS_COUNT][H2_EV_COUNT];

static inline h2_stream_trans h2_stream_transition(h2_stream_state st, h2_stream_event ev)
{
    return h2_stream_table[st][ev];
}

/* open or half-closed: counts toward SETTINGS_MAX_CONCURRENT_STREAMS (§5.1.2) */
static inline int h2_stream_state_active(unsigned st)
{
    return st == H2_SS_OPEN || st == H2_SS_HALF_CLOSED_LOCAL || st == H2_SS_HALF_CLOSED_REMOTE;
}
static inline int h2_stream_state_closed(unsigned st)
{
    return st >= H2_SS_CLOSED;
}
/* the client may still send DATA / trailers */
static inline int h2_stream_state_remote_open(unsigned st)
{
    return st == H2_SS_OPEN || st == H2_SS_HALF_CLOSED_LOCAL;
}

/* ------------------------------------------------------------------------------------- */
/* A stream */

typedef struct h2_stream {
    uint32_t id;
    uint8_t state;            /* h2_stream_state */
    uint8_t glue_knows;       /* on_request was called (or upgrade): on_stream_close due */
    uint8_t resp_final;       /* final response HEADERS submitted */
    uint8_t body_pending;     /* response body comes through data_available */
    uint8_t deferred;         /* data_available had nothing: wait for resume_data */
    uint8_t has_trailers;     /* trailers submitted, sent after the body */
    uint8_t close_by_peer;
    uint8_t in_table;         /* in the stream table (not yet closed) */
    uint8_t discard;          /* request body not wanted (h2_session_discard_body) */
    uint8_t prio_sig;         /* H2_PRIO_SIG_FIELD / _UPDATE: what the client signalled */
    uint32_t close_code;
    void *ud;                 /* the glue's stream data */

    struct h2_stream *hnext;  /* hash chain */
    struct h2_stream *prev, *next;   /* list of all streams in the table */
    struct h2_stream *cnext;  /* list of closed streams awaiting on_stream_close */

    h2_sched_node sched;
    h2_priority prio;

    int64_t send_window;      /* may go negative (§6.9.2) */
    int64_t recv_window;      /* what the client may still send */
    uint32_t recv_target;     /* current receive window size W (grows up to the budget) */
    uint64_t recv_unconsumed; /* delivered to on_data, not yet consumed */
    uint64_t recv_pending;    /* consumed (or padding), not yet given back by WINDOW_UPDATE */
    int64_t content_length;   /* -1: none */
    uint64_t data_received;   /* DATA payload octets (padding excluded) */

    h2_buf trailers;          /* submitted trailers: (u32 name len, name, u32 value len, value)* */
    uint32_t n_trailers;
} h2_stream;

#define H2_STREAM_FROM_SCHED(n) \
    ((h2_stream *)(void *)((char *)(n) - offsetof(h2_stream, sched)))

/* ------------------------------------------------------------------------------------- */
/* Field block collection and validation */

typedef enum h2_fields_mode {
    H2_FIELDS_DISCARD = 0,   /* decode only (HPACK in step), nothing kept */
    H2_FIELDS_REQUEST,       /* request header section */
    H2_FIELDS_TRAILERS       /* trailer section */
} h2_fields_mode;

enum { H2_PS_METHOD = 0, H2_PS_SCHEME, H2_PS_AUTHORITY, H2_PS_PATH, H2_PS_PROTOCOL, H2_PS_COUNT };

typedef struct h2_field_rec {
    uint32_t name_off, name_len, value_off, value_len;
    unsigned flags;
} h2_field_rec;

typedef struct h2_fields {
    int mode;
    const char *malformed;   /* first violation found (static reason), NULL when fine */
    int too_large;           /* storage bound hit (in addition to the decoder's limits) */
    int nomem;               /* storing a field failed (the allocator): malformed is set
                              * too, so nothing more is kept; the block is still decoded */
    size_t max_bytes;        /* storage bound of str */
    h2_buf str;              /* names and values, each NUL-terminated */
    h2_field_rec *recs;
    size_t n, cap;
    h2_nv *nv;               /* built by h2_fields_nv */
    size_t nv_cap;
    unsigned pseudo_seen;    /* bit per H2_PS_* */
    uint32_t pseudo_off[H2_PS_COUNT], pseudo_len[H2_PS_COUNT];
    int regular_seen;
    int pseudo_complete;     /* the first regular field came with every pseudo-header kept */
    long host_idx;           /* record index of a host field, -1 */
    int64_t content_length;  /* -1 */
    h2_priority prio;
    int prio_seen;
    const h2_allocator *mem; /* of str, recs, nv */
} h2_fields;

void h2_fields_init(h2_fields *fc, const h2_allocator *mem);
void h2_fields_free(h2_fields *fc);
/* Start a block. max_bytes bounds the stored strings. */
void h2_fields_begin(h2_fields *fc, int mode, size_t max_bytes);
/* HPACK emit callback (ctx = h2_fields *): validates and stores one field. */
int h2_fields_emit(void *ctx, const h2_nv *nv);
/* End of a request block: checks completeness and form (§8.3.1) and fills *req (pointers
 * into fc). too_large: the block went over a limit, so fields may be missing: a request is
 * still malformed by what was seen (and by a missing pseudo-header when the pseudo-header
 * section was seen whole). Returns NULL when valid, else a static reason. */
const char *h2_fields_finish_request(h2_fields *fc, int end_stream, int enable_connect_protocol,
                                     int too_large, h2_request *req);
/* Build the h2_nv array of the regular fields (valid until the next begin). Out of memory:
 * NULL with *n = 0 and fc->nomem set. */
const h2_nv *h2_fields_nv(h2_fields *fc, size_t *n);
/* Approximate heap use */
size_t h2_fields_mem(const h2_fields *fc);

/* Field name / value checks of §8.2.1 (name without a leading ':') */
int h2_field_name_valid(const uint8_t *p, size_t len);
int h2_field_value_valid(const uint8_t *p, size_t len);
/* Request pseudo-header syntax (§8.3.1): RFC 9110 token (:method, :protocol); RFC 3986
 * scheme; RFC 3986 authority characters (no '@' checked here: the caller does); no SP or
 * CTL (a request target) */
int h2_method_valid(const char *v, size_t len);
int h2_scheme_valid(const char *v, size_t len);
int h2_authority_valid(const char *v, size_t len);
int h2_target_chars_valid(const char *v, size_t len);
/* connection-specific field (§8.2.2): connection, keep-alive, proxy-connection,
 * transfer-encoding, upgrade (lowercase name) */
int h2_field_is_connection_specific(const uint8_t *name, size_t len);

#endif /* H2_STREAM_H */
