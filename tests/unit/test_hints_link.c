/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * test_hints_link.c -- the Link field parser of learned Early Hints (mod_h2/h2_hints_link.c):
 * link-values, parameters, rel lists, as= ranks, origins, bounds, malformed input.
 */
#include "h2test.h"
#include "h2_hints_link.h"

/* the chosen set of one Link field value for https://example.org */
static size_t pick1(const char *value, char *buf)
{
    h2_hints_pick pk;
    h2_hints_pick_init(&pk);
    h2_hints_pick_add(&pk, value, "https", "example.org");
    return h2_hints_pick_join(&pk, buf);
}

H2_TEST(link_several_in_one_field)
{
    const char *p = "</a.css>; rel=preload; as=style, </b.js>;rel=preload;as=script ,"
                    "  </c.woff2>; rel=preload; as=font; crossorigin";
    h2_link l;
    H2_CHECK_EQ(h2_link_next(&p, &l), 1);
    H2_CHECK_EQ(l.target_len, 6);
    H2_CHECK_MEM(l.target, "/a.css", 6);
    H2_CHECK_EQ(l.text_len, strlen("</a.css>; rel=preload; as=style"));
    H2_CHECK_EQ(l.rel, H2_LINK_REL_PRELOAD);
    H2_CHECK_EQ(l.rank, H2_LINK_RANK_STYLE);
    H2_CHECK_EQ(h2_link_next(&p, &l), 1);
    H2_CHECK_MEM(l.target, "/b.js", 5);
    H2_CHECK_EQ(l.text_len, strlen("</b.js>;rel=preload;as=script"));  /* blank cut */
    H2_CHECK_EQ(l.rank, H2_LINK_RANK_SCRIPT);
    H2_CHECK_EQ(h2_link_next(&p, &l), 1);
    H2_CHECK_MEM(l.text, "</c.woff2>; rel=preload; as=font; crossorigin",
                 strlen("</c.woff2>; rel=preload; as=font; crossorigin"));
    H2_CHECK_EQ(l.rank, H2_LINK_RANK_FONT);
    H2_CHECK_EQ(h2_link_next(&p, &l), 0);
}

H2_TEST(link_quoted_params)
{
    /* a comma and a semicolon inside quotes end nothing; escapes are skipped */
    const char *p = "</x.css>; title=\"a, b; c=\\\"d\\\"\"; rel=\"preload\"; as=\"style\", </y>";
    h2_link l;
    H2_CHECK_EQ(h2_link_next(&p, &l), 1);
    H2_CHECK_EQ(l.rel, H2_LINK_REL_PRELOAD);
    H2_CHECK_EQ(l.rank, H2_LINK_RANK_STYLE);
    H2_CHECK_EQ(l.text_len, strlen("</x.css>; title=\"a, b; c=\\\"d\\\"\"; rel=\"preload\"; "
                                   "as=\"style\""));
    H2_CHECK_EQ(h2_link_next(&p, &l), 1);
    H2_CHECK_MEM(l.target, "/y", 2);
    H2_CHECK_EQ(l.rel, H2_LINK_REL_NONE);
    H2_CHECK_EQ(h2_link_next(&p, &l), 0);
}

H2_TEST(link_rel_lists_and_case)
{
    static const struct { const char *v; int rel; } t[] = {
        { "</a>; rel=\"preload prefetch\"", H2_LINK_REL_PRELOAD },
        { "</a>; rel=\"prefetch preload\"", H2_LINK_REL_PRELOAD },
        { "</a>; rel=\"prefetch\"", H2_LINK_REL_NONE },
        { "</a>; REL=PreLoad", H2_LINK_REL_PRELOAD },
        { "</a>; rel=\"dns-prefetch preconnect\"", H2_LINK_REL_PRECONNECT },
        { "</a>; rel=\"preconnect preload\"", H2_LINK_REL_PRELOAD },
        { "</a>; rel=modulepreload", H2_LINK_REL_PRELOAD },
        { "</a>; rel=preloaded", H2_LINK_REL_NONE },
        { "</a>; rel=stylesheet; rel=preload", H2_LINK_REL_NONE },  /* first rel only */
        { "</a>; as=style", H2_LINK_REL_NONE },
        { "</a>; rel", H2_LINK_REL_NONE },
        { "</a>; rel=", H2_LINK_REL_NONE },
    };
    size_t i;
    for (i = 0; i < sizeof(t) / sizeof(t[0]); ++i) {
        const char *p = t[i].v;
        h2_link l;
        H2_CHECK_EQ(h2_link_next(&p, &l), 1);
        if (l.rel != t[i].rel) fprintf(stderr, "  case %s\n", t[i].v);
        H2_CHECK_EQ(l.rel, t[i].rel);
    }
}

H2_TEST(link_as_ranks)
{
    static const struct { const char *v; int rank; } t[] = {
        { "</a>; rel=preload; as=style", H2_LINK_RANK_STYLE },
        { "</a>; rel=preload; as=STYLE", H2_LINK_RANK_STYLE },
        { "</a>; rel=preload; as=\"font\"; crossorigin=anonymous", H2_LINK_RANK_FONT },
        { "</a>; rel=preload; as=script", H2_LINK_RANK_SCRIPT },
        { "</a>; rel=modulepreload", H2_LINK_RANK_SCRIPT },
        { "</a>; rel=preload; as=image", H2_LINK_RANK_OTHER },
        { "</a>; rel=preload; as=fetch; crossorigin", H2_LINK_RANK_OTHER },
        { "</a>; rel=preload", H2_LINK_RANK_OTHER },
        { "</a>; rel=preload; as=styles", H2_LINK_RANK_OTHER },
        { "<https://cdn.example>; rel=preconnect", H2_LINK_RANK_FONT },
        { "</a>; rel=preload; as=style; as=script", H2_LINK_RANK_STYLE },  /* the first */
    };
    size_t i;
    for (i = 0; i < sizeof(t) / sizeof(t[0]); ++i) {
        const char *p = t[i].v;
        h2_link l;
        H2_CHECK_EQ(h2_link_next(&p, &l), 1);
        if (l.rank != t[i].rank) fprintf(stderr, "  case %s\n", t[i].v);
        H2_CHECK_EQ(l.rank, t[i].rank);
    }
}

H2_TEST(link_origins)
{
    static const struct { const char *u; int same; } t[] = {
        { "/a.css", 1 },
        { "a.css", 1 },
        { "../a.css?x=1", 1 },
        { "?q", 1 },
        { "https://example.org/a.css", 1 },
        { "HTTPS://EXAMPLE.ORG/a.css", 1 },
        { "https://example.org", 1 },
        { "https://example.org?x", 1 },
        { "//example.org/a.css", 1 },
        { "http://example.org/a.css", 0 },          /* another scheme */
        { "https://example.org:8443/a.css", 0 },    /* another port */
        { "https://cdn.example.org/a.css", 0 },
        { "https://example.org.evil/a.css", 0 },
        { "https://example.orgx/a", 0 },
        { "//evil.example/a.css", 0 },
        { "https:/example.org/a", 0 },
        { "https:a", 0 },
        { "javascript:alert(1)", 0 },
        { "1http://x/", 1 },    /* a scheme starts with a letter: a relative path */
    };
    size_t i;
    for (i = 0; i < sizeof(t) / sizeof(t[0]); ++i) {
        int got = h2_link_same_origin(t[i].u, strlen(t[i].u), "https", "example.org");
        if (got != t[i].same) fprintf(stderr, "  case %s\n", t[i].u);
        H2_CHECK_EQ(got, t[i].same);
    }
    /* no authority known: only relative references */
    H2_CHECK_EQ(h2_link_same_origin("/a", 2, "https", NULL), 1);
    H2_CHECK_EQ(h2_link_same_origin("//x/a", 5, "https", NULL), 0);
    H2_CHECK_EQ(h2_link_same_origin("https://x/a", 11, NULL, "x"), 0);
}

H2_TEST(link_pick_rules)
{
    char buf[H2_HINTS_BUF];
    /* other origins: preload refused, preconnect kept; other rels and targetless dropped */
    H2_CHECK_EQ(pick1("<https://cdn.example/a.css>; rel=preload; as=style, "
                      "<https://cdn.example>; rel=preconnect, </p.html>; rel=prefetch, "
                      "rel=preload; as=style, </ok.css>; rel=preload; as=style", buf),
                strlen("<https://cdn.example>; rel=preconnect\n"
                       "</ok.css>; rel=preload; as=style"));
    H2_CHECK(!strcmp(buf, "</ok.css>; rel=preload; as=style\n"
                          "<https://cdn.example>; rel=preconnect"));
    /* targets a 103 may not carry */
    H2_CHECK_EQ(pick1("<>; rel=preload, </a b>; rel=preload, </a\"b>; rel=preload, "
                      "</\x7f>; rel=preload", buf), 0);
    H2_CHECK_EQ(buf[0], '\0');
    /* absolute same-origin preloads count */
    H2_CHECK(pick1("<https://example.org/s.js>; rel=preload; as=script", buf) > 0);
}

H2_TEST(link_pick_ranks_and_bounds)
{
    char buf[H2_HINTS_BUF], want[H2_HINTS_BUF];
    /* 12 scripts, then 6 styles and 2 fonts (18 + 2 links): the 8 kept are the styles
     * and fonts, in the response's order inside each rank */
    char value[2048];
    int i, n = 0;
    size_t len;
    value[0] = '\0';
    for (i = 0; i < 12; ++i)
        n += sprintf(value + n, "</j%d.js>; rel=preload; as=script, ", i);
    for (i = 0; i < 6; ++i)
        n += sprintf(value + n, "</c%d.css>; rel=preload; as=style, ", i);
    n += sprintf(value + n, "</f0.woff2>; rel=preload; as=font; crossorigin, "
                            "</f1.woff2>; rel=preload; as=font; crossorigin");
    len = pick1(value, buf);
    n = 0;
    for (i = 0; i < 6; ++i)
        n += sprintf(want + n, "</c%d.css>; rel=preload; as=style\n", i);
    sprintf(want + n, "</f0.woff2>; rel=preload; as=font; crossorigin\n"
                      "</f1.woff2>; rel=preload; as=font; crossorigin");
    H2_CHECK_EQ(len, strlen(want));
    H2_CHECK(!strcmp(buf, want));

    /* several fields add up; the bound on count holds across them */
    {
        h2_hints_pick pk;
        h2_hints_pick_init(&pk);
        for (i = 0; i < 20; ++i)
            h2_hints_pick_add(&pk, "</s.js>; rel=preload; as=script", "https", "example.org");
        H2_CHECK_EQ(pk.n, 20);
        len = h2_hints_pick_join(&pk, buf);
        H2_CHECK_EQ(len, 8 * strlen("</s.js>; rel=preload; as=script") + 7);
    }
    /* more candidates than H2_HINTS_CANDIDATES: the rest is not looked at */
    {
        h2_hints_pick pk;
        h2_hints_pick_init(&pk);
        for (i = 0; i < H2_HINTS_CANDIDATES + 10; ++i)
            h2_hints_pick_add(&pk, "</s.js>; rel=preload", "https", "example.org");
        H2_CHECK_EQ(pk.n, H2_HINTS_CANDIDATES);
    }
}

H2_TEST(link_oversized)
{
    char buf[H2_HINTS_BUF];
    static char big[3 * H2_HINTS_MAX_BYTES];
    size_t len, n;
    /* a single link longer than the 103's bytes: skipped, the next one kept */
    n = (size_t)sprintf(big, "</");
    memset(big + n, 'a', H2_HINTS_MAX_BYTES);
    n += H2_HINTS_MAX_BYTES;
    sprintf(big + n, ">; rel=preload; as=style, </b.css>; rel=preload; as=style");
    len = pick1(big, buf);
    H2_CHECK(!strcmp(buf, "</b.css>; rel=preload; as=style"));
    H2_CHECK_EQ(len, strlen("</b.css>; rel=preload; as=style"));
    /* links of 700 bytes: two fit the 2 KB, the third is skipped, a small one after fits */
    {
        h2_hints_pick pk;
        static char l700[3][800];
        int i;
        h2_hints_pick_init(&pk);
        for (i = 0; i < 3; ++i) {
            n = (size_t)sprintf(l700[i], "</%d", i);
            memset(l700[i] + n, 'x', 700 - n - strlen(">; rel=preload; as=style"));
            strcpy(l700[i] + 700 - strlen(">; rel=preload; as=style"),
                   ">; rel=preload; as=style");
            H2_CHECK_EQ(strlen(l700[i]), 700);
            h2_hints_pick_add(&pk, l700[i], "https", "example.org");
        }
        h2_hints_pick_add(&pk, "</s.css>; rel=preload; as=style", "https", "example.org");
        len = h2_hints_pick_join(&pk, buf);
        H2_CHECK_EQ(len, 700 + 1 + 700 + 1 + strlen("</s.css>; rel=preload; as=style"));
        H2_CHECK(len < sizeof(buf));
    }
}

H2_TEST(link_malformed)
{
    static const char *const bad[] = {
        "", ",,, ,", "<", "</a.css; rel=preload", "garbage", ";;;", "</a>;", "</a>; =x",
        "</a>; rel=\"preload", "</a>; rel=\"\\", "</a>; \"unterminated, </b>; rel=preload",
        "</a>; rel=pre\"load\"", "<a>>; rel=preload",
    };
    size_t i;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
        const char *p = bad[i], *end = bad[i] + strlen(bad[i]);
        h2_link l;
        int links = 0;
        char buf[H2_HINTS_BUF];
        while (h2_link_next(&p, &l)) {
            H2_CHECK(p <= end);              /* never past the value's end */
            H2_CHECK(l.text >= bad[i] && l.text + l.text_len <= end);
            if (l.target) H2_CHECK(l.target + l.target_len <= end);
            if (++links > 10) break;
        }
        H2_CHECK(links <= 10);
        H2_CHECK_EQ(*p, '\0');
        pick1(bad[i], buf);                  /* must not crash; NUL-ended */
        H2_CHECK(strlen(buf) < sizeof(buf));
    }
    /* an unclosed '<' makes the rest one link without target */
    {
        const char *p = "</a.css; rel=preload, </b.css>; rel=preload";
        h2_link l;
        H2_CHECK_EQ(h2_link_next(&p, &l), 1);
        H2_CHECK(l.target != NULL);          /* '>' of the second link closes it */
        p = "</a.css; rel=preload";
        H2_CHECK_EQ(h2_link_next(&p, &l), 1);
        H2_CHECK(l.target == NULL);
        H2_CHECK_EQ(l.rel, H2_LINK_REL_NONE);
        H2_CHECK_EQ(h2_link_next(&p, &l), 0);
    }
    /* a quote left open hides the rest of the value: no link after it */
    {
        char buf[H2_HINTS_BUF];
        H2_CHECK_EQ(pick1("</a>; title=\"x, </b.css>; rel=preload; as=style", buf), 0);
    }
}

int main(void)
{
    H2_RUN(link_several_in_one_field);
    H2_RUN(link_quoted_params);
    H2_RUN(link_rel_lists_and_case);
    H2_RUN(link_as_ranks);
    H2_RUN(link_origins);
    H2_RUN(link_pick_rules);
    H2_RUN(link_pick_ranks_and_bounds);
    H2_RUN(link_oversized);
    H2_RUN(link_malformed);
    return h2test_summary();
}
