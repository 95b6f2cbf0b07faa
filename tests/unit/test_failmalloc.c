/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * test_failmalloc.c -- out-of-memory paths of the session engine (issue 17).
 *
 * A counting allocator (h2_session_config.allocator) numbers every allocation the session
 * makes. Each conversation below is first run whole to count them (N); then, for every n
 * in 1..N, it is run again with allocation n failing, and again with every allocation
 * from n on failing. Each run must:
 *   - not crash, not read freed memory (the asan build of make check catches that);
 *   - give back every byte: after h2_session_free the allocator's allocated bytes equal
 *     its freed bytes and no block is live;
 *   - end cleanly: either the conversation goes as in the full run (same frames, same
 *     events: the failure was absorbed), or the failure shows as the engine says it does:
 *     H2_SESS_ERR_NOMEM from the call that hit it, after which the session reads nothing,
 *     its output drains and it is done, and a GOAWAY it built then carries
 *     INTERNAL_ERROR; or a stream reset with REFUSED_STREAM / INTERNAL_ERROR. No other
 *     error code appears that the full run did not have; the server output always decodes.
 * The conversations are scripts of bounded steps (no loop waits for the engine).
 * FAILMALLOC_VERBOSE=1 prints the allocation count of each conversation.
 */
#include "h2test.h"
#include "h2sess.h"

/* ------------------------------------------------------------------------------------- */
/* The counting allocator */

typedef union fm_hdr {        /* in front of every block: its size, aligned for anything */
    size_t n;
    long double ld;
    void *p;
    long long ll;
} fm_hdr;

typedef struct fm_alloc {
    h2_allocator a;
    unsigned long calls;      /* allocations asked for (malloc, calloc, realloc) */
    unsigned long fail_at;    /* 0: none fails */
    int fail_from;            /* every allocation from fail_at on fails */
    unsigned long failed;     /* allocations refused */
    size_t bytes_alloc, bytes_freed;
    long live;
} fm_alloc;

static int fm_refuse(fm_alloc *m)
{
    m->calls++;
    if (m->fail_at && (m->calls == m->fail_at || (m->fail_from && m->calls > m->fail_at))) {
        m->failed++;
        return 1;
    }
    return 0;
}

static void *fm_block(fm_alloc *m, size_t n)
{
    fm_hdr *h = malloc(sizeof(fm_hdr) + (n ? n : 1));
    if (!h) {
        return NULL;
    }
    h->n = n;
    m->bytes_alloc += n;
    m->live++;
    return h + 1;
}

static void *fm_malloc(size_t n, void *ud)
{
    fm_alloc *m = ud;
    return fm_refuse(m) ? NULL : fm_block(m, n);
}

static void *fm_calloc(size_t nmemb, size_t size, void *ud)
{
    fm_alloc *m = ud;
    void *p;
    if (size && nmemb > (size_t)-1 / size) {
        return NULL;
    }
    if (fm_refuse(m) || !(p = fm_block(m, nmemb * size))) {
        return NULL;
    }
    memset(p, 0, nmemb * size);
    return p;
}

static void fm_free(void *p, void *ud)
{
    fm_alloc *m = ud;
    fm_hdr *h;
    if (!p) {
        return;
    }
    h = (fm_hdr *)p - 1;
    m->bytes_freed += h->n;
    m->live--;
    memset(p, 0xa5, h->n);    /* a use after free reads garbage also without asan */
    free(h);
}

static void *fm_realloc(void *p, size_t n, void *ud)
{
    fm_alloc *m = ud;
    fm_hdr *h;
    void *q;
    if (fm_refuse(m) || !(q = fm_block(m, n))) {
        return NULL;          /* the old block stays as it was */
    }
    if (p) {
        h = (fm_hdr *)p - 1;
        memcpy(q, p, h->n < n ? h->n : n);
        fm_free(p, m);
    }
    return q;
}

static fm_alloc M;

static void fm_reset(unsigned long fail_at, int fail_from)
{
    memset(&M, 0, sizeof(M));
    M.a.malloc = fm_malloc;
    M.a.calloc = fm_calloc;
    M.a.realloc = fm_realloc;
    M.a.free = fm_free;
    M.a.ud = &M;
    M.fail_at = fail_at;
    M.fail_from = fail_from;
}

/* ------------------------------------------------------------------------------------- */
/* A run: the tc client of h2sess.h, a small application, and what the run saw */

#define FM_LOG 1024
#define FM_SIDS 64

typedef struct fm_ev {        /* one frame the server sent */
    uint8_t type, flags;
    uint32_t sid, code, length;
} fm_ev;

typedef struct fm_run {
    tc t;                     /* first: the callbacks get &run->t */
    fm_ev log[FM_LOG];
    size_t nlog;
    int nomem;                /* some call returned H2_SESS_ERR_NOMEM (or _CONN: the frame
                               * reader's buffer failing is a connection error) */
    size_t log_at_nomem;      /* frames logged before it */
    int other_err;            /* some call returned another fatal error */
    char path[FM_SIDS][24];   /* :path of each client stream */
    int stalled_sid;          /* a response whose body the application holds back */
    size_t post_trailers;     /* trailer fields the /post request ended with */
} fm_run;

static fm_run R;

/* how the conversations are driven: input at once, or in pieces of 7 octets (frames and
 * HPACK representations cut anywhere) with h2_session_trim after every round (scratch
 * buffers and stream records allocated again) */
static int fm_split;

static void fm_note(fm_run *r, int rv)
{
    if (rv == H2_SESS_ERR_NOMEM || rv == H2_SESS_ERR_CONN) {
        if (!r->nomem) {
            r->log_at_nomem = r->nlog;
        }
        r->nomem = 1;
    } else if (rv == H2_SESS_ERR_CALLBACK || rv == H2_SESS_ERR_ARG) {
        r->other_err = 1;
    }
}

static char fm_body[40000];
static char fm_long[8][1200];  /* long header values (decoder table evictions) */

static const char *fm_path_of(fm_run *r, uint32_t sid)
{
    return r->path[(sid >> 1) % FM_SIDS];
}

/* the response of stream sid, by its path */
static void fm_respond(fm_run *r, uint32_t sid)
{
    tc *t = &r->t;
    const char *p = fm_path_of(r, sid);
    char xid[64];
    h2_nv hdr[5] = {
        TC_NV("content-type", "text/html; charset=utf-8"),
        TC_NV("server", "mod_h2 failmalloc"),
        TC_NV("cache-control", "private, max-age=0"),
        TC_NV("x-id", ""),
        TC_NV("vary", "accept-encoding"),
    };
    /* a value new with every response: the encoder's small table (the client's
     * SETTINGS_HEADER_TABLE_SIZE) evicts */
    snprintf(xid, sizeof(xid), "response-%u-%.*s", (unsigned)sid, (int)(sid * 3 % 40),
             "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH");
    hdr[3].value = (const uint8_t *)xid;
    hdr[3].value_len = strlen(xid);
    if (strcmp(p, "/bighdr") == 0) {
        /* a header block over the client's MAX_FRAME_SIZE: HEADERS + CONTINUATION */
        h2_nv big[3] = { TC_NV("content-type", "text/plain"), TC_NV("x-big", ""),
                         TC_NV("x-big2", "") };
        big[1].value = (const uint8_t *)fm_body;
        big[1].value_len = 20000;
        big[2].value = (const uint8_t *)fm_body + 7;
        big[2].value_len = 9000;
        tc_body(t, sid, fm_body, 100, 1);
        fm_note(r, h2_session_submit_response(t->s, sid, 200, big, 3, 0));
    } else if (strcmp(p, "/nobody") == 0) {
        tc_body(t, sid, fm_body, 0, 1);  /* the end comes as an empty (padded) DATA */
        fm_note(r, h2_session_submit_response(t->s, sid, 200, hdr, 5, 0));
    } else if (strcmp(p, "/empty") == 0) {
        fm_note(r, h2_session_submit_response(t->s, sid, 204, hdr, 5, 1));
    } else if (strcmp(p, "/trailers") == 0) {
        static const h2_nv tr[2] = { TC_NV("grpc-status", "0"), TC_NV("x-checksum", "c0ffee") };
        tc_body(t, sid, fm_body, 20000, 1);
        fm_note(r, h2_session_submit_response(t->s, sid, 200, hdr, 5, 0));
        fm_note(r, h2_session_submit_trailers(t->s, sid, tr, 2));
    } else if (strcmp(p, "/slow") == 0) {
        tc_body(t, sid, fm_body, 10000, 1);
        tc_src_of(t, sid)->ready = 0;    /* nothing yet: the stream is deferred */
        r->stalled_sid = (int)sid;
        fm_note(r, h2_session_submit_response(t->s, sid, 200, hdr, 5, 0));
    } else if (strcmp(p, "/push") == 0) {
        static const h2_nv preq[4] = {
            TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
            TC_NV(":authority", "example.org"), TC_NV(":path", "/pushed.css")
        };
        static const h2_nv hints[1] = { TC_NV("link", "</pushed.css>; rel=preload") };
        uint32_t psid = 0;
        int rv;
        fm_note(r, h2_session_submit_response(t->s, sid, 103, hints, 1, 0));
        rv = h2_session_submit_push_promise(t->s, sid, preq, 4, NULL, &psid);
        fm_note(r, rv);
        if (rv == H2_SESS_OK) {
            tc_body(t, psid, fm_body, 3000, 1);
            fm_note(r, h2_session_submit_response(t->s, psid, 200, hdr, 5, 0));
        }
        tc_body(t, sid, fm_body, 5000, 1);
        fm_note(r, h2_session_submit_response(t->s, sid, 200, hdr, 5, 0));
    } else {
        tc_body(t, sid, fm_body, strcmp(p, "/post") == 0 ? 100 : 30000, 1);
        fm_note(r, h2_session_submit_response(t->s, sid, 200, hdr, 5, 0));
    }
}

static int fm_on_request(void *ud, const h2_request *req)
{
    fm_run *r = ud;
    char *p = r->path[(req->stream_id >> 1) % FM_SIDS];
    tc_cb_on_request(ud, req);   /* the harness' counters */
    snprintf(p, sizeof(r->path[0]), "%.*s", (int)req->path_len, req->path ? req->path : "");
    if (strcmp(p, "/post") != 0 && !req->too_large) {
        fm_respond(r, req->stream_id);
    }
    return 0;
}

static int fm_on_request_end(void *ud, uint32_t sid, void *sud, const h2_nv *tr, size_t n)
{
    fm_run *r = ud;
    tc_cb_on_request_end(ud, sid, sud, tr, n);
    if (strcmp(fm_path_of(r, sid), "/post") == 0) {
        r->post_trailers = n;
        fm_respond(r, sid);   /* answered once the body is in */
    }
    return 0;
}

static int fm_on_data(void *ud, uint32_t sid, void *sud, const uint8_t *d, size_t n)
{
    fm_run *r = ud;
    tc_cb_on_data(ud, sid, sud, d, n);
    fm_note(r, h2_session_consume(r->t.s, sid, n));
    return 0;
}

/* A new session on the counting allocator (NULL when its creation failed). */
static void fm_start(fm_run *r, const h2_session_config *cfg)
{
    h2_session_config c;
    memset(r, 0, sizeof(*r));
    if (cfg) {
        c = *cfg;
    } else {
        h2_session_config_init(&c);
    }
    c.allocator = NULL;
    tc_init_cfg(&r->t, &c);          /* the harness' session on libc: replaced */
    h2_session_free(r->t.s);
    r->t.cb.on_request = fm_on_request;
    r->t.cb.on_request_end = fm_on_request_end;
    r->t.cb.on_data = fm_on_data;
    if (c.padding_bits) {
        r->t.cb.send_data_padded = tc_cb_send_data_padded;
    }
    r->t.cfg.allocator = &M.a;
    r->t.s = h2_session_new(&r->t.cfg, &r->t.cb, &r->t);
}

/* h2_session_send, then the output parsed and logged */
static void fm_pump(fm_run *r)
{
    tc *t = &r->t;
    size_t i, produced = 0;
    if (!t->s) {
        return;
    }
    if (fm_split) {
        /* small passes, as the glue does (built frames cut across calls) */
        int k;
        for (k = 0; k < 400; k++) {
            produced = 0;
            fm_note(r, h2_session_send(t->s, 200, &produced));
            if (!produced) {
                break;
            }
        }
    }
    fm_note(r, h2_session_send(t->s, 0, &produced));
    tc_pump(t);
    for (i = 0; i < t->nf && r->nlog < FM_LOG; i++) {
        fm_ev *e = &r->log[r->nlog++];
        e->type = t->f[i].type;
        e->flags = t->f[i].flags;
        e->sid = t->f[i].sid;
        e->length = t->f[i].length;
        e->code = t->f[i].error_code;
    }
    tc_clear(t);
}

/* feed what the client built, then pump */
static void fm_round(fm_run *r)
{
    tc *t = &r->t;
    if (!t->s) {
        h2_buf_reset(&t->in);
        return;
    }
    fm_note(r, tc_feed_split(t, fm_split ? 7 : 0));
    t->now += 10;
    fm_note(r, h2_session_tick(t->s, t->now));
    fm_pump(r);
    if (fm_split) {
        h2_session_trim(t->s);
    }
}

/* ------------------------------------------------------------------------------------- */
/* Client frames */

static void fm_req(fm_run *r, uint32_t sid, const char *method, const char *path, int es,
                   const h2_nv *extra, size_t nextra)
{
    h2_nv nv[16];
    size_t n = 0, i;
    nv[n].name = (const uint8_t *)":method"; nv[n].name_len = 7;
    nv[n].value = (const uint8_t *)method; nv[n].value_len = strlen(method); nv[n++].flags = 0;
    nv[n].name = (const uint8_t *)":scheme"; nv[n].name_len = 7;
    nv[n].value = (const uint8_t *)"https"; nv[n].value_len = 5; nv[n++].flags = 0;
    nv[n].name = (const uint8_t *)":authority"; nv[n].name_len = 10;
    nv[n].value = (const uint8_t *)"example.org"; nv[n].value_len = 11; nv[n++].flags = 0;
    nv[n].name = (const uint8_t *)":path"; nv[n].name_len = 5;
    nv[n].value = (const uint8_t *)path; nv[n].value_len = strlen(path); nv[n++].flags = 0;
    for (i = 0; i < nextra && n < 16; i++) {
        nv[n++] = extra[i];
    }
    tc_headers_nv(&r->t, sid, nv, n, es);
}

/* the usual browser fields: indexed from the second request on, huffman-coded */
static const h2_nv fm_browser[] = {
    TC_NV("user-agent", "Mozilla/5.0 (X11; Linux x86_64) failmalloc/1.0"),
    TC_NV("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
    TC_NV("accept-language", "en-US,en;q=0.5"),
    TC_NV("accept-encoding", "gzip, deflate, br"),
    TC_NV("cookie", "session=0123456789abcdef0123456789abcdef"),
    TC_NV("cookie", "theme=dark"),
    TC_NV("priority", "u=1, i"),
};

static void fm_long_fields(h2_nv *nv, int from, int n)
{
    static const char *const names[8] = { "x-a", "x-b", "x-c", "x-d", "x-e", "x-f", "x-g", "x-h" };
    int i;
    for (i = 0; i < n; i++) {
        nv[i].name = (const uint8_t *)names[(from + i) % 8];
        nv[i].name_len = 3;
        nv[i].value = (const uint8_t *)fm_long[(from + i) % 8];
        nv[i].value_len = 1000;
        nv[i].flags = 0;
    }
}

/* a request whose block (long literals) is cut into HEADERS and CONTINUATION frames of
 * 13 octets: representations split across frames (the decoder carries them over) */
static void fm_req_continued(fm_run *r, uint32_t sid, const char *path)
{
    h2_nv nv[12] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                     TC_NV(":authority", "example.org"), TC_NV(":path", "") };
    h2_buf b;
    size_t off, i;
    nv[3].value = (const uint8_t *)path;
    nv[3].value_len = strlen(path);
    for (i = 0; i < 7; i++) {
        nv[4 + i] = fm_browser[i];
    }
    nv[11].name = (const uint8_t *)"x-trace";
    nv[11].name_len = 7;
    nv[11].value = (const uint8_t *)fm_long[5];
    nv[11].value_len = 300;
    nv[11].flags = H2_NV_NEVER_INDEX;
    h2_buf_init(&b);
    tc_block(&r->t, nv, 12, &b);
    for (off = 0; off < b.len; off += 13) {
        size_t n = b.len - off < 13 ? b.len - off : 13;
        uint8_t fl = (uint8_t)(off + n == b.len ? H2_FLAG_END_HEADERS : 0);
        if (off == 0) {
            fl |= H2_FLAG_END_STREAM;
        }
        h2_frame_put_hdr(&r->t.in, (uint32_t)n, off == 0 ? H2_FT_HEADERS : H2_FT_CONTINUATION,
                         fl, sid);
        h2_buf_append(&r->t.in, b.data + off, n);
    }
    h2_buf_free(&b);
}

static void fm_priority_update(fm_run *r, uint32_t sid, const char *v)
{
    uint8_t p[64];
    size_t n = strlen(v);
    h2_put_u32(p, sid);
    memcpy(p + 4, v, n);
    tc_raw(&r->t, H2_FT_PRIORITY_UPDATE, 0, 0, p, 4 + n);
}

static void fm_goaway(fm_run *r, uint32_t last, uint32_t code)
{
    h2_frame_put_goaway(&r->t.in, last, code, (const uint8_t *)"bye", 3);
}

/* ------------------------------------------------------------------------------------- */
/* Conversations */

/* requests and responses: HPACK (indexed, huffman, evictions both ways), CONTINUATION,
 * request body with flow control, response DATA stalled by the client's windows and
 * resumed, trailers, PRIORITY, PRIORITY_UPDATE, PING, RST_STREAM, trim, GOAWAY */
static void conv_requests(fm_run *r)
{
    tc *t = &r->t;
    static const h2_setting set[3] = {
        { H2_SET_INITIAL_WINDOW_SIZE, 16384 }, { H2_SET_HEADER_TABLE_SIZE, 256 },
        { H2_SET_ENABLE_PUSH, 0 }
    };
    static const uint8_t prio[5] = { 0, 0, 0, 1, 200 };
    h2_nv post[2] = { TC_NV("content-type", "application/octet-stream"),
                      TC_NV("content-length", "79152") };
    h2_nv lf[5];
    fm_start(r, NULL);
    tc_preface(t);
    tc_settings(t, set, 3);
    tc_settings_ack(t);
    tc_wu(t, 0, 1u << 20);
    tc_ping(t, "ping-one", 0);
    fm_round(r);
    fm_req(r, 1, "GET", "/index.html", 1, fm_browser, 7);
    fm_req(r, 3, "GET", "/trailers", 1, fm_browser, 7);
    tc_request_split(t, 5, 10, 7, 1);
    fm_req(r, 7, "POST", "/post", 0, post, 2);
    tc_data(t, 7, fm_body, 16384, 0);
    tc_data(t, 7, fm_body, 16384, 0);
    tc_data(t, 7, fm_body, 16384, 0);
    tc_raw(t, H2_FT_PRIORITY, 0, 3, prio, 5);
    fm_priority_update(r, 3, "u=0");
    fm_priority_update(r, 9, "u=5");   /* an idle stream: kept for later */
    fm_round(r);
    tc_wu(t, 1, 20000);
    tc_wu(t, 3, 10000);
    tc_wu(t, 5, 20000);
    tc_data(t, 7, fm_body, 16384, 0);
    tc_data(t, 7, fm_body, 13616, 0);
    {
        /* request trailers end the body */
        static const h2_nv rtr[2] = { TC_NV("x-upload-digest", "sha-256=:abcdef0123456789:"),
                                      TC_NV("x-upload-parts", "5") };
        tc_headers_nv(t, 7, rtr, 2, 1);
    }
    fm_round(r);
    fm_req_continued(r, 9, "/again");
    fm_req(r, 11, "GET", "/slow", 1, fm_browser, 7);
    tc_ping(t, "ping-two", 0);
    fm_round(r);
    tc_rst_frame(t, 11, H2_CANCEL);
    tc_wu(t, 9, 20000);
    tc_wu(t, 7, 20000);
    fm_round(r);
    if (t->s) {
        h2_session_trim(t->s);
    }
    fm_long_fields(lf, 0, 3);
    fm_req(r, 13, "GET", "/empty", 1, lf, 3);
    fm_long_fields(lf, 3, 5);
    fm_req(r, 15, "GET", "/empty", 1, lf, 5);   /* evicts 13's from the decoder's table */
    fm_long_fields(lf, 1, 2);
    fm_req(r, 17, "GET", "/empty", 1, lf, 2);
    fm_round(r);
    fm_goaway(r, 0, H2_NO_ERROR);
    fm_round(r);
}

/* server push, an interim response, padding, a graceful shutdown by the server */
static void conv_push_shutdown(fm_run *r)
{
    tc *t = &r->t;
    static const uint8_t ack_opaque[8] = { 'h', '2', 'g', 'o', 'a', 'w', 'a', 'y' };
    h2_session_config cfg;
    h2_session_config_init(&cfg);
    cfg.padding_bits = 4;
    cfg.padding_seed = 17;
    fm_start(r, &cfg);
    tc_preface(t);
    tc_settings(t, NULL, 0);
    tc_settings_ack(t);
    fm_round(r);
    fm_req(r, 1, "GET", "/push", 1, fm_browser, 7);
    fm_req(r, 3, "GET", "/index.html", 1, fm_browser, 3);
    fm_req(r, 5, "GET", "/nobody", 1, fm_browser, 3);
    fm_round(r);
    tc_wu(t, 0, 65535);
    tc_wu(t, 3, 40000);
    fm_round(r);
    if (t->s) {
        fm_note(r, h2_session_submit_goaway(t->s, 1, H2_NO_ERROR, "restart"));
        fm_note(r, h2_session_submit_ping(t->s, (const uint8_t *)"srv-ping"));
    }
    fm_round(r);
    fm_req(r, 7, "GET", "/late", 1, NULL, 0);
    h2_frame_put_ping(&t->in, ack_opaque, 1);
    fm_round(r);
}

/* h2c Upgrade: stream 1 from the HTTP/1.1 request, then a request with a body that the
 * application answers early (discarded body), a malformed one, a server reset */
static void conv_upgrade(fm_run *r)
{
    tc *t = &r->t;
    static const char b64[] = "AAQAAEAAAAMAAAAK";   /* INITIAL_WINDOW_SIZE 16384, MAX_CONCURRENT 10 */
    static const h2_nv bad[1] = { TC_NV("connection", "close") };
    h2_session_config cfg;
    h2_session_config_init(&cfg);
    cfg.max_pending_priorities = 4;
    cfg.max_closed_streams = 8;
    fm_start(r, &cfg);
    if (t->s) {
        int rv = h2_session_upgrade(t->s, b64, sizeof(b64) - 1, NULL);
        fm_note(r, rv);
        if (rv == H2_SESS_OK) {
            snprintf(r->path[0], sizeof(r->path[0]), "/upgraded");
            fm_respond(r, 1);
        }
    }
    fm_pump(r);
    tc_preface(t);
    tc_settings(t, NULL, 0);
    tc_settings_ack(t);
    fm_priority_update(r, 5, "u=2");
    fm_req(r, 3, "PUT", "/put", 0, NULL, 0);
    tc_data(t, 3, fm_body, 1000, 0);
    fm_round(r);
    if (t->s) {
        fm_note(r, h2_session_discard_body(t->s, 3));
        fm_note(r, h2_session_submit_response(t->s, 3, 413, NULL, 0, 1));
    }
    tc_data(t, 3, fm_body, 1000, 1);
    fm_req(r, 5, "GET", "/bad", 1, bad, 1);      /* connection-specific field: reset */
    fm_req(r, 7, "GET", "/index.html", 1, NULL, 0);
    fm_round(r);
    if (t->s) {
        h2_session_submit_rst(t->s, 7, H2_CANCEL);
    }
    tc_wu(t, 1, 20000);
    fm_round(r);
    if (t->s) {
        fm_note(r, h2_session_submit_ping(t->s, (const uint8_t *)"srv-ping"));
        fm_note(r, h2_session_submit_goaway(t->s, 0, H2_NO_ERROR, "bye now"));
    }
    fm_round(r);
}

/* many streams at once (past the engine's free list of stream records), a frame reader
 * that grows with our larger MAX_FRAME_SIZE, a response header block split into
 * CONTINUATION, the client changing its header table size mid-connection, streams
 * beyond SETTINGS_MAX_CONCURRENT_STREAMS refused */
static void conv_many(fm_run *r)
{
    tc *t = &r->t;
    static const h2_setting set0[1] = { { H2_SET_HEADER_TABLE_SIZE, 0 } };
    static const h2_setting set1[1] = { { H2_SET_HEADER_TABLE_SIZE, 4096 } };
    h2_nv post[1] = { TC_NV("content-length", "30000") };
    h2_session_config cfg;
    uint32_t sid;
    char path[32];
    h2_session_config_init(&cfg);
    cfg.max_frame_size = 32768;
    cfg.max_concurrent_streams = 40;
    fm_start(r, &cfg);
    tc_preface(t);
    tc_settings(t, NULL, 0);
    tc_settings_ack(t);
    tc_wu(t, 0, 1u << 20);
    fm_round(r);
    for (sid = 1; sid <= 83; sid += 2) {     /* 42 requests: the last two are refused */
        snprintf(path, sizeof(path), "/item/%u", (unsigned)sid);
        fm_req(r, sid, "GET", sid == 41 ? "/bighdr" : path, 1, fm_browser, sid % 7);
    }
    fm_round(r);
    tc_settings(t, set0, 1);
    fm_req(r, 85, "POST", "/post", 0, post, 1);
    tc_data(t, 85, fm_body, 30000, 1);      /* one frame over 16384: the reader grows */
    fm_round(r);
    tc_settings(t, set1, 1);
    fm_req(r, 87, "GET", "/empty", 1, fm_browser, 7);
    fm_round(r);
}

typedef void fm_conv(fm_run *r);

/* ------------------------------------------------------------------------------------- */
/* Checking a run */

static fm_run B;              /* the full run of the conversation being tested */

/* FAILMALLOC_DEBUG=name:n prints the frames of that run and of the full run */
static void fm_debug(const fm_run *r, const char *name, unsigned long n, int from)
{
    const char *d = getenv("FAILMALLOC_DEBUG");
    char want[96];
    size_t i;
    snprintf(want, sizeof(want), "%s%s:%lu%s", name, fm_split ? "/split" : "", n,
             from ? "+" : "");
    if (!d || strcmp(d, want) != 0) {
        return;
    }
    fprintf(stderr, "%s: nomem %d (after %zu frames), n_req %d/%d\n", want, r->nomem,
            r->log_at_nomem, r->t.n_req, B.t.n_req);
    for (i = 0; i < r->nlog || i < B.nlog; i++) {
        const fm_ev *e = i < r->nlog ? &r->log[i] : NULL, *b = i < B.nlog ? &B.log[i] : NULL;
        fprintf(stderr, "  %3zu  run: ", i);
        if (e) {
            fprintf(stderr, "type %2u flags %02x sid %2u len %5u code %u", e->type, e->flags,
                    (unsigned)e->sid, (unsigned)e->length, (unsigned)e->code);
        } else {
            fprintf(stderr, "%45s", "");
        }
        if (b) {
            fprintf(stderr, "   full: type %2u flags %02x sid %2u len %5u code %u", b->type,
                    b->flags, (unsigned)b->sid, (unsigned)b->length, (unsigned)b->code);
        }
        fprintf(stderr, "\n");
    }
}

static int fm_is_err_frame(const fm_ev *e)
{
    return e->type == H2_FT_RST_STREAM || e->type == H2_FT_GOAWAY;
}

/* an error frame of the run (type, stream, code) also in the full run */
static int fm_in_base(const fm_run *base, const fm_ev *e)
{
    size_t i;
    for (i = 0; i < base->nlog; i++) {
        if (base->log[i].type == e->type && base->log[i].code == e->code &&
            base->log[i].sid == e->sid) {
            return 1;
        }
    }
    return 0;
}

static int fm_same_log(const fm_run *a, const fm_run *b)
{
    size_t i;
    if (a->nlog != b->nlog) {
        return 0;
    }
    for (i = 0; i < a->nlog; i++) {
        const fm_ev *x = &a->log[i], *y = &b->log[i];
        if (x->type != y->type || x->flags != y->flags || x->sid != y->sid ||
            x->code != y->code || x->length != y->length) {
            return 0;
        }
    }
    return 1;
}

static unsigned long fm_checked, fm_absorbed, fm_fatal, fm_reset_only, fm_new_failed;

/* After the script: drive the end as the glue would, check, free, check the memory. */
static void fm_finish(fm_run *r, const char *name, unsigned long n, int from)
{
    tc *t = &r->t;
    size_t i;
    int new_err = 0, bad_code = 0, goaway = 0;
    static char where[96];   /* h2test_cur points to it */
    snprintf(where, sizeof(where), "%s%s n=%lu%s", name, fm_split ? "/split" : "", n,
             from ? "+" : "");
    h2test_cur = where;
    fm_checked++;
    fm_debug(r, name, n, from);
    H2_CHECK(!t->out_bad);     /* every octet the server sent decodes */
    H2_CHECK(!r->other_err);
    if (!t->s) {
        fm_new_failed++;
        H2_CHECK(M.failed > 0);
    } else {
        for (i = 0; i < r->nlog; i++) {
            const fm_ev *e = &r->log[i];
            if (!fm_is_err_frame(e) || fm_in_base(&B, e)) {
                continue;
            }
            new_err = 1;
            if (e->code != H2_INTERNAL_ERROR && e->code != H2_REFUSED_STREAM) {
                bad_code = 1;
                if (h2test_cur_failed < 5) {
                    fprintf(stderr, "  %s: %s %s on stream %u\n", where,
                            e->type == H2_FT_GOAWAY ? "GOAWAY" : "RST_STREAM",
                            h2_error_name(e->code), (unsigned)e->sid);
                }
            }
        }
        H2_CHECK(!bad_code);
        if (r->nomem) {
            size_t prod = 0;
            int k;
            fm_fatal++;
            /* the session stopped: reads nothing, its output drains, it is done */
            H2_CHECK(!h2_session_want_read(t->s));
            for (k = 0; k < 4 && h2_session_want_write(t->s); k++) {
                h2_session_send(t->s, 0, &prod);
            }
            H2_CHECK(!h2_session_want_write(t->s));
            H2_CHECK(h2_session_is_done(t->s));
            /* a GOAWAY built at or after the failure says INTERNAL_ERROR; when only one
             * allocation failed, it can be built, so it must be there */
            for (i = r->log_at_nomem; i < r->nlog; i++) {
                if (r->log[i].type == H2_FT_GOAWAY && !fm_in_base(&B, &r->log[i])) {
                    H2_CHECK_EQ(r->log[i].code, H2_INTERNAL_ERROR);
                    goaway = 1;
                }
            }
            H2_CHECK(goaway || from);
        } else if (new_err) {
            fm_reset_only++;
        } else {
            /* nothing showed: then nothing may have been lost either */
            fm_absorbed++;
            H2_CHECK(fm_same_log(r, &B));
            H2_CHECK_EQ(t->n_req, B.t.n_req);
            H2_CHECK_EQ(t->n_req_end, B.t.n_req_end);
            H2_CHECK_EQ(t->n_closed, B.t.n_closed);
            H2_CHECK_EQ(t->body_total, B.t.body_total);
            H2_CHECK_EQ(t->data_bytes, B.t.data_bytes);
            H2_CHECK_EQ(r->post_trailers, B.post_trailers);
        }
    }
    tc_free(t);
    t->s = NULL;
    H2_CHECK_EQ(M.live, 0);
    H2_CHECK_EQ(M.bytes_alloc, M.bytes_freed);
}

static void fm_conversation_mode(const char *name, fm_conv *conv, unsigned long *count)
{
    unsigned long total, n;
    int from;
    const char *outer = h2test_cur;
    /* the full run: the reference, and the count */
    fm_reset(0, 0);
    conv(&B);
    total = M.calls;
    *count = total;
    h2test_cur = name;
    H2_CHECK(B.t.s != NULL);
    H2_CHECK(!B.nomem);
    H2_CHECK(!B.t.out_bad);
    H2_CHECK(total > 10);
    if (getenv("FAILMALLOC_VERBOSE")) {
        fprintf(stderr, "%s%s: %lu allocations, %lu frames out\n", name,
                fm_split ? "/split" : "", total,
                (unsigned long)B.nlog);
    }
    /* B stays allocated (its log is the reference) until the end */
    for (n = 1; n <= total; n++) {
        for (from = 0; from <= 1; from++) {
            fm_reset(n, from);
            conv(&R);
            fm_finish(&R, name, n, from);
        }
    }
    h2test_cur = outer;
    fm_reset(0, 0);
    tc_free(&B.t);
}

static void fm_conversation(const char *name, fm_conv *conv, unsigned long *count)
{
    unsigned long c;
    fm_split = 0;
    fm_conversation_mode(name, conv, count);
    fm_split = 1;
    fm_conversation_mode(name, conv, &c);
    fm_split = 0;
    *count += c;
}

static unsigned long fm_counts[4];

H2_TEST(failmalloc_requests)
{
    fm_conversation("requests", conv_requests, &fm_counts[0]);
}

H2_TEST(failmalloc_push_shutdown)
{
    fm_conversation("push_shutdown", conv_push_shutdown, &fm_counts[1]);
}

H2_TEST(failmalloc_upgrade)
{
    fm_conversation("upgrade", conv_upgrade, &fm_counts[2]);
}

H2_TEST(failmalloc_many)
{
    fm_conversation("many", conv_many, &fm_counts[3]);
}

/* the full runs themselves do what the scripts mean (so that the failing runs test
 * something): responses, trailers, push, body, reset, GOAWAYs */
H2_TEST(failmalloc_reference_runs)
{
    size_t i, hdr = 0, data = 0, wu = 0, ping_ack = 0, rst = 0, pp = 0, goaway = 0;
    fm_reset(0, 0);
    conv_requests(&B);
    for (i = 0; i < B.nlog; i++) {
        hdr += B.log[i].type == H2_FT_HEADERS;
        data += B.log[i].type == H2_FT_DATA;
        wu += B.log[i].type == H2_FT_WINDOW_UPDATE && B.log[i].sid == 7;
        ping_ack += B.log[i].type == H2_FT_PING && (B.log[i].flags & H2_FLAG_ACK);
    }
    H2_CHECK_EQ(B.t.n_req, 9);
    H2_CHECK(hdr >= 9);            /* 8 responses + the trailers (11 was reset) */
    H2_CHECK(data >= 8);
    H2_CHECK(wu >= 1);             /* the request body needed a window update */
    H2_CHECK_EQ(ping_ack, 2);
    H2_CHECK_EQ(B.t.body_total, 79152);
    H2_CHECK_EQ(B.post_trailers, 2);
    H2_CHECK_EQ(B.t.n_closed, 9);
    tc_free(&B.t);
    fm_reset(0, 0);
    conv_push_shutdown(&B);
    for (i = 0; i < B.nlog; i++) {
        pp += B.log[i].type == H2_FT_PUSH_PROMISE;
        goaway += B.log[i].type == H2_FT_GOAWAY;
    }
    H2_CHECK_EQ(pp, 1);
    H2_CHECK_EQ(goaway, 2);        /* the graceful pair */
    H2_CHECK_EQ(B.t.n_req, 4);     /* /late came before the PING ACK: still served */
    H2_CHECK(B.t.n_padded_data > 0);
    tc_free(&B.t);
    fm_reset(0, 0);
    conv_upgrade(&B);
    for (i = 0; i < B.nlog; i++) {
        rst += B.log[i].type == H2_FT_RST_STREAM;
    }
    H2_CHECK(rst >= 2);            /* /bad (PROTOCOL_ERROR), 7 (CANCEL), 3 (NO_ERROR) */
    H2_CHECK_EQ(B.t.n_req, 2);
    tc_free(&B.t);
    fm_reset(0, 0);
    conv_many(&B);
    rst = pp = 0;
    for (i = 0; i < B.nlog; i++) {
        rst += B.log[i].type == H2_FT_RST_STREAM && B.log[i].code == H2_REFUSED_STREAM;
        pp += B.log[i].type == H2_FT_CONTINUATION;
    }
    H2_CHECK_EQ(B.t.n_req, 42);    /* 40 + the POST and the last GET */
    H2_CHECK_EQ(rst, 2);
    H2_CHECK(pp >= 1);
    H2_CHECK_EQ(B.t.body_total, 30000);
    tc_free(&B.t);
    H2_CHECK_EQ(M.live, 0);
    H2_CHECK_EQ(M.bytes_alloc, M.bytes_freed);
}

int main(void)
{
    int i, j;
    for (i = 0; i < (int)sizeof(fm_body); i++) {
        fm_body[i] = (char)('a' + i % 26);
    }
    for (i = 0; i < 8; i++) {
        for (j = 0; j < 1199; j++) {
            fm_long[i][j] = (char)('A' + (i * 7 + j) % 26);
        }
    }
    H2_RUN(failmalloc_reference_runs);
    H2_RUN(failmalloc_requests);
    H2_RUN(failmalloc_push_shutdown);
    H2_RUN(failmalloc_upgrade);
    H2_RUN(failmalloc_many);
    printf("failmalloc: %lu + %lu + %lu + %lu allocation points, %lu failing runs: %lu absorbed, "
           "%lu stream resets only, %lu fatal (NOMEM), %lu session creation failed\n",
           fm_counts[0], fm_counts[1], fm_counts[2], fm_counts[3], fm_checked, fm_absorbed,
           fm_reset_only,
           fm_fatal, fm_new_failed);
    return h2test_summary();
}
