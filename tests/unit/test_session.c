/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * test_session.c -- API-level tests of the session engine: request/response with zero-copy
 * DATA, flow-control stalls and window growth, budgets (rapid reset, PING/SETTINGS floods,
 * empty frames, CONTINUATION floods, glitches), h2c upgrade, graceful shutdown; plus unit
 * tests of the scheduler, the transition table, the Priority parser and base64url.
 */
#include "h2test.h"
#include "h2sess.h"
#include "stream.h"
#include "sched.h"

static tc T;

static void setup(const h2_session_config *cfg)
{
    tc_init_cfg(&T, cfg);
}

static void setup_started(const h2_session_config *cfg)
{
    tc_init_cfg(&T, cfg);
    tc_start(&T);
}

static void teardown(void)
{
    tc_free(&T);
}

static const tc_frame *last_goaway(void)
{
    long i;
    for (i = (long)T.nf - 1; i >= 0; i--) {
        if (T.f[i].type == H2_FT_GOAWAY) {
            return &T.f[i];
        }
    }
    return NULL;
}

static void expect_calm(const char *why)
{
    const tc_frame *g;
    tc_feed(&T);
    tc_pump(&T);
    g = last_goaway();
    H2_CHECK(g != NULL);
    if (g) {
        H2_CHECK_EQ(g->error_code, H2_ENHANCE_YOUR_CALM);
    }
    H2_CHECK_EQ(T.rv, H2_SESS_ERR_CONN);
    H2_CHECK_EQ(T.n_conn_err, 1);
    H2_CHECK(T.conn_err_reason != NULL);
    if (why && T.conn_err_reason) {
        H2_CHECK(strstr(T.conn_err_reason, why) != NULL);
    }
}

static size_t data_frames(uint32_t sid, size_t *bytes, size_t *maxlen, int *es)
{
    size_t i, n = 0;
    *bytes = 0;
    *maxlen = 0;
    *es = 0;
    for (i = 0; i < T.nf; i++) {
        if (T.f[i].type == H2_FT_DATA && T.f[i].sid == sid) {
            n++;
            *bytes += T.f[i].length;
            if (T.f[i].length > *maxlen) *maxlen = T.f[i].length;
            if (T.f[i].flags & H2_FLAG_END_STREAM) *es = 1;
        }
    }
    return n;
}

/* ------------------------------------------------------------------------------------- */
/* Request / response */

H2_TEST(session_full_request_response_zero_copy)
{
    static char body[50000];
    size_t i, bytes, maxlen;
    int es;
    long h;
    h2_setting s = { H2_SET_INITIAL_WINDOW_SIZE, 1 << 20 };
    for (i = 0; i < sizeof(body); i++) body[i] = (char)('a' + i % 26);
    setup(NULL);
    tc_start_with(&T, &s, 1);
    tc_wu(&T, 0, 1 << 20);
    tc_get(&T, 1);
    tc_feed(&T);
    H2_CHECK_EQ(T.n_req, 1);
    H2_CHECK_EQ(T.n_req_end, 1);
    H2_CHECK_EQ(h2_session_open_streams(T.s), 1);
    tc_body(&T, 1, body, sizeof(body), 1);
    H2_CHECK_EQ(h2_session_submit_response(T.s, 1, 200, NULL, 0, 0), H2_SESS_OK);
    H2_CHECK(h2_session_want_write(T.s));
    tc_pump(&T);
    h = tc_find(&T, H2_FT_HEADERS, 1);
    H2_CHECK(h >= 0 && T.f[h].status == 200);
    H2_CHECK_EQ(data_frames(1, &bytes, &maxlen, &es), 4);
    H2_CHECK_EQ(bytes, sizeof(body));
    H2_CHECK_EQ(maxlen, 16384);
    H2_CHECK(es);
    H2_CHECK_EQ(tc_src_of(&T, 1)->off, sizeof(body));   /* every byte came from the source */
    H2_CHECK_EQ(T.n_closed, 1);
    H2_CHECK_EQ(T.closed[0].code, H2_NO_ERROR);
    H2_CHECK_EQ(h2_session_open_streams(T.s), 0);
    H2_CHECK(!h2_session_want_write(T.s));
    H2_CHECK(!T.out_bad);
    teardown();
}

/* An idle session releases its scratch buffers and free stream records; the next request
 * (same HPACK state) works as before. */
H2_TEST(session_trim_when_idle)
{
    h2_session_stats before, after;
    long h;
    setup(NULL);
    tc_start(&T);
    tc_get(&T, 1);
    tc_feed(&T);
    H2_CHECK_EQ(T.n_req, 1);
    tc_body(&T, 1, "hello", 5, 1);
    H2_CHECK_EQ(h2_session_submit_response(T.s, 1, 200, NULL, 0, 0), H2_SESS_OK);
    tc_pump(&T);
    H2_CHECK_EQ(h2_session_open_streams(T.s), 0);
    h2_session_get_stats(T.s, &before);
    h2_session_trim(T.s);
    h2_session_get_stats(T.s, &after);
    H2_CHECK(after.mem_bytes < before.mem_bytes);
    tc_clear(&T);
    tc_get(&T, 3);
    tc_feed(&T);
    H2_CHECK_EQ(T.n_req, 2);
    tc_body(&T, 3, "again", 5, 1);
    H2_CHECK_EQ(h2_session_submit_response(T.s, 3, 200, NULL, 0, 0), H2_SESS_OK);
    tc_pump(&T);
    h = tc_find(&T, H2_FT_HEADERS, 3);
    H2_CHECK(h >= 0 && T.f[h].status == 200);
    H2_CHECK_EQ(h2_session_open_streams(T.s), 0);
    H2_CHECK(!T.out_bad);
    teardown();
}

H2_TEST(session_streaming_body_deferred_and_resumed)
{
    static char body[300];
    size_t bytes, maxlen;
    int es;
    setup_started(NULL);
    tc_get(&T, 1);
    tc_feed(&T);
    tc_body(&T, 1, body, sizeof(body), 1);
    tc_src_of(&T, 1)->ready = 0;
    h2_session_submit_response(T.s, 1, 200, NULL, 0, 0);
    tc_pump(&T);
    H2_CHECK_EQ(T.data_bytes, 0);
    H2_CHECK(!h2_session_want_write(T.s));   /* deferred */
    tc_src_of(&T, 1)->ready = 100;
    tc_pump(&T);
    H2_CHECK_EQ(T.data_bytes, 0);            /* nothing until resumed */
    H2_CHECK_EQ(h2_session_resume_data(T.s, 1), H2_SESS_OK);
    tc_pump(&T);
    H2_CHECK_EQ(T.data_bytes, 100);
    H2_CHECK_EQ(h2_session_stream_state(T.s, 1), H2_SS_HALF_CLOSED_REMOTE);
    tc_src_of(&T, 1)->ready = 200;
    h2_session_resume_data(T.s, 1);
    tc_pump(&T);
    H2_CHECK_EQ(T.data_bytes, 300);
    data_frames(1, &bytes, &maxlen, &es);
    H2_CHECK(es);
    H2_CHECK_EQ(h2_session_stream_state(T.s, 1), H2_SS_CLOSED);
    teardown();
}

H2_TEST(session_trailers_after_body)
{
    h2_nv tr[1] = { TC_NV("X-Checksum", "1234") };
    long d, h;
    setup_started(NULL);
    tc_get(&T, 1);
    tc_feed(&T);
    tc_body(&T, 1, "hello", 5, 1);
    H2_CHECK_EQ(h2_session_submit_trailers(T.s, 1, tr, 1), H2_SESS_ERR_STATE); /* no response */
    h2_session_submit_response(T.s, 1, 200, NULL, 0, 0);
    H2_CHECK_EQ(h2_session_submit_trailers(T.s, 1, tr, 1), H2_SESS_OK);
    tc_pump(&T);
    d = tc_find(&T, H2_FT_DATA, 1);
    H2_CHECK(d >= 0 && !(T.f[d].flags & H2_FLAG_END_STREAM));
    h = (long)T.nf - 1;
    H2_CHECK(T.f[h].type == H2_FT_HEADERS && (T.f[h].flags & H2_FLAG_END_STREAM) &&
             T.f[h].n_fields == 1 && T.f[h].status == 0);
    H2_CHECK_EQ(h2_session_stream_state(T.s, 1), H2_SS_CLOSED);
    teardown();
}

H2_TEST(session_trailers_with_empty_body)
{
    h2_nv tr[1] = { TC_NV("grpc-status", "0") };
    setup_started(NULL);
    tc_get(&T, 1);
    tc_feed(&T);
    tc_body(&T, 1, "", 0, 1);
    h2_session_submit_response(T.s, 1, 200, NULL, 0, 0);
    h2_session_submit_trailers(T.s, 1, tr, 1);
    tc_pump(&T);
    H2_CHECK_EQ(tc_count(&T, H2_FT_DATA), 0);
    H2_CHECK_EQ(tc_count(&T, H2_FT_HEADERS), 2);
    H2_CHECK(T.f[T.nf - 1].flags & H2_FLAG_END_STREAM);
    teardown();
}

H2_TEST(session_empty_body_end_of_stream)
{
    long d;
    setup_started(NULL);
    tc_get(&T, 1);
    tc_feed(&T);
    tc_body(&T, 1, "", 0, 1);
    h2_session_submit_response(T.s, 1, 200, NULL, 0, 0);
    tc_pump(&T);
    d = tc_find(&T, H2_FT_DATA, 1);
    H2_CHECK(d >= 0 && T.f[d].length == 0 && (T.f[d].flags & H2_FLAG_END_STREAM));
    H2_CHECK_EQ(T.n_closed, 1);
    teardown();
}

H2_TEST(session_data_source_failure_resets_stream)
{
    const tc_frame *r;
    setup_started(NULL);
    tc_get(&T, 1);
    tc_feed(&T);
    tc_body(&T, 1, "x", 1, 1);
    tc_src_of(&T, 1)->fail = 1;
    h2_session_submit_response(T.s, 1, 200, NULL, 0, 0);
    tc_pump(&T);
    r = tc_rst(&T, 1);
    H2_CHECK(r && r->error_code == H2_INTERNAL_ERROR);
    H2_CHECK_EQ(T.n_closed, 1);
    H2_CHECK_EQ(T.closed[0].code, H2_INTERNAL_ERROR);
    teardown();
}

H2_TEST(session_send_callback_failure_is_fatal)
{
    size_t n;
    setup(NULL);
    T.send_fail = 1;
    H2_CHECK_EQ(h2_session_send(T.s, 0, &n), H2_SESS_ERR_CALLBACK);
    H2_CHECK(h2_session_is_done(T.s));
    teardown();
}

H2_TEST(session_respond_inside_callbacks)
{
    setup_started(NULL);
    T.auto_respond = 1;
    T.auto_body = "inline";
    tc_get(&T, 1);
    tc_request(&T, 3, "POST", "/", 0);
    tc_data(&T, 3, "abc", 3, 1);
    tc_feed(&T);
    tc_pump(&T);
    H2_CHECK_EQ(T.n_req, 2);
    H2_CHECK_EQ(T.n_req_end, 2);   /* also for the stream completed inside on_request */
    H2_CHECK_EQ(T.data_bytes, 12);
    H2_CHECK_EQ(T.n_closed, 2);
    teardown();
}

H2_TEST(session_stream_user_data)
{
    static int tag;
    setup_started(NULL);
    tc_request(&T, 1, "POST", "/", 0);
    tc_feed(&T);
    H2_CHECK_EQ(h2_session_set_stream_data(T.s, 1, &tag), H2_SESS_OK);
    H2_CHECK(h2_session_get_stream_data(T.s, 1) == &tag);
    H2_CHECK(h2_session_get_stream_data(T.s, 3) == NULL);
    H2_CHECK_EQ(h2_session_set_stream_data(T.s, 3, &tag), H2_SESS_ERR_STATE);
    teardown();
}

H2_TEST(session_submit_on_unknown_stream)
{
    setup_started(NULL);
    H2_CHECK_EQ(h2_session_submit_response(T.s, 1, 200, NULL, 0, 1), H2_SESS_ERR_STATE);
    H2_CHECK_EQ(h2_session_submit_rst(T.s, 1, H2_CANCEL), H2_SESS_ERR_STATE);
    H2_CHECK_EQ(h2_session_resume_data(T.s, 1), H2_SESS_ERR_STATE);
    H2_CHECK_EQ(h2_session_submit_response(T.s, 1, 99, NULL, 0, 1), H2_SESS_ERR_ARG);
    teardown();
}

H2_TEST(session_close_callback_only_for_known_streams)
{
    h2_nv bad[3] = { TC_NV(":method", "GET"), TC_NV(":path", "/"), TC_NV("X", "1") };
    h2_session_config c;
    h2_session_config_init(&c);
    c.max_concurrent_streams = 1;
    setup_started(&c);
    tc_request(&T, 1, "POST", "/", 0);
    tc_headers_nv(&T, 3, bad, 3, 1);    /* refused (limit) */
    tc_feed(&T);
    H2_CHECK_EQ(T.n_closed, 0);
    h2_session_submit_rst(T.s, 1, H2_CANCEL);
    H2_CHECK_EQ(T.n_closed, 0);         /* never from within a submit call */
    tc_pump(&T);
    H2_CHECK_EQ(T.n_closed, 1);
    teardown();
}

/* A new session whose stream 1, a GET, is answered with 200 and len bytes of body; with
 * client settings (ns > 0) the connection window is opened to 1 MB as well. */
static void start_response(const h2_setting *s, size_t ns, const char *body, size_t len)
{
    setup(NULL);
    tc_start_with(&T, s, ns);
    if (ns) tc_wu(&T, 0, 1 << 20);
    tc_get(&T, 1);
    tc_feed(&T);
    tc_body(&T, 1, body, len, 1);
    h2_session_submit_response(T.s, 1, 200, NULL, 0, 0);
}

/* calls sends of at most bound octets each (DATA frames cut to the bound, not below 4 KB
 * of payload), then the rest of the body goes out */
static void check_bounded_sends(const h2_setting *s, size_t ns, size_t body_len,
                                size_t bound, int calls)
{
    static char body[300000];
    size_t produced = 0;
    int i;
    start_response(s, ns, body, body_len);
    for (i = 0; i < calls; ++i) {
        h2_session_send(T.s, bound, &produced);
        H2_CHECK(produced <= bound && produced > bound - (4096 + 9));
    }
    H2_CHECK(h2_session_want_write(T.s));
    tc_pump(&T);
    H2_CHECK_EQ(T.data_bytes, body_len);
    teardown();
}

H2_TEST(session_send_batches_by_max_bytes)
{
    h2_setting s = { H2_SET_INITIAL_WINDOW_SIZE, 1 << 20 };
    check_bounded_sends(&s, 1, 100000, 20000, 1);
}

/* A client's large MAX_FRAME_SIZE does not take a call above its bound: the glue's bound
 * keeps the core output filter from blocking on a socket that takes nothing. */
H2_TEST(session_send_bound_holds_with_large_frames)
{
    h2_setting s[2] = { { H2_SET_INITIAL_WINDOW_SIZE, 1 << 20 },
                        { H2_SET_MAX_FRAME_SIZE, (1 << 24) - 1 } };
    check_bounded_sends(s, 2, 300000, 65000, 2);
}

/* A bound below the 4 KB cut still sends: the first DATA frame of a call fits the bound. */
H2_TEST(session_send_small_bound_progresses)
{
    static char body[5000];
    size_t produced = 0;
    int calls = 0;
    start_response(NULL, 0, body, sizeof(body));
    h2_session_send(T.s, 1000, &produced);   /* HEADERS, then nothing: 4 KB cut */
    H2_CHECK(produced > 0 && produced < 1000);
    while (h2_session_want_write(T.s) && calls++ < 20) {
        h2_session_send(T.s, 1000, &produced);
        H2_CHECK(produced > 0 && produced <= 1000);
    }
    H2_CHECK(!h2_session_want_write(T.s));
    tc_pump(&T);
    H2_CHECK_EQ(T.data_bytes, sizeof(body));
    teardown();
}

/* Built frames are bounded per call too (issue 17 row 4): response HEADERS of bodiless
 * responses (HEAD, 304) pile up while the client reads nothing; one call must not hand all
 * of them over at once (the glue's bound keeps the core's output filter from blocking). */
H2_TEST(session_send_bound_holds_for_built_frames)
{
    size_t produced = 0, total = 0;
    uint32_t sid;
    int calls = 0;
    setup_started(NULL);
    for (sid = 1; sid < 2 * 90; sid += 2) {
        static const char v[] = "a header value that is never indexed, 0123456789abcdefghijklmnop";
        h2_nv hdr[1];
        hdr[0].name = (const uint8_t *)"x-filler";
        hdr[0].name_len = 8;
        hdr[0].value = (const uint8_t *)v;
        hdr[0].value_len = sizeof(v) - 1;
        hdr[0].flags = H2_NV_NO_INDEX;
        tc_request(&T, sid, "HEAD", "/", 1);
        tc_feed(&T);
        H2_CHECK_EQ(h2_session_submit_response(T.s, sid, 200, hdr, 1, 1), H2_SESS_OK);
    }
    while (h2_session_want_write(T.s) && calls++ < 1000) {
        h2_session_send(T.s, 1000, &produced);
        H2_CHECK(produced > 0 && produced <= 1000);
        total += produced;
    }
    H2_CHECK(!h2_session_want_write(T.s));
    H2_CHECK(calls > 2 && total > 3000);
    tc_pump(&T);
    teardown();
}

/* ------------------------------------------------------------------------------------- */
/* Flow control */

H2_TEST(session_flow_control_stall_and_resume)
{
    static char body[70000];
    h2_setting s = { H2_SET_INITIAL_WINDOW_SIZE, 0 };
    setup(NULL);
    tc_start_with(&T, &s, 1);
    tc_get(&T, 1);
    tc_feed(&T);
    tc_body(&T, 1, body, sizeof(body), 1);
    h2_session_submit_response(T.s, 1, 200, NULL, 0, 0);
    tc_pump(&T);
    H2_CHECK_EQ(T.data_bytes, 0);
    H2_CHECK(!h2_session_want_write(T.s));
    tc_wu(&T, 1, 100000);   /* the stream may now, the connection only 65535 */
    tc_feed(&T);
    tc_pump(&T);
    H2_CHECK_EQ(T.data_bytes, 65535);
    H2_CHECK(!h2_session_want_write(T.s));
    tc_wu(&T, 0, 10000);
    tc_feed(&T);
    tc_pump(&T);
    H2_CHECK_EQ(T.data_bytes, 70000);
    teardown();
}

H2_TEST(session_window_grows_for_fast_upload)
{
    static char d[16384];
    int i;
    uint64_t granted = 0, max_inc = 0;
    size_t k;
    h2_session_config c;
    h2_session_stats st;
    h2_session_config_init(&c);
    c.stream_buffer_max = 1 << 20;
    setup_started(&c);
    T.auto_consume = 1;
    tc_request(&T, 1, "POST", "/up", 0);
    tc_feed(&T);
    /* the client sends whatever the windows allow, the application consumes at once */
    {
        int64_t win = 65535;
        for (i = 0; i < 400; i++) {
            size_t n = win < (int64_t)sizeof(d) ? (size_t)win : sizeof(d);
            if (n == 0) {
                break;
            }
            tc_data(&T, 1, d, n, 0);
            tc_feed(&T);
            win -= (int64_t)n;
            tc_pump(&T);
            for (k = 0; k < T.nf; k++) {
                if (T.f[k].type == H2_FT_WINDOW_UPDATE && T.f[k].sid == 1) {
                    win += T.f[k].increment;
                    granted += T.f[k].increment;
                    if (T.f[k].increment > max_inc) max_inc = T.f[k].increment;
                }
            }
            tc_clear(&T);
            H2_CHECK(win <= (int64_t)c.stream_buffer_max);
        }
    }
    H2_CHECK(T.body_total > 4u * 1024 * 1024);
    H2_CHECK(granted > T.body_total - 65535);
    H2_CHECK(max_inc > 65535);   /* the window grew */
    h2_session_get_stats(T.s, &st);
    H2_CHECK(st.conn_recv_unconsumed == 0);
    H2_CHECK_EQ(T.n_stream_err, 0);
    teardown();
}

H2_TEST(session_upload_without_consume_is_bounded)
{
    static char d[16384];
    int i;
    h2_session_stats st;
    setup_started(NULL);
    tc_request(&T, 1, "POST", "/", 0);
    for (i = 0; i < 3; i++) tc_data(&T, 1, d, sizeof(d), 0);
    tc_data(&T, 1, d, 65535 - 3 * sizeof(d), 0);
    tc_feed(&T);
    tc_pump(&T);
    H2_CHECK_EQ(tc_count(&T, H2_FT_WINDOW_UPDATE), 0);
    h2_session_get_stats(T.s, &st);
    H2_CHECK_EQ(st.conn_recv_unconsumed, 65535);
    /* one more byte exceeds the stream window */
    tc_data(&T, 1, d, 1, 0);
    tc_feed(&T);
    tc_pump(&T);
    H2_CHECK(tc_rst(&T, 1) && tc_rst(&T, 1)->error_code == H2_FLOW_CONTROL_ERROR);
    h2_session_get_stats(T.s, &st);
    H2_CHECK_EQ(st.conn_recv_unconsumed, 0);   /* released with the stream */
    teardown();
}

H2_TEST(session_consume_after_close_credits_connection)
{
    static char d[1000];
    h2_session_stats st;
    setup_started(NULL);
    tc_request(&T, 1, "POST", "/", 0);
    tc_data(&T, 1, d, sizeof(d), 0);
    tc_rst_frame(&T, 1, H2_CANCEL);
    tc_feed(&T);
    h2_session_get_stats(T.s, &st);
    H2_CHECK_EQ(st.conn_recv_unconsumed, 0);
    H2_CHECK_EQ(h2_session_consume(T.s, 1, sizeof(d)), H2_SESS_OK);   /* ignored */
    h2_session_get_stats(T.s, &st);
    H2_CHECK_EQ(st.conn_recv_unconsumed, 0);
    teardown();
}

H2_TEST(session_small_receive_window_config)
{
    static char d[5000];
    h2_session_config c;
    h2_session_config_init(&c);
    c.initial_window_size = 4096;
    c.stream_buffer_max = 4096;
    setup_started(&c);
    T.auto_consume = 1;
    tc_request(&T, 1, "POST", "/", 0);
    tc_data(&T, 1, d, 4096, 0);
    tc_feed(&T);
    tc_pump(&T);
    H2_CHECK(tc_find(&T, H2_FT_WINDOW_UPDATE, 1) >= 0);
    H2_CHECK(T.f[tc_find(&T, H2_FT_WINDOW_UPDATE, 1)].increment == 4096);
    teardown();
}

/* ------------------------------------------------------------------------------------- */
/* Budgets */

H2_TEST(session_budget_rapid_reset)
{
    h2_session_config c;
    int i;
    h2_session_config_init(&c);
    c.max_resets = 10;
    setup_started(&c);
    for (i = 0; i < 11; i++) {
        tc_get(&T, (uint32_t)(1 + 2 * i));
        tc_rst_frame(&T, (uint32_t)(1 + 2 * i), H2_CANCEL);
    }
    expect_calm("reset");
    teardown();
}

H2_TEST(session_budget_rapid_reset_per_interval)
{
    h2_session_config c;
    int i;
    h2_session_config_init(&c);
    c.max_resets = 10;
    setup_started(&c);
    for (i = 0; i < 30; i++) {
        T.now = (uint64_t)(i / 5) * 1000;   /* 5 per second */
        tc_get(&T, (uint32_t)(1 + 2 * i));
        tc_rst_frame(&T, (uint32_t)(1 + 2 * i), H2_CANCEL);
        tc_feed(&T);
    }
    tc_pump(&T);
    H2_CHECK(tc_goaway(&T) == NULL);
    H2_CHECK_EQ(T.n_req, 30);
    teardown();
}

H2_TEST(session_budget_ping_flood_not_reading)
{
    h2_session_config c;
    int i;
    h2_session_config_init(&c);
    c.max_pings = 0;
    c.max_control_queued = 50;
    setup_started(&c);
    for (i = 0; i < 60; i++) {
        tc_ping(&T, "floodxxx", 0);
    }
    tc_feed(&T);   /* no h2_session_send in between: the client does not read */
    tc_pump(&T);
    H2_CHECK(last_goaway() && last_goaway()->error_code == H2_ENHANCE_YOUR_CALM);
    H2_CHECK(T.conn_err_reason && strstr(T.conn_err_reason, "queued"));
    /* a client that reads may ping as much as it likes */
    teardown();
    setup_started(&c);
    for (i = 0; i < 200; i++) {
        tc_ping(&T, "floodxxx", 0);
        tc_feed(&T);
        tc_pump(&T);
        tc_clear(&T);
    }
    H2_CHECK_EQ(T.n_conn_err, 0);
    teardown();
}

H2_TEST(session_budget_ping_rate)
{
    h2_session_config c;
    int i;
    h2_session_config_init(&c);
    c.max_pings = 10;
    setup_started(&c);
    for (i = 0; i < 11; i++) {
        tc_ping(&T, "12345678", 0);
    }
    expect_calm("PING");
    teardown();
}

H2_TEST(session_budget_settings_flood)
{
    h2_session_config c;
    int i;
    h2_session_config_init(&c);
    c.max_settings = 5;
    setup_started(&c);   /* the first SETTINGS counts */
    for (i = 0; i < 5; i++) {
        tc_settings(&T, NULL, 0);
    }
    expect_calm("SETTINGS");
    teardown();
}

H2_TEST(session_budget_empty_data_frames)
{
    h2_session_config c;
    int i;
    h2_session_config_init(&c);
    c.max_empty_frames = 20;
    setup_started(&c);
    tc_request(&T, 1, "POST", "/", 0);
    for (i = 0; i < 21; i++) {
        tc_data(&T, 1, "", 0, 0);
    }
    expect_calm("empty");
    teardown();
}

H2_TEST(session_budget_empty_continuations)
{
    h2_session_config c;
    int i;
    h2_session_config_init(&c);
    c.max_empty_frames = 10;
    c.max_continuations = 0;   /* unlimited count: the empty budget catches it */
    setup_started(&c);
    h2_frame_put_hdr(&T.in, 1, H2_FT_HEADERS, 0, 1);
    h2_buf_append_byte(&T.in, 0x82);
    for (i = 0; i < 11; i++) {
        h2_frame_put_hdr(&T.in, 0, H2_FT_CONTINUATION, 0, 1);
    }
    expect_calm("empty");
    teardown();
}

H2_TEST(session_budget_continuation_count)
{
    h2_session_config c;
    int i;
    h2_session_config_init(&c);
    c.max_continuations = 4;
    setup_started(&c);
    h2_frame_put_hdr(&T.in, 1, H2_FT_HEADERS, 0, 1);
    h2_buf_append_byte(&T.in, 0x82);
    for (i = 0; i < 5; i++) {
        h2_frame_put_hdr(&T.in, 1, H2_FT_CONTINUATION, 0, 1);
        h2_buf_append_byte(&T.in, 0x86);
    }
    expect_calm("CONTINUATION");
    teardown();
}

H2_TEST(session_budget_continuation_bytes)
{
    h2_session_config c;
    static uint8_t junk[16384];
    int i;
    h2_session_config_init(&c);
    c.max_header_block_bytes = 40000;
    c.max_continuations = 100;
    setup_started(&c);
    /* literals without indexing (name "x", 120-octet value), frame after frame */
    for (i = 0; i + 123 <= (int)sizeof(junk); i += 123) {
        junk[i] = 0x00; junk[i + 1] = 0x01; junk[i + 2] = 'x'; junk[i + 3] = 119;
        memset(junk + i + 4, 'v', 119);
    }
    h2_frame_put_hdr(&T.in, 123 * 133, H2_FT_HEADERS, 0, 1);
    h2_buf_append(&T.in, junk, 123 * 133);
    for (i = 0; i < 3; i++) {
        h2_frame_put_hdr(&T.in, 123 * 133, H2_FT_CONTINUATION, 0, 1);
        h2_buf_append(&T.in, junk, 123 * 133);
    }
    expect_calm("header block");
    teardown();
}

H2_TEST(session_budget_glitches)
{
    h2_session_config c;
    h2_nv bad[3] = { TC_NV(":method", "GET"), TC_NV(":path", "/"), TC_NV("X", "1") };
    int i;
    h2_session_config_init(&c);
    c.max_glitches = 10;
    setup_started(&c);
    for (i = 0; i < 11; i++) {
        tc_headers_nv(&T, (uint32_t)(1 + 2 * i), bad, 3, 1);
    }
    expect_calm("glitch");
    H2_CHECK_EQ(T.n_stream_err, 11);
    teardown();
}

H2_TEST(session_budget_glitches_window_update_zero)
{
    /* MadeYouReset: provoke server resets with WINDOW_UPDATE 0 on streams */
    h2_session_config c;
    int i;
    h2_session_config_init(&c);
    c.max_glitches = 5;
    setup_started(&c);
    for (i = 0; i < 6; i++) {
        tc_get(&T, (uint32_t)(1 + 2 * i));
        tc_wu(&T, (uint32_t)(1 + 2 * i), 0);
    }
    expect_calm("glitch");
    teardown();
}

H2_TEST(session_max_requests_goaway)
{
    const tc_frame *g;
    h2_session_config c;
    h2_session_config_init(&c);
    c.max_requests = 2;
    setup_started(&c);
    T.auto_respond = 1;
    tc_get(&T, 1);
    tc_get(&T, 3);
    tc_get(&T, 5);
    tc_feed(&T);
    tc_pump(&T);
    g = tc_goaway(&T);
    H2_CHECK(g && g->error_code == H2_NO_ERROR && g->last_sid == 3);
    H2_CHECK_EQ(T.n_req, 2);
    H2_CHECK(h2_session_is_done(T.s));
    teardown();
}

/* ------------------------------------------------------------------------------------- */
/* Connection lifecycle */

H2_TEST(session_upgrade_h2c)
{
    static const char b64[] = "AAQAAAPoAAMAAAAK";   /* INITIAL_WINDOW_SIZE 1000, MAX_CONCURRENT 10 */
    static char body[2000];
    static int tag;
    setup(NULL);
    H2_CHECK_EQ(h2_session_upgrade(T.s, b64, sizeof(b64) - 1, &tag), H2_SESS_OK);
    H2_CHECK_EQ(h2_session_peer_setting(T.s, H2_SET_INITIAL_WINDOW_SIZE), 1000);
    H2_CHECK_EQ(h2_session_peer_setting(T.s, H2_SET_MAX_CONCURRENT_STREAMS), 10);
    H2_CHECK_EQ(h2_session_stream_state(T.s, 1), H2_SS_HALF_CLOSED_REMOTE);
    H2_CHECK(h2_session_get_stream_data(T.s, 1) == &tag);
    H2_CHECK_EQ(h2_session_last_stream_id(T.s), 1);
    H2_CHECK_EQ(h2_session_upgrade(T.s, b64, sizeof(b64) - 1, NULL), H2_SESS_ERR_STATE);
    tc_body(&T, 1, body, sizeof(body), 1);
    H2_CHECK_EQ(h2_session_submit_response(T.s, 1, 200, NULL, 0, 0), H2_SESS_OK);
    tc_pump(&T);
    H2_CHECK_EQ(T.f[0].type, H2_FT_SETTINGS);   /* our SETTINGS go first */
    H2_CHECK_EQ(tc_count(&T, H2_FT_SETTINGS), 1); /* no ACK for HTTP2-Settings */
    H2_CHECK_EQ(T.data_bytes, 1000);             /* the upgrade's window applies */
    /* the client preface is still required */
    tc_preface(&T);
    tc_settings(&T, NULL, 0);
    tc_wu(&T, 1, 5000);
    tc_get(&T, 3);
    tc_feed(&T);
    tc_pump(&T);
    H2_CHECK_EQ(T.rv, H2_SESS_OK);
    H2_CHECK_EQ(T.data_bytes, 2000);
    H2_CHECK_EQ(T.n_req, 1);
    H2_CHECK_EQ(T.req_sid[0], 3);
    teardown();
    /* without the preface: PROTOCOL_ERROR */
    setup(NULL);
    h2_session_upgrade(T.s, b64, sizeof(b64) - 1, NULL);
    tc_get(&T, 3);
    tc_feed(&T);
    tc_pump(&T);
    H2_CHECK(tc_goaway(&T) && tc_goaway(&T)->error_code == H2_PROTOCOL_ERROR);
    teardown();
}

H2_TEST(session_upgrade_invalid_settings)
{
    setup(NULL);
    H2_CHECK_EQ(h2_session_upgrade(T.s, "AAQ", 3, NULL), H2_SESS_ERR_ARG);        /* 2 octets */
    H2_CHECK_EQ(h2_session_upgrade(T.s, "AAI!AAAC", 8, NULL), H2_SESS_ERR_ARG);   /* bad char */
    H2_CHECK_EQ(h2_session_upgrade(T.s, "AAIAAAAC", 8, NULL), H2_SESS_ERR_ARG);   /* push=2 */
    H2_CHECK_EQ(h2_session_upgrade(T.s, "", 0, NULL), H2_SESS_OK);               /* empty ok */
    teardown();
    setup_started(NULL);
    H2_CHECK_EQ(h2_session_upgrade(T.s, "", 0, NULL), H2_SESS_ERR_STATE);
    teardown();
}

/* RFC 7540 §3.2.1: the HTTP2-Settings value checked before the 101 is sent */
H2_TEST(session_settings_payload_check)
{
    char many[(H2_UPGRADE_MAX_SETTINGS + 1) * 8 + 1];
    size_t i;
    H2_CHECK_EQ(h2_settings_payload_check("", 0), 0);                 /* no settings */
    H2_CHECK_EQ(h2_settings_payload_check("AAIAAAAB", 8), 0);         /* ENABLE_PUSH 1 */
    H2_CHECK_EQ(h2_settings_payload_check("AAR_____", 8), 0);         /* window 2^31-1 */
    H2_CHECK_EQ(h2_settings_payload_check("AAUA____", 8), 0);         /* frame 2^24-1 */
    H2_CHECK_EQ(h2_settings_payload_check("AJkAAAAH", 8), 0);         /* unknown id */
    H2_CHECK_EQ(h2_settings_payload_check("AAQ", 3), -1);             /* 2 octets */
    H2_CHECK_EQ(h2_settings_payload_check("AAI!AAAC", 8), -1);        /* bad char */
    H2_CHECK_EQ(h2_settings_payload_check("A", 1), -1);               /* not base64 */
    H2_CHECK_EQ(h2_settings_payload_check("AAIAAAAC", 8), -1);        /* push=2 */
    H2_CHECK_EQ(h2_settings_payload_check("AASAAAAA", 8), -1);        /* window 2^31 */
    H2_CHECK_EQ(h2_settings_payload_check("AAUAAD__", 8), -1);        /* frame 16383 */
    /* 6 octets are 8 base64url characters: H2_UPGRADE_MAX_SETTINGS pass, one more not */
    for (i = 0; i < H2_UPGRADE_MAX_SETTINGS + 1; ++i) memcpy(many + 8 * i, "AJkAAAAH", 8);
    H2_CHECK_EQ(h2_settings_payload_check(many, 8 * H2_UPGRADE_MAX_SETTINGS), 0);
    H2_CHECK_EQ(h2_settings_payload_check(many, 8 * (H2_UPGRADE_MAX_SETTINGS + 1)), -1);
    /* the check agrees with the session */
    setup(NULL);
    H2_CHECK_EQ(h2_session_upgrade(T.s, "AASAAAAA", 8, NULL), H2_SESS_ERR_ARG);
    teardown();
}

H2_TEST(session_graceful_goaway_lifecycle)
{
    setup_started(NULL);
    tc_request(&T, 1, "POST", "/", 0);
    tc_feed(&T);
    H2_CHECK(h2_session_want_read(T.s));
    h2_session_submit_goaway(T.s, 0, H2_NO_ERROR, "bye");
    tc_pump(&T);
    H2_CHECK(tc_goaway(&T) && strcmp(tc_goaway(&T)->debug, "bye") == 0);
    H2_CHECK(!h2_session_is_done(T.s));
    H2_CHECK(h2_session_want_read(T.s));   /* the request body may still come */
    tc_data(&T, 1, "x", 1, 1);
    tc_feed(&T);
    H2_CHECK_EQ(T.n_req_end, 1);
    h2_session_submit_response(T.s, 1, 204, NULL, 0, 1);
    H2_CHECK(!h2_session_is_done(T.s));    /* HEADERS not yet sent */
    tc_pump(&T);
    H2_CHECK(h2_session_is_done(T.s));
    H2_CHECK(!h2_session_want_read(T.s));
    teardown();
}

H2_TEST(session_goaway_with_error_code)
{
    setup_started(NULL);
    tc_request(&T, 1, "POST", "/", 0);
    tc_feed(&T);
    H2_CHECK_EQ(h2_session_submit_goaway(T.s, 0, H2_INTERNAL_ERROR, "fatal"), H2_SESS_OK);
    tc_pump(&T);
    H2_CHECK(tc_goaway(&T) && tc_goaway(&T)->error_code == H2_INTERNAL_ERROR &&
             tc_goaway(&T)->last_sid == 1);
    H2_CHECK_EQ(T.n_closed, 1);
    H2_CHECK(h2_session_is_done(T.s));
    H2_CHECK_EQ(T.n_conn_err, 0);   /* local: not reported as an error of the peer */
    teardown();
}

H2_TEST(session_peer_goaway_with_error_closes)
{
    setup_started(NULL);
    tc_request(&T, 1, "POST", "/", 0);
    h2_frame_put_goaway(&T.in, 0, H2_PROTOCOL_ERROR, (const uint8_t *)"x", 1);
    tc_feed(&T);
    H2_CHECK_EQ(T.rv, H2_SESS_ERR_CONN);
    H2_CHECK_EQ(T.n_closed, 1);
    H2_CHECK_EQ(T.closed[0].by_peer, 1);
    H2_CHECK_EQ(T.closed[0].code, H2_PROTOCOL_ERROR);
    tc_pump(&T);
    H2_CHECK(h2_session_is_done(T.s));
    teardown();
}

H2_TEST(session_conn_error_closes_all_streams)
{
    setup_started(NULL);
    tc_request(&T, 1, "POST", "/", 0);
    tc_request(&T, 3, "POST", "/", 0);
    tc_data(&T, 0, "x", 1, 0);
    tc_feed(&T);
    H2_CHECK_EQ(T.n_closed, 2);
    H2_CHECK_EQ(T.closed[0].code, H2_PROTOCOL_ERROR);
    H2_CHECK_EQ(h2_session_open_streams(T.s), 0);
    teardown();
}

H2_TEST(session_ping_submitted_and_ack_consumed)
{
    setup_started(NULL);
    H2_CHECK_EQ(h2_session_submit_ping(T.s, (const uint8_t *)"rttprobe"), H2_SESS_OK);
    tc_pump(&T);
    H2_CHECK(tc_find(&T, H2_FT_PING, 0) >= 0);
    tc_clear(&T);
    tc_ping(&T, "rttprobe", 1);
    tc_feed(&T);
    tc_pump(&T);
    H2_CHECK_EQ(T.nf, 0);
    teardown();
}

H2_TEST(session_bookkeeping_bounded)
{
    h2_session_config c;
    h2_session_stats st, st2;
    int i;
    h2_session_config_init(&c);
    c.max_resets = 0;
    c.max_closed_streams = 16;
    c.max_pending_priorities = 8;
    setup_started(&c);
    T.auto_respond = 1;
    T.auto_body = "ok";
    for (i = 0; i < 2000; i++) {
        uint32_t sid = (uint32_t)(1 + 2 * i);
        uint8_t pu[16];
        h2_put_u32(pu, sid + 200);
        memcpy(pu + 4, "u=1", 3);
        tc_raw(&T, H2_FT_PRIORITY_UPDATE, 0, 0, pu, 7);
        if (i % 2) {
            tc_request(&T, sid, "POST", "/", 0);
            tc_rst_frame(&T, sid, H2_CANCEL);
        } else {
            tc_get(&T, sid);
        }
        T.now += 10;
        tc_feed(&T);
        tc_pump(&T);
        tc_clear(&T);
        if (i == 999) {
            h2_session_get_stats(T.s, &st);
        }
    }
    h2_session_get_stats(T.s, &st2);
    H2_CHECK_EQ(T.rv, H2_SESS_OK);
    H2_CHECK_EQ(T.n_req, 2000);
    H2_CHECK_EQ(st2.streams_in_table, 0);
    H2_CHECK(st2.closed_records <= 16);
    H2_CHECK(st2.pending_priorities <= 8);
    H2_CHECK_EQ(st2.mem_bytes, st.mem_bytes);   /* steady state: no growth */
    teardown();
}

H2_TEST(session_stats_and_queries)
{
    h2_session_stats st;
    setup_started(NULL);
    tc_request(&T, 1, "POST", "/", 0);
    tc_get(&T, 3);
    tc_feed(&T);
    h2_session_get_stats(T.s, &st);
    H2_CHECK_EQ(st.streams_active, 2);
    H2_CHECK_EQ(st.requests, 2);
    H2_CHECK_EQ(st.last_client_stream, 3);
    H2_CHECK_EQ(h2_session_last_stream_id(T.s), 3);
    H2_CHECK_EQ(st.conn_send_window, 65535);
    H2_CHECK(st.mem_bytes > 0);
    H2_CHECK(strcmp(h2_stream_state_name(H2_SS_OPEN), "open") == 0);
    teardown();
}

H2_TEST(session_stream_reset_during_trailer_block)
{
    h2_buf b;
    h2_nv tr[1] = { TC_NV("x-trailer", "value") };
    uint32_t sid;
    setup_started(NULL);
    /* fill the engine's stream freelist so that the next freed stream is really freed */
    for (sid = 1; sid <= 79; sid += 2) {
        tc_request(&T, sid, "POST", "/", 0);
    }
    tc_feed(&T);
    for (sid = 1; sid <= 77; sid += 2) {
        h2_session_submit_rst(T.s, sid, H2_CANCEL);
    }
    tc_pump(&T);
    h2_buf_init(&b);
    tc_block(&T, tr, 1, &b);
    h2_frame_put_hdr(&T.in, 2, H2_FT_HEADERS, H2_FLAG_END_STREAM, 79);
    h2_buf_append(&T.in, b.data, 2);
    tc_feed(&T);
    h2_session_submit_rst(T.s, 79, H2_CANCEL);  /* the glue gives up meanwhile */
    tc_pump(&T);                                /* frees the stream */
    h2_frame_put_hdr(&T.in, (uint32_t)(b.len - 2), H2_FT_CONTINUATION, H2_FLAG_END_HEADERS, 79);
    h2_buf_append(&T.in, b.data + 2, b.len - 2);
    h2_buf_free(&b);
    tc_feed(&T);
    tc_pump(&T);
    H2_CHECK_EQ(T.rv, H2_SESS_OK);
    H2_CHECK_EQ(T.n_req_end, 0);
    H2_CHECK(tc_goaway(&T) == NULL);
    teardown();
}

H2_TEST(session_final_goaway_during_header_block)
{
    setup_started(NULL);
    T.now = 0;
    tc_get(&T, 1);
    tc_feed(&T);
    h2_session_submit_goaway(T.s, 1, H2_NO_ERROR, NULL);
    tc_pump(&T);
    tc_request_split(&T, 3, 3, 1000, 1);
    {   /* the HEADERS part only */
        size_t first = 9 + 3;
        h2_buf rest;
        h2_buf_init(&rest);
        h2_buf_append(&rest, T.in.data + first, T.in.len - first);
        T.in.len = first;
        tc_feed(&T);
        h2_session_tick(T.s, 5000);   /* graceful timeout: final GOAWAY(last = 1) */
        h2_buf_append(&T.in, rest.data, rest.len);
        h2_buf_free(&rest);
    }
    tc_feed(&T);
    tc_pump(&T);
    H2_CHECK_EQ(T.n_req, 1);
    H2_CHECK(last_goaway() && last_goaway()->last_sid == 1);
    H2_CHECK(tc_goaway(&T) && tc_goaway(&T)->last_sid == 0x7fffffffu);
    teardown();
}

/* ------------------------------------------------------------------------------------- */
/* Scheduler */

static void node(h2_sched_node *n, uint32_t id, uint8_t u, uint8_t inc)
{
    memset(n, 0, sizeof(*n));
    n->id = id;
    n->urgency = u;
    n->incremental = inc;
}

H2_TEST(sched_urgency_first)
{
    h2_sched q;
    h2_sched_node a, b, c;
    h2_sched_init(&q);
    node(&a, 1, 3, 0);
    node(&b, 3, 1, 0);
    node(&c, 5, 7, 0);
    h2_sched_add(&q, &a);
    h2_sched_add(&q, &c);
    h2_sched_add(&q, &b);
    H2_CHECK(h2_sched_next(&q) == &b);
    h2_sched_remove(&q, &b);
    H2_CHECK(h2_sched_next(&q) == &a);
    h2_sched_remove(&q, &a);
    H2_CHECK(h2_sched_next(&q) == &c);
    h2_sched_remove(&q, &c);
    H2_CHECK(h2_sched_next(&q) == NULL);
    H2_CHECK(h2_sched_empty(&q));
}

H2_TEST(sched_non_incremental_in_id_order)
{
    h2_sched q;
    h2_sched_node a, b, c;
    h2_sched_init(&q);
    node(&a, 9, 3, 0);
    node(&b, 3, 3, 0);
    node(&c, 5, 3, 0);
    h2_sched_add(&q, &a);
    h2_sched_add(&q, &b);
    h2_sched_add(&q, &c);
    H2_CHECK(h2_sched_next(&q) == &b);
    h2_sched_served(&q, &b);
    H2_CHECK(h2_sched_next(&q) == &b);   /* keeps the turn */
    h2_sched_remove(&q, &b);
    H2_CHECK(h2_sched_next(&q) == &c);
}

H2_TEST(sched_incremental_round_robin)
{
    h2_sched q;
    h2_sched_node a, b, c;
    h2_sched_node *seq[6];
    int i;
    h2_sched_init(&q);
    node(&a, 1, 3, 1);
    node(&b, 3, 3, 1);
    node(&c, 5, 3, 1);
    h2_sched_add(&q, &a);
    h2_sched_add(&q, &b);
    h2_sched_add(&q, &c);
    for (i = 0; i < 6; i++) {
        seq[i] = h2_sched_next(&q);
        h2_sched_served(&q, seq[i]);
    }
    H2_CHECK(seq[0] == &a && seq[1] == &b && seq[2] == &c);
    H2_CHECK(seq[3] == &a && seq[4] == &b && seq[5] == &c);
}

H2_TEST(sched_mixed_groups_alternate)
{
    h2_sched q;
    h2_sched_node s1, i1;
    h2_sched_node *x, *y;
    h2_sched_init(&q);
    node(&s1, 1, 3, 0);
    node(&i1, 3, 3, 1);
    h2_sched_add(&q, &s1);
    h2_sched_add(&q, &i1);
    x = h2_sched_next(&q);
    h2_sched_served(&q, x);
    y = h2_sched_next(&q);
    H2_CHECK(x != y);
}

H2_TEST(sched_reprioritize_moves_node)
{
    h2_sched q;
    h2_sched_node a, b;
    h2_sched_init(&q);
    node(&a, 1, 3, 0);
    node(&b, 3, 3, 0);
    h2_sched_add(&q, &a);
    h2_sched_add(&q, &b);
    h2_sched_set_priority(&q, &b, 0, 0);
    H2_CHECK(h2_sched_next(&q) == &b);
    h2_sched_set_priority(&q, &b, 9, 1);   /* clamped to 7 */
    H2_CHECK_EQ(b.urgency, 7);
    H2_CHECK(h2_sched_next(&q) == &a);
    H2_CHECK_EQ(q.count, 2);
    h2_sched_add(&q, &a);                  /* already queued: no-op */
    H2_CHECK_EQ(q.count, 2);
}

H2_TEST(session_round_robin_between_incremental_streams)
{
    static char body[40000];
    h2_nv inc[5] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                     TC_NV(":authority", "a"), TC_NV(":path", "/"), TC_NV("priority", "i") };
    h2_setting s = { H2_SET_INITIAL_WINDOW_SIZE, 1 << 20 };
    size_t i, n = 0;
    uint32_t order[8];
    setup(NULL);
    tc_start_with(&T, &s, 1);
    tc_wu(&T, 0, 1 << 20);
    tc_headers_nv(&T, 1, inc, 5, 1);
    tc_headers_nv(&T, 3, inc, 5, 1);
    tc_feed(&T);
    tc_body(&T, 1, body, sizeof(body), 1);
    tc_body(&T, 3, body, sizeof(body), 1);
    h2_session_submit_response(T.s, 1, 200, NULL, 0, 0);
    h2_session_submit_response(T.s, 3, 200, NULL, 0, 0);
    tc_pump(&T);
    for (i = 0; i < T.nf && n < 4; i++) {
        if (T.f[i].type == H2_FT_DATA) order[n++] = T.f[i].sid;
    }
    H2_CHECK(n == 4 && order[0] == 1 && order[1] == 3 && order[2] == 1 && order[3] == 3);
    teardown();
}

/* ------------------------------------------------------------------------------------- */
/* Transition table, priority parser, base64url */

H2_TEST(stream_transition_table)
{
    h2_stream_trans t;
    unsigned st;
    t = h2_stream_transition(H2_SS_IDLE, H2_EV_RECV_HEADERS);
    H2_CHECK(t.action == H2_TR_OK && t.next == H2_SS_OPEN);
    t = h2_stream_transition(H2_SS_OPEN, H2_EV_RECV_END_STREAM);
    H2_CHECK(t.action == H2_TR_OK && t.next == H2_SS_HALF_CLOSED_REMOTE);
    t = h2_stream_transition(H2_SS_HALF_CLOSED_REMOTE, H2_EV_SEND_END_STREAM);
    H2_CHECK(t.action == H2_TR_OK && t.next == H2_SS_CLOSED);
    t = h2_stream_transition(H2_SS_HALF_CLOSED_LOCAL, H2_EV_RECV_END_STREAM);
    H2_CHECK(t.action == H2_TR_OK && t.next == H2_SS_CLOSED);
    t = h2_stream_transition(H2_SS_HALF_CLOSED_REMOTE, H2_EV_RECV_DATA);
    H2_CHECK(t.action == H2_TR_STREAM_ERR && t.code == H2_STREAM_CLOSED);
    t = h2_stream_transition(H2_SS_CLOSED, H2_EV_RECV_DATA);
    H2_CHECK(t.action == H2_TR_CONN_ERR && t.code == H2_STREAM_CLOSED);
    t = h2_stream_transition(H2_SS_CLOSED_RST_SENT, H2_EV_RECV_DATA);
    H2_CHECK(t.action == H2_TR_IGNORE);
    t = h2_stream_transition(H2_SS_IDLE, H2_EV_SEND_RST);
    H2_CHECK(t.action == H2_TR_INVALID);
    t = h2_stream_transition(H2_SS_IDLE, H2_EV_SEND_PUSH_PROMISE);
    H2_CHECK(t.action == H2_TR_OK && t.next == H2_SS_RESERVED_LOCAL);
    t = h2_stream_transition(H2_SS_RESERVED_LOCAL, H2_EV_SEND_HEADERS);
    H2_CHECK(t.action == H2_TR_OK && t.next == H2_SS_HALF_CLOSED_REMOTE);
    /* PRIORITY is accepted in every state; nothing may be sent on a closed stream */
    for (st = 0; st < H2_SS_COUNT; st++) {
        t = h2_stream_transition((h2_stream_state)st, H2_EV_RECV_PRIORITY);
        H2_CHECK(t.action == H2_TR_OK && t.next == st);
        if (st == H2_SS_CLOSED || st == H2_SS_CLOSED_RST_SENT) {
            H2_CHECK(h2_stream_transition((h2_stream_state)st, H2_EV_SEND_HEADERS).action == H2_TR_INVALID);
            H2_CHECK(h2_stream_transition((h2_stream_state)st, H2_EV_SEND_RST).action == H2_TR_INVALID);
        }
    }
}

static int prio(const char *s, int *u, int *i)
{
    h2_priority p = { 3, 0 };
    int rc = h2_priority_parse((const uint8_t *)s, strlen(s), &p);
    *u = p.urgency;
    *i = p.incremental;
    return rc;
}

H2_TEST(priority_parse_values)
{
    int u, i;
    H2_CHECK(prio("u=5", &u, &i) == 0 && u == 5 && i == 0);
    H2_CHECK(prio("i", &u, &i) == 0 && u == 3 && i == 1);
    H2_CHECK(prio("i=?0, u=0", &u, &i) == 0 && u == 0 && i == 0);
    H2_CHECK(prio("u=1,i", &u, &i) == 0 && u == 1 && i == 1);
    H2_CHECK(prio("u=9", &u, &i) == 0 && u == 3);            /* out of range: ignored */
    H2_CHECK(prio("u=2.5", &u, &i) == 0 && u == 3);          /* decimal: ignored */
    H2_CHECK(prio("i=1", &u, &i) == 0 && i == 0);            /* not a boolean: ignored */
    H2_CHECK(prio("foo=\"bar\", u=4;x=1, z=(a b)", &u, &i) == 0 && u == 4);
    H2_CHECK(prio("u=4, u=6", &u, &i) == 0 && u == 6);       /* last wins */
    H2_CHECK(prio("", &u, &i) == 0 && u == 3);
    H2_CHECK(prio("u=", &u, &i) == -1 && u == 3);
    H2_CHECK(prio("u=1,", &u, &i) == -1 && u == 3);
    H2_CHECK(prio("U=1", &u, &i) == -1);
    H2_CHECK(prio("u=1 i", &u, &i) == -1);
    H2_CHECK(prio("u=\"unterminated", &u, &i) == -1);
    H2_CHECK(prio("u=-1", &u, &i) == 0 && u == 3);
    H2_CHECK(prio("u=:YWJj:, i=?1", &u, &i) == 0 && i == 1);
}

H2_TEST(base64url_decoding)
{
    uint8_t out[16];
    H2_CHECK_EQ(h2_base64url_decode("AAMAAABk", 8, out, sizeof(out)), 6);
    H2_CHECK(out[1] == 3 && out[5] == 100);
    H2_CHECK_EQ(h2_base64url_decode("_-8", 3, out, sizeof(out)), 2);
    H2_CHECK(out[0] == 0xff && out[1] == 0xef);
    H2_CHECK_EQ(h2_base64url_decode("YQ==", 4, out, sizeof(out)), 1);
    H2_CHECK_EQ(h2_base64url_decode("Y", 1, out, sizeof(out)), -1);
    H2_CHECK_EQ(h2_base64url_decode("a+b/", 4, out, sizeof(out)), -1);
    H2_CHECK_EQ(h2_base64url_decode("AAAAAAAA", 8, out, 5), -1);
}

H2_TEST(field_validation_helpers)
{
    H2_CHECK(h2_field_name_valid((const uint8_t *)"x-ok-1", 6));
    H2_CHECK(!h2_field_name_valid((const uint8_t *)"X", 1));
    H2_CHECK(!h2_field_name_valid((const uint8_t *)"", 0));
    H2_CHECK(!h2_field_name_valid((const uint8_t *)"a\x7f", 2));
    H2_CHECK(h2_field_value_valid((const uint8_t *)"", 0));
    H2_CHECK(h2_field_value_valid((const uint8_t *)"a b", 3));
    H2_CHECK(!h2_field_value_valid((const uint8_t *)"a ", 2));
    H2_CHECK(h2_field_is_connection_specific((const uint8_t *)"upgrade", 7));
    H2_CHECK(!h2_field_is_connection_specific((const uint8_t *)"te", 2));
}

/* ------------------------------------------------------------------------------------- */
/* Server push, discarded request bodies, padding */

static const h2_nv push_get[4] = {
    TC_NV(":method", "GET"), TC_NV(":scheme", "https"), TC_NV(":authority", "example.org"),
    TC_NV(":path", "/app.js")
};

/* h2c Upgrade: HTTP2-Settings are the client's settings, so stream 1 may push before the
 * client preface arrives; with ENABLE_PUSH 0 in HTTP2-Settings it may not. */
H2_TEST(session_push_on_upgrade_stream)
{
    static const char push_on[] = "AAQAAAPo";          /* INITIAL_WINDOW_SIZE 1000 */
    static const char push_off[] = "AAIAAAAA";         /* ENABLE_PUSH 0 */
    uint32_t a = 0;
    setup(NULL);
    H2_CHECK_EQ(h2_session_upgrade(T.s, push_on, sizeof(push_on) - 1, NULL), H2_SESS_OK);
    H2_CHECK(h2_session_push_enabled(T.s));
    H2_CHECK_EQ(h2_session_submit_push_promise(T.s, 1, push_get, 4, NULL, &a), H2_SESS_OK);
    H2_CHECK_EQ(a, 2);
    tc_pump(&T);
    H2_CHECK_EQ(T.f[0].type, H2_FT_SETTINGS);   /* our SETTINGS still go first */
    H2_CHECK(tc_find(&T, H2_FT_PUSH_PROMISE, 1) > 0);
    teardown();
    setup(NULL);
    H2_CHECK_EQ(h2_session_upgrade(T.s, push_off, sizeof(push_off) - 1, NULL), H2_SESS_OK);
    H2_CHECK(!h2_session_push_enabled(T.s));
    H2_CHECK_EQ(h2_session_submit_push_promise(T.s, 1, push_get, 4, NULL, &a), H2_SESS_ERR_REFUSED);
    teardown();
}

H2_TEST(session_push_states_stats_and_user_data)
{
    static int pud;
    uint32_t a = 0;
    h2_session_stats st;
    setup(NULL);
    H2_CHECK(!h2_session_push_enabled(T.s));
    tc_start(&T);
    H2_CHECK(h2_session_push_enabled(T.s));
    tc_get(&T, 1);
    tc_feed(&T);
    H2_CHECK_EQ(h2_session_submit_push_promise(T.s, 1, push_get, 4, &pud, &a), H2_SESS_OK);
    H2_CHECK_EQ(a, 2);
    H2_CHECK(h2_session_get_stream_data(T.s, 2) == &pud);
    h2_session_get_stats(T.s, &st);
    H2_CHECK_EQ(st.streams_pushed, 1);
    H2_CHECK_EQ(st.pushes, 1);
    H2_CHECK_EQ(st.streams_active, 1);       /* reserved does not count */
    H2_CHECK_EQ(h2_session_submit_response(T.s, 2, 200, NULL, 0, 1), H2_SESS_OK);
    H2_CHECK_EQ(h2_session_submit_response(T.s, 1, 200, NULL, 0, 1), H2_SESS_OK);
    tc_pump(&T);
    H2_CHECK_EQ(T.n_closed, 2);
    H2_CHECK_EQ(T.closed[0].sid, 2);
    H2_CHECK_EQ(T.closed[0].code, H2_NO_ERROR);
    h2_session_get_stats(T.s, &st);
    H2_CHECK_EQ(st.streams_pushed, 0);
    H2_CHECK_EQ(st.streams_in_table, 0);
    H2_CHECK(!T.out_bad);
    teardown();
}

H2_TEST(session_push_max_push_streams)
{
    h2_session_config c;
    uint32_t a;
    int i;
    h2_session_config_init(&c);
    c.max_push_streams = 3;
    setup_started(&c);
    tc_get(&T, 1);
    tc_feed(&T);
    for (i = 0; i < 3; i++) {
        H2_CHECK_EQ(h2_session_submit_push_promise(T.s, 1, push_get, 4, NULL, &a), H2_SESS_OK);
    }
    H2_CHECK_EQ(h2_session_submit_push_promise(T.s, 1, push_get, 4, NULL, &a), H2_SESS_ERR_REFUSED);
    H2_CHECK_EQ(h2_session_submit_rst(T.s, 4, H2_CANCEL), H2_SESS_OK);   /* withdrawn */
    H2_CHECK_EQ(h2_session_submit_push_promise(T.s, 1, push_get, 4, NULL, &a), H2_SESS_OK);
    H2_CHECK_EQ(a, 8);
    tc_pump(&T);
    H2_CHECK(tc_rst(&T, 4) && tc_rst(&T, 4)->error_code == H2_CANCEL);
    teardown();
}

/* the pushed stream inherits the parent's priority and is served after the parent, before
 * later client streams of the same urgency */
H2_TEST(session_push_priority_never_starves_parent)
{
    static char b1[20000], b3[20000], bp[20000];
    uint32_t a;
    h2_priority p;
    size_t i;
    long last3 = -1, firstp = -1, first5 = -1;
    setup_started(NULL);
    tc_get(&T, 1);
    tc_get(&T, 3);
    tc_feed(&T);
    h2_session_submit_response(T.s, 1, 200, NULL, 0, 1);   /* stream 1 done */
    p.urgency = 2;
    p.incremental = 0;
    h2_session_set_priority(T.s, 3, &p);
    H2_CHECK_EQ(h2_session_submit_push_promise(T.s, 3, push_get, 4, NULL, &a), H2_SESS_OK);
    H2_CHECK_EQ(h2_session_get_priority(T.s, a, &p), H2_SESS_OK);
    H2_CHECK_EQ(p.urgency, 2);
    tc_body(&T, a, bp, sizeof(bp), 1);
    h2_session_submit_response(T.s, a, 200, NULL, 0, 0);   /* pushed response ready first */
    tc_body(&T, 3, b3, sizeof(b3), 1);
    h2_session_submit_response(T.s, 3, 200, NULL, 0, 0);
    tc_get(&T, 5);
    tc_feed(&T);
    p.urgency = 2;
    h2_session_set_priority(T.s, 5, &p);
    tc_body(&T, 5, b1, sizeof(b1), 1);
    h2_session_submit_response(T.s, 5, 200, NULL, 0, 0);
    tc_pump(&T);
    for (i = 0; i < T.nf; i++) {
        if (T.f[i].type != H2_FT_DATA) continue;
        if (T.f[i].sid == 3) last3 = (long)i;
        if (T.f[i].sid == a && firstp < 0) firstp = (long)i;
        if (T.f[i].sid == 5 && first5 < 0) first5 = (long)i;
    }
    H2_CHECK(last3 >= 0 && firstp > last3);       /* parent first */
    H2_CHECK(first5 >= 0 && first5 > firstp);     /* then the push, then stream 5 */
    teardown();
}

/* a PUSH_PROMISE submitted from within data_available goes out before that DATA */
static int dav_pushed;
static long dav_push(void *ud, uint32_t sid, void *sud, size_t max, int *eos)
{
    tc *t = ud;
    uint32_t a;
    if (sid == 1 && !dav_pushed) {
        dav_pushed = 1;
        h2_session_submit_push_promise(t->s, 1, push_get, 4, NULL, &a);
    }
    return tc_cb_data_available(ud, sid, sud, max, eos);
}

H2_TEST(session_push_from_data_available_precedes_data)
{
    long pp, d;
    setup(NULL);
    h2_session_free(T.s);
    T.cb.data_available = dav_push;
    T.s = h2_session_new(&T.cfg, &T.cb, &T);
    dav_pushed = 0;
    tc_start(&T);
    tc_get(&T, 1);
    tc_feed(&T);
    tc_body(&T, 1, "<html>", 6, 1);
    h2_session_submit_response(T.s, 1, 200, NULL, 0, 0);
    tc_pump(&T);
    pp = tc_find(&T, H2_FT_PUSH_PROMISE, 1);
    d = tc_find(&T, H2_FT_DATA, 1);
    H2_CHECK(pp >= 0 && d > pp);
    H2_CHECK(!T.out_bad);
    teardown();
}

H2_TEST(session_push_reserved_closed_on_connection_error)
{
    uint32_t a;
    setup_started(NULL);
    tc_get(&T, 1);
    tc_feed(&T);
    h2_session_submit_push_promise(T.s, 1, push_get, 4, NULL, &a);
    tc_raw(&T, 0xff, 0, 0, NULL, 0);
    tc_data(&T, 99, "x", 1, 0);                 /* idle: connection error */
    tc_feed(&T);
    tc_pump(&T);
    H2_CHECK_EQ(T.rv, H2_SESS_ERR_CONN);
    H2_CHECK_EQ(T.n_closed, 2);
    H2_CHECK(h2_session_is_done(T.s));
    teardown();
}

H2_TEST(session_discard_body_credits_and_drops)
{
    static char in[10000];
    h2_session_stats st;
    size_t wu_conn = 0, i;
    setup_started(NULL);
    tc_request(&T, 1, "POST", "/", 0);
    tc_data(&T, 1, in, sizeof(in), 0);
    tc_feed(&T);
    H2_CHECK_EQ(T.n_data_cb, 1);
    H2_CHECK_EQ(h2_session_discard_body(T.s, 1), H2_SESS_OK);
    H2_CHECK_EQ(h2_session_discard_body(T.s, 1), H2_SESS_OK);   /* idempotent */
    H2_CHECK_EQ(h2_session_discard_body(T.s, 7), H2_SESS_ERR_STATE);
    h2_session_get_stats(T.s, &st);
    H2_CHECK_EQ(st.conn_recv_unconsumed, 0);
    H2_CHECK_EQ(h2_session_consume(T.s, 1, sizeof(in)), H2_SESS_OK);   /* late: ignored */
    for (i = 0; i < 20; i++) {
        tc_data(&T, 1, in, sizeof(in), 0);
    }
    tc_data(&T, 1, in, sizeof(in), 1);
    tc_feed(&T);
    H2_CHECK_EQ(T.rv, H2_SESS_OK);
    H2_CHECK_EQ(T.n_data_cb, 1);
    H2_CHECK_EQ(T.n_req_end, 1);                 /* the request still ended cleanly */
    tc_pump(&T);
    for (i = 0; i < T.nf; i++) {
        if (T.f[i].type == H2_FT_WINDOW_UPDATE && T.f[i].sid == 0) wu_conn += T.f[i].increment;
    }
    H2_CHECK(wu_conn >= sizeof(in));
    h2_session_get_stats(T.s, &st);
    H2_CHECK(st.conn_recv_window > 0);
    H2_CHECK_EQ(st.conn_recv_unconsumed, 0);
    H2_CHECK(tc_goaway(&T) == NULL);
    teardown();
}

H2_TEST(session_discard_after_response_complete_resets_now)
{
    setup_started(NULL);
    tc_request(&T, 1, "POST", "/", 0);
    tc_feed(&T);
    h2_session_submit_response(T.s, 1, 200, NULL, 0, 1);
    tc_pump(&T);
    H2_CHECK_EQ(h2_session_stream_state(T.s, 1), H2_SS_HALF_CLOSED_LOCAL);
    tc_clear(&T);
    H2_CHECK_EQ(h2_session_discard_body(T.s, 1), H2_SESS_OK);
    tc_pump(&T);
    H2_CHECK(tc_rst(&T, 1) && tc_rst(&T, 1)->error_code == H2_NO_ERROR);
    H2_CHECK_EQ(T.n_closed, 1);
    H2_CHECK_EQ(T.closed[0].code, H2_NO_ERROR);
    teardown();
}

H2_TEST(session_padding_without_callback_data_unpadded)
{
    h2_session_config c;
    long h, d;
    h2_session_config_init(&c);
    c.padding_bits = 3;
    setup_started(&c);
    tc_get(&T, 1);
    tc_feed(&T);
    tc_body(&T, 1, "hello", 5, 1);
    h2_session_submit_response(T.s, 1, 200, NULL, 0, 0);
    tc_pump(&T);
    h = tc_find(&T, H2_FT_HEADERS, 1);
    d = tc_find(&T, H2_FT_DATA, 1);
    H2_CHECK(h >= 0 && (T.f[h].flags & H2_FLAG_PADDED) && T.f[h].pad_len <= 8 && T.f[h].pad_zero);
    H2_CHECK(d >= 0 && !(T.f[d].flags & H2_FLAG_PADDED) && T.f[d].length == 5);
    H2_CHECK_EQ(T.f[h].status, 200);
    H2_CHECK(!T.out_bad);
    teardown();
}

/* H2MaxDataFrameLen: DATA frames never exceed the configured cap, the body arrives whole */
H2_TEST(session_max_data_frame_len_caps_data_frames)
{
    static char body[10000];
    h2_session_config c;
    size_t i, ndata = 0;
    h2_session_config_init(&c);
    c.max_data_frame_len = 1000;
    setup_started(&c);
    tc_get(&T, 1);
    tc_feed(&T);
    tc_body(&T, 1, body, sizeof(body), 1);
    h2_session_submit_response(T.s, 1, 200, NULL, 0, 0);
    tc_pump(&T);
    for (i = 0; i < T.nf; i++) {
        if (T.f[i].type == H2_FT_DATA) {
            ndata++;
            H2_CHECK(T.f[i].length <= 1000);
        }
    }
    H2_CHECK_EQ(ndata, 10);
    H2_CHECK_EQ(T.data_bytes, sizeof(body));
    H2_CHECK(!T.out_bad);
    teardown();
}

static void padded_run(uint64_t seed, uint32_t *lens, size_t n)
{
    static char body[50000];
    h2_session_config c;
    h2_setting st = { H2_SET_INITIAL_WINDOW_SIZE, 1 << 20 };
    size_t i, k = 0;
    h2_session_config_init(&c);
    c.padding_bits = 8;
    c.padding_seed = seed;
    tc_init_padded(&T, &c);
    tc_start_with(&T, &st, 1);
    tc_wu(&T, 0, 1 << 20);
    tc_get(&T, 1);
    tc_feed(&T);
    tc_body(&T, 1, body, sizeof(body), 1);
    h2_session_submit_response(T.s, 1, 200, NULL, 0, 0);
    tc_pump(&T);
    memset(lens, 0, n * sizeof(*lens));
    for (i = 0; i < T.nf && k < n; i++) {
        if (T.f[i].type == H2_FT_DATA || T.f[i].type == H2_FT_HEADERS) lens[k++] = T.f[i].pad_len;
    }
    H2_CHECK_EQ(T.data_bytes, sizeof(body));
    H2_CHECK_EQ(T.n_padded_data, (int)(k - 1));
    H2_CHECK(!T.out_bad);
    teardown();
}

H2_TEST(session_padding_seeded_prng)
{
    uint32_t a[5], b[5], c[5];
    padded_run(7, a, 5);
    padded_run(7, b, 5);
    padded_run(8, c, 5);
    H2_CHECK_MEM(a, b, sizeof(a));
    H2_CHECK(memcmp(a, c, sizeof(a)) != 0);
}

H2_TEST(session_padding_tiny_windows)
{
    h2_session_config c;
    h2_setting st = { H2_SET_INITIAL_WINDOW_SIZE, 1 };
    long d;
    h2_session_config_init(&c);
    c.padding_bits = 8;
    c.padding_seed = 1;
    tc_init_padded(&T, &c);
    tc_start_with(&T, &st, 1);
    tc_get(&T, 1);
    tc_feed(&T);
    tc_body(&T, 1, "abc", 3, 1);
    h2_session_submit_response(T.s, 1, 200, NULL, 0, 0);
    tc_pump(&T);
    d = tc_find(&T, H2_FT_DATA, 1);            /* window 1: one octet, unpadded */
    H2_CHECK(d >= 0 && T.f[d].length == 1 && !(T.f[d].flags & H2_FLAG_PADDED));
    tc_clear(&T);
    tc_wu(&T, 1, 2);
    tc_feed(&T);
    tc_pump(&T);
    d = tc_find(&T, H2_FT_DATA, 1);            /* window 2: Pad Length + one octet */
    H2_CHECK(d >= 0 && T.f[d].length == 2 && T.f[d].pad_len == 1);
    tc_clear(&T);
    tc_wu(&T, 1, 1);
    tc_feed(&T);
    tc_pump(&T);
    d = tc_find(&T, H2_FT_DATA, 1);
    H2_CHECK(d >= 0 && T.f[d].length == 1 && (T.f[d].flags & H2_FLAG_END_STREAM));
    H2_CHECK_EQ(T.data_bytes, 3);
    teardown();
}

H2_TEST(session_padding_empty_end_of_stream)
{
    h2_session_config c;
    h2_session_stats st;
    long d;
    h2_session_config_init(&c);
    c.padding_bits = 6;
    c.padding_seed = 3;
    tc_init_padded(&T, &c);
    tc_start(&T);
    tc_get(&T, 1);
    tc_feed(&T);
    tc_body(&T, 1, "", 0, 1);
    h2_session_submit_response(T.s, 1, 200, NULL, 0, 0);
    tc_pump(&T);
    d = tc_find(&T, H2_FT_DATA, 1);
    H2_CHECK(d >= 0 && (T.f[d].flags & H2_FLAG_PADDED) && (T.f[d].flags & H2_FLAG_END_STREAM));
    H2_CHECK(d >= 0 && T.f[d].length == T.f[d].pad_len && T.f[d].pad_zero);
    h2_session_get_stats(T.s, &st);
    H2_CHECK_EQ(st.conn_send_window, 65535 - (int64_t)(d >= 0 ? T.f[d].length : 0));
    H2_CHECK(!T.out_bad);
    teardown();
}

H2_TEST(sched_pushed_node_after_parent)
{
    h2_sched q;
    h2_sched_node p3, c5, pushed;
    h2_sched_init(&q);
    node(&p3, 3, 3, 0);
    node(&c5, 5, 3, 0);
    node(&pushed, 3 + 1, 3, 0);   /* a stream pushed by stream 3 */
    h2_sched_add(&q, &c5);
    h2_sched_add(&q, &pushed);
    h2_sched_add(&q, &p3);
    H2_CHECK(h2_sched_next(&q) == &p3);
    h2_sched_remove(&q, &p3);
    H2_CHECK(h2_sched_next(&q) == &pushed);
    h2_sched_remove(&q, &pushed);
    H2_CHECK(h2_sched_next(&q) == &c5);
}

int main(void)
{
    H2_RUN(session_full_request_response_zero_copy);
    H2_RUN(session_trim_when_idle);
    H2_RUN(session_streaming_body_deferred_and_resumed);
    H2_RUN(session_trailers_after_body);
    H2_RUN(session_trailers_with_empty_body);
    H2_RUN(session_empty_body_end_of_stream);
    H2_RUN(session_data_source_failure_resets_stream);
    H2_RUN(session_send_callback_failure_is_fatal);
    H2_RUN(session_respond_inside_callbacks);
    H2_RUN(session_stream_user_data);
    H2_RUN(session_submit_on_unknown_stream);
    H2_RUN(session_close_callback_only_for_known_streams);
    H2_RUN(session_send_batches_by_max_bytes);
    H2_RUN(session_send_bound_holds_with_large_frames);
    H2_RUN(session_send_small_bound_progresses);
    H2_RUN(session_send_bound_holds_for_built_frames);
    H2_RUN(session_flow_control_stall_and_resume);
    H2_RUN(session_window_grows_for_fast_upload);
    H2_RUN(session_upload_without_consume_is_bounded);
    H2_RUN(session_consume_after_close_credits_connection);
    H2_RUN(session_small_receive_window_config);
    H2_RUN(session_budget_rapid_reset);
    H2_RUN(session_budget_rapid_reset_per_interval);
    H2_RUN(session_budget_ping_flood_not_reading);
    H2_RUN(session_budget_ping_rate);
    H2_RUN(session_budget_settings_flood);
    H2_RUN(session_budget_empty_data_frames);
    H2_RUN(session_budget_empty_continuations);
    H2_RUN(session_budget_continuation_count);
    H2_RUN(session_budget_continuation_bytes);
    H2_RUN(session_budget_glitches);
    H2_RUN(session_budget_glitches_window_update_zero);
    H2_RUN(session_max_requests_goaway);
    H2_RUN(session_upgrade_h2c);
    H2_RUN(session_upgrade_invalid_settings);
    H2_RUN(session_settings_payload_check);
    H2_RUN(session_graceful_goaway_lifecycle);
    H2_RUN(session_goaway_with_error_code);
    H2_RUN(session_peer_goaway_with_error_closes);
    H2_RUN(session_conn_error_closes_all_streams);
    H2_RUN(session_ping_submitted_and_ack_consumed);
    H2_RUN(session_final_goaway_during_header_block);
    H2_RUN(session_stream_reset_during_trailer_block);
    H2_RUN(session_bookkeeping_bounded);
    H2_RUN(session_stats_and_queries);
    H2_RUN(sched_urgency_first);
    H2_RUN(sched_non_incremental_in_id_order);
    H2_RUN(sched_incremental_round_robin);
    H2_RUN(sched_mixed_groups_alternate);
    H2_RUN(sched_reprioritize_moves_node);
    H2_RUN(session_round_robin_between_incremental_streams);
    H2_RUN(stream_transition_table);
    H2_RUN(priority_parse_values);
    H2_RUN(base64url_decoding);
    H2_RUN(field_validation_helpers);
    H2_RUN(session_push_states_stats_and_user_data);
    H2_RUN(session_push_max_push_streams);
    H2_RUN(session_push_priority_never_starves_parent);
    H2_RUN(session_push_from_data_available_precedes_data);
    H2_RUN(session_push_reserved_closed_on_connection_error);
    H2_RUN(session_discard_body_credits_and_drops);
    H2_RUN(session_discard_after_response_complete_resets_now);
    H2_RUN(session_padding_without_callback_data_unpadded);
    H2_RUN(session_max_data_frame_len_caps_data_frames);
    H2_RUN(session_push_on_upgrade_stream);
    H2_RUN(session_padding_seeded_prng);
    H2_RUN(session_padding_tiny_windows);
    H2_RUN(session_padding_empty_end_of_stream);
    H2_RUN(sched_pushed_node_after_parent);
    return h2test_summary();
}
