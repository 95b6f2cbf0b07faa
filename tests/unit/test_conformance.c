/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * test_conformance.c -- engine conformance suite: the MUSTs of RFC 9113 §3-§8 (and RFC 7541
 * / RFC 9218 where a session is involved). Raw frames in, the exact frames out: each test
 * is named after the section whose rule it checks.
 */
#include "h2test.h"
#include "h2sess.h"

/* ------------------------------------------------------------------------------------- */
/* helpers */

static tc T;

static void setup(const h2_session_config *cfg)
{
    tc_init_cfg(&T, cfg);
}

static void setup_started(const h2_session_config *cfg)
{
    setup(cfg);
    tc_start(&T);
}

static void teardown(void)
{
    tc_free(&T);
}

/* feed, pump and expect a connection error code (GOAWAY) */
#define EXPECT_CONN_ERROR(code) do { \
        const tc_frame *g_; \
        tc_feed(&T); tc_pump(&T); \
        g_ = tc_goaway(&T); \
        H2_CHECK(g_ != NULL); \
        if (g_) H2_CHECK_EQ(g_->error_code, (code)); \
        H2_CHECK(T.rv == H2_SESS_ERR_CONN); \
        H2_CHECK(!h2_session_want_read(T.s)); \
    } while (0)

/* feed, pump and expect RST_STREAM(code) on sid and no GOAWAY */
#define EXPECT_STREAM_ERROR(sid, code) do { \
        const tc_frame *r_; \
        tc_feed(&T); tc_pump(&T); \
        r_ = tc_rst(&T, (sid)); \
        H2_CHECK(r_ != NULL); \
        if (r_) H2_CHECK_EQ(r_->error_code, (code)); \
        H2_CHECK(tc_goaway(&T) == NULL); \
        H2_CHECK_EQ(T.rv, H2_SESS_OK); \
    } while (0)

/* feed, pump and expect neither GOAWAY nor RST_STREAM */
#define EXPECT_NO_ERROR() do { \
        tc_feed(&T); tc_pump(&T); \
        H2_CHECK(tc_goaway(&T) == NULL); \
        H2_CHECK_EQ(tc_count(&T, H2_FT_RST_STREAM), 0); \
        H2_CHECK_EQ(T.rv, H2_SESS_OK); \
    } while (0)

/* a request with the given fields (the list is complete: pseudo-headers included) */
static void request_nv(uint32_t sid, const h2_nv *nv, size_t n, int es)
{
    tc_headers_nv(&T, sid, nv, n, es);
}

/* a request with the standard pseudo-headers plus one extra field, expecting RST */
static void malformed_extra(const char *name, size_t nl, const char *value, size_t vl)
{
    h2_nv nv[5] = {
        TC_NV(":method", "GET"), TC_NV(":scheme", "https"), TC_NV(":authority", "example.org"),
        TC_NV(":path", "/"), TC_NV("x", "y")
    };
    nv[4].name = (const uint8_t *)name;
    nv[4].name_len = nl;
    nv[4].value = (const uint8_t *)value;
    nv[4].value_len = vl;
    setup_started(NULL);
    request_nv(1, nv, 5, 1);
    EXPECT_STREAM_ERROR(1, H2_PROTOCOL_ERROR);
    H2_CHECK_EQ(T.n_req, 0);
    /* the connection carries on */
    tc_clear(&T);
    tc_get(&T, 3);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_req, 1);
    teardown();
}

static void malformed_list(const h2_nv *nv, size_t n, int es)
{
    setup_started(NULL);
    request_nv(1, nv, n, es);
    EXPECT_STREAM_ERROR(1, H2_PROTOCOL_ERROR);
    H2_CHECK_EQ(T.n_req, 0);
    teardown();
}

static void accepted_list(const h2_nv *nv, size_t n, int es)
{
    setup_started(NULL);
    request_nv(1, nv, n, es);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_req, 1);
    teardown();
}

static uint32_t setting_of(const tc_frame *f, uint16_t id, int *found)
{
    size_t i;
    *found = 0;
    for (i = 0; i < f->n_settings; i++) {
        if (f->settings[i].id == id) {
            *found = 1;
            return f->settings[i].value;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------------------- */
/* §3.4 HTTP/2 connection preface */

H2_TEST(rfc9113_3_4_server_preface_is_settings)
{
    int found;
    setup(NULL);
    tc_pump(&T);
    H2_CHECK(T.nf >= 1);
    H2_CHECK_EQ(T.f[0].type, H2_FT_SETTINGS);
    H2_CHECK_EQ(T.f[0].flags & H2_FLAG_ACK, 0);
    H2_CHECK_EQ(T.f[0].sid, 0);
    H2_CHECK_EQ(setting_of(&T.f[0], H2_SET_NO_RFC7540_PRIORITIES, &found), 1);
    H2_CHECK(found);
    H2_CHECK_EQ(setting_of(&T.f[0], H2_SET_MAX_CONCURRENT_STREAMS, &found), 100);
    H2_CHECK(found);
    setting_of(&T.f[0], H2_SET_ENABLE_PUSH, &found);
    H2_CHECK(!found);   /* a server must not send ENABLE_PUSH 1; 0 is pointless */
    /* conn window 1 MiB by default: a WINDOW_UPDATE on stream 0 follows */
    H2_CHECK(T.nf >= 2);
    H2_CHECK_EQ(T.f[1].type, H2_FT_WINDOW_UPDATE);
    H2_CHECK_EQ(T.f[1].sid, 0);
    H2_CHECK_EQ(T.f[1].increment, (1u << 20) - 65535);
    teardown();
}

H2_TEST(rfc9113_3_4_invalid_preface)
{
    static const char http1[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    setup(NULL);
    h2_buf_append(&T.in, http1, sizeof(http1) - 1);
    EXPECT_CONN_ERROR(H2_PROTOCOL_ERROR);
    H2_CHECK_EQ(T.n_req, 0);
    teardown();
}

H2_TEST(rfc9113_3_4_preface_not_followed_by_settings)
{
    setup(NULL);
    tc_preface(&T);
    tc_ping(&T, "12345678", 0);
    EXPECT_CONN_ERROR(H2_PROTOCOL_ERROR);
    H2_CHECK_EQ(tc_count(&T, H2_FT_PING), 0);
    teardown();
}

H2_TEST(rfc9113_3_4_preface_settings_ack_first)
{
    setup(NULL);
    tc_preface(&T);
    tc_settings_ack(&T);
    EXPECT_CONN_ERROR(H2_PROTOCOL_ERROR);
    teardown();
}

H2_TEST(rfc9113_3_4_preface_byte_by_byte)
{
    long i;
    size_t k;
    setup(NULL);
    tc_preface(&T);
    tc_settings(&T, NULL, 0);
    tc_get(&T, 1);
    tc_feed_split(&T, 1);
    tc_pump(&T);
    H2_CHECK_EQ(T.rv, H2_SESS_OK);
    H2_CHECK_EQ(T.n_req, 1);
    /* our SETTINGS is the first frame (§3.4), then the ACK of theirs, nothing else */
    H2_CHECK(tc_count(&T, H2_FT_SETTINGS) == 2);
    i = tc_find(&T, H2_FT_SETTINGS, 0);
    H2_CHECK_EQ(i, 0);
    H2_CHECK(!(T.f[0].flags & H2_FLAG_ACK));
    for (k = 1; k < T.nf && T.f[k].type != H2_FT_SETTINGS; k++) {
    }
    H2_CHECK(k < T.nf && (T.f[k].flags & H2_FLAG_ACK) && T.f[k].length == 0);
    teardown();
}

H2_TEST(rfc9113_3_4_client_settings_acknowledged)
{
    size_t i, acks = 0;
    setup(NULL);
    tc_preface(&T);
    tc_settings(&T, NULL, 0);
    EXPECT_NO_ERROR();
    for (i = 0; i < T.nf; i++) {
        acks += T.f[i].type == H2_FT_SETTINGS && (T.f[i].flags & H2_FLAG_ACK) && T.f[i].length == 0;
    }
    H2_CHECK_EQ(acks, 1);
    teardown();
}

/* ------------------------------------------------------------------------------------- */
/* §4 frames */

H2_TEST(rfc9113_4_1_unknown_frame_type_ignored)
{
    setup_started(NULL);
    tc_raw(&T, 0x20, 0xff, 0, "abc", 3);
    tc_raw(&T, 0x21, 0, 7, "", 0);
    tc_ping(&T, "abcdefgh", 0);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(tc_count(&T, H2_FT_PING), 1);
    teardown();
}

H2_TEST(rfc9113_4_1_unknown_flags_ignored)
{
    long i;
    setup_started(NULL);
    tc_raw(&T, H2_FT_PING, 0xf0, 0, "abcdefgh", 8);
    EXPECT_NO_ERROR();
    i = tc_find(&T, H2_FT_PING, 0);
    H2_CHECK(i >= 0);
    if (i >= 0) {
        H2_CHECK(T.f[i].flags & H2_FLAG_ACK);
    }
    teardown();
}

H2_TEST(rfc9113_4_1_reserved_bit_ignored)
{
    h2_buf b;
    h2_nv nv[4] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                    TC_NV(":authority", "a"), TC_NV(":path", "/") };
    uint8_t hdr[9];
    setup_started(NULL);
    h2_buf_init(&b);
    tc_block(&T, nv, 4, &b);
    h2_frame_pack_hdr(hdr, (uint32_t)b.len, H2_FT_HEADERS, H2_FLAG_END_HEADERS | H2_FLAG_END_STREAM, 1);
    hdr[5] |= 0x80;   /* R bit */
    h2_buf_append(&T.in, hdr, 9);
    h2_buf_append(&T.in, b.data, b.len);
    h2_buf_free(&b);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_req, 1);
    H2_CHECK_EQ(T.req_sid[0], 1);
    teardown();
}

H2_TEST(rfc9113_4_2_data_exceeds_max_frame_size)
{
    static char big[16385];
    setup_started(NULL);
    tc_request(&T, 1, "POST", "/", 0);
    tc_data(&T, 1, big, sizeof(big), 0);
    EXPECT_CONN_ERROR(H2_FRAME_SIZE_ERROR);
    teardown();
}

H2_TEST(rfc9113_4_2_headers_exceeds_max_frame_size)
{
    static char big[16385];
    setup_started(NULL);
    tc_raw(&T, H2_FT_HEADERS, H2_FLAG_END_HEADERS, 1, big, sizeof(big));
    EXPECT_CONN_ERROR(H2_FRAME_SIZE_ERROR);
    teardown();
}

H2_TEST(rfc9113_4_2_larger_frames_after_settings_ack)
{
    static char big[20000];
    h2_session_config c;
    h2_session_config_init(&c);
    c.max_frame_size = 32768;
    /* before the ACK the limit is still 16384 */
    setup(&c);
    tc_preface(&T);
    tc_settings(&T, NULL, 0);
    tc_request(&T, 1, "POST", "/", 0);
    tc_data(&T, 1, big, sizeof(big), 1);
    EXPECT_CONN_ERROR(H2_FRAME_SIZE_ERROR);
    teardown();
    /* after it, 20000 octets are fine */
    setup(&c);
    tc_start(&T);
    tc_request(&T, 1, "POST", "/", 0);
    tc_data(&T, 1, big, sizeof(big), 1);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.body_len[0], sizeof(big));
    H2_CHECK_EQ(T.n_req_end, 1);
    teardown();
}

H2_TEST(rfc9113_4_2_server_respects_peer_max_frame_size)
{
    static char body[40000];
    h2_setting set[2] = { { H2_SET_MAX_FRAME_SIZE, 32768 }, { H2_SET_INITIAL_WINDOW_SIZE, 1 << 20 } };
    size_t i, max = 0, total = 0;
    setup(NULL);
    tc_start_with(&T, set, 2);
    tc_wu(&T, 0, 1 << 20);
    tc_get(&T, 1);
    tc_feed(&T);
    tc_body(&T, 1, body, sizeof(body), 1);
    h2_session_submit_response(T.s, 1, 200, NULL, 0, 0);
    tc_pump(&T);
    for (i = 0; i < T.nf; i++) {
        if (T.f[i].type == H2_FT_DATA) {
            if (T.f[i].length > max) max = T.f[i].length;
            total += T.f[i].length;
        }
    }
    H2_CHECK_EQ(max, 32768);
    H2_CHECK_EQ(total, sizeof(body));
    teardown();
    /* default 16384 */
    setup_started(NULL);
    tc_wu(&T, 0, 1 << 20);
    tc_get(&T, 1);
    tc_feed(&T);
    tc_body(&T, 1, body, 30000, 1);
    h2_session_submit_response(T.s, 1, 200, NULL, 0, 0);
    tc_pump(&T);
    max = 0;
    for (i = 0; i < T.nf; i++) {
        if (T.f[i].type == H2_FT_DATA && T.f[i].length > max) max = T.f[i].length;
    }
    H2_CHECK_EQ(max, 16384);
    teardown();
}

H2_TEST(rfc9113_4_3_compression_error)
{
    static const uint8_t bad[] = { 0x80 };   /* indexed field 0: invalid */
    setup_started(NULL);
    tc_raw(&T, H2_FT_HEADERS, H2_FLAG_END_HEADERS | H2_FLAG_END_STREAM, 1, bad, 1);
    EXPECT_CONN_ERROR(H2_COMPRESSION_ERROR);
    teardown();
}

H2_TEST(rfc9113_4_3_frame_inside_header_block)
{
    setup_started(NULL);
    tc_request_split(&T, 1, 5, 1000, 1);
    /* cut the CONTINUATION off and put a PING in between */
    {
        size_t hl = 9 + 5;
        h2_buf rest;
        h2_buf_init(&rest);
        h2_buf_append(&rest, T.in.data + hl, T.in.len - hl);
        T.in.len = hl;
        tc_ping(&T, "12345678", 0);
        h2_buf_append(&T.in, rest.data, rest.len);
        h2_buf_free(&rest);
    }
    EXPECT_CONN_ERROR(H2_PROTOCOL_ERROR);
    teardown();
}

H2_TEST(rfc9113_4_3_continuation_other_stream)
{
    setup_started(NULL);
    tc_request_split(&T, 1, 5, 1000, 1);
    /* rewrite the CONTINUATION's stream id to 3 */
    h2_put_u32(T.in.data + 9 + 5 + 5, 3);
    EXPECT_CONN_ERROR(H2_PROTOCOL_ERROR);
    teardown();
}

H2_TEST(rfc9113_4_3_unknown_frame_inside_header_block)
{
    size_t hl = 9 + 5;
    h2_buf rest;
    setup_started(NULL);
    tc_request_split(&T, 1, 5, 1000, 1);
    h2_buf_init(&rest);
    h2_buf_append(&rest, T.in.data + hl, T.in.len - hl);
    T.in.len = hl;
    tc_raw(&T, 0x30, 0, 1, "x", 1);
    h2_buf_append(&T.in, rest.data, rest.len);
    h2_buf_free(&rest);
    EXPECT_CONN_ERROR(H2_PROTOCOL_ERROR);
    teardown();
}

H2_TEST(rfc9113_4_3_block_split_over_continuations)
{
    setup_started(NULL);
    tc_request_split(&T, 1, 3, 4, 1);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_req, 1);
    H2_CHECK(strcmp(T.last_path, "/split") == 0);
    teardown();
}

H2_TEST(rfc9113_4_3_block_split_any_byte_boundary)
{
    setup_started(NULL);
    tc_request_split(&T, 1, 2, 3, 1);
    tc_feed_split(&T, 1);
    tc_pump(&T);
    H2_CHECK_EQ(T.n_req, 1);
    H2_CHECK(tc_goaway(&T) == NULL);
    teardown();
}

/* ------------------------------------------------------------------------------------- */
/* §5.1 stream states */

H2_TEST(rfc9113_5_1_idle_data)
{
    setup_started(NULL);
    tc_data(&T, 1, "x", 1, 0);
    EXPECT_CONN_ERROR(H2_PROTOCOL_ERROR);
    teardown();
}

H2_TEST(rfc9113_5_1_idle_rst_stream)
{
    setup_started(NULL);
    tc_rst_frame(&T, 1, H2_CANCEL);
    EXPECT_CONN_ERROR(H2_PROTOCOL_ERROR);
    teardown();
}

H2_TEST(rfc9113_5_1_idle_window_update)
{
    setup_started(NULL);
    tc_wu(&T, 1, 100);
    EXPECT_CONN_ERROR(H2_PROTOCOL_ERROR);
    teardown();
}

H2_TEST(rfc9113_5_1_idle_continuation)
{
    setup_started(NULL);
    tc_raw(&T, H2_FT_CONTINUATION, H2_FLAG_END_HEADERS, 1, "\x82", 1);
    EXPECT_CONN_ERROR(H2_PROTOCOL_ERROR);
    teardown();
}

H2_TEST(rfc9113_5_1_idle_priority_allowed)
{
    static const uint8_t prio[5] = { 0, 0, 0, 0, 16 };
    setup_started(NULL);
    tc_raw(&T, H2_FT_PRIORITY, 0, 5, prio, 5);
    tc_get(&T, 5);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_req, 1);
    teardown();
}

H2_TEST(rfc9113_5_1_half_closed_remote_data)
{
    setup_started(NULL);
    tc_get(&T, 1);
    tc_data(&T, 1, "x", 1, 0);
    EXPECT_STREAM_ERROR(1, H2_STREAM_CLOSED);
    H2_CHECK_EQ(T.n_closed, 1);
    H2_CHECK_EQ(T.closed[0].code, H2_STREAM_CLOSED);
    H2_CHECK_EQ(T.closed[0].by_peer, 0);
    teardown();
}

H2_TEST(rfc9113_5_1_half_closed_remote_headers)
{
    setup_started(NULL);
    tc_get(&T, 1);
    tc_get(&T, 1);
    /* HEADERS on 1 again: half-closed (remote) -> STREAM_CLOSED */
    EXPECT_STREAM_ERROR(1, H2_STREAM_CLOSED);
    H2_CHECK_EQ(T.n_req, 1);
    teardown();
}

H2_TEST(rfc9113_5_1_half_closed_remote_window_update_ok)
{
    setup_started(NULL);
    tc_get(&T, 1);
    tc_wu(&T, 1, 1000);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(h2_session_stream_state(T.s, 1), H2_SS_HALF_CLOSED_REMOTE);
    teardown();
}

H2_TEST(rfc9113_5_1_rst_stream_closes)
{
    setup_started(NULL);
    tc_get(&T, 1);
    tc_rst_frame(&T, 1, H2_CANCEL);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_closed, 1);
    H2_CHECK_EQ(T.closed[0].code, H2_CANCEL);
    H2_CHECK_EQ(T.closed[0].by_peer, 1);
    H2_CHECK_EQ(h2_session_stream_state(T.s, 1), H2_SS_CLOSED_RST_RECV);
    H2_CHECK_EQ(h2_session_open_streams(T.s), 0);
    /* a response after the reset is refused by the API */
    H2_CHECK_EQ(h2_session_submit_response(T.s, 1, 200, NULL, 0, 1), H2_SESS_ERR_STATE);
    teardown();
}

H2_TEST(rfc9113_5_1_closed_after_rst_sent_frames_ignored)
{
    h2_session_stats st;
    setup_started(NULL);
    tc_request(&T, 1, "POST", "/", 0);
    tc_feed(&T);
    H2_CHECK_EQ(h2_session_submit_rst(T.s, 1, H2_CANCEL), H2_SESS_OK);
    tc_pump(&T);
    H2_CHECK(tc_rst(&T, 1) != NULL);
    tc_clear(&T);
    /* frames the client had in flight: ignored */
    tc_data(&T, 1, "hello", 5, 0);
    tc_wu(&T, 1, 10);
    tc_rst_frame(&T, 1, H2_CANCEL);
    h2_frame_put_headers(&T.in, 1, (const uint8_t *)"\x40\x01x\x01y", 5, 1, 16384); /* trailers */
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.body_total, 0);
    h2_session_get_stats(T.s, &st);
    H2_CHECK_EQ(st.conn_recv_window + 5, 1 << 20);   /* counted, to be given back */
    teardown();
}

H2_TEST(rfc9113_5_1_closed_after_peer_rst_data)
{
    setup_started(NULL);
    tc_request(&T, 1, "POST", "/", 0);
    tc_rst_frame(&T, 1, H2_CANCEL);
    tc_data(&T, 1, "x", 1, 0);
    EXPECT_STREAM_ERROR(1, H2_STREAM_CLOSED);
    teardown();
}

H2_TEST(rfc9113_5_1_closed_after_peer_rst_headers)
{
    setup_started(NULL);
    tc_request(&T, 1, "POST", "/", 0);
    tc_rst_frame(&T, 1, H2_CANCEL);
    tc_get(&T, 1);
    EXPECT_STREAM_ERROR(1, H2_STREAM_CLOSED);
    teardown();
}

H2_TEST(rfc9113_5_1_closed_after_peer_rst_priority_ok)
{
    static const uint8_t prio[5] = { 0, 0, 0, 0, 16 };
    setup_started(NULL);
    tc_request(&T, 1, "POST", "/", 0);
    tc_rst_frame(&T, 1, H2_CANCEL);
    tc_raw(&T, H2_FT_PRIORITY, 0, 1, prio, 5);
    EXPECT_NO_ERROR();
    teardown();
}

static void complete_stream_1(void)
{
    T.auto_respond = 1;
    tc_get(&T, 1);
    tc_feed(&T);
    tc_pump(&T);
    tc_clear(&T);
    H2_CHECK_EQ(h2_session_stream_state(T.s, 1), H2_SS_CLOSED);
}

H2_TEST(rfc9113_5_1_closed_end_stream_data)
{
    setup_started(NULL);
    complete_stream_1();
    tc_data(&T, 1, "x", 1, 0);
    EXPECT_CONN_ERROR(H2_STREAM_CLOSED);
    teardown();
}

H2_TEST(rfc9113_5_1_closed_end_stream_headers)
{
    setup_started(NULL);
    complete_stream_1();
    tc_get(&T, 1);
    EXPECT_CONN_ERROR(H2_STREAM_CLOSED);
    teardown();
}

H2_TEST(rfc9113_5_1_closed_end_stream_window_update_ignored)
{
    setup_started(NULL);
    complete_stream_1();
    tc_wu(&T, 1, 100);
    tc_rst_frame(&T, 1, H2_NO_ERROR);
    EXPECT_NO_ERROR();
    teardown();
}

H2_TEST(rfc9113_5_1_half_closed_local_receives_body)
{
    setup_started(NULL);
    tc_request(&T, 1, "POST", "/", 0);
    tc_feed(&T);
    tc_body(&T, 1, "ok", 2, 1);
    h2_session_submit_response(T.s, 1, 200, NULL, 0, 0);
    tc_pump(&T);
    H2_CHECK_EQ(h2_session_stream_state(T.s, 1), H2_SS_HALF_CLOSED_LOCAL);
    tc_data(&T, 1, "abc", 3, 1);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_req_end, 1);
    H2_CHECK_EQ(T.n_closed, 1);
    H2_CHECK_EQ(T.closed[0].code, H2_NO_ERROR);
    H2_CHECK_EQ(h2_session_stream_state(T.s, 1), H2_SS_CLOSED);
    teardown();
}

H2_TEST(rfc9113_5_1_1_even_stream_id)
{
    setup_started(NULL);
    tc_get(&T, 2);
    EXPECT_CONN_ERROR(H2_PROTOCOL_ERROR);
    teardown();
}

H2_TEST(rfc9113_5_1_1_lower_stream_id)
{
    setup_started(NULL);
    tc_get(&T, 5);
    tc_get(&T, 3);
    EXPECT_CONN_ERROR(H2_PROTOCOL_ERROR);
    H2_CHECK_EQ(T.n_req, 1);
    H2_CHECK_EQ(tc_goaway(&T) ? tc_goaway(&T)->last_sid : 99, 5);
    teardown();
}

H2_TEST(rfc9113_5_1_1_implicitly_closed_lower_stream)
{
    setup_started(NULL);
    tc_get(&T, 5);
    tc_data(&T, 3, "x", 1, 0);
    EXPECT_CONN_ERROR(H2_STREAM_CLOSED);
    teardown();
}

H2_TEST(rfc9113_5_1_1_goaway_last_stream_id)
{
    setup_started(NULL);
    tc_get(&T, 1);
    tc_get(&T, 3);
    tc_data(&T, 9, "x", 1, 0);  /* idle */
    EXPECT_CONN_ERROR(H2_PROTOCOL_ERROR);
    H2_CHECK_EQ(tc_goaway(&T) ? tc_goaway(&T)->last_sid : 99, 3);
    H2_CHECK_EQ(T.n_closed, 2);   /* both streams reported closed */
    teardown();
}

H2_TEST(rfc9113_5_1_2_max_concurrent_streams_refused)
{
    h2_session_config c;
    h2_session_config_init(&c);
    c.max_concurrent_streams = 2;
    setup_started(&c);
    tc_request(&T, 1, "POST", "/", 0);
    tc_request(&T, 3, "POST", "/", 0);
    tc_request(&T, 5, "POST", "/", 0);
    EXPECT_STREAM_ERROR(5, H2_REFUSED_STREAM);
    H2_CHECK_EQ(T.n_req, 2);
    H2_CHECK_EQ(h2_session_open_streams(T.s), 2);
    teardown();
}

H2_TEST(rfc9113_5_1_2_refused_stream_keeps_hpack_in_step)
{
    h2_session_config c;
    h2_nv nv[5] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                    TC_NV(":authority", "example.org"), TC_NV(":path", "/"),
                    TC_NV("x-custom", "a-value-for-the-dynamic-table") };
    h2_session_config_init(&c);
    c.max_concurrent_streams = 1;
    setup_started(&c);
    request_nv(1, nv, 5, 0);   /* stays open */
    request_nv(3, nv, 5, 1);   /* refused, but its literals enter the table */
    request_nv(5, nv, 5, 1);   /* refused too: uses indexed entries */
    tc_feed(&T);
    tc_pump(&T);
    H2_CHECK(tc_rst(&T, 3) && tc_rst(&T, 3)->error_code == H2_REFUSED_STREAM);
    H2_CHECK(tc_goaway(&T) == NULL);
    tc_clear(&T);
    tc_data(&T, 1, "", 0, 1);
    tc_feed(&T);
    h2_session_submit_response(T.s, 1, 204, NULL, 0, 1);
    tc_pump(&T);
    request_nv(7, nv, 5, 1);   /* decoded with the table built by the refused blocks */
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_req, 2);
    H2_CHECK_EQ(T.last_nfields, 1);
    teardown();
}

H2_TEST(rfc9113_5_1_2_slot_freed_after_close)
{
    h2_session_config c;
    h2_session_config_init(&c);
    c.max_concurrent_streams = 1;
    setup_started(&c);
    T.auto_respond = 1;
    tc_get(&T, 1);
    tc_get(&T, 3);
    tc_get(&T, 5);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_req, 3);
    teardown();
}

H2_TEST(rfc9113_5_3_1_headers_self_dependency)
{
    h2_buf b;
    h2_buf p;
    h2_nv nv[5] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                    TC_NV(":authority", "example.org"), TC_NV(":path", "/"),
                    TC_NV("x-custom", "table-entry") };
    uint8_t pri[5] = { 0, 0, 0, 1, 16 };   /* depends on stream 1 */
    setup_started(NULL);
    h2_buf_init(&b);
    h2_buf_init(&p);
    tc_block(&T, nv, 5, &b);
    h2_buf_append(&p, pri, 5);
    h2_buf_append(&p, b.data, b.len);
    tc_raw(&T, H2_FT_HEADERS, H2_FLAG_END_HEADERS | H2_FLAG_END_STREAM | H2_FLAG_PRIORITY, 1,
           p.data, p.len);
    h2_buf_free(&b);
    h2_buf_free(&p);
    EXPECT_STREAM_ERROR(1, H2_PROTOCOL_ERROR);
    H2_CHECK_EQ(T.n_req, 0);
    /* the next request indexes the entry the reset block added */
    tc_clear(&T);
    request_nv(3, nv, 5, 1);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_req, 1);
    teardown();
}

H2_TEST(rfc9113_5_3_1_priority_self_dependency)
{
    static const uint8_t pri[5] = { 0, 0, 0, 1, 16 };
    setup_started(NULL);
    tc_request(&T, 1, "POST", "/", 0);
    tc_raw(&T, H2_FT_PRIORITY, 0, 1, pri, 5);
    EXPECT_STREAM_ERROR(1, H2_PROTOCOL_ERROR);
    teardown();
}

H2_TEST(rfc9113_5_4_1_connection_error_closes)
{
    setup_started(NULL);
    tc_data(&T, 0, "x", 1, 0);
    EXPECT_CONN_ERROR(H2_PROTOCOL_ERROR);
    H2_CHECK_EQ(T.n_conn_err, 1);
    H2_CHECK(h2_session_is_done(T.s));
    H2_CHECK(!h2_session_want_write(T.s));
    /* further input is discarded */
    tc_get(&T, 1);
    tc_feed(&T);
    H2_CHECK_EQ(T.n_req, 0);
    teardown();
}

H2_TEST(rfc9113_5_4_2_stream_error_others_continue)
{
    h2_nv bad[4] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                     TC_NV(":path", "/"), TC_NV("Upper", "x") };
    setup_started(NULL);
    T.auto_respond = 1;
    T.auto_body = "hello";
    tc_get(&T, 1);
    request_nv(3, bad, 4, 1);
    tc_get(&T, 5);
    tc_feed(&T);
    tc_pump(&T);
    H2_CHECK(tc_rst(&T, 3) != NULL);
    H2_CHECK(tc_goaway(&T) == NULL);
    H2_CHECK_EQ(T.n_req, 2);
    H2_CHECK(tc_find(&T, H2_FT_DATA, 1) >= 0);
    H2_CHECK(tc_find(&T, H2_FT_DATA, 5) >= 0);
    teardown();
}

H2_TEST(rfc9113_5_4_2_no_rst_in_response_to_rst)
{
    setup_started(NULL);
    complete_stream_1();
    tc_rst_frame(&T, 1, H2_PROTOCOL_ERROR);
    tc_request(&T, 3, "POST", "/", 0);
    tc_rst_frame(&T, 3, H2_CANCEL);
    tc_rst_frame(&T, 3, H2_CANCEL);
    EXPECT_NO_ERROR();
    teardown();
}

H2_TEST(rfc9113_5_5_unknown_setting_ignored)
{
    h2_setting set[2] = { { 0x99, 12345 }, { 0xff00, 1 } };
    setup(NULL);
    tc_start_with(&T, set, 2);
    tc_get(&T, 1);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_req, 1);
    teardown();
}

H2_TEST(rfc9113_5_5_unknown_frame_on_open_stream_ignored)
{
    setup_started(NULL);
    tc_request(&T, 1, "POST", "/", 0);
    tc_raw(&T, 0xfa, 0x1, 1, "ext", 3);
    tc_data(&T, 1, "b", 1, 1);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_req_end, 1);
    teardown();
}

/* ------------------------------------------------------------------------------------- */
/* §6 frame definitions */

H2_TEST(rfc9113_6_1_data_stream_0)
{
    setup_started(NULL);
    tc_data(&T, 0, "x", 1, 0);
    EXPECT_CONN_ERROR(H2_PROTOCOL_ERROR);
    teardown();
}

H2_TEST(rfc9113_6_1_data_padding_too_long)
{
    static const uint8_t p[] = { 5, 'a', 'b' };   /* pad length 5 > remaining 2 */
    setup_started(NULL);
    tc_request(&T, 1, "POST", "/", 0);
    tc_raw(&T, H2_FT_DATA, H2_FLAG_PADDED, 1, p, sizeof(p));
    EXPECT_CONN_ERROR(H2_PROTOCOL_ERROR);
    teardown();
}

H2_TEST(rfc9113_6_1_data_padding_removed_and_counted)
{
    h2_session_stats st;
    setup_started(NULL);
    tc_request(&T, 1, "POST", "/", 0);
    h2_frame_put_data(&T.in, 1, (const uint8_t *)"abc", 3, 0, 101);  /* 100 padding + 1 */
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.body_total, 3);
    H2_CHECK(memcmp(T.body, "abc", 3) == 0);
    h2_session_get_stats(T.s, &st);
    /* all 104 octets counted; the padding is not yet given back (below the threshold) */
    H2_CHECK_EQ(st.conn_recv_window, (1 << 20) - 104);
    H2_CHECK_EQ(st.conn_recv_unconsumed, 3);
    teardown();
}

H2_TEST(rfc9113_6_1_padding_counts_against_stream_window)
{
    static char d[50];
    h2_session_config c;
    h2_session_config_init(&c);
    c.initial_window_size = 100;
    setup_started(&c);
    tc_request(&T, 1, "POST", "/", 0);
    h2_frame_put_data(&T.in, 1, (const uint8_t *)d, 50, 0, 60);   /* 110 > 100 */
    EXPECT_STREAM_ERROR(1, H2_FLOW_CONTROL_ERROR);
    teardown();
}

H2_TEST(rfc9113_6_2_headers_stream_0)
{
    setup_started(NULL);
    tc_raw(&T, H2_FT_HEADERS, H2_FLAG_END_HEADERS, 0, "\x82", 1);
    EXPECT_CONN_ERROR(H2_PROTOCOL_ERROR);
    teardown();
}

H2_TEST(rfc9113_6_2_headers_padding_too_long)
{
    static const uint8_t p[] = { 9, 0x82, 0x87 };
    setup_started(NULL);
    tc_raw(&T, H2_FT_HEADERS, H2_FLAG_END_HEADERS | H2_FLAG_PADDED, 1, p, sizeof(p));
    EXPECT_CONN_ERROR(H2_PROTOCOL_ERROR);
    teardown();
}

H2_TEST(rfc9113_6_2_headers_padded_and_priority)
{
    h2_buf b, p;
    h2_nv nv[4] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                    TC_NV(":authority", "a"), TC_NV(":path", "/p") };
    static const uint8_t pri[5] = { 0x80, 0, 0, 0, 200 };   /* exclusive on 0 */
    setup_started(NULL);
    h2_buf_init(&b);
    h2_buf_init(&p);
    tc_block(&T, nv, 4, &b);
    h2_buf_append_byte(&p, 4);
    h2_buf_append(&p, pri, 5);
    h2_buf_append(&p, b.data, b.len);
    h2_buf_append(&p, "\0\0\0\0", 4);
    tc_raw(&T, H2_FT_HEADERS,
           H2_FLAG_END_HEADERS | H2_FLAG_END_STREAM | H2_FLAG_PADDED | H2_FLAG_PRIORITY, 1,
           p.data, p.len);
    h2_buf_free(&b);
    h2_buf_free(&p);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_req, 1);
    H2_CHECK(strcmp(T.last_path, "/p") == 0);
    teardown();
}

H2_TEST(rfc9113_6_3_priority_stream_0)
{
    static const uint8_t pri[5] = { 0, 0, 0, 3, 16 };
    setup_started(NULL);
    tc_raw(&T, H2_FT_PRIORITY, 0, 0, pri, 5);
    EXPECT_CONN_ERROR(H2_PROTOCOL_ERROR);
    teardown();
}

H2_TEST(rfc9113_6_3_priority_bad_length)
{
    static const uint8_t pri[4] = { 0, 0, 0, 3 };
    setup_started(NULL);
    tc_request(&T, 1, "POST", "/", 0);
    tc_raw(&T, H2_FT_PRIORITY, 0, 1, pri, 4);
    EXPECT_STREAM_ERROR(1, H2_FRAME_SIZE_ERROR);
    teardown();
}

H2_TEST(rfc9113_6_4_rst_stream_0)
{
    setup_started(NULL);
    tc_rst_frame(&T, 0, H2_CANCEL);
    EXPECT_CONN_ERROR(H2_PROTOCOL_ERROR);
    teardown();
}

H2_TEST(rfc9113_6_4_rst_stream_bad_length)
{
    setup_started(NULL);
    tc_get(&T, 1);
    tc_raw(&T, H2_FT_RST_STREAM, 0, 1, "\0\0\0\0\0", 5);
    EXPECT_CONN_ERROR(H2_FRAME_SIZE_ERROR);
    teardown();
}

H2_TEST(rfc9113_6_5_settings_ack_with_payload)
{
    setup_started(NULL);
    tc_raw(&T, H2_FT_SETTINGS, H2_FLAG_ACK, 0, "\0\x01\0\0\0\0", 6);
    EXPECT_CONN_ERROR(H2_FRAME_SIZE_ERROR);
    teardown();
}

H2_TEST(rfc9113_6_5_settings_nonzero_stream)
{
    setup_started(NULL);
    tc_raw(&T, H2_FT_SETTINGS, 0, 1, "", 0);
    EXPECT_CONN_ERROR(H2_PROTOCOL_ERROR);
    teardown();
}

H2_TEST(rfc9113_6_5_settings_bad_length)
{
    setup_started(NULL);
    tc_raw(&T, H2_FT_SETTINGS, 0, 0, "\0\x01\0\0\0", 5);
    EXPECT_CONN_ERROR(H2_FRAME_SIZE_ERROR);
    teardown();
}

static void bad_setting(uint16_t id, uint32_t v, uint32_t code)
{
    h2_setting s = { id, v };
    setup_started(NULL);
    tc_settings(&T, &s, 1);
    EXPECT_CONN_ERROR(code);
    teardown();
}

H2_TEST(rfc9113_6_5_2_enable_push_invalid)
{
    bad_setting(H2_SET_ENABLE_PUSH, 2, H2_PROTOCOL_ERROR);
}

H2_TEST(rfc9113_6_5_2_initial_window_too_large)
{
    bad_setting(H2_SET_INITIAL_WINDOW_SIZE, 0x80000000u, H2_FLOW_CONTROL_ERROR);
}

H2_TEST(rfc9113_6_5_2_max_frame_size_too_small)
{
    bad_setting(H2_SET_MAX_FRAME_SIZE, 16383, H2_PROTOCOL_ERROR);
}

H2_TEST(rfc9113_6_5_2_max_frame_size_too_large)
{
    bad_setting(H2_SET_MAX_FRAME_SIZE, 16777216, H2_PROTOCOL_ERROR);
}

H2_TEST(rfc9113_6_5_2_peer_settings_stored)
{
    h2_setting set[3] = { { H2_SET_ENABLE_PUSH, 0 }, { H2_SET_MAX_CONCURRENT_STREAMS, 7 },
                          { H2_SET_MAX_HEADER_LIST_SIZE, 9999 } };
    setup(NULL);
    tc_start_with(&T, set, 3);
    H2_CHECK_EQ(h2_session_peer_setting(T.s, H2_SET_ENABLE_PUSH), 0);
    H2_CHECK_EQ(h2_session_peer_setting(T.s, H2_SET_MAX_CONCURRENT_STREAMS), 7);
    H2_CHECK_EQ(h2_session_peer_setting(T.s, H2_SET_MAX_HEADER_LIST_SIZE), 9999);
    H2_CHECK_EQ(h2_session_peer_setting(T.s, H2_SET_INITIAL_WINDOW_SIZE), 65535);
    teardown();
}

H2_TEST(rfc9113_6_5_3_each_settings_acknowledged)
{
    size_t i, acks = 0;
    h2_setting s = { H2_SET_INITIAL_WINDOW_SIZE, 1000 };
    setup_started(NULL);
    tc_settings(&T, &s, 1);
    tc_settings(&T, NULL, 0);
    EXPECT_NO_ERROR();
    for (i = 0; i < T.nf; i++) {
        acks += T.f[i].type == H2_FT_SETTINGS && (T.f[i].flags & H2_FLAG_ACK);
    }
    H2_CHECK_EQ(acks, 2);
    teardown();
}

H2_TEST(rfc9113_6_5_3_settings_timeout)
{
    h2_session_config c;
    h2_session_config_init(&c);
    c.settings_timeout_ms = 5000;
    setup(&c);
    T.now = 1000;
    tc_preface(&T);
    tc_settings(&T, NULL, 0);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(h2_session_next_timer(T.s), 6000);
    H2_CHECK_EQ(h2_session_tick(T.s, 5999), H2_SESS_OK);
    H2_CHECK_EQ(h2_session_tick(T.s, 6000), H2_SESS_ERR_CONN);
    tc_pump(&T);
    H2_CHECK(tc_goaway(&T) && tc_goaway(&T)->error_code == H2_SETTINGS_TIMEOUT);
    teardown();
}

H2_TEST(rfc9113_6_5_2_header_table_size_zero_honoured)
{
    h2_setting s = { H2_SET_HEADER_TABLE_SIZE, 0 };
    h2_nv f[1] = { TC_NV("x-long-response-header", "value-value-value") };
    setup(NULL);
    tc_start_with(&T, &s, 1);
    T.cb.on_request = NULL;
    tc_get(&T, 1);
    tc_feed(&T);
    h2_session_submit_response(T.s, 1, 200, f, 1, 1);
    tc_pump(&T);
    H2_CHECK(!T.out_bad);
    H2_CHECK_EQ(h2_hpack_decoder_table_size(T.dec), 0);
    teardown();
}

H2_TEST(rfc9113_6_7_ping_answered)
{
    long i;
    setup_started(NULL);
    tc_ping(&T, "pingdata", 0);
    EXPECT_NO_ERROR();
    i = tc_find(&T, H2_FT_PING, 0);
    H2_CHECK(i >= 0);
    if (i >= 0) {
        H2_CHECK(T.f[i].flags & H2_FLAG_ACK);
        H2_CHECK(memcmp(T.f[i].opaque, "pingdata", 8) == 0);
    }
    teardown();
}

H2_TEST(rfc9113_6_7_ping_ack_not_answered)
{
    setup_started(NULL);
    tc_ping(&T, "pingdata", 1);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(tc_count(&T, H2_FT_PING), 0);
    teardown();
}

H2_TEST(rfc9113_6_7_ping_nonzero_stream)
{
    setup_started(NULL);
    tc_raw(&T, H2_FT_PING, 0, 1, "12345678", 8);
    EXPECT_CONN_ERROR(H2_PROTOCOL_ERROR);
    teardown();
}

H2_TEST(rfc9113_6_7_ping_bad_length)
{
    setup_started(NULL);
    tc_raw(&T, H2_FT_PING, 0, 0, "1234567", 7);
    EXPECT_CONN_ERROR(H2_FRAME_SIZE_ERROR);
    teardown();
}

H2_TEST(rfc9113_6_8_goaway_nonzero_stream)
{
    setup_started(NULL);
    tc_raw(&T, H2_FT_GOAWAY, 0, 1, "\0\0\0\0\0\0\0\0", 8);
    EXPECT_CONN_ERROR(H2_PROTOCOL_ERROR);
    teardown();
}

H2_TEST(rfc9113_6_8_goaway_received_streams_complete)
{
    setup_started(NULL);
    tc_get(&T, 1);
    h2_frame_put_goaway(&T.in, 0, H2_NO_ERROR, NULL, 0);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_goaway, 1);
    H2_CHECK(!h2_session_is_done(T.s));
    tc_body(&T, 1, "bye", 3, 1);
    H2_CHECK_EQ(h2_session_submit_response(T.s, 1, 200, NULL, 0, 0), H2_SESS_OK);
    tc_pump(&T);
    H2_CHECK(tc_find(&T, H2_FT_DATA, 1) >= 0);
    H2_CHECK(h2_session_is_done(T.s));
    teardown();
}

H2_TEST(rfc9113_6_8_graceful_shutdown_two_steps)
{
    long i;
    const tc_frame *g;
    setup_started(NULL);
    T.auto_respond = 1;
    tc_get(&T, 1);
    tc_feed(&T);
    tc_pump(&T);
    tc_clear(&T);
    H2_CHECK_EQ(h2_session_submit_goaway(T.s, 1, H2_NO_ERROR, "restart"), H2_SESS_OK);
    tc_pump(&T);
    g = tc_goaway(&T);
    H2_CHECK(g && g->last_sid == 0x7fffffffu && g->error_code == H2_NO_ERROR);
    i = tc_find(&T, H2_FT_PING, 0);
    H2_CHECK(i >= 0 && !(T.f[i].flags & H2_FLAG_ACK));
    /* a request in flight is still served */
    tc_clear(&T);
    tc_get(&T, 3);
    tc_feed(&T);
    H2_CHECK_EQ(T.n_req, 2);
    /* the PING ACK triggers the final GOAWAY with the real last stream id */
    if (i >= 0) {
        char op[8];
        memcpy(op, T.f[i].opaque, 8);
        tc_ping(&T, op, 1);
    }
    tc_feed(&T);
    tc_pump(&T);
    g = tc_goaway(&T);
    H2_CHECK(g && g->last_sid == 3);
    /* later streams are ignored */
    tc_clear(&T);
    tc_get(&T, 5);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_req, 2);
    H2_CHECK(h2_session_is_done(T.s));
    teardown();
}

H2_TEST(rfc9113_6_8_graceful_shutdown_timeout)
{
    const tc_frame *g;
    setup_started(NULL);
    T.now = 100;
    tc_get(&T, 1);
    tc_feed(&T);
    h2_session_submit_goaway(T.s, 1, H2_NO_ERROR, NULL);
    tc_pump(&T);
    tc_clear(&T);
    H2_CHECK_EQ(h2_session_next_timer(T.s), 2100);
    h2_session_tick(T.s, 2100);
    tc_pump(&T);
    g = tc_goaway(&T);
    H2_CHECK(g && g->last_sid == 1);
    teardown();
}

H2_TEST(rfc9113_6_8_last_stream_id_never_increases)
{
    const tc_frame *g;
    setup_started(NULL);
    tc_get(&T, 1);
    tc_feed(&T);
    h2_session_submit_goaway(T.s, 0, H2_NO_ERROR, NULL);
    tc_get(&T, 3);   /* ignored */
    tc_feed(&T);
    h2_session_submit_goaway(T.s, 0, H2_NO_ERROR, NULL);
    tc_pump(&T);
    H2_CHECK_EQ(tc_count(&T, H2_FT_GOAWAY), 2);
    g = &T.f[tc_find(&T, H2_FT_GOAWAY, 0)];
    H2_CHECK_EQ(g->last_sid, 1);
    H2_CHECK_EQ(T.f[T.nf - 1].last_sid, 1);
    H2_CHECK_EQ(T.n_req, 1);
    teardown();
}

H2_TEST(rfc9113_6_8_streams_above_last_id_ignored_data_counted)
{
    static char d[16000];
    int i;
    h2_session_config c;
    h2_session_config_init(&c);
    c.conn_window_size = 65535;
    setup_started(&c);
    tc_get(&T, 1);
    tc_feed(&T);
    h2_session_submit_goaway(T.s, 0, H2_NO_ERROR, NULL);
    tc_pump(&T);
    tc_clear(&T);
    tc_request(&T, 3, "POST", "/", 0);
    for (i = 0; i < 8; i++) {   /* 128000 octets: twice the connection window */
        tc_data(&T, 3, d, sizeof(d), 0);
    }
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_req, 1);
    H2_CHECK(tc_find(&T, H2_FT_WINDOW_UPDATE, 0) >= 0);
    teardown();
}

H2_TEST(rfc9113_6_9_window_update_zero_connection)
{
    setup_started(NULL);
    tc_wu(&T, 0, 0);
    EXPECT_CONN_ERROR(H2_PROTOCOL_ERROR);
    teardown();
}

H2_TEST(rfc9113_6_9_window_update_zero_stream)
{
    setup_started(NULL);
    tc_get(&T, 1);
    tc_wu(&T, 1, 0);
    EXPECT_STREAM_ERROR(1, H2_PROTOCOL_ERROR);
    teardown();
}

H2_TEST(rfc9113_6_9_window_update_bad_length)
{
    setup_started(NULL);
    tc_raw(&T, H2_FT_WINDOW_UPDATE, 0, 0, "\0\0\0\x01\0", 5);
    EXPECT_CONN_ERROR(H2_FRAME_SIZE_ERROR);
    teardown();
}

H2_TEST(rfc9113_6_9_1_connection_window_overflow)
{
    setup_started(NULL);
    tc_wu(&T, 0, 0x7fffffffu);
    EXPECT_CONN_ERROR(H2_FLOW_CONTROL_ERROR);
    teardown();
}

H2_TEST(rfc9113_6_9_1_stream_window_overflow)
{
    setup_started(NULL);
    tc_get(&T, 1);
    tc_wu(&T, 1, 0x7fffffffu);
    EXPECT_STREAM_ERROR(1, H2_FLOW_CONTROL_ERROR);
    teardown();
}

H2_TEST(rfc9113_6_9_1_data_exceeds_stream_window)
{
    static char d[200];
    h2_session_config c;
    h2_session_config_init(&c);
    c.initial_window_size = 100;
    setup_started(&c);
    tc_request(&T, 1, "POST", "/", 0);
    tc_data(&T, 1, d, 100, 0);
    tc_data(&T, 1, d, 1, 0);
    EXPECT_STREAM_ERROR(1, H2_FLOW_CONTROL_ERROR);
    H2_CHECK_EQ(T.body_total, 100);
    teardown();
}

H2_TEST(rfc9113_6_9_1_data_exceeds_connection_window)
{
    static char d[16384];
    int i;
    h2_session_config c;
    h2_session_config_init(&c);
    c.conn_window_size = 65535;
    c.initial_window_size = 1 << 20;
    setup_started(&c);
    tc_request(&T, 1, "POST", "/", 0);
    for (i = 0; i < 4; i++) {
        tc_data(&T, 1, d, sizeof(d), 0);   /* 65536 > 65535 */
    }
    EXPECT_CONN_ERROR(H2_FLOW_CONTROL_ERROR);
    teardown();
}

H2_TEST(rfc9113_6_9_1_server_respects_stream_window)
{
    static char body[300];
    h2_setting s = { H2_SET_INITIAL_WINDOW_SIZE, 100 };
    setup(NULL);
    tc_start_with(&T, &s, 1);
    tc_get(&T, 1);
    tc_feed(&T);
    tc_body(&T, 1, body, sizeof(body), 1);
    h2_session_submit_response(T.s, 1, 200, NULL, 0, 0);
    tc_pump(&T);
    H2_CHECK_EQ(T.data_bytes, 100);
    H2_CHECK(!h2_session_want_write(T.s));
    tc_wu(&T, 1, 150);
    tc_feed(&T);
    tc_pump(&T);
    H2_CHECK_EQ(T.data_bytes, 250);
    tc_wu(&T, 1, 1000);
    tc_feed(&T);
    tc_pump(&T);
    H2_CHECK_EQ(T.data_bytes, 300);
    H2_CHECK_EQ(h2_session_stream_state(T.s, 1), H2_SS_CLOSED);
    teardown();
}

H2_TEST(rfc9113_6_9_1_server_respects_connection_window)
{
    static char body[50000];
    h2_setting s = { H2_SET_INITIAL_WINDOW_SIZE, 1 << 20 };
    h2_session_stats st;
    setup(NULL);
    tc_start_with(&T, &s, 1);
    tc_get(&T, 1);
    tc_get(&T, 3);
    tc_feed(&T);
    tc_body(&T, 1, body, sizeof(body), 1);
    tc_body(&T, 3, body, sizeof(body), 1);
    h2_session_submit_response(T.s, 1, 200, NULL, 0, 0);
    h2_session_submit_response(T.s, 3, 200, NULL, 0, 0);
    tc_pump(&T);
    H2_CHECK_EQ(T.data_bytes, 65535);
    h2_session_get_stats(T.s, &st);
    H2_CHECK_EQ(st.conn_send_window, 0);
    tc_wu(&T, 0, 100000);
    tc_feed(&T);
    tc_pump(&T);
    H2_CHECK_EQ(T.data_bytes, 100000);
    teardown();
}

H2_TEST(rfc9113_6_9_2_initial_window_change_can_go_negative)
{
    static char body[200];
    h2_setting s = { H2_SET_INITIAL_WINDOW_SIZE, 50 };
    setup(NULL);
    tc_start_with(&T, &s, 1);
    tc_get(&T, 1);
    tc_feed(&T);
    tc_body(&T, 1, body, sizeof(body), 1);
    h2_session_submit_response(T.s, 1, 200, NULL, 0, 0);
    tc_pump(&T);
    H2_CHECK_EQ(T.data_bytes, 50);
    s.value = 20;   /* window 20 - 50 = -30 */
    tc_settings(&T, &s, 1);
    tc_wu(&T, 1, 40);   /* -> 10 */
    tc_feed(&T);
    tc_pump(&T);
    H2_CHECK_EQ(T.data_bytes, 60);
    s.value = 200;      /* +180 -> 180 */
    tc_settings(&T, &s, 1);
    tc_feed(&T);
    tc_pump(&T);
    H2_CHECK_EQ(T.data_bytes, 200);
    teardown();
}

H2_TEST(rfc9113_6_9_2_initial_window_overflow)
{
    h2_setting s = { H2_SET_INITIAL_WINDOW_SIZE, 0x7fffffffu };
    setup_started(NULL);
    tc_get(&T, 1);
    tc_wu(&T, 1, 0x7fffffffu - 65535);   /* stream window at the maximum */
    tc_settings(&T, &s, 1);
    EXPECT_CONN_ERROR(H2_FLOW_CONTROL_ERROR);
    teardown();
}

H2_TEST(rfc9113_6_9_window_updates_sent_as_consumed)
{
    static char d[16384];
    long i;
    setup_started(NULL);
    tc_request(&T, 1, "POST", "/", 0);
    tc_data(&T, 1, d, sizeof(d), 0);
    tc_data(&T, 1, d, sizeof(d), 0);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(tc_count(&T, H2_FT_WINDOW_UPDATE), 0);   /* nothing consumed yet */
    h2_session_consume(T.s, 1, 2 * sizeof(d));
    tc_pump(&T);
    i = tc_find(&T, H2_FT_WINDOW_UPDATE, 1);
    H2_CHECK(i >= 0);
    if (i >= 0) {
        H2_CHECK(T.f[i].increment >= 2 * sizeof(d));
    }
    teardown();
}

H2_TEST(rfc9113_6_9_data_on_reset_stream_replenishes_connection)
{
    static char d[16384];
    int i;
    h2_session_config c;
    h2_session_config_init(&c);
    c.conn_window_size = 65535;
    c.initial_window_size = 1 << 20;
    setup_started(&c);
    tc_request(&T, 1, "POST", "/", 0);
    tc_feed(&T);
    h2_session_submit_rst(T.s, 1, H2_CANCEL);
    tc_pump(&T);
    tc_clear(&T);
    for (i = 0; i < 3; i++) {
        tc_data(&T, 1, d, sizeof(d), 0);
    }
    EXPECT_NO_ERROR();
    H2_CHECK(tc_find(&T, H2_FT_WINDOW_UPDATE, 0) >= 0);
    teardown();
}

H2_TEST(rfc9113_6_10_continuation_stream_0)
{
    setup_started(NULL);
    tc_request_split(&T, 1, 5, 1000, 1);
    h2_put_u32(T.in.data + 9 + 5 + 5, 0);
    EXPECT_CONN_ERROR(H2_PROTOCOL_ERROR);
    teardown();
}

H2_TEST(rfc9113_6_10_continuation_after_end_headers)
{
    setup_started(NULL);
    tc_request(&T, 1, "POST", "/", 0);
    tc_raw(&T, H2_FT_CONTINUATION, H2_FLAG_END_HEADERS, 1, "\x40\x01x\x01y", 5);
    EXPECT_CONN_ERROR(H2_PROTOCOL_ERROR);
    teardown();
}

/* ------------------------------------------------------------------------------------- */
/* §8 HTTP message exchanges */

H2_TEST(rfc9113_8_1_trailers_delivered)
{
    h2_nv tr[2] = { TC_NV("x-checksum", "abc"), TC_NV("x-more", "1") };
    setup_started(NULL);
    tc_request(&T, 1, "POST", "/", 0);
    tc_data(&T, 1, "body", 4, 0);
    tc_headers_nv(&T, 1, tr, 2, 1);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_req_end, 1);
    H2_CHECK_EQ(T.last_trailers, 2);
    teardown();
}

H2_TEST(rfc9113_8_1_trailers_without_end_stream)
{
    h2_nv tr[1] = { TC_NV("x-checksum", "abc") };
    setup_started(NULL);
    tc_request(&T, 1, "POST", "/", 0);
    tc_headers_nv(&T, 1, tr, 1, 0);
    EXPECT_STREAM_ERROR(1, H2_PROTOCOL_ERROR);
    H2_CHECK_EQ(T.n_req_end, 0);
    teardown();
}

H2_TEST(rfc9113_8_1_trailers_with_pseudo_header)
{
    h2_nv tr[1] = { TC_NV(":path", "/x") };
    setup_started(NULL);
    tc_request(&T, 1, "POST", "/", 0);
    tc_headers_nv(&T, 1, tr, 1, 1);
    EXPECT_STREAM_ERROR(1, H2_PROTOCOL_ERROR);
    teardown();
}

static void content_length_case(const char *cl, const char *body, size_t n, int expect_ok)
{
    h2_nv nv[5] = { TC_NV(":method", "POST"), TC_NV(":scheme", "https"),
                    TC_NV(":authority", "a"), TC_NV(":path", "/"), TC_NV("content-length", "") };
    nv[4].value = (const uint8_t *)cl;
    nv[4].value_len = strlen(cl);
    setup_started(NULL);
    request_nv(1, nv, 5, 0);
    tc_data(&T, 1, body, n, 1);
    if (expect_ok) {
        EXPECT_NO_ERROR();
        H2_CHECK_EQ(T.n_req_end, 1);
        H2_CHECK_EQ(T.last_req.content_length, (long long)strtoll(cl, NULL, 10));
    } else {
        EXPECT_STREAM_ERROR(1, H2_PROTOCOL_ERROR);
        H2_CHECK_EQ(T.n_req_end, 0);
    }
    teardown();
}

H2_TEST(rfc9113_8_1_1_content_length_matches)
{
    content_length_case("5", "hello", 5, 1);
}

H2_TEST(rfc9113_8_1_1_content_length_body_short)
{
    content_length_case("6", "hello", 5, 0);
}

H2_TEST(rfc9113_8_1_1_content_length_body_long)
{
    content_length_case("4", "hello", 5, 0);
}

H2_TEST(rfc9113_8_1_1_content_length_invalid)
{
    content_length_case("5x", "hello", 5, 0);
}

H2_TEST(rfc9113_8_1_1_content_length_without_body)
{
    h2_nv nv[5] = { TC_NV(":method", "POST"), TC_NV(":scheme", "https"),
                    TC_NV(":authority", "a"), TC_NV(":path", "/"), TC_NV("content-length", "3") };
    malformed_list(nv, 5, 1);
}

H2_TEST(rfc9113_8_1_interim_then_final_response)
{
    long i;
    h2_nv link[1] = { TC_NV("link", "</a.css>; rel=preload") };
    setup_started(NULL);
    tc_get(&T, 1);
    tc_feed(&T);
    H2_CHECK_EQ(h2_session_submit_response(T.s, 1, 103, link, 1, 1), H2_SESS_ERR_ARG);
    H2_CHECK_EQ(h2_session_submit_response(T.s, 1, 103, link, 1, 0), H2_SESS_OK);
    H2_CHECK_EQ(h2_session_submit_response(T.s, 1, 200, NULL, 0, 1), H2_SESS_OK);
    H2_CHECK_EQ(h2_session_submit_response(T.s, 1, 200, NULL, 0, 1), H2_SESS_ERR_STATE);
    tc_pump(&T);
    i = tc_find(&T, H2_FT_HEADERS, 1);
    H2_CHECK(i >= 0 && T.f[i].status == 103 && !(T.f[i].flags & H2_FLAG_END_STREAM));
    H2_CHECK(i >= 0 && (size_t)i + 1 < T.nf && T.f[i + 1].status == 200 &&
             (T.f[i + 1].flags & H2_FLAG_END_STREAM));
    teardown();
}

H2_TEST(rfc9113_8_2_uppercase_field_name)
{
    malformed_extra("X-Upper", 7, "v", 1);
}

H2_TEST(rfc9113_8_2_1_field_name_with_space)
{
    malformed_extra("x y", 3, "v", 1);
}

H2_TEST(rfc9113_8_2_1_field_name_with_colon)
{
    malformed_extra("x:y", 3, "v", 1);
}

H2_TEST(rfc9113_8_2_1_field_name_empty)
{
    malformed_extra("", 0, "v", 1);
}

H2_TEST(rfc9113_8_2_1_field_name_high_octet)
{
    malformed_extra("x\xc3\xa9", 3, "v", 1);
}

H2_TEST(rfc9113_8_2_1_field_value_cr)
{
    malformed_extra("x", 1, "a\rb", 3);
}

H2_TEST(rfc9113_8_2_1_field_value_lf)
{
    malformed_extra("x", 1, "a\nb", 3);
}

H2_TEST(rfc9113_8_2_1_field_value_nul)
{
    malformed_extra("x", 1, "a\0b", 3);
}

H2_TEST(rfc9113_8_2_1_field_value_leading_space)
{
    malformed_extra("x", 1, " ab", 3);
}

H2_TEST(rfc9113_8_2_1_field_value_trailing_tab)
{
    malformed_extra("x", 1, "ab\t", 3);
}

H2_TEST(rfc9113_8_2_1_field_value_inner_space_ok)
{
    h2_nv nv[5] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                    TC_NV(":authority", "a"), TC_NV(":path", "/"), TC_NV("x", "a b\tc") };
    accepted_list(nv, 5, 1);
}

H2_TEST(rfc9113_8_2_2_connection_specific_fields)
{
    static const char *names[] = { "connection", "keep-alive", "proxy-connection",
                                   "transfer-encoding", "upgrade" };
    size_t i;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        malformed_extra(names[i], strlen(names[i]), "x", 1);
    }
}

H2_TEST(rfc9113_8_2_2_te_trailers_allowed)
{
    h2_nv nv[5] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                    TC_NV(":authority", "a"), TC_NV(":path", "/"), TC_NV("te", "trailers") };
    accepted_list(nv, 5, 1);
}

H2_TEST(rfc9113_8_2_2_te_other_than_trailers)
{
    malformed_extra("te", 2, "gzip", 4);
}

H2_TEST(rfc9113_8_2_3_cookie_crumbs_passed)
{
    h2_nv nv[6] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                    TC_NV(":authority", "a"), TC_NV(":path", "/"),
                    TC_NV("cookie", "a=1"), TC_NV("cookie", "b=2") };
    setup_started(NULL);
    request_nv(1, nv, 6, 1);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.last_nfields, 2);
    teardown();
}

H2_TEST(rfc9113_8_3_missing_method)
{
    h2_nv nv[3] = { TC_NV(":scheme", "https"), TC_NV(":authority", "a"), TC_NV(":path", "/") };
    malformed_list(nv, 3, 1);
}

H2_TEST(rfc9113_8_3_missing_scheme)
{
    h2_nv nv[3] = { TC_NV(":method", "GET"), TC_NV(":authority", "a"), TC_NV(":path", "/") };
    malformed_list(nv, 3, 1);
}

H2_TEST(rfc9113_8_3_missing_path)
{
    h2_nv nv[3] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"), TC_NV(":authority", "a") };
    malformed_list(nv, 3, 1);
}

H2_TEST(rfc9113_8_3_duplicate_pseudo_header)
{
    h2_nv nv[5] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                    TC_NV(":authority", "a"), TC_NV(":path", "/"), TC_NV(":path", "/x") };
    malformed_list(nv, 5, 1);
}

H2_TEST(rfc9113_8_3_pseudo_after_regular)
{
    h2_nv nv[5] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                    TC_NV("accept", "*/*"), TC_NV(":authority", "a"), TC_NV(":path", "/") };
    malformed_list(nv, 5, 1);
}

H2_TEST(rfc9113_8_3_unknown_pseudo_header)
{
    h2_nv nv[5] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                    TC_NV(":authority", "a"), TC_NV(":path", "/"), TC_NV(":foo", "bar") };
    malformed_list(nv, 5, 1);
}

H2_TEST(rfc9113_8_3_response_pseudo_in_request)
{
    h2_nv nv[5] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                    TC_NV(":authority", "a"), TC_NV(":path", "/"), TC_NV(":status", "200") };
    malformed_list(nv, 5, 1);
}

H2_TEST(rfc9113_8_3_1_empty_path)
{
    h2_nv nv[4] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                    TC_NV(":authority", "a"), TC_NV(":path", "") };
    malformed_list(nv, 4, 1);
}

H2_TEST(rfc9113_8_3_1_relative_path)
{
    h2_nv nv[4] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                    TC_NV(":authority", "a"), TC_NV(":path", "index.html") };
    malformed_list(nv, 4, 1);
}

H2_TEST(rfc9113_8_3_1_options_asterisk)
{
    h2_nv ok[4] = { TC_NV(":method", "OPTIONS"), TC_NV(":scheme", "https"),
                    TC_NV(":authority", "a"), TC_NV(":path", "*") };
    h2_nv bad[4] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                     TC_NV(":authority", "a"), TC_NV(":path", "*") };
    accepted_list(ok, 4, 1);
    malformed_list(bad, 4, 1);
}

H2_TEST(rfc9113_8_3_1_authority_userinfo)
{
    h2_nv nv[4] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                    TC_NV(":authority", "user@a"), TC_NV(":path", "/") };
    malformed_list(nv, 4, 1);
}

H2_TEST(rfc9113_8_3_1_host_differs_from_authority)
{
    h2_nv bad[5] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                     TC_NV(":authority", "a.example"), TC_NV(":path", "/"), TC_NV("host", "b.example") };
    h2_nv ok[5] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                    TC_NV(":authority", "A.example"), TC_NV(":path", "/"), TC_NV("host", "a.EXAMPLE") };
    malformed_list(bad, 5, 1);
    accepted_list(ok, 5, 1);
}

H2_TEST(rfc9113_8_3_1_request_fields_delivered)
{
    h2_nv nv[6] = { TC_NV(":method", "GET"), TC_NV(":scheme", "http"),
                    TC_NV(":authority", "www.example.org:8080"), TC_NV(":path", "/a?b=c"),
                    TC_NV("accept", "*/*"), TC_NV("user-agent", "t") };
    setup_started(NULL);
    request_nv(1, nv, 6, 1);
    EXPECT_NO_ERROR();
    H2_CHECK(strcmp(T.last_method, "GET") == 0);
    H2_CHECK(strcmp(T.last_scheme, "http") == 0);
    H2_CHECK(strcmp(T.last_authority, "www.example.org:8080") == 0);
    H2_CHECK(strcmp(T.last_path, "/a?b=c") == 0);
    H2_CHECK_EQ(T.last_nfields, 2);
    H2_CHECK_EQ(T.last_req.end_stream, 1);
    H2_CHECK_EQ(T.last_req.content_length, -1);
    H2_CHECK_EQ(T.n_req_end, 1);
    teardown();
}

/* a request with one pseudo-header replaced (name, value of len vl), expecting RST on
 * stream 1 and the connection carrying on (a GET on stream 3 is delivered) */
static void pseudo_case(const char *name, const char *value, size_t vl, int expect_ok)
{
    h2_nv nv[4] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                    TC_NV(":authority", "example.org"), TC_NV(":path", "/") };
    size_t i;
    for (i = 0; i < 4; i++) {
        if (strcmp((const char *)nv[i].name, name) == 0) {
            nv[i].value = (const uint8_t *)value;
            nv[i].value_len = vl;
        }
    }
    setup_started(NULL);
    request_nv(1, nv, 4, 1);
    if (expect_ok) {
        EXPECT_NO_ERROR();
        H2_CHECK_EQ(T.n_req, 1);
    } else {
        EXPECT_STREAM_ERROR(1, H2_PROTOCOL_ERROR);
        H2_CHECK_EQ(T.n_req, 0);
        tc_clear(&T);
        tc_get(&T, 3);
        EXPECT_NO_ERROR();
        H2_CHECK_EQ(T.n_req, 1);
    }
    teardown();
}

#define PSEUDO_BAD(name, lit) pseudo_case(name, lit, sizeof(lit) - 1, 0)
#define PSEUDO_OK(name, lit) pseudo_case(name, lit, sizeof(lit) - 1, 1)

/* :method is a method token (RFC 9110 §9.1, §5.6.2 token = 1*tchar): anything else would
 * reach an HTTP/1.1 request line (a proxied backend) as more than a method */
H2_TEST(rfc9113_8_3_1_method_not_token)
{
    PSEUDO_BAD(":method", "GET /admin?");
    PSEUDO_BAD(":method", "");
    PSEUDO_BAD(":method", "G:ET");
    PSEUDO_BAD(":method", "GE\tT");
    PSEUDO_BAD(":method", "GET\x7f");
    PSEUDO_BAD(":method", "G\x01T");
    PSEUDO_BAD(":method", "G\xc3\x89T");
    PSEUDO_BAD(":method", "G(ET");
    PSEUDO_BAD(":method", "GET/");
    PSEUDO_BAD(":method", "G\"T");
}

H2_TEST(rfc9113_8_3_1_method_custom_token_accepted)
{
    PSEUDO_OK(":method", "PROPFIND");
    H2_CHECK(strcmp(T.last_method, "PROPFIND") == 0);
    PSEUDO_OK(":method", "M-SEARCH");
    H2_CHECK(strcmp(T.last_method, "M-SEARCH") == 0);
    PSEUDO_OK(":method", "!#$%&'*+-.^_`|~09azAZ");
    PSEUDO_OK(":method", "get");
}

/* :scheme: RFC 3986 §3.1 scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
H2_TEST(rfc9113_8_3_1_scheme_invalid)
{
    PSEUDO_BAD(":scheme", "");
    PSEUDO_BAD(":scheme", "ht tp");
    PSEUDO_BAD(":scheme", "1http");
    PSEUDO_BAD(":scheme", "ht:tp");
    PSEUDO_BAD(":scheme", "http/");
    PSEUDO_BAD(":scheme", "https\x7f");
    PSEUDO_BAD(":scheme", "-https");
}

H2_TEST(rfc9113_8_3_1_scheme_valid_accepted)
{
    PSEUDO_OK(":scheme", "http");
    H2_CHECK(strcmp(T.last_scheme, "http") == 0);
    PSEUDO_OK(":scheme", "coap+tcp");
    PSEUDO_OK(":scheme", "a1.b-c");
}

/* :path goes into a request line: no SP, no CTL, origin-form (or '*' for OPTIONS) for
 * every scheme, a scheme's case not mattering */
H2_TEST(rfc9113_8_3_1_path_invalid)
{
    PSEUDO_BAD(":path", "/a b");
    PSEUDO_BAD(":path", "/a\tb");
    PSEUDO_BAD(":path", "/a\x7f");
    PSEUDO_BAD(":path", "/\x01");
    PSEUDO_BAD(":path", "/admin HTTP/1.1");
    PSEUDO_BAD(":path", "a/b");
    PSEUDO_BAD(":path", "http://example.org/");
}

H2_TEST(rfc9113_8_3_1_path_other_scheme_same_rules)
{
    h2_nv rel[4] = { TC_NV(":method", "GET"), TC_NV(":scheme", "foo"),
                     TC_NV(":authority", "a"), TC_NV(":path", "index.html") };
    h2_nv upper[4] = { TC_NV(":method", "GET"), TC_NV(":scheme", "HTTPS"),
                       TC_NV(":authority", "a"), TC_NV(":path", "index.html") };
    h2_nv sp[4] = { TC_NV(":method", "GET"), TC_NV(":scheme", "foo"),
                    TC_NV(":authority", "a"), TC_NV(":path", "/a b") };
    malformed_list(rel, 4, 1);
    malformed_list(upper, 4, 1);
    malformed_list(sp, 4, 1);
}

H2_TEST(rfc9113_8_3_1_path_valid_accepted)
{
    PSEUDO_OK(":path", "/a?b=c%20d&e=[f]#g");
    H2_CHECK(strcmp(T.last_path, "/a?b=c%20d&e=[f]#g") == 0);
    PSEUDO_OK(":path", "/\xc3\xbc");
    PSEUDO_OK(":path", "/");
}

/* :authority becomes Host: RFC 3986 §3.2 authority characters, no userinfo (§8.3.1) */
H2_TEST(rfc9113_8_3_1_authority_invalid)
{
    PSEUDO_BAD(":authority", "a b");
    PSEUDO_BAD(":authority", "a\tb");
    PSEUDO_BAD(":authority", "a\x7f");
    PSEUDO_BAD(":authority", "a/b");
    PSEUDO_BAD(":authority", "a?b");
    PSEUDO_BAD(":authority", "a#b");
    PSEUDO_BAD(":authority", "a\\b");
    PSEUDO_BAD(":authority", "a\xc3\xbc");
    PSEUDO_BAD(":authority", "user@a");
}

H2_TEST(rfc9113_8_3_1_authority_userinfo_any_scheme)
{
    h2_nv foo[4] = { TC_NV(":method", "GET"), TC_NV(":scheme", "foo"),
                     TC_NV(":authority", "user@a"), TC_NV(":path", "/") };
    h2_nv connect[2] = { TC_NV(":method", "CONNECT"), TC_NV(":authority", "user@a:443") };
    malformed_list(foo, 4, 1);
    malformed_list(connect, 2, 0);
}

H2_TEST(rfc9113_8_3_1_authority_valid_accepted)
{
    PSEUDO_OK(":authority", "[::1]:8443");
    H2_CHECK(strcmp(T.last_authority, "[::1]:8443") == 0);
    PSEUDO_OK(":authority", "xn--bcher-kva.example:80");
    PSEUDO_OK(":authority", "a_b~c.example");
    PSEUDO_OK(":authority", "a%2eb!$&'()*+,;=");
}

/* a Host field stands for :authority when that is absent: the same characters */
H2_TEST(rfc9113_8_3_1_host_invalid)
{
    h2_nv bad[4] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                     TC_NV(":path", "/"), TC_NV("host", "a b") };
    h2_nv userinfo[4] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                          TC_NV(":path", "/"), TC_NV("host", "u@a") };
    h2_nv ok[4] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                    TC_NV(":path", "/"), TC_NV("host", "a.example:8080") };
    malformed_list(bad, 4, 1);
    malformed_list(userinfo, 4, 1);
    accepted_list(ok, 4, 1);
}

/* ------------------------------------------------------------------------------------- */
/* A header list over the limits (answered 431 by the glue) is still a request: what of it
 * was decoded gets the checks of §8.2 / §8.3, so a malformed one is RST_STREAM, never a
 * request the glue would act on. */

static char big_value[3000];

/* nv (n fields) followed by x-big of 3000 octets, with max_header_list_size 1024; ecp:
 * SETTINGS_ENABLE_CONNECT_PROTOCOL. Expects RST(PROTOCOL_ERROR) when !expect_431, else
 * the request delivered with too_large = 1. The connection carries on either way. */
static void too_large_case(const h2_nv *nv, size_t n, int ecp, int es, int expect_431)
{
    h2_session_config c;
    h2_nv all[8];
    size_t i;
    h2_session_config_init(&c);
    c.max_header_list_size = 1024;
    c.enable_connect_protocol = (uint32_t)ecp;
    memset(big_value, 'a', sizeof(big_value));
    for (i = 0; i < n && i < 7; i++) {
        all[i] = nv[i];
    }
    all[i].name = (const uint8_t *)"x-big";
    all[i].name_len = 5;
    all[i].value = (const uint8_t *)big_value;
    all[i].value_len = sizeof(big_value);
    all[i].flags = 0;
    setup_started(&c);
    request_nv(1, all, i + 1, es);
    if (expect_431) {
        EXPECT_NO_ERROR();
        H2_CHECK_EQ(T.n_req, 1);
        H2_CHECK_EQ(T.last_too_large, 1);
        H2_CHECK_EQ(h2_session_submit_response(T.s, 1, 431, NULL, 0, 1), H2_SESS_OK);
    } else {
        EXPECT_STREAM_ERROR(1, H2_PROTOCOL_ERROR);
        H2_CHECK_EQ(T.n_req, 0);
    }
    tc_clear(&T);
    tc_get(&T, 3);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_req, expect_431 ? 2 : 1);
    H2_CHECK_EQ(T.last_too_large, 0);
    teardown();
}

H2_TEST(rfc9113_8_3_too_large_protocol_not_enabled)
{
    h2_nv nv[5] = { TC_NV(":method", "CONNECT"), TC_NV(":protocol", "websocket"),
                    TC_NV(":scheme", "https"), TC_NV(":authority", "a"), TC_NV(":path", "/ws") };
    too_large_case(nv, 5, 0, 0, 0);
}

H2_TEST(rfc9113_8_3_too_large_protocol_without_connect)
{
    h2_nv nv[5] = { TC_NV(":method", "GET"), TC_NV(":protocol", "websocket"),
                    TC_NV(":scheme", "https"), TC_NV(":authority", "a"), TC_NV(":path", "/ws") };
    too_large_case(nv, 5, 1, 0, 0);
}

H2_TEST(rfc9113_8_3_too_large_extended_connect_is_431)
{
    h2_nv nv[5] = { TC_NV(":method", "CONNECT"), TC_NV(":protocol", "websocket"),
                    TC_NV(":scheme", "https"), TC_NV(":authority", "a"), TC_NV(":path", "/ws") };
    too_large_case(nv, 5, 1, 0, 1);
}

H2_TEST(rfc9113_8_3_too_large_relative_path)
{
    h2_nv nv[4] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                    TC_NV(":authority", "a"), TC_NV(":path", "index.html") };
    too_large_case(nv, 4, 0, 1, 0);
}

H2_TEST(rfc9113_8_3_too_large_method_not_token)
{
    h2_nv nv[4] = { TC_NV(":method", "GET /admin?"), TC_NV(":scheme", "https"),
                    TC_NV(":authority", "a"), TC_NV(":path", "/") };
    too_large_case(nv, 4, 0, 1, 0);
}

H2_TEST(rfc9113_8_3_too_large_missing_scheme)
{
    /* a regular field within the limits ended the pseudo-header section: it is known to
     * be incomplete */
    h2_nv nv[4] = { TC_NV(":method", "GET"), TC_NV(":authority", "a"), TC_NV(":path", "/"),
                    TC_NV("accept", "*" "/" "*") };
    too_large_case(nv, 4, 0, 1, 0);
    /* the limit crossed by the first regular field: a :scheme after it could have been cut
     * off, so nothing is made up: 431 */
    too_large_case(nv, 3, 0, 1, 1);
}

H2_TEST(rfc9113_8_3_too_large_malformed_field_before_limit)
{
    h2_nv nv[5] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                    TC_NV(":authority", "a"), TC_NV(":path", "/"), TC_NV("connection", "close") };
    too_large_case(nv, 5, 0, 1, 0);
}

H2_TEST(rfc9113_8_3_too_large_well_formed_is_431)
{
    h2_nv nv[4] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                    TC_NV(":authority", "a"), TC_NV(":path", "/") };
    too_large_case(nv, 4, 0, 1, 1);
    H2_CHECK(strcmp(T.last_method, "GET") == 0);
}

H2_TEST(rfc9113_8_3_too_large_inside_pseudo_headers)
{
    /* the limit is crossed by :path itself: what follows is unknown, what came before is
     * checked (the :protocol seen is malformed without RFC 8441), else 431 */
    h2_session_config c;
    h2_nv bad[5] = { TC_NV(":method", "CONNECT"), TC_NV(":protocol", "websocket"),
                     TC_NV(":scheme", "https"), TC_NV(":authority", "a"), TC_NV(":path", "") };
    h2_nv ok[4] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                    TC_NV(":path", ""), TC_NV(":authority", "a") };
    memset(big_value, 'a', sizeof(big_value));
    big_value[0] = '/';
    bad[4].value = ok[2].value = (const uint8_t *)big_value;
    bad[4].value_len = ok[2].value_len = sizeof(big_value);
    h2_session_config_init(&c);
    c.max_header_list_size = 1024;
    setup_started(&c);
    request_nv(1, bad, 5, 0);
    EXPECT_STREAM_ERROR(1, H2_PROTOCOL_ERROR);
    H2_CHECK_EQ(T.n_req, 0);
    tc_clear(&T);
    request_nv(3, ok, 4, 1);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_req, 1);
    H2_CHECK_EQ(T.last_too_large, 1);
    H2_CHECK(T.last_req.path == NULL);       /* never seen: not made up */
    H2_CHECK(T.last_req.protocol == NULL);
    teardown();
}

H2_TEST(rfc8441_protocol_not_enabled)
{
    h2_nv nv[5] = { TC_NV(":method", "CONNECT"), TC_NV(":protocol", "websocket"),
                    TC_NV(":scheme", "https"), TC_NV(":authority", "a"), TC_NV(":path", "/ws") };
    malformed_list(nv, 5, 0);
}

H2_TEST(rfc8441_protocol_enabled)
{
    int found;
    h2_session_config c;
    h2_nv nv[5] = { TC_NV(":method", "CONNECT"), TC_NV(":protocol", "websocket"),
                    TC_NV(":scheme", "https"), TC_NV(":authority", "a"), TC_NV(":path", "/ws") };
    h2_session_config_init(&c);
    c.enable_connect_protocol = 1;
    setup(&c);
    tc_pump(&T);
    H2_CHECK_EQ(setting_of(&T.f[0], H2_SET_ENABLE_CONNECT_PROTOCOL, &found), 1);
    H2_CHECK(found);
    tc_clear(&T);
    tc_start(&T);
    request_nv(1, nv, 5, 0);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_req, 1);
    teardown();
}

/* a session that announces SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441 §3), started */
static void setup_ecp(void)
{
    h2_session_config c;
    h2_session_config_init(&c);
    c.enable_connect_protocol = 1;
    setup_started(&c);
}

static void malformed_ecp(const h2_nv *nv, size_t n)
{
    setup_ecp();
    request_nv(1, nv, n, 0);
    EXPECT_STREAM_ERROR(1, H2_PROTOCOL_ERROR);
    H2_CHECK_EQ(T.n_req, 0);
    /* the connection carries on */
    tc_clear(&T);
    tc_get(&T, 3);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_req, 1);
    teardown();
}

H2_TEST(rfc8441_3_setting_absent_unless_enabled)
{
    int found;
    setup(NULL);
    tc_pump(&T);
    H2_CHECK_EQ(T.f[0].type, H2_FT_SETTINGS);
    setting_of(&T.f[0], H2_SET_ENABLE_CONNECT_PROTOCOL, &found);
    H2_CHECK(!found);
    teardown();
}

H2_TEST(rfc8441_4_protocol_only_with_connect)
{
    h2_nv get[5] = { TC_NV(":method", "GET"), TC_NV(":protocol", "websocket"),
                     TC_NV(":scheme", "https"), TC_NV(":authority", "a"), TC_NV(":path", "/ws") };
    malformed_ecp(get, 5);
}

H2_TEST(rfc8441_4_extended_connect_requires_scheme_and_path)
{
    h2_nv no_path[4] = { TC_NV(":method", "CONNECT"), TC_NV(":protocol", "websocket"),
                         TC_NV(":scheme", "https"), TC_NV(":authority", "a") };
    h2_nv no_scheme[4] = { TC_NV(":method", "CONNECT"), TC_NV(":protocol", "websocket"),
                           TC_NV(":authority", "a"), TC_NV(":path", "/ws") };
    h2_nv no_auth[4] = { TC_NV(":method", "CONNECT"), TC_NV(":protocol", "websocket"),
                         TC_NV(":scheme", "https"), TC_NV(":path", "/ws") };
    malformed_ecp(no_path, 4);
    malformed_ecp(no_scheme, 4);
    malformed_ecp(no_auth, 4);
}

H2_TEST(rfc8441_4_request_carries_protocol)
{
    h2_nv nv[6] = { TC_NV(":method", "CONNECT"), TC_NV(":protocol", "websocket"),
                    TC_NV(":scheme", "http"), TC_NV(":authority", "a"), TC_NV(":path", "/ws"),
                    TC_NV("sec-websocket-version", "13") };
    setup_ecp();
    request_nv(1, nv, 6, 0);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_req, 1);
    H2_CHECK(strcmp(T.last_method, "CONNECT") == 0);
    H2_CHECK(strcmp(T.last_path, "/ws") == 0);
    H2_CHECK_EQ(T.last_req.protocol_len, 9);
    H2_CHECK_EQ(T.last_req.end_stream, 0);
    H2_CHECK_EQ(T.last_req.content_length, -1);
    H2_CHECK_EQ(T.last_nfields, 1);
    H2_CHECK_EQ(T.n_req_end, 0);
    teardown();
}

/* RFC 8441 §4/§5: after a 2xx the stream carries data both ways as DATA frames; END_STREAM
 * from either side half-closes it (a TCP FIN), the stream closes when both sent it */
H2_TEST(rfc8441_5_data_both_ways_then_end_stream)
{
    h2_nv nv[5] = { TC_NV(":method", "CONNECT"), TC_NV(":protocol", "websocket"),
                    TC_NV(":scheme", "https"), TC_NV(":authority", "a"), TC_NV(":path", "/ws") };
    tc_src *src;
    setup_ecp();
    T.auto_consume = 1;
    request_nv(1, nv, 5, 0);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_req, 1);
    /* the server answers 200 and streams: no END_STREAM yet */
    src = tc_src_of(&T, 1);
    tc_body(&T, 1, "pong", 4, 0);
    src->ready = 4;
    H2_CHECK_EQ(h2_session_submit_response(T.s, 1, 200, NULL, 0, 0), H2_SESS_OK);
    tc_clear(&T);
    tc_pump(&T);
    H2_CHECK(tc_find(&T, H2_FT_HEADERS, 1) >= 0);
    H2_CHECK_EQ(T.data_bytes, 4);
    H2_CHECK_EQ(h2_session_stream_state(T.s, 1), H2_SS_OPEN);
    /* the client sends data on the open stream, more than once */
    tc_clear(&T);
    tc_data(&T, 1, "ping", 4, 0);
    tc_data(&T, 1, "ping2", 5, 0);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.body_total, 9);
    H2_CHECK(memcmp(T.body, "pingping2", 9) == 0);
    /* the client ends its side: half-closed (remote), the server still sends */
    tc_clear(&T);
    tc_data(&T, 1, NULL, 0, 1);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_req_end, 1);
    H2_CHECK_EQ(h2_session_stream_state(T.s, 1), H2_SS_HALF_CLOSED_REMOTE);
    tc_body(&T, 1, "bye", 3, 1);
    h2_session_resume_data(T.s, 1);
    tc_clear(&T);
    tc_pump(&T);
    H2_CHECK_EQ(T.data_bytes, 7);
    H2_CHECK_EQ(T.n_closed, 1);
    H2_CHECK_EQ(T.closed[0].code, H2_NO_ERROR);
    H2_CHECK_EQ(h2_session_stream_state(T.s, 1), H2_SS_CLOSED);
    teardown();
}

/* RFC 8441 §5 (RFC 6455 abnormal close): RST_STREAM(CANCEL) from the client ends the
 * tunnel; the rest of the connection is unaffected */
H2_TEST(rfc8441_5_client_cancel)
{
    h2_nv nv[5] = { TC_NV(":method", "CONNECT"), TC_NV(":protocol", "websocket"),
                    TC_NV(":scheme", "https"), TC_NV(":authority", "a"), TC_NV(":path", "/ws") };
    setup_ecp();
    request_nv(1, nv, 5, 0);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(h2_session_submit_response(T.s, 1, 200, NULL, 0, 0), H2_SESS_OK);
    tc_pump(&T);
    tc_clear(&T);
    tc_rst_frame(&T, 1, H2_CANCEL);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_closed, 1);
    H2_CHECK_EQ(T.closed[0].code, H2_CANCEL);
    H2_CHECK_EQ(T.closed[0].by_peer, 1);
    tc_clear(&T);
    tc_get(&T, 3);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_req, 2);
    teardown();
}

H2_TEST(rfc9113_8_5_connect)
{
    h2_nv ok[2] = { TC_NV(":method", "CONNECT"), TC_NV(":authority", "a:443") };
    h2_nv with_path[3] = { TC_NV(":method", "CONNECT"), TC_NV(":authority", "a:443"),
                           TC_NV(":path", "/") };
    h2_nv no_auth[1] = { TC_NV(":method", "CONNECT") };
    accepted_list(ok, 2, 0);
    malformed_list(with_path, 3, 0);
    malformed_list(no_auth, 1, 0);
}

H2_TEST(rfc9113_8_4_push_promise_from_client)
{
    static const uint8_t p[] = { 0, 0, 0, 2, 0x82 };
    setup_started(NULL);
    tc_get(&T, 1);
    tc_raw(&T, H2_FT_PUSH_PROMISE, H2_FLAG_END_HEADERS, 1, p, sizeof(p));
    EXPECT_CONN_ERROR(H2_PROTOCOL_ERROR);
    teardown();
}

H2_TEST(rfc9113_8_6_no_101_response)
{
    setup_started(NULL);
    tc_get(&T, 1);
    tc_feed(&T);
    H2_CHECK_EQ(h2_session_submit_response(T.s, 1, 101, NULL, 0, 0), H2_SESS_ERR_ARG);
    teardown();
}

H2_TEST(rfc9113_8_2_2_response_connection_fields_dropped)
{
    long i;
    h2_nv f[4] = { TC_NV("Connection", "close"), TC_NV("Transfer-Encoding", "chunked"),
                   TC_NV("X-Ok", "1"), TC_NV("Bad Name", "x") };
    setup_started(NULL);
    tc_get(&T, 1);
    tc_feed(&T);
    H2_CHECK_EQ(h2_session_submit_response(T.s, 1, 200, f, 4, 1), H2_SESS_OK);
    tc_pump(&T);
    i = tc_find(&T, H2_FT_HEADERS, 1);
    H2_CHECK(i >= 0);
    if (i >= 0) {
        H2_CHECK_EQ(T.f[i].n_fields, 2);   /* :status and x-ok */
    }
    H2_CHECK(!T.out_bad);
    teardown();
}

/* ------------------------------------------------------------------------------------- */
/* RFC 7541 in a session */

H2_TEST(rfc7541_2_3_dynamic_table_shared_by_streams)
{
    h2_nv nv[5] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                    TC_NV(":authority", "example.org"), TC_NV(":path", "/"),
                    TC_NV("x-session", "0123456789abcdef") };
    int i;
    setup_started(NULL);
    T.auto_respond = 1;
    for (i = 0; i < 5; i++) {
        request_nv((uint32_t)(1 + 2 * i), nv, 5, 1);
    }
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_req, 5);
    H2_CHECK_EQ(T.last_nfields, 1);
    teardown();
}

H2_TEST(rfc7541_4_2_table_size_update_above_setting)
{
    /* a dynamic table size update larger than our SETTINGS_HEADER_TABLE_SIZE (4096) */
    static const uint8_t blk[] = { 0x3f, 0xe1, 0x3f, 0x82 };   /* size 8192, :method GET */
    setup_started(NULL);
    tc_raw(&T, H2_FT_HEADERS, H2_FLAG_END_HEADERS | H2_FLAG_END_STREAM, 1, blk, sizeof(blk));
    EXPECT_CONN_ERROR(H2_COMPRESSION_ERROR);
    teardown();
}

H2_TEST(rfc7541_header_list_too_large_reported)
{
    h2_session_config c;
    char big[3000];
    h2_nv nv[5] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                    TC_NV(":authority", "a"), TC_NV(":path", "/"), TC_NV("x-big", "") };
    h2_session_config_init(&c);
    c.max_header_list_size = 1024;
    memset(big, 'a', sizeof(big));
    nv[4].value = (const uint8_t *)big;
    nv[4].value_len = sizeof(big);
    setup_started(&c);
    request_nv(1, nv, 5, 1);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_req, 1);
    H2_CHECK_EQ(T.last_too_large, 1);
    /* the glue answers 431 */
    H2_CHECK_EQ(h2_session_submit_response(T.s, 1, 431, NULL, 0, 1), H2_SESS_OK);
    tc_get(&T, 3);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_req, 2);
    H2_CHECK_EQ(T.last_too_large, 0);
    teardown();
}

/* RFC 9113 §8.2.3: a client may split the cookie field into one field per cookie-pair,
 * which the server joins again; the field count (LimitRequestFields) counts the joined
 * field, as mod_http2 does, so 150 crumbs are one field. Every other field still counts. */
static size_t crumbs_nv(h2_nv *nv, size_t ncookies, size_t nother, char (*buf)[16])
{
    size_t n = 0, i;
    static const h2_nv pseudo[4] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                                     TC_NV(":authority", "a"), TC_NV(":path", "/") };
    for (i = 0; i < 4; ++i) nv[n++] = pseudo[i];
    for (i = 0; i < ncookies + nother; ++i, ++n) {
        snprintf(buf[i], sizeof(buf[i]), i < ncookies ? "c%zu=v" : "x-f%zu", i);
        nv[n].name = (const uint8_t *)(i < ncookies ? "cookie" : buf[i]);
        nv[n].name_len = i < ncookies ? 6 : strlen(buf[i]);
        nv[n].value = (const uint8_t *)(i < ncookies ? buf[i] : "v");
        nv[n].value_len = i < ncookies ? strlen(buf[i]) : 1;
        nv[n].flags = 0;
    }
    return n;
}

H2_TEST(rfc9113_8_2_3_cookie_crumbs_count_as_one_field)
{
    h2_session_config c;
    static h2_nv nv[4 + 150 + 96];
    static char buf[150 + 96][16];
    size_t n;
    h2_session_config_init(&c);
    c.max_header_fields = 100;
    setup_started(&c);
    /* 4 pseudo-headers, 150 crumbs (one field), 95 others: 100 */
    n = crumbs_nv(nv, 150, 95, buf);
    request_nv(1, nv, n, 1);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_req, 1);
    H2_CHECK_EQ(T.last_too_large, 0);
    H2_CHECK_EQ(T.last_nfields, 150 + 95);
    /* one field more than the limit is still too many, crumbs or not */
    n = crumbs_nv(nv, 150, 96, buf);
    request_nv(3, nv, n, 1);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_req, 2);
    H2_CHECK_EQ(T.last_too_large, 1);
    H2_CHECK_EQ(h2_session_submit_response(T.s, 3, 431, NULL, 0, 1), H2_SESS_OK);
    /* and without cookies the count is as before: 4 + 96 = 100 fits, 4 + 97 does not */
    n = crumbs_nv(nv, 0, 96, buf);
    request_nv(5, nv, n, 1);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_req, 3);
    H2_CHECK_EQ(T.last_too_large, 0);
    n = crumbs_nv(nv, 0, 97, buf);
    request_nv(7, nv, n, 1);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_req, 4);
    H2_CHECK_EQ(T.last_too_large, 1);
    teardown();
}

H2_TEST(budget_oversized_header_blocks_per_connection)
{
    /* each oversized block is answered (431 by the glue); beyond max_oversized_blocks per
     * connection the next one is not delivered: GOAWAY(ENHANCE_YOUR_CALM) */
    h2_session_config c;
    char big[3000];
    uint32_t i;
    h2_nv nv[5] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                    TC_NV(":authority", "a"), TC_NV(":path", "/"), TC_NV("x-big", "") };
    h2_session_config_init(&c);
    H2_CHECK_EQ(c.max_oversized_blocks, 4);
    c.max_header_list_size = 1024;
    c.max_oversized_blocks = 3;
    memset(big, 'a', sizeof(big));
    nv[4].value = (const uint8_t *)big;
    nv[4].value_len = sizeof(big);
    setup_started(&c);
    for (i = 0; i < 3; ++i) {
        request_nv(1 + 2 * i, nv, 5, 1);
        EXPECT_NO_ERROR();
        H2_CHECK_EQ(T.n_req, (int)i + 1);
        H2_CHECK_EQ(T.last_too_large, 1);
        H2_CHECK_EQ(h2_session_submit_response(T.s, 1 + 2 * i, 431, NULL, 0, 1), H2_SESS_OK);
    }
    tc_get(&T, 7);           /* a normal request in between does not reset the count */
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_req, 4);
    request_nv(9, nv, 5, 1);
    EXPECT_CONN_ERROR(H2_ENHANCE_YOUR_CALM);
    H2_CHECK_EQ(T.n_req, 4);  /* the fourth oversized block never reached the glue */
    teardown();
}

H2_TEST(budget_oversized_header_blocks_unlimited)
{
    h2_session_config c;
    char big[3000];
    uint32_t i;
    h2_nv nv[5] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                    TC_NV(":authority", "a"), TC_NV(":path", "/"), TC_NV("x-big", "") };
    h2_session_config_init(&c);
    c.max_header_list_size = 1024;
    c.max_oversized_blocks = 0;
    memset(big, 'a', sizeof(big));
    nv[4].value = (const uint8_t *)big;
    nv[4].value_len = sizeof(big);
    setup_started(&c);
    for (i = 0; i < 10; ++i) {
        request_nv(1 + 2 * i, nv, 5, 1);
        EXPECT_NO_ERROR();
        H2_CHECK_EQ(h2_session_submit_response(T.s, 1 + 2 * i, 431, NULL, 0, 1), H2_SESS_OK);
    }
    H2_CHECK_EQ(T.n_req, 10);
    teardown();
}

/* ------------------------------------------------------------------------------------- */
/* RFC 9218 */

H2_TEST(rfc9218_4_priority_header_parsed)
{
    h2_nv nv[5] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                    TC_NV(":authority", "a"), TC_NV(":path", "/"), TC_NV("priority", "u=1, i") };
    h2_priority p;
    setup_started(NULL);
    request_nv(1, nv, 5, 1);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.last_req.priority.urgency, 1);
    H2_CHECK_EQ(T.last_req.priority.incremental, 1);
    H2_CHECK_EQ(h2_session_get_priority(T.s, 1, &p), H2_SESS_OK);
    H2_CHECK_EQ(p.urgency, 1);
    teardown();
}

H2_TEST(rfc9218_7_1_priority_update_for_idle_stream)
{
    setup_started(NULL);
    tc_raw(&T, H2_FT_PRIORITY_UPDATE, 0, 0, "\0\0\0\x05u=0", 7);
    tc_get(&T, 5);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.last_req.priority.urgency, 0);
    teardown();
}

H2_TEST(rfc9218_7_1_priority_update_for_open_stream)
{
    h2_priority p;
    setup_started(NULL);
    tc_get(&T, 1);
    tc_raw(&T, H2_FT_PRIORITY_UPDATE, 0, 0, "\0\0\0\x01u=6, i", 10);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_prio, 1);
    h2_session_get_priority(T.s, 1, &p);
    H2_CHECK_EQ(p.urgency, 6);
    H2_CHECK_EQ(p.incremental, 1);
    teardown();
}

H2_TEST(rfc9218_priority_signals_reported)
{
    /* what the client signalled, for the glue's defaults: nothing, a field with the
     * default value (a flat client), a field with another value (the connection is then
     * known to speak RFC 9218), a PRIORITY_UPDATE before and after the request */
    h2_nv nv[5] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                    TC_NV(":authority", "a"), TC_NV(":path", "/"), TC_NV("priority", "u=3") };
    h2_priority p;
    setup_started(NULL);
    tc_get(&T, 1);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(h2_session_priority_signals(T.s, 1), 0);
    H2_CHECK_EQ(T.last_req.priority_signal, 0u);
    request_nv(3, nv, 5, 1);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.last_req.priority_signal, (unsigned)H2_PRIO_SIG_FIELD);
    H2_CHECK_EQ(h2_session_priority_signals(T.s, 3), H2_PRIO_SIG_FIELD);
    H2_CHECK_EQ(h2_session_priority_signals(T.s, 1), 0);
    nv[4] = (h2_nv)TC_NV("priority", "u=5, i");
    request_nv(5, nv, 5, 1);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(h2_session_priority_signals(T.s, 5), H2_PRIO_SIG_FIELD | H2_PRIO_SIG_CONN);
    H2_CHECK_EQ(h2_session_priority_signals(T.s, 1), H2_PRIO_SIG_CONN);
    tc_raw(&T, H2_FT_PRIORITY_UPDATE, 0, 0, "\0\0\0\x07u=1", 7);
    EXPECT_NO_ERROR();
    tc_get(&T, 7);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.last_req.priority_signal, (unsigned)H2_PRIO_SIG_UPDATE);
    H2_CHECK_EQ(h2_session_priority_signals(T.s, 7), H2_PRIO_SIG_UPDATE | H2_PRIO_SIG_CONN);
    tc_raw(&T, H2_FT_PRIORITY_UPDATE, 0, 0, "\0\0\0\x01u=2", 7);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(h2_session_priority_signals(T.s, 1), H2_PRIO_SIG_UPDATE | H2_PRIO_SIG_CONN);
    /* the server's own change is no client signal and clears none */
    p.urgency = 0; p.incremental = 0;
    H2_CHECK_EQ(h2_session_set_priority(T.s, 1, &p), H2_SESS_OK);
    H2_CHECK_EQ(h2_session_priority_signals(T.s, 1), H2_PRIO_SIG_UPDATE | H2_PRIO_SIG_CONN);
    H2_CHECK_EQ(h2_session_priority_signals(T.s, 99), H2_SESS_ERR_STATE);
    teardown();
}

H2_TEST(rfc9218_priority_update_marks_client_aware)
{
    /* a PRIORITY_UPDATE, even one with the default value, shows the client speaks
     * RFC 9218; a field u=3 alone does not */
    h2_nv nv[5] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                    TC_NV(":authority", "a"), TC_NV(":path", "/"), TC_NV("priority", "u=3") };
    setup_started(NULL);
    request_nv(1, nv, 5, 1);
    EXPECT_NO_ERROR();
    tc_get(&T, 3);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(h2_session_priority_signals(T.s, 3), 0);
    tc_raw(&T, H2_FT_PRIORITY_UPDATE, 0, 0, "\0\0\0\x01u=3", 7);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(h2_session_priority_signals(T.s, 3), H2_PRIO_SIG_CONN);
    teardown();
}

H2_TEST(rfc9218_7_1_priority_update_nonzero_stream)
{
    setup_started(NULL);
    tc_get(&T, 1);
    tc_raw(&T, H2_FT_PRIORITY_UPDATE, 0, 1, "\0\0\0\x01u=6", 7);
    EXPECT_CONN_ERROR(H2_PROTOCOL_ERROR);
    teardown();
}

H2_TEST(rfc9218_7_1_priority_update_push_stream_not_promised)
{
    setup_started(NULL);
    tc_raw(&T, H2_FT_PRIORITY_UPDATE, 0, 0, "\0\0\0\x02u=6", 7);
    EXPECT_CONN_ERROR(H2_PROTOCOL_ERROR);
    teardown();
}

H2_TEST(rfc9218_7_1_priority_update_bad_syntax_ignored)
{
    h2_priority p;
    setup_started(NULL);
    tc_get(&T, 1);
    tc_raw(&T, H2_FT_PRIORITY_UPDATE, 0, 0, "\0\0\0\x01u=,,", 8);
    EXPECT_NO_ERROR();
    h2_session_get_priority(T.s, 1, &p);
    H2_CHECK_EQ(p.urgency, 3);
    teardown();
}

H2_TEST(rfc9218_2_1_no_rfc7540_priorities_invalid_value)
{
    bad_setting(H2_SET_NO_RFC7540_PRIORITIES, 2, H2_PROTOCOL_ERROR);
}

H2_TEST(rfc9218_10_urgency_orders_data)
{
    static char body[1000];
    h2_nv hi[5] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                    TC_NV(":authority", "a"), TC_NV(":path", "/"), TC_NV("priority", "u=0") };
    long i1, i3;
    setup_started(NULL);
    tc_get(&T, 1);              /* u=3 */
    request_nv(3, hi, 5, 1);    /* u=0 */
    tc_feed(&T);
    tc_body(&T, 1, body, sizeof(body), 1);
    tc_body(&T, 3, body, sizeof(body), 1);
    h2_session_submit_response(T.s, 1, 200, NULL, 0, 0);
    h2_session_submit_response(T.s, 3, 200, NULL, 0, 0);
    tc_pump(&T);
    i1 = tc_find(&T, H2_FT_DATA, 1);
    i3 = tc_find(&T, H2_FT_DATA, 3);
    H2_CHECK(i1 >= 0 && i3 >= 0 && i3 < i1);
    teardown();
}

/* ------------------------------------------------------------------------------------- */
/* Server push (§8.4, §6.6), early response (§8.1), padding (§6.1, §6.2) */

static const h2_nv push_req[4] = {
    TC_NV(":method", "GET"), TC_NV(":scheme", "https"), TC_NV(":authority", "example.org"),
    TC_NV(":path", "/style.css")
};

static int push(uint32_t parent, uint32_t *psid)
{
    return h2_session_submit_push_promise(T.s, parent, push_req, 4, NULL, psid);
}

H2_TEST(rfc9113_8_4_push_promise_before_parent_data)
{
    static char body[20000];
    uint32_t psid = 0;
    long pp, d1, h2, d2;
    setup_started(NULL);
    tc_get(&T, 1);
    EXPECT_NO_ERROR();
    tc_body(&T, 1, body, sizeof(body), 1);
    H2_CHECK_EQ(h2_session_submit_response(T.s, 1, 200, NULL, 0, 0), H2_SESS_OK);
    H2_CHECK_EQ(push(1, &psid), H2_SESS_OK);
    H2_CHECK_EQ(psid, 2);
    H2_CHECK_EQ(h2_session_stream_state(T.s, 2), H2_SS_RESERVED_LOCAL);
    tc_body(&T, 2, "p{}", 3, 1);
    H2_CHECK_EQ(h2_session_submit_response(T.s, 2, 200, NULL, 0, 0), H2_SESS_OK);
    H2_CHECK_EQ(h2_session_stream_state(T.s, 2), H2_SS_HALF_CLOSED_REMOTE);
    tc_pump(&T);
    H2_CHECK(!T.out_bad);
    pp = tc_find(&T, H2_FT_PUSH_PROMISE, 1);
    d1 = tc_find(&T, H2_FT_DATA, 1);
    h2 = tc_find(&T, H2_FT_HEADERS, 2);
    d2 = tc_find(&T, H2_FT_DATA, 2);
    H2_CHECK(pp >= 0 && d1 >= 0 && h2 >= 0 && d2 >= 0);
    H2_CHECK(pp < d1 && pp < h2);
    if (pp >= 0) {
        H2_CHECK_EQ(T.f[pp].promised, 2);
        H2_CHECK(strcmp(T.f[pp].path, "/style.css") == 0);
        H2_CHECK(T.f[pp].flags & H2_FLAG_END_HEADERS);
    }
    if (d2 >= 0) {
        H2_CHECK(T.f[d2].flags & H2_FLAG_END_STREAM);
    }
    H2_CHECK_EQ(h2_session_stream_state(T.s, 2), H2_SS_CLOSED);
    H2_CHECK_EQ(T.n_closed, 2);
    teardown();
}

H2_TEST(rfc9113_6_5_2_enable_push_0_refuses_push)
{
    h2_setting st = { H2_SET_ENABLE_PUSH, 0 };
    uint32_t psid = 99;
    setup(NULL);
    tc_start_with(&T, &st, 1);
    tc_get(&T, 1);
    EXPECT_NO_ERROR();
    H2_CHECK(!h2_session_push_enabled(T.s));
    H2_CHECK_EQ(push(1, &psid), H2_SESS_ERR_REFUSED);
    H2_CHECK_EQ(psid, 0);
    tc_pump(&T);
    H2_CHECK_EQ(tc_count(&T, H2_FT_PUSH_PROMISE), 0);
    teardown();
}

H2_TEST(rfc9113_6_5_2_enable_push_default_1)
{
    uint32_t psid;
    setup(NULL);
    tc_preface(&T);
    tc_feed(&T);
    H2_CHECK(!h2_session_push_enabled(T.s));   /* the client's SETTINGS may still say 0 */
    tc_settings(&T, NULL, 0);
    tc_get(&T, 1);
    EXPECT_NO_ERROR();
    H2_CHECK(h2_session_push_enabled(T.s));
    H2_CHECK_EQ(push(1, &psid), H2_SESS_OK);
    teardown();
}

H2_TEST(rfc9113_8_4_no_push_after_goaway_sent)
{
    uint32_t psid;
    setup_started(NULL);
    tc_get(&T, 1);
    EXPECT_NO_ERROR();
    h2_session_submit_goaway(T.s, 1, H2_NO_ERROR, NULL);
    H2_CHECK(!h2_session_push_enabled(T.s));
    H2_CHECK_EQ(push(1, &psid), H2_SESS_ERR_REFUSED);
    teardown();
}

H2_TEST(rfc9113_8_4_no_push_after_goaway_received)
{
    uint32_t psid;
    static const uint8_t ga[8] = { 0, 0, 0, 1, 0, 0, 0, 0 };
    setup_started(NULL);
    tc_get(&T, 1);
    tc_raw(&T, H2_FT_GOAWAY, 0, 0, ga, sizeof(ga));
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(push(1, &psid), H2_SESS_ERR_REFUSED);
    teardown();
}

H2_TEST(rfc9113_6_8_client_goaway_drops_pushed_streams_above_last_id)
{
    uint32_t a, b;
    static const uint8_t ga[8] = { 0, 0, 0, 2, 0, 0, 0, 0 };   /* last-stream-id 2 */
    setup_started(NULL);
    tc_get(&T, 1);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(push(1, &a), H2_SESS_OK);
    H2_CHECK_EQ(push(1, &b), H2_SESS_OK);
    tc_pump(&T);
    tc_clear(&T);
    tc_raw(&T, H2_FT_GOAWAY, 0, 0, ga, sizeof(ga));
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_closed, 1);
    H2_CHECK_EQ(T.closed[0].sid, b);
    H2_CHECK_EQ(T.closed[0].code, H2_REFUSED_STREAM);
    H2_CHECK_EQ(T.closed[0].by_peer, 1);
    H2_CHECK_EQ(h2_session_stream_state(T.s, a), H2_SS_RESERVED_LOCAL);
    H2_CHECK_EQ(h2_session_submit_response(T.s, a, 200, NULL, 0, 1), H2_SESS_OK);
    H2_CHECK_EQ(h2_session_submit_response(T.s, 1, 200, NULL, 0, 1), H2_SESS_OK);
    tc_pump(&T);
    H2_CHECK(h2_session_is_done(T.s));
    teardown();
}

H2_TEST(rfc9113_8_4_parent_must_be_open_client_stream)
{
    uint32_t psid, p2;
    setup_started(NULL);
    tc_request(&T, 1, "POST", "/", 0);
    tc_get(&T, 3);
    EXPECT_NO_ERROR();
    /* stream 1: END_STREAM sent, the client's side still open (half-closed local) */
    H2_CHECK_EQ(h2_session_submit_response(T.s, 1, 204, NULL, 0, 1), H2_SESS_OK);
    H2_CHECK_EQ(h2_session_stream_state(T.s, 1), H2_SS_HALF_CLOSED_LOCAL);
    H2_CHECK_EQ(push(1, &psid), H2_SESS_ERR_STATE);
    H2_CHECK_EQ(push(5, &psid), H2_SESS_ERR_STATE);      /* idle */
    H2_CHECK_EQ(push(3, &psid), H2_SESS_OK);             /* half-closed (remote) */
    H2_CHECK_EQ(push(psid, &p2), H2_SESS_ERR_STATE);     /* a pushed stream as parent */
    h2_session_submit_response(T.s, 3, 204, NULL, 0, 1);
    H2_CHECK_EQ(push(3, &psid), H2_SESS_ERR_STATE);      /* closed */
    tc_pump(&T);
    H2_CHECK_EQ(tc_count(&T, H2_FT_PUSH_PROMISE), 1);
    teardown();
}

H2_TEST(rfc9113_8_4_1_promised_request_safe_and_cacheable)
{
    uint32_t psid;
    h2_nv post[4] = { TC_NV(":method", "POST"), TC_NV(":scheme", "https"),
                      TC_NV(":authority", "example.org"), TC_NV(":path", "/") };
    h2_nv head[4] = { TC_NV(":path", "/h"), TC_NV(":method", "HEAD"), TC_NV(":scheme", "https"),
                      TC_NV(":authority", "example.org") };
    h2_nv noauth[3] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"), TC_NV(":path", "/") };
    h2_nv body[5] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                      TC_NV(":authority", "example.org"), TC_NV(":path", "/"),
                      TC_NV("content-length", "5") };
    h2_nv status[5] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                        TC_NV(":authority", "example.org"), TC_NV(":path", "/"),
                        TC_NV(":status", "200") };
    h2_nv dup[5] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                     TC_NV(":authority", "example.org"), TC_NV(":path", "/"),
                     TC_NV(":path", "/x") };
    h2_nv relpath[4] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                         TC_NV(":authority", "example.org"), TC_NV(":path", "x") };
    h2_nv extra[6] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                       TC_NV(":authority", "example.org"), TC_NV(":path", "/e"),
                       TC_NV("Accept-Encoding", "gzip"), TC_NV("Connection", "close") };
    setup_started(NULL);
    tc_get(&T, 1);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(h2_session_submit_push_promise(T.s, 1, post, 4, NULL, &psid), H2_SESS_ERR_ARG);
    H2_CHECK_EQ(h2_session_submit_push_promise(T.s, 1, noauth, 3, NULL, &psid), H2_SESS_ERR_ARG);
    H2_CHECK_EQ(h2_session_submit_push_promise(T.s, 1, body, 5, NULL, &psid), H2_SESS_ERR_ARG);
    H2_CHECK_EQ(h2_session_submit_push_promise(T.s, 1, status, 5, NULL, &psid), H2_SESS_ERR_ARG);
    H2_CHECK_EQ(h2_session_submit_push_promise(T.s, 1, dup, 5, NULL, &psid), H2_SESS_ERR_ARG);
    H2_CHECK_EQ(h2_session_submit_push_promise(T.s, 1, relpath, 4, NULL, &psid), H2_SESS_ERR_ARG);
    H2_CHECK_EQ(h2_session_submit_push_promise(T.s, 1, post, 4, NULL, NULL), H2_SESS_ERR_ARG);
    H2_CHECK_EQ(h2_session_submit_push_promise(T.s, 1, head, 4, NULL, &psid), H2_SESS_OK);
    H2_CHECK_EQ(psid, 2);   /* refused promises used no id */
    H2_CHECK_EQ(h2_session_submit_push_promise(T.s, 1, extra, 6, NULL, &psid), H2_SESS_OK);
    tc_pump(&T);
    H2_CHECK(!T.out_bad);
    H2_CHECK_EQ(tc_count(&T, H2_FT_PUSH_PROMISE), 2);
    H2_CHECK_EQ(T.f[tc_find(&T, H2_FT_PUSH_PROMISE, 1)].n_fields, 4);
    H2_CHECK_EQ(T.f[T.nf - 1].n_fields, 5);   /* connection field dropped */
    teardown();
}

H2_TEST(rfc9113_5_1_1_promised_ids_even_and_increasing)
{
    uint32_t a, b, c;
    size_t i;
    setup_started(NULL);
    tc_get(&T, 1);
    tc_get(&T, 3);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(push(3, &a), H2_SESS_OK);
    H2_CHECK_EQ(push(1, &b), H2_SESS_OK);
    H2_CHECK_EQ(push(3, &c), H2_SESS_OK);
    H2_CHECK(a == 2 && b == 4 && c == 6);
    tc_pump(&T);
    for (i = 0, a = 0; i < T.nf; i++) {
        if (T.f[i].type == H2_FT_PUSH_PROMISE) {
            H2_CHECK(T.f[i].promised > a && !(T.f[i].promised & 1));
            a = T.f[i].promised;
        }
    }
    H2_CHECK_EQ(a, 6);
    teardown();
}

H2_TEST(rfc9113_5_1_2_pushed_streams_respect_client_limit)
{
    h2_setting st = { H2_SET_MAX_CONCURRENT_STREAMS, 1 };
    uint32_t a, b;
    setup(NULL);
    tc_start_with(&T, &st, 1);
    tc_get(&T, 1);
    tc_get(&T, 3);     /* our limit counts client streams only: the client's limit is 1 */
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_req, 2);
    H2_CHECK_EQ(push(1, &a), H2_SESS_OK);
    H2_CHECK_EQ(push(1, &b), H2_SESS_ERR_REFUSED);   /* its response would exceed 1 */
    H2_CHECK(!h2_session_push_enabled(T.s));
    tc_body(&T, a, "x", 1, 1);
    H2_CHECK_EQ(h2_session_submit_response(T.s, a, 200, NULL, 0, 0), H2_SESS_OK);
    H2_CHECK_EQ(h2_session_open_streams(T.s), 3);
    tc_pump(&T);                                      /* the pushed response completes */
    H2_CHECK_EQ(h2_session_stream_state(T.s, a), H2_SS_CLOSED);
    H2_CHECK(h2_session_push_enabled(T.s));
    H2_CHECK_EQ(push(1, &b), H2_SESS_OK);
    H2_CHECK_EQ(b, 4);
    teardown();
}

H2_TEST(rfc9113_5_1_2_limit_lowered_after_promise)
{
    h2_setting st = { H2_SET_MAX_CONCURRENT_STREAMS, 0 };
    uint32_t a, b;
    const tc_frame *r;
    setup_started(NULL);
    tc_get(&T, 1);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(push(1, &a), H2_SESS_OK);
    H2_CHECK_EQ(push(1, &b), H2_SESS_OK);
    tc_settings(&T, &st, 1);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(h2_session_submit_response(T.s, a, 200, NULL, 0, 1), H2_SESS_ERR_REFUSED);
    tc_pump(&T);
    r = tc_rst(&T, a);
    H2_CHECK(r != NULL && r->error_code == H2_REFUSED_STREAM);
    H2_CHECK_EQ(T.n_closed, 1);
    H2_CHECK_EQ(T.closed[0].sid, a);
    H2_CHECK_EQ(T.closed[0].code, H2_REFUSED_STREAM);
    H2_CHECK_EQ(h2_session_stream_state(T.s, b), H2_SS_RESERVED_LOCAL);
    teardown();
}

H2_TEST(rfc9113_6_6_push_promise_continuation)
{
    static char big[40000];
    h2_nv nv[5] = { TC_NV(":method", "GET"), TC_NV(":scheme", "https"),
                    TC_NV(":authority", "example.org"), TC_NV(":path", "/big"),
                    TC_NV("x-big", "") };
    uint32_t psid;
    long pp;
    memset(big, 'q', sizeof(big));
    nv[4].value = (const uint8_t *)big;
    nv[4].value_len = sizeof(big);
    setup_started(NULL);
    tc_get(&T, 1);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(h2_session_submit_push_promise(T.s, 1, nv, 5, NULL, &psid), H2_SESS_OK);
    tc_pump(&T);
    H2_CHECK(!T.out_bad);
    pp = tc_find(&T, H2_FT_PUSH_PROMISE, 1);
    H2_CHECK(pp >= 0 && !(T.f[pp].flags & H2_FLAG_END_HEADERS) && T.f[pp].length <= 16384);
    H2_CHECK(tc_count(&T, H2_FT_CONTINUATION) >= 1);
    H2_CHECK(T.f[T.nf - 1].type == H2_FT_CONTINUATION && (T.f[T.nf - 1].flags & H2_FLAG_END_HEADERS));
    /* the HPACK contexts are still in step: a response decodes */
    h2_session_submit_response(T.s, 1, 200, NULL, 0, 1);
    tc_pump(&T);
    H2_CHECK(!T.out_bad);
    H2_CHECK_EQ(T.f[T.nf - 1].status, 200);
    teardown();
}

H2_TEST(rfc9113_8_4_client_cancels_pushed_stream)
{
    uint32_t a, b;
    setup_started(NULL);
    tc_get(&T, 1);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(h2_session_submit_push_promise(T.s, 1, push_req, 4, (void *)&T, &a), H2_SESS_OK);
    H2_CHECK(h2_session_get_stream_data(T.s, a) == (void *)&T);
    H2_CHECK_EQ(push(1, &b), H2_SESS_OK);
    tc_body(&T, b, "zz", 2, 1);
    h2_session_submit_response(T.s, b, 200, NULL, 0, 0);
    tc_pump(&T);
    tc_clear(&T);
    tc_rst_frame(&T, a, H2_CANCEL);           /* reserved */
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_closed, 2);               /* b completed before, a now */
    H2_CHECK_EQ(T.closed[1].sid, a);
    H2_CHECK_EQ(T.closed[1].code, H2_CANCEL);
    H2_CHECK_EQ(T.closed[1].by_peer, 1);
    H2_CHECK_EQ(h2_session_stream_state(T.s, a), H2_SS_CLOSED_RST_RECV);
    H2_CHECK_EQ(h2_session_submit_response(T.s, a, 200, NULL, 0, 1), H2_SESS_ERR_STATE);
    teardown();
}

H2_TEST(rfc9113_8_4_client_refuses_pushed_stream_in_progress)
{
    static char body[100000];
    uint32_t a;
    setup_started(NULL);
    tc_get(&T, 1);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(push(1, &a), H2_SESS_OK);
    tc_body(&T, a, body, sizeof(body), 1);
    h2_session_submit_response(T.s, a, 200, NULL, 0, 0);
    tc_pump(&T);                              /* window-limited: still half-closed (remote) */
    H2_CHECK_EQ(h2_session_stream_state(T.s, a), H2_SS_HALF_CLOSED_REMOTE);
    tc_rst_frame(&T, a, H2_REFUSED_STREAM);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_closed, 1);
    H2_CHECK_EQ(T.closed[0].code, H2_REFUSED_STREAM);
    H2_CHECK_EQ(T.closed[0].by_peer, 1);
    teardown();
}

H2_TEST(rfc9113_5_1_reserved_local_headers_is_connection_error)
{
    uint32_t a;
    setup_started(NULL);
    tc_get(&T, 1);
    EXPECT_NO_ERROR();
    push(1, &a);
    tc_pump(&T);
    tc_get(&T, a);
    EXPECT_CONN_ERROR(H2_PROTOCOL_ERROR);
    teardown();
}

H2_TEST(rfc9113_5_1_reserved_local_data_is_connection_error)
{
    uint32_t a;
    setup_started(NULL);
    tc_get(&T, 1);
    EXPECT_NO_ERROR();
    push(1, &a);
    tc_pump(&T);
    tc_data(&T, a, "x", 1, 0);
    EXPECT_CONN_ERROR(H2_PROTOCOL_ERROR);
    teardown();
}

H2_TEST(rfc9113_5_1_reserved_local_allows_wu_priority_rst)
{
    uint32_t a;
    static const uint8_t prio[5] = { 0, 0, 0, 1, 15 };
    setup_started(NULL);
    tc_get(&T, 1);
    EXPECT_NO_ERROR();
    push(1, &a);
    tc_pump(&T);
    tc_wu(&T, a, 1000);
    tc_raw(&T, H2_FT_PRIORITY, 0, a, prio, sizeof(prio));
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(h2_session_stream_state(T.s, a), H2_SS_RESERVED_LOCAL);
    tc_rst_frame(&T, a, H2_CANCEL);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(h2_session_stream_state(T.s, a), H2_SS_CLOSED_RST_RECV);
    teardown();
}

H2_TEST(rfc9113_5_1_pushed_half_closed_remote_headers_stream_closed)
{
    static char body[100000];
    uint32_t a;
    setup_started(NULL);
    tc_get(&T, 1);
    EXPECT_NO_ERROR();
    push(1, &a);
    tc_body(&T, a, body, sizeof(body), 1);
    h2_session_submit_response(T.s, a, 200, NULL, 0, 0);
    tc_pump(&T);
    tc_clear(&T);
    tc_wu(&T, a, 100);                        /* allowed */
    EXPECT_NO_ERROR();
    tc_get(&T, a);                            /* HEADERS: stream error, block decoded */
    tc_get(&T, 3);
    EXPECT_STREAM_ERROR(a, H2_STREAM_CLOSED);
    H2_CHECK_EQ(T.n_req, 2);                  /* the HPACK context stayed in step */
    H2_CHECK_EQ(T.req_sid[1], 3);
    teardown();
}

H2_TEST(rfc9113_5_1_pushed_half_closed_remote_data_stream_closed)
{
    static char body[100000];
    uint32_t a;
    setup_started(NULL);
    tc_get(&T, 1);
    EXPECT_NO_ERROR();
    push(1, &a);
    tc_body(&T, a, body, sizeof(body), 1);
    h2_session_submit_response(T.s, a, 200, NULL, 0, 0);
    tc_pump(&T);
    tc_clear(&T);
    tc_data(&T, a, "x", 1, 0);
    EXPECT_STREAM_ERROR(a, H2_STREAM_CLOSED);
    teardown();
}

H2_TEST(rfc9113_5_1_1_unpromised_even_stream_is_idle)
{
    uint32_t a;
    setup_started(NULL);
    tc_get(&T, 1);
    EXPECT_NO_ERROR();
    push(1, &a);
    tc_pump(&T);
    H2_CHECK_EQ(h2_session_stream_state(T.s, 4), H2_SS_IDLE);
    tc_data(&T, 4, "x", 1, 0);
    EXPECT_CONN_ERROR(H2_PROTOCOL_ERROR);
    teardown();
}

H2_TEST(rfc9113_5_1_1_unpromised_even_stream_window_update)
{
    uint32_t a;
    setup_started(NULL);
    tc_get(&T, 1);
    EXPECT_NO_ERROR();
    push(1, &a);
    tc_wu(&T, 4, 10);
    EXPECT_CONN_ERROR(H2_PROTOCOL_ERROR);
    teardown();
}

H2_TEST(rfc9218_7_1_priority_update_for_promised_stream)
{
    uint32_t a;
    h2_priority p;
    setup_started(NULL);
    tc_get(&T, 1);
    EXPECT_NO_ERROR();
    push(1, &a);
    tc_raw(&T, H2_FT_PRIORITY_UPDATE, 0, 0, "\0\0\0\x02u=6", 7);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(h2_session_get_priority(T.s, a, &p), H2_SESS_OK);
    H2_CHECK_EQ(p.urgency, 6);
    tc_raw(&T, H2_FT_PRIORITY_UPDATE, 0, 0, "\0\0\0\x04u=6", 7);   /* not promised */
    EXPECT_CONN_ERROR(H2_PROTOCOL_ERROR);
    teardown();
}

/* §8.1: a complete response before the request is complete, then RST_STREAM(NO_ERROR) */
H2_TEST(rfc9113_8_1_early_response_discards_request_body)
{
    static char in[16384];
    h2_nv nv[5] = { TC_NV(":method", "POST"), TC_NV(":scheme", "https"),
                    TC_NV(":authority", "example.org"), TC_NV(":path", "/upload"),
                    TC_NV("content-length", "300000") };
    long h, d, r, wu;
    h2_session_stats st;
    setup_started(NULL);
    request_nv(1, nv, 5, 0);
    tc_data(&T, 1, in, sizeof(in), 0);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.body_len[0], sizeof(in));
    h2_session_get_stats(T.s, &st);
    H2_CHECK_EQ(st.conn_recv_unconsumed, sizeof(in));
    tc_body(&T, 1, "denied", 6, 1);
    H2_CHECK_EQ(h2_session_submit_response(T.s, 1, 200, NULL, 0, 0), H2_SESS_OK);
    H2_CHECK_EQ(h2_session_discard_body(T.s, 1), H2_SESS_OK);
    tc_pump(&T);
    h = tc_find(&T, H2_FT_HEADERS, 1);
    d = tc_find(&T, H2_FT_DATA, 1);
    r = tc_find(&T, H2_FT_RST_STREAM, 1);
    wu = tc_find(&T, H2_FT_WINDOW_UPDATE, 0);
    H2_CHECK(h >= 0 && d > h && r > d);
    if (d >= 0) H2_CHECK(T.f[d].flags & H2_FLAG_END_STREAM);
    if (r >= 0) H2_CHECK_EQ(T.f[r].error_code, H2_NO_ERROR);
    H2_CHECK(wu >= 0);
    if (wu >= 0) H2_CHECK_EQ(T.f[wu].increment, sizeof(in));
    h2_session_get_stats(T.s, &st);
    H2_CHECK_EQ(st.conn_recv_unconsumed, 0);
    H2_CHECK_EQ(st.conn_recv_window, (int64_t)T.cfg.conn_window_size);
    H2_CHECK_EQ(T.n_closed, 1);
    H2_CHECK_EQ(T.closed[0].code, H2_NO_ERROR);
    H2_CHECK_EQ(T.closed[0].by_peer, 0);
    H2_CHECK_EQ(h2_session_stream_state(T.s, 1), H2_SS_CLOSED_RST_SENT);
    /* DATA in flight is ignored (and counted against the connection window) */
    tc_clear(&T);
    tc_data(&T, 1, in, sizeof(in), 0);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_data_cb, 1);
    teardown();
}

H2_TEST(rfc9113_8_1_discard_waits_for_end_of_response)
{
    static char in[1000];
    h2_nv nv[4] = { TC_NV(":method", "PUT"), TC_NV(":scheme", "https"),
                    TC_NV(":authority", "example.org"), TC_NV(":path", "/u") };
    setup_started(NULL);
    request_nv(1, nv, 4, 0);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(h2_session_discard_body(T.s, 1), H2_SESS_OK);   /* before any response */
    tc_data(&T, 1, in, sizeof(in), 0);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(T.n_data_cb, 0);              /* not delivered */
    tc_body(&T, 1, "late", 4, 1);
    tc_src_of(&T, 1)->ready = 2;
    h2_session_submit_response(T.s, 1, 413, NULL, 0, 0);
    tc_pump(&T);
    H2_CHECK_EQ(tc_count(&T, H2_FT_RST_STREAM), 0);   /* response not complete yet */
    tc_src_of(&T, 1)->ready = 2;
    h2_session_resume_data(T.s, 1);
    tc_pump(&T);
    H2_CHECK(tc_rst(&T, 1) != NULL && tc_rst(&T, 1)->error_code == H2_NO_ERROR);
    H2_CHECK(tc_find(&T, H2_FT_RST_STREAM, 1) > tc_find(&T, H2_FT_DATA, 1));
    teardown();
}

H2_TEST(rfc9113_8_1_discard_after_complete_request_no_rst)
{
    setup_started(NULL);
    tc_get(&T, 1);
    EXPECT_NO_ERROR();
    H2_CHECK_EQ(h2_session_discard_body(T.s, 1), H2_SESS_OK);
    h2_session_submit_response(T.s, 1, 204, NULL, 0, 1);
    tc_pump(&T);
    H2_CHECK_EQ(tc_count(&T, H2_FT_RST_STREAM), 0);
    H2_CHECK_EQ(h2_session_stream_state(T.s, 1), H2_SS_CLOSED);
    H2_CHECK_EQ(h2_session_discard_body(T.s, 1), H2_SESS_ERR_STATE);
    teardown();
}

/* §6.1, §6.2: padded DATA and HEADERS; padding octets are zero; padding counts toward
 * flow control and the frame size */
H2_TEST(rfc9113_6_1_padded_frames_flow_control)
{
    static char body[1000];
    h2_session_config c;
    h2_setting st = { H2_SET_INITIAL_WINDOW_SIZE, 300 };
    size_t i, got = 0, wire = 0;
    int padded_h = 0;
    for (i = 0; i < sizeof(body); i++) body[i] = (char)i;
    h2_session_config_init(&c);
    c.padding_bits = 5;
    c.padding_seed = 42;
    tc_init_padded(&T, &c);
    tc_start_with(&T, &st, 1);
    tc_get(&T, 1);
    EXPECT_NO_ERROR();
    tc_body(&T, 1, body, sizeof(body), 1);
    h2_session_submit_response(T.s, 1, 200, NULL, 0, 0);
    tc_pump(&T);
    for (i = 0; i < T.nf; i++) {
        const tc_frame *f = &T.f[i];
        if (f->type == H2_FT_HEADERS) {
            padded_h += (f->flags & H2_FLAG_PADDED) != 0;
            H2_CHECK(f->pad_zero && f->pad_len >= 1 && f->pad_len <= 32);
        } else if (f->type == H2_FT_DATA) {
            H2_CHECK(f->flags & H2_FLAG_PADDED);
            H2_CHECK(f->pad_zero && f->pad_len >= 1 && f->pad_len <= 32);
            H2_CHECK(f->length > f->pad_len);
            wire += f->length;
            got += f->length - f->pad_len;
        }
    }
    H2_CHECK_EQ(padded_h, 1);
    H2_CHECK(wire <= 300);                    /* the stream window includes the padding */
    H2_CHECK(got < 300 && got == T.data_bytes);
    H2_CHECK(!T.out_bad);
    tc_clear(&T);
    tc_wu(&T, 1, 100000);
    tc_feed(&T);
    tc_pump(&T);
    H2_CHECK_EQ(T.data_bytes, sizeof(body));
    H2_CHECK_EQ(memcmp(tc_src_of(&T, 1)->data, body, sizeof(body)), 0);
    H2_CHECK(T.nf > 0 && (T.f[T.nf - 1].flags & H2_FLAG_END_STREAM));
    teardown();
}

H2_TEST(rfc9113_6_1_padding_within_max_frame_size)
{
    static char body[100000];
    h2_session_config c;
    h2_setting st[1] = { { H2_SET_INITIAL_WINDOW_SIZE, 1 << 20 } };
    size_t i, n = 0;
    h2_session_config_init(&c);
    c.padding_bits = 8;
    tc_init_padded(&T, &c);
    tc_start_with(&T, st, 1);
    tc_wu(&T, 0, 1 << 20);
    tc_get(&T, 1);
    EXPECT_NO_ERROR();
    tc_body(&T, 1, body, sizeof(body), 1);
    h2_session_submit_response(T.s, 1, 200, NULL, 0, 0);
    tc_pump(&T);
    for (i = 0; i < T.nf; i++) {
        if (T.f[i].type == H2_FT_DATA) {
            n++;
            H2_CHECK(T.f[i].length <= 16384 && T.f[i].pad_zero && T.f[i].pad_len <= 256);
        }
    }
    H2_CHECK(n >= 7);
    H2_CHECK_EQ(T.data_bytes, sizeof(body));
    H2_CHECK(!T.out_bad);
    teardown();
}

int main(void)
{
    H2_RUN(rfc9113_3_4_server_preface_is_settings);
    H2_RUN(rfc9113_3_4_invalid_preface);
    H2_RUN(rfc9113_3_4_preface_not_followed_by_settings);
    H2_RUN(rfc9113_3_4_preface_settings_ack_first);
    H2_RUN(rfc9113_3_4_preface_byte_by_byte);
    H2_RUN(rfc9113_3_4_client_settings_acknowledged);
    H2_RUN(rfc9113_4_1_unknown_frame_type_ignored);
    H2_RUN(rfc9113_4_1_unknown_flags_ignored);
    H2_RUN(rfc9113_4_1_reserved_bit_ignored);
    H2_RUN(rfc9113_4_2_data_exceeds_max_frame_size);
    H2_RUN(rfc9113_4_2_headers_exceeds_max_frame_size);
    H2_RUN(rfc9113_4_2_larger_frames_after_settings_ack);
    H2_RUN(rfc9113_4_2_server_respects_peer_max_frame_size);
    H2_RUN(rfc9113_4_3_compression_error);
    H2_RUN(rfc9113_4_3_frame_inside_header_block);
    H2_RUN(rfc9113_4_3_continuation_other_stream);
    H2_RUN(rfc9113_4_3_unknown_frame_inside_header_block);
    H2_RUN(rfc9113_4_3_block_split_over_continuations);
    H2_RUN(rfc9113_4_3_block_split_any_byte_boundary);
    H2_RUN(rfc9113_5_1_idle_data);
    H2_RUN(rfc9113_5_1_idle_rst_stream);
    H2_RUN(rfc9113_5_1_idle_window_update);
    H2_RUN(rfc9113_5_1_idle_continuation);
    H2_RUN(rfc9113_5_1_idle_priority_allowed);
    H2_RUN(rfc9113_5_1_half_closed_remote_data);
    H2_RUN(rfc9113_5_1_half_closed_remote_headers);
    H2_RUN(rfc9113_5_1_half_closed_remote_window_update_ok);
    H2_RUN(rfc9113_5_1_rst_stream_closes);
    H2_RUN(rfc9113_5_1_closed_after_rst_sent_frames_ignored);
    H2_RUN(rfc9113_5_1_closed_after_peer_rst_data);
    H2_RUN(rfc9113_5_1_closed_after_peer_rst_headers);
    H2_RUN(rfc9113_5_1_closed_after_peer_rst_priority_ok);
    H2_RUN(rfc9113_5_1_closed_end_stream_data);
    H2_RUN(rfc9113_5_1_closed_end_stream_headers);
    H2_RUN(rfc9113_5_1_closed_end_stream_window_update_ignored);
    H2_RUN(rfc9113_5_1_half_closed_local_receives_body);
    H2_RUN(rfc9113_5_1_1_even_stream_id);
    H2_RUN(rfc9113_5_1_1_lower_stream_id);
    H2_RUN(rfc9113_5_1_1_implicitly_closed_lower_stream);
    H2_RUN(rfc9113_5_1_1_goaway_last_stream_id);
    H2_RUN(rfc9113_5_1_2_max_concurrent_streams_refused);
    H2_RUN(rfc9113_5_1_2_refused_stream_keeps_hpack_in_step);
    H2_RUN(rfc9113_5_1_2_slot_freed_after_close);
    H2_RUN(rfc9113_5_3_1_headers_self_dependency);
    H2_RUN(rfc9113_5_3_1_priority_self_dependency);
    H2_RUN(rfc9113_5_4_1_connection_error_closes);
    H2_RUN(rfc9113_5_4_2_stream_error_others_continue);
    H2_RUN(rfc9113_5_4_2_no_rst_in_response_to_rst);
    H2_RUN(rfc9113_5_5_unknown_setting_ignored);
    H2_RUN(rfc9113_5_5_unknown_frame_on_open_stream_ignored);
    H2_RUN(rfc9113_6_1_data_stream_0);
    H2_RUN(rfc9113_6_1_data_padding_too_long);
    H2_RUN(rfc9113_6_1_data_padding_removed_and_counted);
    H2_RUN(rfc9113_6_1_padding_counts_against_stream_window);
    H2_RUN(rfc9113_6_2_headers_stream_0);
    H2_RUN(rfc9113_6_2_headers_padding_too_long);
    H2_RUN(rfc9113_6_2_headers_padded_and_priority);
    H2_RUN(rfc9113_6_3_priority_stream_0);
    H2_RUN(rfc9113_6_3_priority_bad_length);
    H2_RUN(rfc9113_6_4_rst_stream_0);
    H2_RUN(rfc9113_6_4_rst_stream_bad_length);
    H2_RUN(rfc9113_6_5_settings_ack_with_payload);
    H2_RUN(rfc9113_6_5_settings_nonzero_stream);
    H2_RUN(rfc9113_6_5_settings_bad_length);
    H2_RUN(rfc9113_6_5_2_enable_push_invalid);
    H2_RUN(rfc9113_6_5_2_initial_window_too_large);
    H2_RUN(rfc9113_6_5_2_max_frame_size_too_small);
    H2_RUN(rfc9113_6_5_2_max_frame_size_too_large);
    H2_RUN(rfc9113_6_5_2_peer_settings_stored);
    H2_RUN(rfc9113_6_5_3_each_settings_acknowledged);
    H2_RUN(rfc9113_6_5_3_settings_timeout);
    H2_RUN(rfc9113_6_5_2_header_table_size_zero_honoured);
    H2_RUN(rfc9113_6_7_ping_answered);
    H2_RUN(rfc9113_6_7_ping_ack_not_answered);
    H2_RUN(rfc9113_6_7_ping_nonzero_stream);
    H2_RUN(rfc9113_6_7_ping_bad_length);
    H2_RUN(rfc9113_6_8_goaway_nonzero_stream);
    H2_RUN(rfc9113_6_8_goaway_received_streams_complete);
    H2_RUN(rfc9113_6_8_graceful_shutdown_two_steps);
    H2_RUN(rfc9113_6_8_graceful_shutdown_timeout);
    H2_RUN(rfc9113_6_8_last_stream_id_never_increases);
    H2_RUN(rfc9113_6_8_streams_above_last_id_ignored_data_counted);
    H2_RUN(rfc9113_6_9_window_update_zero_connection);
    H2_RUN(rfc9113_6_9_window_update_zero_stream);
    H2_RUN(rfc9113_6_9_window_update_bad_length);
    H2_RUN(rfc9113_6_9_1_connection_window_overflow);
    H2_RUN(rfc9113_6_9_1_stream_window_overflow);
    H2_RUN(rfc9113_6_9_1_data_exceeds_stream_window);
    H2_RUN(rfc9113_6_9_1_data_exceeds_connection_window);
    H2_RUN(rfc9113_6_9_1_server_respects_stream_window);
    H2_RUN(rfc9113_6_9_1_server_respects_connection_window);
    H2_RUN(rfc9113_6_9_2_initial_window_change_can_go_negative);
    H2_RUN(rfc9113_6_9_2_initial_window_overflow);
    H2_RUN(rfc9113_6_9_window_updates_sent_as_consumed);
    H2_RUN(rfc9113_6_9_data_on_reset_stream_replenishes_connection);
    H2_RUN(rfc9113_6_10_continuation_stream_0);
    H2_RUN(rfc9113_6_10_continuation_after_end_headers);
    H2_RUN(rfc9113_8_1_trailers_delivered);
    H2_RUN(rfc9113_8_1_trailers_without_end_stream);
    H2_RUN(rfc9113_8_1_trailers_with_pseudo_header);
    H2_RUN(rfc9113_8_1_1_content_length_matches);
    H2_RUN(rfc9113_8_1_1_content_length_body_short);
    H2_RUN(rfc9113_8_1_1_content_length_body_long);
    H2_RUN(rfc9113_8_1_1_content_length_invalid);
    H2_RUN(rfc9113_8_1_1_content_length_without_body);
    H2_RUN(rfc9113_8_1_interim_then_final_response);
    H2_RUN(rfc9113_8_2_uppercase_field_name);
    H2_RUN(rfc9113_8_2_1_field_name_with_space);
    H2_RUN(rfc9113_8_2_1_field_name_with_colon);
    H2_RUN(rfc9113_8_2_1_field_name_empty);
    H2_RUN(rfc9113_8_2_1_field_name_high_octet);
    H2_RUN(rfc9113_8_2_1_field_value_cr);
    H2_RUN(rfc9113_8_2_1_field_value_lf);
    H2_RUN(rfc9113_8_2_1_field_value_nul);
    H2_RUN(rfc9113_8_2_1_field_value_leading_space);
    H2_RUN(rfc9113_8_2_1_field_value_trailing_tab);
    H2_RUN(rfc9113_8_2_1_field_value_inner_space_ok);
    H2_RUN(rfc9113_8_2_2_connection_specific_fields);
    H2_RUN(rfc9113_8_2_2_te_trailers_allowed);
    H2_RUN(rfc9113_8_2_2_te_other_than_trailers);
    H2_RUN(rfc9113_8_2_3_cookie_crumbs_passed);
    H2_RUN(rfc9113_8_3_missing_method);
    H2_RUN(rfc9113_8_3_missing_scheme);
    H2_RUN(rfc9113_8_3_missing_path);
    H2_RUN(rfc9113_8_3_duplicate_pseudo_header);
    H2_RUN(rfc9113_8_3_pseudo_after_regular);
    H2_RUN(rfc9113_8_3_unknown_pseudo_header);
    H2_RUN(rfc9113_8_3_response_pseudo_in_request);
    H2_RUN(rfc9113_8_3_1_empty_path);
    H2_RUN(rfc9113_8_3_1_relative_path);
    H2_RUN(rfc9113_8_3_1_options_asterisk);
    H2_RUN(rfc9113_8_3_1_authority_userinfo);
    H2_RUN(rfc9113_8_3_1_host_differs_from_authority);
    H2_RUN(rfc9113_8_3_1_request_fields_delivered);
    H2_RUN(rfc9113_8_3_1_method_not_token);
    H2_RUN(rfc9113_8_3_1_method_custom_token_accepted);
    H2_RUN(rfc9113_8_3_1_scheme_invalid);
    H2_RUN(rfc9113_8_3_1_scheme_valid_accepted);
    H2_RUN(rfc9113_8_3_1_path_invalid);
    H2_RUN(rfc9113_8_3_1_path_other_scheme_same_rules);
    H2_RUN(rfc9113_8_3_1_path_valid_accepted);
    H2_RUN(rfc9113_8_3_1_authority_invalid);
    H2_RUN(rfc9113_8_3_1_authority_userinfo_any_scheme);
    H2_RUN(rfc9113_8_3_1_authority_valid_accepted);
    H2_RUN(rfc9113_8_3_1_host_invalid);
    H2_RUN(rfc9113_8_3_too_large_protocol_not_enabled);
    H2_RUN(rfc9113_8_3_too_large_protocol_without_connect);
    H2_RUN(rfc9113_8_3_too_large_extended_connect_is_431);
    H2_RUN(rfc9113_8_3_too_large_relative_path);
    H2_RUN(rfc9113_8_3_too_large_method_not_token);
    H2_RUN(rfc9113_8_3_too_large_missing_scheme);
    H2_RUN(rfc9113_8_3_too_large_malformed_field_before_limit);
    H2_RUN(rfc9113_8_3_too_large_well_formed_is_431);
    H2_RUN(rfc9113_8_3_too_large_inside_pseudo_headers);
    H2_RUN(rfc8441_protocol_not_enabled);
    H2_RUN(rfc8441_protocol_enabled);
    H2_RUN(rfc8441_3_setting_absent_unless_enabled);
    H2_RUN(rfc8441_4_protocol_only_with_connect);
    H2_RUN(rfc8441_4_extended_connect_requires_scheme_and_path);
    H2_RUN(rfc8441_4_request_carries_protocol);
    H2_RUN(rfc8441_5_data_both_ways_then_end_stream);
    H2_RUN(rfc8441_5_client_cancel);
    H2_RUN(rfc9113_8_5_connect);
    H2_RUN(rfc9113_8_4_push_promise_from_client);
    H2_RUN(rfc9113_8_6_no_101_response);
    H2_RUN(rfc9113_8_2_2_response_connection_fields_dropped);
    H2_RUN(rfc7541_2_3_dynamic_table_shared_by_streams);
    H2_RUN(rfc7541_4_2_table_size_update_above_setting);
    H2_RUN(rfc7541_header_list_too_large_reported);
    H2_RUN(budget_oversized_header_blocks_per_connection);
    H2_RUN(budget_oversized_header_blocks_unlimited);
    H2_RUN(rfc9218_4_priority_header_parsed);
    H2_RUN(rfc9218_7_1_priority_update_for_idle_stream);
    H2_RUN(rfc9218_7_1_priority_update_for_open_stream);
    H2_RUN(rfc9218_priority_signals_reported);
    H2_RUN(rfc9218_priority_update_marks_client_aware);
    H2_RUN(rfc9218_7_1_priority_update_nonzero_stream);
    H2_RUN(rfc9218_7_1_priority_update_push_stream_not_promised);
    H2_RUN(rfc9218_7_1_priority_update_bad_syntax_ignored);
    H2_RUN(rfc9218_2_1_no_rfc7540_priorities_invalid_value);
    H2_RUN(rfc9218_10_urgency_orders_data);
    H2_RUN(rfc9113_8_4_push_promise_before_parent_data);
    H2_RUN(rfc9113_6_5_2_enable_push_0_refuses_push);
    H2_RUN(rfc9113_6_5_2_enable_push_default_1);
    H2_RUN(rfc9113_8_4_no_push_after_goaway_sent);
    H2_RUN(rfc9113_8_4_no_push_after_goaway_received);
    H2_RUN(rfc9113_6_8_client_goaway_drops_pushed_streams_above_last_id);
    H2_RUN(rfc9113_8_4_parent_must_be_open_client_stream);
    H2_RUN(rfc9113_8_4_1_promised_request_safe_and_cacheable);
    H2_RUN(rfc9113_5_1_1_promised_ids_even_and_increasing);
    H2_RUN(rfc9113_5_1_2_pushed_streams_respect_client_limit);
    H2_RUN(rfc9113_5_1_2_limit_lowered_after_promise);
    H2_RUN(rfc9113_6_6_push_promise_continuation);
    H2_RUN(rfc9113_8_4_client_cancels_pushed_stream);
    H2_RUN(rfc9113_8_4_client_refuses_pushed_stream_in_progress);
    H2_RUN(rfc9113_5_1_reserved_local_headers_is_connection_error);
    H2_RUN(rfc9113_5_1_reserved_local_data_is_connection_error);
    H2_RUN(rfc9113_5_1_reserved_local_allows_wu_priority_rst);
    H2_RUN(rfc9113_5_1_pushed_half_closed_remote_headers_stream_closed);
    H2_RUN(rfc9113_5_1_pushed_half_closed_remote_data_stream_closed);
    H2_RUN(rfc9113_5_1_1_unpromised_even_stream_is_idle);
    H2_RUN(rfc9113_5_1_1_unpromised_even_stream_window_update);
    H2_RUN(rfc9218_7_1_priority_update_for_promised_stream);
    H2_RUN(rfc9113_8_1_early_response_discards_request_body);
    H2_RUN(rfc9113_8_1_discard_waits_for_end_of_response);
    H2_RUN(rfc9113_8_1_discard_after_complete_request_no_rst);
    H2_RUN(rfc9113_6_1_padded_frames_flow_control);
    H2_RUN(rfc9113_6_1_padding_within_max_frame_size);
    H2_RUN(rfc9113_8_2_3_cookie_crumbs_count_as_one_field);
    return h2test_summary();
}
