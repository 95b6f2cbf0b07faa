/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2test.h -- the minimal C test harness of the engine tests.
 *
 *   H2_TEST(name) { H2_CHECK(cond); H2_CHECK_EQ(a, b); H2_CHECK_MEM(p, q, n); }
 *   int main(void) { H2_RUN(name); ...; return h2test_summary(); }
 *
 * Each test counts as passed when none of its checks failed. The summary prints the plain
 * closing line "N passed, N failed" and main returns non-zero when anything failed.
 */
#ifndef H2TEST_H
#define H2TEST_H

#include <stdio.h>
#include <string.h>
#include <stdlib.h>

static int h2test_passed, h2test_failed, h2test_cur_failed;
static const char *h2test_cur;

#define H2_TEST(name) static void name(void)

#define H2_CHECK(cond) do { \
        if (!(cond)) { \
            if (h2test_cur_failed++ < 5) \
                fprintf(stderr, "  FAIL %s: %s:%d: %s\n", h2test_cur, __FILE__, __LINE__, #cond); \
        } \
    } while (0)

#define H2_CHECK_EQ(a, b) do { \
        long long h2t_a_ = (long long)(a), h2t_b_ = (long long)(b); \
        if (h2t_a_ != h2t_b_) { \
            if (h2test_cur_failed++ < 5) \
                fprintf(stderr, "  FAIL %s: %s:%d: %s == %s (%lld != %lld)\n", h2test_cur, \
                        __FILE__, __LINE__, #a, #b, h2t_a_, h2t_b_); \
        } \
    } while (0)

#define H2_CHECK_MEM(p, q, n) H2_CHECK(memcmp((p), (q), (n)) == 0)

#define H2_RUN(name) do { \
        h2test_cur = #name; h2test_cur_failed = 0; \
        name(); \
        if (h2test_cur_failed) { h2test_failed++; fprintf(stderr, "FAIL %s\n", #name); } \
        else { h2test_passed++; if (getenv("H2TEST_VERBOSE")) fprintf(stderr, "ok   %s\n", #name); } \
    } while (0)

static inline int h2test_summary(void)
{
    printf("%d passed, %d failed\n", h2test_passed, h2test_failed);
    return h2test_failed ? 1 : 0;
}

/* Decode a hex string ("82 86 84", spaces ignored) into out; returns the byte count. */
static inline size_t h2test_unhex(const char *hex, unsigned char *out, size_t cap)
{
    size_t n = 0;
    int hi = -1;
    for (; *hex; hex++) {
        int v;
        char c = *hex;
        if (c >= '0' && c <= '9') v = c - '0';
        else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
        else continue;
        if (hi < 0) { hi = v; }
        else { if (n < cap) out[n] = (unsigned char)(hi << 4 | v); n++; hi = -1; }
    }
    return n;
}

#endif
