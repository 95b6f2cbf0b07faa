/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * session.c -- the HTTP/2 connection state machine, server role (RFC 9113): preface,
 * SETTINGS/ACK, PING, GOAWAY, WINDOW_UPDATE, stream and connection errors, the stream
 * table, header blocks, request bodies and receive flow control, budgets.
 * Output and the submit calls live in session_out.c.
 */
#include <stdlib.h>
#include <string.h>

#include "session_int.h"

const uint8_t h2_graceful_ping[8] = { 'h', '2', 'g', 'o', 'a', 'w', 'a', 'y' };

/* ------------------------------------------------------------------------------------- */
/* Configuration */

void h2_session_config_init(h2_session_config *c)
{
    memset(c, 0, sizeof(*c));
    c->max_concurrent_streams = 100;
    c->initial_window_size = H2_DEFAULT_WINDOW_SIZE;
    c->max_frame_size = H2_DEFAULT_MAX_FRAME_SIZE;
    c->header_table_size = H2_DEFAULT_HEADER_TABLE_SIZE;
    c->max_header_list_size = 65536;
    c->max_header_fields = 100;
    c->enable_connect_protocol = 0;
    c->conn_window_size = 1u << 20;
    c->stream_buffer_max = 1u << 20;
    c->max_continuations = 32;
    c->max_header_block_bytes = 0;
    c->budget_interval_ms = 1000;
    c->max_control_queued = 1000;
    c->max_settings = 50;
    c->max_pings = 200;
    c->max_resets = 200;
    c->max_glitches = 200;
    c->max_empty_frames = 1000;
    c->max_requests = 0;
    c->max_closed_streams = 64;
    c->max_pending_priorities = 0;
    c->settings_timeout_ms = 0;
    c->graceful_timeout_ms = 2000;
    c->max_push_streams = 32;
    c->padding_bits = 0;
    c->padding_seed = 0;
    c->max_data_frame_len = 0;
    c->max_oversized_blocks = 4;
}

static uint32_t clamp32(uint32_t v, uint32_t lo, uint32_t hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

static void config_fix(h2_session_config *c)
{
    c->initial_window_size = clamp32(c->initial_window_size, 0, H2_MAX_WINDOW_SIZE);
    c->max_frame_size = clamp32(c->max_frame_size, H2_DEFAULT_MAX_FRAME_SIZE,
                                H2_MAX_MAX_FRAME_SIZE);
    c->conn_window_size = clamp32(c->conn_window_size, H2_DEFAULT_WINDOW_SIZE,
                                  H2_MAX_WINDOW_SIZE);
    c->stream_buffer_max = clamp32(c->stream_buffer_max, c->initial_window_size,
                                   H2_MAX_WINDOW_SIZE);
    c->enable_connect_protocol = c->enable_connect_protocol ? 1 : 0;
    if (c->max_header_list_size == 0) {
        c->max_header_list_size = 65536;
    }
    if (c->max_header_fields == 0) {
        c->max_header_fields = 100;
    }
    if (c->max_header_block_bytes == 0) {
        uint64_t b = 2ull * c->max_header_list_size + 16384;
        c->max_header_block_bytes = b > 0x7fffffffu ? 0x7fffffffu : (uint32_t)b;
    }
    if (c->budget_interval_ms == 0) {
        c->budget_interval_ms = 1000;
    }
    c->max_closed_streams = clamp32(c->max_closed_streams, 0, 65536);
    if (c->max_pending_priorities == 0) {
        c->max_pending_priorities = c->max_concurrent_streams;
    }
    c->max_pending_priorities = clamp32(c->max_pending_priorities, 1, 1024);
    c->padding_bits = clamp32(c->padding_bits, 0, 8);
}

/* ------------------------------------------------------------------------------------- */
/* Stream table */

static uint32_t bucket_of(const h2_session *s, uint32_t sid)
{
    return (sid >> 1) & s->bucket_mask;
}

h2_stream *h2s_find(const h2_session *s, uint32_t sid)
{
    h2_stream *st = s->buckets[bucket_of(s, sid)];
    while (st && st->id != sid) {
        st = st->hnext;
    }
    return st;
}

static h2_stream *stream_new(h2_session *s, uint32_t sid)
{
    h2_stream *st = s->free_streams;
    if (st) {
        s->free_streams = st->next;
        s->n_free--;
    } else if (!(st = h2_mem_malloc(&s->mem, sizeof(*st)))) {
        return NULL;
    }
    memset(st, 0, sizeof(*st));
    h2_buf_init_mem(&st->trailers, &s->mem);
    st->id = sid;
    st->state = H2_SS_IDLE;
    st->content_length = -1;
    st->prio.urgency = H2_PRIO_URGENCY_DEFAULT;
    st->send_window = s->peer[H2_SET_INITIAL_WINDOW_SIZE];
    st->recv_target = s->local_iws_eff;
    st->recv_window = s->local_iws_eff;
    st->sched.id = sid;
    st->sched.urgency = H2_PRIO_URGENCY_DEFAULT;
    return st;
}

static void stream_free(h2_session *s, h2_stream *st)
{
    h2_buf_free(&st->trailers);
    if (s->n_free < H2_STREAM_FREELIST_MAX) {
        st->next = s->free_streams;
        s->free_streams = st;
        s->n_free++;
    } else {
        h2_mem_free(&s->mem, st);
    }
}

h2_stream *h2s_stream_new(h2_session *s, uint32_t sid)
{
    return stream_new(s, sid);
}

void h2s_stream_discard(h2_session *s, h2_stream *st)
{
    stream_free(s, st);
}

void h2s_stream_insert(h2_session *s, h2_stream *st)
{
    uint32_t b = bucket_of(s, st->id);
    st->hnext = s->buckets[b];
    s->buckets[b] = st;
    st->prev = NULL;
    st->next = s->all;
    if (s->all) {
        s->all->prev = st;
    }
    s->all = st;
    s->n_streams++;
    if (!(st->id & 1)) {
        s->n_pushed++;
    }
    if (h2_stream_state_active(st->state)) {
        s->n_active++;
        if (!(st->id & 1)) {
            s->n_push_active++;
        }
    }
}

static void stream_unlink(h2_session *s, h2_stream *st)
{
    h2_stream **pp = &s->buckets[bucket_of(s, st->id)];
    while (*pp && *pp != st) {
        pp = &(*pp)->hnext;
    }
    if (*pp) {
        *pp = st->hnext;
    }
    if (st->prev) {
        st->prev->next = st->next;
    } else {
        s->all = st->next;
    }
    if (st->next) {
        st->next->prev = st->prev;
    }
    st->prev = st->next = st->hnext = NULL;
    s->n_streams--;
    if (!(st->id & 1)) {
        s->n_pushed--;
    }
    if (h2_stream_state_active(st->state)) {
        s->n_active--;
        if (!(st->id & 1)) {
            s->n_push_active--;
        }
    }
}

void h2s_set_state(h2_session *s, h2_stream *st, unsigned state)
{
    int was = h2_stream_state_active(st->state), is = h2_stream_state_active(state);
    if (st->in_table && was != is) {
        uint32_t d = is ? 1u : (uint32_t)-1;
        s->n_active += d;
        if (!(st->id & 1)) {
            s->n_push_active += d;
        }
    }
    st->state = (uint8_t)state;
}

/* ------------------------------------------------------------------------------------- */
/* Closed stream records (late frames, §5.1) */

static h2_closed_rec *closed_find(const h2_session *s, uint32_t sid)
{
    uint32_t i;
    for (i = 0; i < s->closed_n; i++) {
        if (s->closed[i].id == sid) {
            return &s->closed[i];
        }
    }
    return NULL;
}

static void closed_record(h2_session *s, uint32_t sid, unsigned state)
{
    h2_closed_rec *r;
    if (s->closed_cap == 0) {
        return;
    }
    if ((r = closed_find(s, sid)) == NULL) {
        if (s->closed_n < s->closed_cap) {
            r = &s->closed[s->closed_n++];
        } else {
            r = &s->closed[s->closed_next];
            s->closed_next = (s->closed_next + 1) % s->closed_cap;
        }
        r->id = sid;
    }
    r->state = (uint8_t)state;
}

/*
 * The state of stream sid as far as we know: the stream itself, its closed record, idle
 * above the last id, CLOSED_RST_SENT for streams ignored after our GOAWAY; *gone is set for
 * a lower id we know nothing about (closed long ago or never used).
 */
static unsigned lookup_state(const h2_session *s, uint32_t sid, h2_stream **pst, int *gone)
{
    h2_stream *st = h2s_find(s, sid);
    h2_closed_rec *r;
    *pst = st;
    *gone = 0;
    if (st) {
        return st->state;
    }
    if ((r = closed_find(s, sid)) != NULL) {
        return r->state;
    }
    if (sid & 1) {
        if (sid > s->last_client_sid) {
            return H2_SS_IDLE;
        }
        if (s->goaway_final && sid > s->goaway_last) {
            return H2_SS_CLOSED_RST_SENT;
        }
    } else if (sid > s->last_push_sid) {
        return H2_SS_IDLE;   /* not promised (yet) */
    }
    *gone = 1;
    return H2_SS_CLOSED;
}

h2_stream_state h2_session_stream_state(const h2_session *s, uint32_t sid)
{
    h2_stream *st;
    int gone;
    return (h2_stream_state)lookup_state(s, sid, &st, &gone);
}

int h2_session_stream_windows(const h2_session *s, uint32_t sid, int64_t *recv_window,
                              int64_t *send_window)
{
    const h2_stream *st = h2s_find(s, sid);
    if (!st) {
        return -1;
    }
    *recv_window = st->recv_window;
    *send_window = st->send_window;
    return 0;
}

/* ------------------------------------------------------------------------------------- */
/* Pending PRIORITY_UPDATEs for idle streams (RFC 9218 §7.1), bounded */

static h2_pending_prio *pprio_find(h2_session *s, uint32_t sid)
{
    uint32_t i;
    for (i = 0; i < s->pprio_n; i++) {
        if (s->pprio[i].id == sid) {
            return &s->pprio[i];
        }
    }
    return NULL;
}

static void pprio_store(h2_session *s, uint32_t sid, const h2_priority *p)
{
    h2_pending_prio *e = pprio_find(s, sid);
    if (!e) {
        if (s->pprio_n == s->pprio_cap) {
            /* drop the oldest */
            memmove(s->pprio, s->pprio + 1, (s->pprio_n - 1) * sizeof(*s->pprio));
            s->pprio_n--;
        }
        e = &s->pprio[s->pprio_n++];
        e->id = sid;
    }
    e->prio = *p;
}

/* the stream sid opens: take its pending priority, drop those of lower (now closed) ids */
static int pprio_take(h2_session *s, uint32_t sid, h2_priority *p)
{
    uint32_t i, j = 0;
    int found = 0;
    for (i = 0; i < s->pprio_n; i++) {
        if (s->pprio[i].id == sid) {
            *p = s->pprio[i].prio;
            found = 1;
        } else if (s->pprio[i].id > sid) {
            s->pprio[j++] = s->pprio[i];
        }
    }
    s->pprio_n = j;
    return found;
}

/* ------------------------------------------------------------------------------------- */
/* Output helpers */

static void close_all_streams(h2_session *s, uint32_t code, int by_peer);

/* Out of memory ends the connection as a connection error of ours would: the client
 * hears GOAWAY(INTERNAL_ERROR) if the frame fits (the output buffer usually has room),
 * every stream is closed for the glue. Frames are built whole or not at all, so the
 * GOAWAY never lands in the middle of one. */
static void nomem_end(h2_session *s)
{
    static const char why[] = "out of memory";
    uint32_t last = s->last_accepted_sid;
    if (s->goaway_sent && last > s->goaway_last) {
        last = s->goaway_last;   /* never increase it (§6.8) */
    }
    if (h2_frame_put_goaway(&s->out, last, H2_INTERNAL_ERROR, (const uint8_t *)why,
                            sizeof(why) - 1) == 0) {
        s->frames_out++;
        s->goaway_sent = s->goaway_final = 1;
        s->goaway_last = last;
    }
    s->graceful_pending = 0;
    s->hb.active = 0;
    close_all_streams(s, H2_INTERNAL_ERROR, 0);
}

void h2s_fatal(h2_session *s, int rv)
{
    int was_dead = s->dead;
    if (!s->rv || s->rv == H2_SESS_ERR_CONN) {
        s->rv = rv;
    }
    s->dead = 1;
    s->in_state = H2_IN_DEAD;
    if (rv == H2_SESS_ERR_NOMEM && !was_dead) {
        nomem_end(s);
    }
}

static int put_ok(h2_session *s, int r)
{
    if (r != 0) {
        h2s_fatal(s, H2_SESS_ERR_NOMEM);
        return 0;
    }
    return 1;
}

/* a frame the peer made us build (ACKs, RST_STREAM): counts toward max_control_queued */
static int ctrl_queued(h2_session *s)
{
    s->frames_out++;
    if (s->cfg.max_control_queued && ++s->out_ctrl > s->cfg.max_control_queued) {
        h2s_conn_error(s, H2_ENHANCE_YOUR_CALM, "control frames queued unsent (flood)", 0);
        return -1;
    }
    return 0;
}

int h2s_queue_rst(h2_session *s, uint32_t sid, uint32_t code)
{
    if (!put_ok(s, h2_frame_put_rst_stream(&s->out, sid, code))) {
        return -1;
    }
    return ctrl_queued(s);
}

static void queue_window_update(h2_session *s, uint32_t sid, uint32_t inc)
{
    if (put_ok(s, h2_frame_put_window_update(&s->out, sid, inc))) {
        s->frames_out++;
    }
}

/* ------------------------------------------------------------------------------------- */
/* Receive flow control */

static void maybe_conn_update(h2_session *s)
{
    uint64_t inc = s->conn_pending;
    if (s->dead || inc == 0 || inc < s->conn_recv_target / 2) {
        return;
    }
    queue_window_update(s, 0, (uint32_t)inc);
    s->conn_recv_window += (int64_t)inc;
    s->conn_pending = 0;
}

static void maybe_stream_update(h2_session *s, h2_stream *st)
{
    uint64_t inc = st->recv_pending;
    uint32_t w = st->recv_target;
    if (s->dead || inc == 0 || !h2_stream_state_remote_open(st->state)) {
        return;
    }
    if (inc < w / 2 && st->recv_window > 0) {
        return;
    }
    /* the client used half a window since the last update and the application keeps
     * up: let the window grow, within the stream's buffer budget */
    if (w < s->cfg.stream_buffer_max && st->recv_unconsumed <= w / 4) {
        uint64_t nw = (uint64_t)w * 2;
        if (nw > s->cfg.stream_buffer_max) {
            nw = s->cfg.stream_buffer_max;
        }
        if (nw < 1024) {
            nw = 1024 > s->cfg.stream_buffer_max ? s->cfg.stream_buffer_max : 1024;
        }
        if (nw > w) {
            inc += nw - w;
            st->recv_target = (uint32_t)nw;
        }
    }
    queue_window_update(s, st->id, (uint32_t)inc);
    st->recv_window += (int64_t)inc;
    st->recv_pending = 0;
}

/* octets the connection window may have back at once (padding, dropped DATA) */
static void conn_give_back(h2_session *s, uint64_t n)
{
    s->conn_pending += n;
    maybe_conn_update(s);
}

int h2_session_consume(h2_session *s, uint32_t sid, size_t n)
{
    h2_stream *st = h2s_find(s, sid);
    if (!st || n == 0) {
        return H2_SESS_OK;   /* closed: its bytes went back to the connection at close */
    }
    if (n > st->recv_unconsumed) {
        n = (size_t)st->recv_unconsumed;
    }
    st->recv_unconsumed -= n;
    s->conn_unconsumed -= n;
    st->recv_pending += n;
    s->conn_pending += n;
    maybe_stream_update(s, st);
    maybe_conn_update(s);
    return s->rv == H2_SESS_ERR_NOMEM ? s->rv : H2_SESS_OK;
}

int h2_session_discard_body(h2_session *s, uint32_t sid)
{
    h2_stream *st = h2s_find(s, sid);
    uint64_t n;
    if (s->dead || !st || !st->in_table || !(sid & 1)) {
        return H2_SESS_ERR_STATE;
    }
    st->discard = 1;
    n = st->recv_unconsumed;
    if (n) {
        /* what the glue holds unconsumed is dropped: credit it now */
        st->recv_unconsumed = 0;
        s->conn_unconsumed -= n;
        st->recv_pending += n;
        s->conn_pending += n;
    }
    if (s->conn_pending) {
        queue_window_update(s, 0, (uint32_t)s->conn_pending);
        s->conn_recv_window += (int64_t)s->conn_pending;
        s->conn_pending = 0;
    }
    if (st->state == H2_SS_HALF_CLOSED_LOCAL) {
        h2s_discard_rst(s, st);   /* our END_STREAM is already out */
    } else {
        maybe_stream_update(s, st);
    }
    return s->rv == H2_SESS_ERR_NOMEM ? s->rv : H2_SESS_OK;
}

/* ------------------------------------------------------------------------------------- */
/* Closing streams; errors */

void h2s_close_stream(h2_session *s, h2_stream *st, uint32_t code, int by_peer)
{
    if (!st->in_table) {
        return;
    }
    h2_sched_remove(&s->sched, &st->sched);
    stream_unlink(s, st);
    st->in_table = 0;
    closed_record(s, st->id, h2_stream_state_closed(st->state) ? st->state
                                                                : H2_SS_CLOSED_RST_SENT);
    if (st->recv_unconsumed) {
        s->conn_unconsumed -= st->recv_unconsumed;
        s->conn_pending += st->recv_unconsumed;
        st->recv_unconsumed = 0;
        maybe_conn_update(s);
    }
    st->close_code = code;
    st->close_by_peer = (uint8_t)(by_peer ? 1 : 0);
    st->cnext = NULL;
    if (s->close_tail) {
        s->close_tail->cnext = st;
    } else {
        s->close_head = st;
    }
    s->close_tail = st;
}

void h2s_maybe_close(h2_session *s, h2_stream *st)
{
    if (st->in_table && h2_stream_state_closed(st->state)) {
        h2s_close_stream(s, st, H2_NO_ERROR, 0);
    }
}

void h2s_drain_closes(h2_session *s)
{
    while (s->close_head) {
        h2_stream *st = s->close_head;
        s->close_head = st->cnext;
        if (!s->close_head) {
            s->close_tail = NULL;
        }
        if (st->glue_knows && s->cb.on_stream_close) {
            s->cb.on_stream_close(s->ud, st->id, st->ud, st->close_code, st->close_by_peer);
        }
        stream_free(s, st);
    }
}

static void close_all_streams(h2_session *s, uint32_t code, int by_peer)
{
    while (s->all) {
        h2_stream *st = s->all;
        h2s_set_state(s, st, H2_SS_CLOSED_RST_SENT);
        h2s_close_stream(s, st, code, by_peer);
    }
}

void h2s_conn_error(h2_session *s, uint32_t code, const char *reason, int local)
{
    uint32_t last = s->last_accepted_sid;
    if (s->dead) {
        return;
    }
    if (s->goaway_sent && last > s->goaway_last) {
        last = s->goaway_last;
    }
    s->dead = 1;   /* first: a GOAWAY that cannot be built makes no second one */
    if (put_ok(s, h2_frame_put_goaway(&s->out, last, code, (const uint8_t *)reason,
                                      reason ? strlen(reason) : 0))) {
        s->frames_out++;
    }
    s->goaway_sent = s->goaway_final = 1;
    s->goaway_last = last;
    s->graceful_pending = 0;
    s->in_state = H2_IN_DEAD;
    s->hb.active = 0;
    if (!s->rv) {
        s->rv = H2_SESS_ERR_CONN;
    }
    if (!local && s->cb.on_conn_error) {
        s->cb.on_conn_error(s->ud, code, reason);
    }
    close_all_streams(s, code, 0);
}

static int budget(h2_session *s, uint32_t *counter, uint32_t limit, const char *reason)
{
    if (limit && ++*counter > limit) {
        h2s_conn_error(s, H2_ENHANCE_YOUR_CALM, reason, 0);
        return -1;
    }
    return 0;
}

static void budget_roll(h2_session *s)
{
    if (s->now - s->budget_start >= s->cfg.budget_interval_ms || s->now < s->budget_start) {
        s->budget_start = s->now;
        s->n_settings = s->n_pings = s->n_resets = s->n_glitches = s->n_empty = 0;
    }
}

static int empty_frame(h2_session *s)
{
    return budget(s, &s->n_empty, s->cfg.max_empty_frames, "too many empty or useless frames");
}

static void stream_error_note(h2_session *s, uint32_t sid, uint32_t code, const char *reason,
                              int glitch)
{
    s->stream_errors++;
    if (s->cb.on_stream_error) {
        s->cb.on_stream_error(s->ud, sid, code, reason);
    }
    if (glitch) {
        budget(s, &s->n_glitches, s->cfg.max_glitches, "too many stream errors (glitches)");
    }
}

/* stream error on a stream in the table: RST_STREAM, close */
static void stream_reset(h2_session *s, h2_stream *st, uint32_t code, const char *reason,
                         int glitch)
{
    if (!st->in_table) {
        return;
    }
    if (h2s_queue_rst(s, st->id, code) != 0) {
        return;
    }
    h2s_set_state(s, st, H2_SS_CLOSED_RST_SENT);
    h2s_close_stream(s, st, code, 0);
    stream_error_note(s, st->id, code, reason, glitch);
}

/* stream error on a stream without a table entry (refused / malformed new stream, or a
 * stream the peer reset): RST_STREAM and a closed record */
static void stream_reset_id(h2_session *s, uint32_t sid, uint32_t code, const char *reason,
                            int glitch)
{
    if (h2s_queue_rst(s, sid, code) != 0) {
        return;
    }
    closed_record(s, sid, H2_SS_CLOSED_RST_SENT);
    stream_error_note(s, sid, code, reason, glitch);
}

/* a stream error from the table or the codec for sid, whatever we know of it */
static void stream_error_any(h2_session *s, uint32_t sid, h2_stream *st, unsigned state,
                             uint32_t code, const char *reason)
{
    if (st && st->in_table) {
        stream_reset(s, st, code, reason, 1);
    } else if (state == H2_SS_IDLE) {
        /* we must not send RST_STREAM on an idle stream (§5.1) */
        h2s_conn_error(s, code, reason, 0);
    } else if (state == H2_SS_CLOSED_RST_RECV) {
        stream_reset_id(s, sid, code, reason, 1);
    } else {
        /* closed: nothing may be sent on it; still a glitch */
        stream_error_note(s, sid, code, reason, 1);
    }
}

/* ------------------------------------------------------------------------------------- */
/* Settings */

static void peer_settings_init(h2_session *s)
{
    memset(s->peer, 0, sizeof(s->peer));
    s->peer[H2_SET_HEADER_TABLE_SIZE] = H2_DEFAULT_HEADER_TABLE_SIZE;
    s->peer[H2_SET_ENABLE_PUSH] = 1;
    s->peer[H2_SET_MAX_CONCURRENT_STREAMS] = UINT32_MAX;
    s->peer[H2_SET_INITIAL_WINDOW_SIZE] = H2_DEFAULT_WINDOW_SIZE;
    s->peer[H2_SET_MAX_FRAME_SIZE] = H2_DEFAULT_MAX_FRAME_SIZE;
    s->peer[H2_SET_MAX_HEADER_LIST_SIZE] = UINT32_MAX;
}

uint32_t h2_session_peer_setting(const h2_session *s, uint16_t id)
{
    return (id > 0 && id < H2_PEER_SETTINGS_SLOTS) ? s->peer[id] : 0;
}

/* §6.9.2: a new SETTINGS_INITIAL_WINDOW_SIZE changes every stream's send window */
static int apply_initial_window(h2_session *s, uint32_t v)
{
    int64_t delta = (int64_t)v - (int64_t)s->peer[H2_SET_INITIAL_WINDOW_SIZE];
    h2_stream *st;
    s->peer[H2_SET_INITIAL_WINDOW_SIZE] = v;
    if (delta == 0) {
        return 0;
    }
    for (st = s->all; st; st = st->next) {
        st->send_window += delta;
        if (st->send_window > (int64_t)H2_MAX_WINDOW_SIZE) {
            h2s_conn_error(s, H2_FLOW_CONTROL_ERROR, "SETTINGS_INITIAL_WINDOW_SIZE overflows a "
                           "stream window", 0);
            return -1;
        }
        h2s_sched_update(s, st);
    }
    return 0;
}

/* one setting from the peer; returns -1 after a connection error */
static int apply_setting(h2_session *s, uint16_t id, uint32_t v)
{
    switch (id) {
    case H2_SET_HEADER_TABLE_SIZE:
        s->peer[id] = v;
        h2_hpack_encoder_set_peer_max_table_size(s->enc, v);
        return 0;
    case H2_SET_ENABLE_PUSH:
    case H2_SET_ENABLE_CONNECT_PROTOCOL:
    case H2_SET_NO_RFC7540_PRIORITIES:
        if (v > 1) {
            h2s_conn_error(s, H2_PROTOCOL_ERROR, "SETTINGS value not 0 or 1", 0);
            return -1;
        }
        s->peer[id] = v;
        return 0;
    case H2_SET_INITIAL_WINDOW_SIZE:
        if (v > H2_MAX_WINDOW_SIZE) {
            h2s_conn_error(s, H2_FLOW_CONTROL_ERROR, "SETTINGS_INITIAL_WINDOW_SIZE too large", 0);
            return -1;
        }
        return apply_initial_window(s, v);
    case H2_SET_MAX_FRAME_SIZE:
        if (v < H2_DEFAULT_MAX_FRAME_SIZE || v > H2_MAX_MAX_FRAME_SIZE) {
            h2s_conn_error(s, H2_PROTOCOL_ERROR, "SETTINGS_MAX_FRAME_SIZE out of range", 0);
            return -1;
        }
        s->peer[id] = v;
        return 0;
    case H2_SET_MAX_CONCURRENT_STREAMS:
    case H2_SET_MAX_HEADER_LIST_SIZE:
        s->peer[id] = v;
        return 0;
    default:
        return 0;   /* unknown settings are ignored (§6.5.2) */
    }
}

static int apply_settings_frame(h2_session *s, const h2_frame *f)
{
    size_t i;
    for (i = 0; i < f->n_settings; i++) {
        h2_setting e = h2_frame_setting(f, i);
        if (apply_setting(s, e.id, e.value) != 0) {
            return -1;
        }
    }
    return 0;
}

/* our SETTINGS were acknowledged: now the peer uses them */
static void local_settings_acked(h2_session *s)
{
    int64_t delta;
    h2_stream *st;
    s->settings_acked = 1;
    h2_frame_reader_set_max(&s->rd, s->cfg.max_frame_size);
    h2_hpack_decoder_set_max_table_size(s->dec, s->cfg.header_table_size);
    delta = (int64_t)s->cfg.initial_window_size - (int64_t)s->local_iws_eff;
    s->local_iws_eff = s->cfg.initial_window_size;
    if (delta == 0) {
        return;
    }
    for (st = s->all; st; st = st->next) {
        int64_t t = (int64_t)st->recv_target + delta;
        st->recv_window += delta;
        st->recv_target = (uint32_t)(t < 0 ? 0 : t);
    }
}

static void on_settings(h2_session *s, const h2_frame *f)
{
    if (f->flags & H2_FLAG_ACK) {
        if (s->settings_unacked > 0) {
            s->settings_unacked--;
            if (!s->settings_acked) {
                local_settings_acked(s);
            }
        } else {
            empty_frame(s);   /* unsolicited ACK */
        }
        return;
    }
    if (budget(s, &s->n_settings, s->cfg.max_settings, "SETTINGS flood") != 0) {
        return;
    }
    if (apply_settings_frame(s, f) != 0) {
        return;
    }
    if (put_ok(s, h2_frame_put_settings_ack(&s->out))) {
        ctrl_queued(s);
    }
}

/* ------------------------------------------------------------------------------------- */
/* PING, GOAWAY, PUSH_PROMISE, PRIORITY, PRIORITY_UPDATE, unknown */

static void on_ping(h2_session *s, const h2_frame *f)
{
    if (f->flags & H2_FLAG_ACK) {
        if (s->graceful_pending && memcmp(f->opaque, h2_graceful_ping, 8) == 0) {
            h2s_send_final_goaway(s, NULL);
        }
        return;
    }
    if (budget(s, &s->n_pings, s->cfg.max_pings, "PING flood") != 0) {
        return;
    }
    if (put_ok(s, h2_frame_put_ping(&s->out, f->opaque, 1))) {
        ctrl_queued(s);
    }
}

static void on_goaway(h2_session *s, const h2_frame *f)
{
    s->goaway_recv = 1;
    if (s->cb.on_goaway) {
        s->cb.on_goaway(s->ud, f->last_stream_id, f->error_code);
    }
    if (f->error_code == H2_NO_ERROR) {
        /* pushed streams above its last-stream-id will be ignored by the client (§6.8):
         * they are gone, as if refused */
        h2_stream *st = s->all, *next;
        for (; st; st = next) {
            next = st->next;
            if (!(st->id & 1) && st->id > f->last_stream_id) {
                h2s_set_state(s, st, H2_SS_CLOSED_RST_RECV);
                h2s_close_stream(s, st, H2_REFUSED_STREAM, 1);
            }
        }
    } else {
        /* the client gives up on the connection: stop, close every stream */
        s->dead = 1;
        s->in_state = H2_IN_DEAD;
        if (!s->rv) {
            s->rv = H2_SESS_ERR_CONN;
        }
        close_all_streams(s, f->error_code, 1);
    }
}

static void on_push_promise(h2_session *s, const h2_frame *f)
{
    (void)f;
    h2s_conn_error(s, H2_PROTOCOL_ERROR, "PUSH_PROMISE from a client", 0);
}

static void on_priority(h2_session *s, const h2_frame *f)
{
    (void)f;
    /* RFC 7540 priorities are not used (SETTINGS_NO_RFC7540_PRIORITIES); the codec
     * checked length and self-dependency */
    empty_frame(s);
}

static void on_priority_update(h2_session *s, const h2_frame *f)
{
    uint32_t pid = f->prioritized_stream_id;
    h2_priority p;
    h2_stream *st;
    if (empty_frame(s) != 0) {
        return;
    }
    if (f->stream_id != 0 || pid == 0) {
        h2s_conn_error(s, H2_PROTOCOL_ERROR, "PRIORITY_UPDATE with invalid stream ids", 0);
        return;
    }
    if (!(pid & 1) && pid > s->last_push_sid) {
        /* a push stream that was not promised (RFC 9218 §7.1) */
        h2s_conn_error(s, H2_PROTOCOL_ERROR, "PRIORITY_UPDATE for a stream not promised", 0);
        return;
    }
    p.urgency = H2_PRIO_URGENCY_DEFAULT;
    p.incremental = 0;
    if (h2_priority_parse(f->payload, f->payload_len, &p) != 0) {
        return;   /* invalid syntax: ignored */
    }
    s->prio_aware = 1;
    if ((pid & 1) && pid > s->last_client_sid) {
        pprio_store(s, pid, &p);
        return;
    }
    st = h2s_find(s, pid);
    if (!st) {
        return;
    }
    st->prio = p;
    st->prio_sig |= H2_PRIO_SIG_UPDATE;
    h2_sched_set_priority(&s->sched, &st->sched, p.urgency, p.incremental);
    if (st->glue_knows && s->cb.on_priority) {
        s->cb.on_priority(s->ud, st->id, st->ud, &p);
    }
}

static void on_unknown(h2_session *s, const h2_frame *f)
{
    (void)f;
    empty_frame(s);   /* ignored (§4.1, §5.5) */
}

/* ------------------------------------------------------------------------------------- */
/* WINDOW_UPDATE, RST_STREAM */

static void on_window_update(h2_session *s, const h2_frame *f)
{
    uint32_t inc = f->window_increment;
    h2_stream *st;
    h2_stream_trans tr;
    unsigned state;
    int gone;
    if (f->stream_id == 0) {
        if (inc == 0) {
            h2s_conn_error(s, H2_PROTOCOL_ERROR, "WINDOW_UPDATE with increment 0", 0);
        } else if (s->conn_send_window + inc > (int64_t)H2_MAX_WINDOW_SIZE) {
            h2s_conn_error(s, H2_FLOW_CONTROL_ERROR, "connection window overflow", 0);
        } else {
            s->conn_send_window += inc;
        }
        return;
    }
    state = lookup_state(s, f->stream_id, &st, &gone);
    tr = h2_stream_transition((h2_stream_state)state, H2_EV_RECV_WINDOW_UPDATE);
    switch (tr.action) {
    case H2_TR_CONN_ERR:
        h2s_conn_error(s, tr.code, "WINDOW_UPDATE on an idle stream", 0);
        return;
    case H2_TR_STREAM_ERR:
        stream_error_any(s, f->stream_id, st, state, tr.code, "WINDOW_UPDATE on a reset stream");
        return;
    default:
        break;
    }
    if (tr.action != H2_TR_OK || !st) {
        empty_frame(s);   /* ignored on a closed stream */
        return;
    }
    if (inc == 0) {
        stream_reset(s, st, H2_PROTOCOL_ERROR, "WINDOW_UPDATE with increment 0", 1);
    } else if (st->send_window + inc > (int64_t)H2_MAX_WINDOW_SIZE) {
        stream_reset(s, st, H2_FLOW_CONTROL_ERROR, "stream window overflow", 1);
    } else {
        st->send_window += inc;
        h2s_sched_update(s, st);
    }
}

static void on_rst_stream(h2_session *s, const h2_frame *f)
{
    h2_stream *st;
    h2_stream_trans tr;
    unsigned state;
    int gone;
    state = lookup_state(s, f->stream_id, &st, &gone);
    tr = h2_stream_transition((h2_stream_state)state, H2_EV_RECV_RST);
    if (tr.action == H2_TR_CONN_ERR) {
        h2s_conn_error(s, tr.code, "RST_STREAM on an idle stream", 0);
        return;
    }
    if (budget(s, &s->n_resets, s->cfg.max_resets, "too many stream resets (rapid reset)")) {
        return;
    }
    if (tr.action != H2_TR_OK || !st) {
        return;   /* late RST on a closed stream: ignored */
    }
    h2s_set_state(s, st, tr.next);
    h2s_close_stream(s, st, f->error_code, 1);
}

/* ------------------------------------------------------------------------------------- */
/* Request bodies */

/* END_STREAM arrived on st (after DATA or trailers) */
static void request_end(h2_session *s, h2_stream *st, const h2_nv *trailers, size_t n)
{
    h2_stream_trans tr;
    if (st->content_length >= 0 && (uint64_t)st->content_length != st->data_received) {
        stream_reset(s, st, H2_PROTOCOL_ERROR, "content-length does not match the body", 1);
        return;
    }
    tr = h2_stream_transition((h2_stream_state)st->state, H2_EV_RECV_END_STREAM);
    if (tr.action != H2_TR_OK) {
        return;
    }
    h2s_set_state(s, st, tr.next);
    if (st->glue_knows && s->cb.on_request_end &&
        s->cb.on_request_end(s->ud, st->id, st->ud, trailers, n) != 0) {
        h2s_conn_error(s, H2_INTERNAL_ERROR, "callback failed", 1);
        s->rv = H2_SESS_ERR_CALLBACK;
        return;
    }
    h2s_maybe_close(s, st);
}

static void data_on_stream(h2_session *s, h2_stream *st, const h2_frame *f)
{
    uint32_t pad = f->length - (uint32_t)f->payload_len;
    int es = (f->flags & H2_FLAG_END_STREAM) != 0;
    if ((int64_t)f->length > st->recv_window) {
        conn_give_back(s, f->length);
        stream_reset(s, st, H2_FLOW_CONTROL_ERROR, "DATA exceeds the stream window", 1);
        return;
    }
    st->recv_window -= f->length;
    if (pad) {
        st->recv_pending += pad;
        s->conn_pending += pad;
    }
    if (f->payload_len == 0 && !es && empty_frame(s) != 0) {
        return;
    }
    st->data_received += f->payload_len;
    if (st->content_length >= 0 && st->data_received > (uint64_t)st->content_length) {
        conn_give_back(s, f->payload_len);
        stream_reset(s, st, H2_PROTOCOL_ERROR, "body longer than content-length", 1);
        return;
    }
    if (f->payload_len) {
        if (s->cb.on_data && !st->discard) {
            st->recv_unconsumed += f->payload_len;
            s->conn_unconsumed += f->payload_len;
            if (s->cb.on_data(s->ud, st->id, st->ud, f->payload, f->payload_len) != 0) {
                h2s_conn_error(s, H2_INTERNAL_ERROR, "callback failed", 1);
                s->rv = H2_SESS_ERR_CALLBACK;
                return;
            }
            if (!st->in_table) {
                return;   /* the glue reset it */
            }
        } else {
            st->recv_pending += f->payload_len;
            s->conn_pending += f->payload_len;
        }
    }
    if (es) {
        request_end(s, st, NULL, 0);
        if (!st->in_table) {
            maybe_conn_update(s);
            return;
        }
    }
    maybe_stream_update(s, st);
    maybe_conn_update(s);
}

static void on_data(h2_session *s, const h2_frame *f)
{
    h2_stream *st;
    h2_stream_trans tr;
    unsigned state;
    int gone;
    state = lookup_state(s, f->stream_id, &st, &gone);
    tr = h2_stream_transition((h2_stream_state)state, H2_EV_RECV_DATA);
    if (tr.action == H2_TR_CONN_ERR) {
        h2s_conn_error(s, tr.code, state == H2_SS_IDLE ? "DATA on an idle stream"
                                                       : "DATA on a closed stream", 0);
        return;
    }
    /* every DATA counts against the connection window, also on dead streams (§5.1, §6.9) */
    if ((int64_t)f->length > s->conn_recv_window) {
        h2s_conn_error(s, H2_FLOW_CONTROL_ERROR, "DATA exceeds the connection window", 0);
        return;
    }
    s->conn_recv_window -= f->length;
    if (tr.action != H2_TR_OK || !st) {
        conn_give_back(s, f->length);
        if (tr.action == H2_TR_STREAM_ERR) {
            stream_error_any(s, f->stream_id, st, state, tr.code, "DATA on a half-closed or "
                             "reset stream");
        } else {
            empty_frame(s);
        }
        return;
    }
    data_on_stream(s, st, f);
}

/* ------------------------------------------------------------------------------------- */
/* Header blocks */

static void hb_new_request(h2_session *s, int too_large)
{
    h2_request req;
    const char *why;
    h2_stream *st;
    h2_priority p;
    uint32_t sid = s->hb.sid;
    if (s->goaway_final && sid > s->goaway_last) {
        return;   /* the final GOAWAY went out while the block was arriving: ignored */
    }
    memset(&req, 0, sizeof(req));
    /* a block over the limits is still checked as far as it was decoded: a malformed
     * one is reset (§8.1.1), only a well-formed one goes to the glue for its 431 */
    why = h2_fields_finish_request(&s->fields, s->hb.end_stream,
                                   (int)s->cfg.enable_connect_protocol, too_large, &req);
    if (s->fields.nomem) {
        /* its fields could not be stored (HPACK is in step): nothing of it was
         * processed, the client may retry it (§8.7); not the client's glitch */
        stream_reset_id(s, sid, H2_REFUSED_STREAM, why, 0);
        return;
    }
    if (why) {
        stream_reset_id(s, sid, H2_PROTOCOL_ERROR, why, 1);
        return;
    }
    req.too_large = too_large;
    if (!(st = stream_new(s, sid))) {
        h2s_fatal(s, H2_SESS_ERR_NOMEM);
        return;
    }
    req.stream_id = sid;
    st->state = s->hb.end_stream ? H2_SS_HALF_CLOSED_REMOTE : H2_SS_OPEN;
    st->content_length = too_large ? -1 : req.content_length;
    if ((req.priority_signal & H2_PRIO_SIG_FIELD)
        && (req.priority.urgency != H2_PRIO_URGENCY_DEFAULT || req.priority.incremental)) {
        s->prio_aware = 1;
    }
    if (pprio_take(s, sid, &p)) {
        req.priority = p;   /* a PRIORITY_UPDATE overrides the header (RFC 9218 §7.1) */
        req.priority_signal |= H2_PRIO_SIG_UPDATE;
    }
    st->prio = req.priority;
    st->prio_sig = (uint8_t)req.priority_signal;
    st->sched.urgency = req.priority.urgency;
    st->sched.incremental = req.priority.incremental;
    st->glue_knows = 1;
    st->in_table = 1;
    h2s_stream_insert(s, st);
    s->last_accepted_sid = sid;
    s->requests++;
    if (s->cb.on_request && s->cb.on_request(s->ud, &req) != 0) {
        h2s_conn_error(s, H2_INTERNAL_ERROR, "callback failed", 1);
        s->rv = H2_SESS_ERR_CALLBACK;
        return;
    }
    /* also when the glue completed the stream from on_request already, not when reset */
    if (req.end_stream && !s->dead && st->state != H2_SS_CLOSED_RST_SENT &&
        st->state != H2_SS_CLOSED_RST_RECV && s->cb.on_request_end &&
        s->cb.on_request_end(s->ud, sid, st->ud, NULL, 0) != 0) {
        h2s_conn_error(s, H2_INTERNAL_ERROR, "callback failed", 1);
        s->rv = H2_SESS_ERR_CALLBACK;
        return;
    }
    if (s->cfg.max_requests && s->requests >= s->cfg.max_requests && !s->goaway_final) {
        h2s_send_final_goaway(s, "max requests per connection");
    }
}

static void hb_trailers(h2_session *s, int too_large)
{
    /* looked up again: the glue may have reset and freed it while the block arrived */
    h2_stream *st = h2s_find(s, s->hb.sid);
    const h2_nv *nv;
    size_t n;
    if (!st || !st->in_table) {
        return;
    }
    if (s->fields.nomem) {
        stream_reset(s, st, H2_INTERNAL_ERROR, s->fields.malformed, 0);
    } else if (too_large) {
        stream_reset(s, st, H2_PROTOCOL_ERROR, "trailers too large", 1);
    } else if (s->fields.malformed) {
        stream_reset(s, st, H2_PROTOCOL_ERROR, s->fields.malformed, 1);
    } else if (!s->hb.end_stream) {
        stream_reset(s, st, H2_PROTOCOL_ERROR, "trailers without END_STREAM", 1);
    } else {
        nv = h2_fields_nv(&s->fields, &n);
        if (s->fields.nomem) {
            stream_reset(s, st, H2_INTERNAL_ERROR, "out of memory", 0);
            return;
        }
        request_end(s, st, nv, n);
    }
}

static void hb_complete(h2_session *s, int too_large)
{
    h2_hblock *hb = &s->hb;
    h2_stream *st;
    if (too_large && (hb->kind == H2_HB_NEW || hb->kind == H2_HB_TRAILERS) &&
        budget(s, &s->n_oversized, s->cfg.max_oversized_blocks,
               "too many oversized header blocks") != 0) {
        hb->st = NULL;
        return;
    }
    switch (hb->kind) {
    case H2_HB_NEW:
        hb_new_request(s, too_large);
        break;
    case H2_HB_TRAILERS:
        hb_trailers(s, too_large);
        break;
    case H2_HB_REFUSE:
        /* before our SETTINGS were acknowledged a refusal is the client's honest race: it
         * costs the (larger) empty-frame budget instead of a glitch */
        stream_reset_id(s, hb->sid, H2_REFUSED_STREAM, "SETTINGS_MAX_CONCURRENT_STREAMS exceeded",
                        s->settings_acked);
        if (!s->settings_acked) {
            empty_frame(s);
        }
        break;
    case H2_HB_ERROR:
        if (hb->new_stream) {
            /* it opened and is reset at once */
            stream_reset_id(s, hb->sid, hb->err_code, hb->err_reason, 1);
        } else if ((st = h2s_find(s, hb->sid)) != NULL) {
            stream_reset(s, st, hb->err_code, hb->err_reason, 1);
        } else if (!hb->st) {
            stream_error_any(s, hb->sid, NULL, hb->state, hb->err_code, hb->err_reason);
        }
        break;
    default:
        break;
    }
    hb->st = NULL;
}

static void hb_feed(h2_session *s, const uint8_t *p, size_t len, int last)
{
    int rc = h2_hpack_decode(s->dec, p, len, last, h2_fields_emit, &s->fields);
    if (rc < 0) {
        if (rc == H2_HPACK_ERR_NOMEM) {
            h2s_fatal(s, H2_SESS_ERR_NOMEM);
        } else {
            h2s_conn_error(s, H2_COMPRESSION_ERROR, "HPACK decoding failed", 0);
        }
        return;
    }
    if (!last) {
        s->hb.active = 1;
        return;
    }
    s->hb.active = 0;
    hb_complete(s, rc == H2_HPACK_TOO_LARGE || s->fields.too_large);
}

static int hb_limits(h2_session *s)
{
    if (s->hb.bytes > s->cfg.max_header_block_bytes) {
        h2s_conn_error(s, H2_ENHANCE_YOUR_CALM, "header block too large", 0);
        return -1;
    }
    return 0;
}

/* decide what the HEADERS on an existing (lower) stream id mean */
static int headers_known_stream(h2_session *s, const h2_frame *f, uint32_t forced)
{
    h2_hblock *hb = &s->hb;
    h2_stream *st;
    h2_stream_trans tr;
    unsigned state;
    int gone;
    state = lookup_state(s, f->stream_id, &st, &gone);
    if (gone) {
        h2s_conn_error(s, H2_PROTOCOL_ERROR, "HEADERS on a closed or unused lower stream id", 0);
        return -1;
    }
    tr = h2_stream_transition((h2_stream_state)state, H2_EV_RECV_HEADERS);
    hb->st = st;
    hb->state = state;
    switch (tr.action) {
    case H2_TR_CONN_ERR:
        h2s_conn_error(s, tr.code, "HEADERS on a closed stream", 0);
        return -1;
    case H2_TR_STREAM_ERR:
        hb->kind = H2_HB_ERROR;
        hb->err_code = tr.code;
        hb->err_reason = "HEADERS on a half-closed or reset stream";
        if (!st) {
            hb->st = NULL;
        }
        return 0;
    default:
        break;
    }
    if (tr.action == H2_TR_OK && st) {
        hb->kind = forced ? H2_HB_ERROR : H2_HB_TRAILERS;
        hb->err_code = forced;
        hb->err_reason = "stream depends on itself";
        return 0;
    }
    hb->kind = H2_HB_IGNORE;
    return empty_frame(s);
}

static void on_headers_frame(h2_session *s, const h2_frame *f, uint32_t forced)
{
    h2_hblock *hb = &s->hb;
    uint32_t sid = f->stream_id;
    int mode;
    if (!(sid & 1) && sid > s->last_push_sid) {
        h2s_conn_error(s, H2_PROTOCOL_ERROR, "HEADERS on an even stream id", 0);
        return;
    }
    memset(hb, 0, sizeof(*hb));
    hb->sid = sid;
    hb->end_stream = (f->flags & H2_FLAG_END_STREAM) != 0;
    hb->frames = 1;
    hb->bytes = f->payload_len;
    if (hb_limits(s) != 0) {
        return;
    }
    if ((sid & 1) && sid > s->last_client_sid) {
        s->last_client_sid = sid;
        if (s->goaway_final && sid > s->goaway_last) {
            hb->kind = H2_HB_IGNORE;
            if (budget(s, &s->n_glitches, s->cfg.max_glitches,
                       "too many streams after GOAWAY")) {
                return;
            }
        } else if (forced) {
            hb->kind = H2_HB_ERROR;
            hb->err_code = forced;
            hb->err_reason = "stream depends on itself";
        } else if (s->n_active - s->n_push_active >= s->cfg.max_concurrent_streams) {
            hb->kind = H2_HB_REFUSE;
        } else {
            hb->kind = H2_HB_NEW;
        }
        hb->new_stream = 1;
    } else if (headers_known_stream(s, f, forced) != 0) {
        return;
    }
    if (f->payload_len == 0 && !(f->flags & H2_FLAG_END_HEADERS) && empty_frame(s) != 0) {
        return;
    }
    mode = hb->kind == H2_HB_NEW ? H2_FIELDS_REQUEST
         : hb->kind == H2_HB_TRAILERS ? H2_FIELDS_TRAILERS : H2_FIELDS_DISCARD;
    h2_fields_begin(&s->fields, mode, (size_t)s->cfg.max_header_list_size + 1024);
    hb_feed(s, f->payload, f->payload_len, (f->flags & H2_FLAG_END_HEADERS) != 0);
}

static void on_headers(h2_session *s, const h2_frame *f)
{
    on_headers_frame(s, f, 0);
}

static void on_continuation(h2_session *s, const h2_frame *f)
{
    h2_hblock *hb = &s->hb;
    if (!hb->active || f->stream_id != hb->sid) {
        h2s_conn_error(s, H2_PROTOCOL_ERROR, "CONTINUATION without HEADERS", 0);
        return;
    }
    hb->frames++;
    hb->bytes += f->payload_len;
    if (s->cfg.max_continuations && hb->frames - 1 > s->cfg.max_continuations) {
        h2s_conn_error(s, H2_ENHANCE_YOUR_CALM, "too many CONTINUATION frames", 0);
        return;
    }
    if (hb_limits(s) != 0) {
        return;
    }
    if (f->payload_len == 0 && !(f->flags & H2_FLAG_END_HEADERS) && empty_frame(s) != 0) {
        return;
    }
    hb_feed(s, f->payload, f->payload_len, (f->flags & H2_FLAG_END_HEADERS) != 0);
}

/* ------------------------------------------------------------------------------------- */
/* Frame dispatch */

typedef void frame_handler(h2_session *s, const h2_frame *f);

static frame_handler *const handlers[] = {
    [H2_FT_DATA] = on_data,
    [H2_FT_HEADERS] = on_headers,
    [H2_FT_PRIORITY] = on_priority,
    [H2_FT_RST_STREAM] = on_rst_stream,
    [H2_FT_SETTINGS] = on_settings,
    [H2_FT_PUSH_PROMISE] = on_push_promise,
    [H2_FT_PING] = on_ping,
    [H2_FT_GOAWAY] = on_goaway,
    [H2_FT_WINDOW_UPDATE] = on_window_update,
    [H2_FT_CONTINUATION] = on_continuation,
    [H2_FT_PRIORITY_UPDATE] = on_priority_update,
};

/* checks that do not depend on the frame type; returns -1 after a connection error */
static int frame_sequence_ok(h2_session *s, const h2_frame *f)
{
    if (s->in_state == H2_IN_FIRST_SETTINGS) {
        if (f->type != H2_FT_SETTINGS || (f->flags & H2_FLAG_ACK)) {
            h2s_conn_error(s, H2_PROTOCOL_ERROR, "connection preface: SETTINGS expected", 0);
            return -1;
        }
        s->in_state = H2_IN_FRAMES;
    }
    if (s->hb.active && (f->type != H2_FT_CONTINUATION || f->stream_id != s->hb.sid)) {
        h2s_conn_error(s, H2_PROTOCOL_ERROR, "frame inside a header block", 0);
        return -1;
    }
    return 0;
}

static void on_frame(h2_session *s, const h2_frame *f)
{
    frame_handler *h = NULL;
    if (frame_sequence_ok(s, f) != 0) {
        return;
    }
    if (f->type < sizeof(handlers) / sizeof(handlers[0])) {
        h = handlers[f->type];
    }
    (h ? h : on_unknown)(s, f);
}

static void on_frame_error(h2_session *s, const h2_frame *f, const h2_frame_error *err)
{
    h2_stream *st;
    unsigned state;
    int gone;
    if (s->in_state == H2_IN_FIRST_SETTINGS && f->type != H2_FT_SETTINGS) {
        h2s_conn_error(s, H2_PROTOCOL_ERROR, "connection preface: SETTINGS expected", 0);
        return;
    }
    if (err->is_conn) {
        h2s_conn_error(s, err->code, err->reason, 0);
        return;
    }
    if (frame_sequence_ok(s, f) != 0) {
        return;
    }
    if (f->type == H2_FT_HEADERS) {
        /* decoded completely (§5.3.1 self-dependency): HPACK must still see the block */
        on_headers_frame(s, f, err->code);
        return;
    }
    state = lookup_state(s, err->stream_id, &st, &gone);
    stream_error_any(s, err->stream_id, st, state, err->code, err->reason);
}

/* ------------------------------------------------------------------------------------- */
/* Input */

static size_t recv_preface(h2_session *s, const uint8_t *in, size_t len)
{
    size_t n = H2_PREFACE_LEN - s->preface_have;
    if (n > len) {
        n = len;
    }
    if (memcmp(in, &H2_PREFACE[s->preface_have], n) != 0) {
        h2s_conn_error(s, H2_PROTOCOL_ERROR, "invalid connection preface", 0);
        return len;
    }
    s->preface_have += n;
    if (s->preface_have == H2_PREFACE_LEN) {
        s->in_state = H2_IN_FIRST_SETTINGS;
    }
    return n;
}

static void set_now(h2_session *s, uint64_t now)
{
    s->now = now;
    if (!s->have_now) {
        s->have_now = 1;
        s->budget_start = now;
        s->settings_sent_at = now;
        if (s->graceful_pending) {
            s->graceful_deadline = now + s->cfg.graceful_timeout_ms;
        }
    }
    budget_roll(s);
}

static void check_timers(h2_session *s)
{
    if (s->graceful_pending && s->now >= s->graceful_deadline) {
        h2s_send_final_goaway(s, NULL);
    }
    if (s->cfg.settings_timeout_ms && s->settings_unacked && !s->dead &&
        s->now - s->settings_sent_at >= s->cfg.settings_timeout_ms) {
        h2s_conn_error(s, H2_SETTINGS_TIMEOUT, "SETTINGS not acknowledged in time", 0);
    }
}

int h2_session_recv(h2_session *s, const uint8_t *in, size_t len, uint64_t now_ms)
{
    set_now(s, now_ms);
    while (len > 0 && !s->dead) {
        h2_frame f;
        h2_frame_error err;
        size_t used = 0;
        int rc;
        if (s->in_state == H2_IN_PREFACE) {
            used = recv_preface(s, in, len);
            in += used;
            len -= used;
            continue;
        }
        rc = h2_frame_read(&s->rd, in, len, &used, &f, &err);
        in += used;
        len -= used;
        if (rc == H2_FR_AGAIN) {
            break;
        }
        s->frames_in++;
        if (rc == H2_FR_FRAME) {
            on_frame(s, &f);
        } else {
            on_frame_error(s, &f, &err);
        }
        if (s->close_head) {
            h2s_drain_closes(s);
        }
    }
    check_timers(s);
    h2s_drain_closes(s);
    return s->rv;
}

int h2_session_tick(h2_session *s, uint64_t now_ms)
{
    set_now(s, now_ms);
    check_timers(s);
    h2s_drain_closes(s);
    return s->rv;
}

uint64_t h2_session_next_timer(const h2_session *s)
{
    uint64_t t = 0;
    if (s->graceful_pending) {
        t = s->graceful_deadline;
    }
    if (s->cfg.settings_timeout_ms && s->settings_unacked && !s->dead) {
        uint64_t u = s->settings_sent_at + s->cfg.settings_timeout_ms;
        if (!t || u < t) {
            t = u;
        }
    }
    return t;
}

/* ------------------------------------------------------------------------------------- */
/* Creation */

static int queue_preface(h2_session *s)
{
    h2_setting set[8];
    size_t n = 0;
    const h2_session_config *c = &s->cfg;
    set[n].id = H2_SET_MAX_CONCURRENT_STREAMS; set[n++].value = c->max_concurrent_streams;
    set[n].id = H2_SET_INITIAL_WINDOW_SIZE; set[n++].value = c->initial_window_size;
    if (c->max_frame_size != H2_DEFAULT_MAX_FRAME_SIZE) {
        set[n].id = H2_SET_MAX_FRAME_SIZE; set[n++].value = c->max_frame_size;
    }
    if (c->header_table_size != H2_DEFAULT_HEADER_TABLE_SIZE) {
        set[n].id = H2_SET_HEADER_TABLE_SIZE; set[n++].value = c->header_table_size;
    }
    set[n].id = H2_SET_MAX_HEADER_LIST_SIZE; set[n++].value = c->max_header_list_size;
    if (c->enable_connect_protocol) {
        set[n].id = H2_SET_ENABLE_CONNECT_PROTOCOL; set[n++].value = 1;
    }
    set[n].id = H2_SET_NO_RFC7540_PRIORITIES; set[n++].value = 1;
    if (h2_frame_put_settings(&s->out, set, n) != 0) {
        return -1;
    }
    s->settings_unacked = 1;
    s->frames_out++;
    if (c->conn_window_size > H2_DEFAULT_WINDOW_SIZE) {
        if (h2_frame_put_window_update(&s->out, 0, c->conn_window_size - H2_DEFAULT_WINDOW_SIZE)) {
            return -1;
        }
        s->frames_out++;
    }
    return 0;
}

h2_session *h2_session_new(const h2_session_config *cfg, const h2_session_callbacks *cb,
                           void *user_data)
{
    h2_session *s;
    const h2_allocator *mem = h2_mem(cfg ? cfg->allocator : NULL);
    uint32_t nb = 16, want;
    if (!cb || !cb->send_bytes || !cb->data_available || !cb->send_data) {
        return NULL;
    }
    if (!(s = h2_mem_calloc(mem, 1, sizeof(*s)))) {
        return NULL;
    }
    s->mem = *mem;
    if (cfg) {
        s->cfg = *cfg;
    } else {
        h2_session_config_init(&s->cfg);
    }
    config_fix(&s->cfg);
    s->cb = *cb;
    s->ud = user_data;
    s->cfg.allocator = NULL;         /* s->mem is the one used */
    h2_frame_reader_init_mem(&s->rd, H2_DEFAULT_MAX_FRAME_SIZE, &s->mem);
    h2_fields_init(&s->fields, &s->mem);
    h2_buf_init_mem(&s->out, &s->mem);
    h2_buf_init_mem(&s->out2, &s->mem);
    h2_buf_init_mem(&s->hblock, &s->mem);
    h2_buf_init_mem(&s->lcnames, &s->mem);
    h2_sched_init(&s->sched);
    peer_settings_init(s);
    want = s->cfg.max_concurrent_streams > 2048 ? 4096 : s->cfg.max_concurrent_streams * 2;
    while (nb < want) {
        nb <<= 1;
    }
    s->bucket_mask = nb - 1;
    s->buckets = h2_mem_calloc(&s->mem, nb, sizeof(*s->buckets));
    s->closed_cap = s->cfg.max_closed_streams;
    s->closed = s->closed_cap ? h2_mem_calloc(&s->mem, s->closed_cap, sizeof(*s->closed)) : NULL;
    s->pprio_cap = s->cfg.max_pending_priorities;
    s->pprio = h2_mem_calloc(&s->mem, s->pprio_cap, sizeof(*s->pprio));
    s->dec = h2_hpack_decoder_new_mem(H2_DEFAULT_HEADER_TABLE_SIZE, &s->mem);
    s->enc = h2_hpack_encoder_new_mem(H2_DEFAULT_HEADER_TABLE_SIZE, &s->mem);
    if (!s->buckets || (s->closed_cap && !s->closed) || !s->pprio || !s->dec || !s->enc) {
        h2_session_free(s);
        return NULL;
    }
    h2_hpack_decoder_set_limits(s->dec, s->cfg.max_header_list_size, s->cfg.max_header_fields);
    s->local_iws_eff = s->cfg.initial_window_size > H2_DEFAULT_WINDOW_SIZE
                       ? s->cfg.initial_window_size : H2_DEFAULT_WINDOW_SIZE;
    s->conn_send_window = H2_DEFAULT_WINDOW_SIZE;
    s->conn_recv_target = s->cfg.conn_window_size;
    s->conn_recv_window = s->cfg.conn_window_size;
    s->next_push_sid = 2;
    {
        /* splitmix64 of the seed (or of the session's address): a non-zero xorshift state */
        uint64_t z = s->cfg.padding_seed ? s->cfg.padding_seed
                                         : (uint64_t)(uintptr_t)s ^ 0x6d6f645f68320000ull;
        z += 0x9e3779b97f4a7c15ull;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        z ^= z >> 31;
        s->rng = z ? z : 0x2545f4914f6cdd1dull;
    }
    if (queue_preface(s) != 0) {
        h2_session_free(s);
        return NULL;
    }
    return s;
}

void h2_session_free(h2_session *s)
{
    h2_stream *st;
    h2_allocator mem;
    if (!s) {
        return;
    }
    mem = s->mem;   /* the session itself goes last */
    while ((st = s->all) != NULL) {
        stream_unlink(s, st);
        h2_buf_free(&st->trailers);
        h2_mem_free(&mem, st);
    }
    while ((st = s->close_head) != NULL) {
        s->close_head = st->cnext;
        h2_buf_free(&st->trailers);
        h2_mem_free(&mem, st);
    }
    while ((st = s->free_streams) != NULL) {
        s->free_streams = st->next;
        h2_mem_free(&mem, st);
    }
    h2_frame_reader_free(&s->rd);
    h2_fields_free(&s->fields);
    if (s->dec) {
        h2_hpack_decoder_free(s->dec);
    }
    if (s->enc) {
        h2_hpack_encoder_free(s->enc);
    }
    h2_buf_free(&s->out);
    h2_buf_free(&s->out2);
    h2_buf_free(&s->hblock);
    h2_buf_free(&s->lcnames);
    h2_mem_free(&mem, s->snv);
    h2_mem_free(&mem, s->buckets);
    h2_mem_free(&mem, s->closed);
    h2_mem_free(&mem, s->pprio);
    h2_mem_free(&mem, s);
}

void h2_session_trim(h2_session *s)
{
    h2_stream *st;
    if (!s) {
        return;
    }
    while ((st = s->free_streams) != NULL) {
        s->free_streams = st->next;
        s->n_free--;
        h2_mem_free(&s->mem, st);
    }
    if (s->rd.have == 0 && s->rd.hdr_have == 0 && !s->rd.dead) {
        h2_frame_reader_free(&s->rd);   /* between frames: the buffer holds nothing */
    }
    if (!s->hb.active) {
        h2_fields_free(&s->fields);     /* no header block being collected */
    }
    if (s->out.len == 0) {
        h2_buf_free(&s->out);
    }
    if (s->out2.len == 0) {
        h2_buf_free(&s->out2);
    }
    h2_buf_free(&s->hblock);            /* scratch, reset before every use */
    h2_buf_free(&s->lcnames);
    h2_mem_free(&s->mem, s->snv);
    s->snv = NULL;
    s->snv_cap = 0;
}

/* ------------------------------------------------------------------------------------- */
/* h2c Upgrade */

static int b64url_val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

long h2_base64url_decode(const char *in, size_t len, uint8_t *out, size_t cap)
{
    size_t i, n = 0;
    uint32_t acc = 0;
    int bits = 0;
    while (len > 0 && in[len - 1] == '=') {
        len--;
    }
    if (len % 4 == 1) {
        return -1;
    }
    for (i = 0; i < len; i++) {
        int v = b64url_val((unsigned char)in[i]);
        if (v < 0) {
            return -1;
        }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n >= cap) {
                return -1;
            }
            out[n++] = (uint8_t)(acc >> bits);
        }
    }
    return (long)n;
}

int h2_settings_payload_check(const char *http2_settings, size_t len)
{
    uint8_t payload[6 * H2_UPGRADE_MAX_SETTINGS];
    long n, i;
    n = h2_base64url_decode(http2_settings, len, payload, sizeof(payload));
    if (n < 0 || n % 6 != 0) {
        return -1;   /* not base64url, too many settings, or not whole settings */
    }
    for (i = 0; i < n; i += 6) {
        uint16_t id = h2_get_u16(payload + i);
        uint32_t v = h2_get_u32(payload + i + 2);
        switch (id) {
        case H2_SET_ENABLE_PUSH:
        case H2_SET_ENABLE_CONNECT_PROTOCOL:
        case H2_SET_NO_RFC7540_PRIORITIES:
            if (v > 1) {
                return -1;
            }
            break;
        case H2_SET_INITIAL_WINDOW_SIZE:
            if (v > H2_MAX_WINDOW_SIZE) {
                return -1;
            }
            break;
        case H2_SET_MAX_FRAME_SIZE:
            if (v < H2_DEFAULT_MAX_FRAME_SIZE || v > H2_MAX_MAX_FRAME_SIZE) {
                return -1;
            }
            break;
        default:
            break;   /* other values are all valid; unknown settings are ignored */
        }
    }
    return 0;
}

int h2_session_upgrade(h2_session *s, const char *http2_settings, size_t len, void *stream_ud)
{
    uint8_t payload[6 * H2_UPGRADE_MAX_SETTINGS], hdr[H2_FRAME_HDR_LEN];
    long n;
    h2_frame f;
    h2_frame_error err;
    h2_stream *st;
    if (s->in_state != H2_IN_PREFACE || s->preface_have || s->last_client_sid || s->dead) {
        return H2_SESS_ERR_STATE;
    }
    n = h2_base64url_decode(http2_settings, len, payload, sizeof(payload));
    if (n < 0 || n % 6 != 0) {
        return H2_SESS_ERR_ARG;
    }
    h2_frame_pack_hdr(hdr, (uint32_t)n, H2_FT_SETTINGS, 0, 0);
    if (h2_frame_decode(hdr, payload, H2_MAX_MAX_FRAME_SIZE, &f, &err) != H2_FR_FRAME) {
        return H2_SESS_ERR_ARG;
    }
    if (apply_settings_frame(s, &f) != 0) {
        return H2_SESS_ERR_ARG;
    }
    if (!(st = stream_new(s, 1))) {
        h2s_fatal(s, H2_SESS_ERR_NOMEM);   /* fatal as documented: the session is done */
        return H2_SESS_ERR_NOMEM;
    }
    st->state = H2_SS_HALF_CLOSED_REMOTE;
    st->glue_knows = 1;
    st->ud = stream_ud;
    st->in_table = 1;
    h2s_stream_insert(s, st);
    s->last_client_sid = s->last_accepted_sid = 1;
    s->requests = 1;
    s->upgraded = 1;
    return H2_SESS_OK;
}

/* ------------------------------------------------------------------------------------- */
/* Queries */

int h2_session_want_read(const h2_session *s)
{
    if (s->dead) {
        return 0;
    }
    if ((s->goaway_recv || s->goaway_final) && s->n_streams == 0 && !s->graceful_pending) {
        return 0;
    }
    return 1;
}

int h2_session_want_write(const h2_session *s)
{
    if (s->out.len > 0) {
        return 1;
    }
    return !s->dead && s->conn_send_window > 0 && !h2_sched_empty(&s->sched);
}

size_t h2_session_out_pending(const h2_session *s)
{
    return s->out.len;
}

int h2_session_is_done(const h2_session *s)
{
    if (s->out.len > 0 || s->close_head) {
        return 0;
    }
    if (s->dead) {
        return 1;
    }
    return (s->goaway_recv || s->goaway_final) && s->n_streams == 0 && !s->graceful_pending;
}

uint32_t h2_session_open_streams(const h2_session *s)
{
    return s->n_active;
}

uint32_t h2_session_last_stream_id(const h2_session *s)
{
    return s->last_accepted_sid;
}

int h2_session_set_stream_data(h2_session *s, uint32_t sid, void *stream_ud)
{
    h2_stream *st = h2s_find(s, sid);
    if (!st) {
        return H2_SESS_ERR_STATE;
    }
    st->ud = stream_ud;
    return H2_SESS_OK;
}

void *h2_session_get_stream_data(const h2_session *s, uint32_t sid)
{
    h2_stream *st = h2s_find(s, sid);
    if (!st) {
        for (st = s->close_head; st && st->id != sid; st = st->cnext) {
        }
    }
    return st ? st->ud : NULL;
}

int h2_session_get_priority(const h2_session *s, uint32_t sid, h2_priority *p)
{
    h2_stream *st = h2s_find(s, sid);
    if (!st) {
        return H2_SESS_ERR_STATE;
    }
    *p = st->prio;
    return H2_SESS_OK;
}

int h2_session_priority_signals(const h2_session *s, uint32_t sid)
{
    h2_stream *st = h2s_find(s, sid);
    if (!st) {
        return H2_SESS_ERR_STATE;
    }
    return st->prio_sig | (s->prio_aware ? H2_PRIO_SIG_CONN : 0);
}

int h2_session_set_priority(h2_session *s, uint32_t sid, const h2_priority *p)
{
    h2_stream *st = h2s_find(s, sid);
    if (!st) {
        return H2_SESS_ERR_STATE;
    }
    st->prio.urgency = p->urgency > H2_PRIO_URGENCY_MAX ? H2_PRIO_URGENCY_MAX : p->urgency;
    st->prio.incremental = p->incremental ? 1 : 0;
    h2_sched_set_priority(&s->sched, &st->sched, st->prio.urgency, st->prio.incremental);
    return H2_SESS_OK;
}

void h2_session_get_stats(const h2_session *s, h2_session_stats *st)
{
    const h2_stream *x;
    size_t mem = sizeof(*s);
    memset(st, 0, sizeof(*st));
    st->streams_active = s->n_active;
    st->streams_in_table = s->n_streams;
    st->closed_records = s->closed_n;
    st->pending_priorities = s->pprio_n;
    st->conn_send_window = s->conn_send_window;
    st->conn_recv_window = s->conn_recv_window;
    st->conn_recv_unconsumed = s->conn_unconsumed;
    st->out_pending = s->out.len;
    st->out_control_frames = s->out_ctrl;
    st->last_client_stream = s->last_client_sid;
    st->goaway_sent_last_id = s->goaway_sent ? s->goaway_last : 0;
    st->goaway_sent = s->goaway_sent;
    st->goaway_received = s->goaway_recv;
    st->frames_received = s->frames_in;
    st->frames_sent = s->frames_out;
    st->requests = s->requests;
    st->stream_errors = s->stream_errors;
    st->streams_pushed = s->n_pushed;
    st->pushes = s->pushes;
    mem += (s->bucket_mask + 1) * sizeof(*s->buckets);
    mem += s->closed_cap * sizeof(*s->closed) + s->pprio_cap * sizeof(*s->pprio);
    mem += s->out.cap + s->out2.cap + s->hblock.cap + s->lcnames.cap;
    mem += s->snv_cap * sizeof(*s->snv) + h2_fields_mem(&s->fields) + s->rd.buf_cap;
    mem += (s->n_streams + s->n_free) * sizeof(h2_stream);
    for (x = s->all; x; x = x->next) {
        mem += x->trailers.cap;
    }
    st->mem_bytes = mem;
}
