/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_hints_link.h -- the Link field parser of learned Early Hints (h2_hints.c): which
 * link-values (RFC 8288 §3) of a response's Link fields a 103 may carry, and which of
 * them when there are more than a 103 holds. C99 and libc only (no APR, no httpd), so
 * that tests/unit/test_hints_link.c tests it alone.
 *
 * Eligible: a link-value with a `<target>`, whose first `rel` parameter names preload or
 * modulepreload (a preload) or preconnect; the target is visible ASCII without space,
 * quote or angle bracket; a preload's target is on the page's own origin (a relative
 * reference, or the page's scheme and authority); preconnect may name any origin (it
 * only opens a connection). The link's text is kept as the response had it.
 *
 * The choice (h2_hints_pick_join): when more links are eligible than H2_HINTS_MAX_LINKS
 * (or their text exceeds H2_HINTS_MAX_BYTES), what blocks the first paint goes first:
 * style sheets, then fonts and preconnects, then scripts (modulepreload too), then the
 * rest (images, fetches, links without `as`); the response's order inside each rank.
 * A 103 of the first eight links of a long list in document order carried CSS and head
 * scripts but none of the fonts, which a page finds last (named only by its CSS).
 *
 * Threads: none of its own; pure functions on the caller's memory (the worker).
 */
#ifndef H2_HINTS_LINK_H
#define H2_HINTS_LINK_H

#include <stddef.h>

#ifndef H2_HINTS_MAX_LINKS
#define H2_HINTS_MAX_LINKS  8      /* links per 103 */
#endif
#define H2_HINTS_MAX_BYTES  2048   /* bytes of link text per 103 */
#define H2_HINTS_CANDIDATES 64     /* eligible links looked at per response */
/* a joined set: link texts separated by '\n' (which no field value holds), NUL-ended */
#define H2_HINTS_BUF        (H2_HINTS_MAX_BYTES + H2_HINTS_MAX_LINKS + 1)

enum { H2_LINK_REL_NONE = 0, H2_LINK_REL_PRELOAD = 1, H2_LINK_REL_PRECONNECT = 2 };
enum { H2_LINK_RANK_STYLE = 0, H2_LINK_RANK_FONT, H2_LINK_RANK_SCRIPT, H2_LINK_RANK_OTHER,
       H2_LINK_RANKS };

typedef struct h2_link {
    const char *text;         /* the link-value as written, trailing blanks cut */
    size_t text_len;
    const char *target;       /* inside <>; NULL: no target (malformed) */
    size_t target_len;
    int rel;                  /* H2_LINK_REL_*: what its first rel names */
    int rank;                 /* H2_LINK_RANK_*: from rel and `as` */
} h2_link;

/* The next link-value of the Link field value at *pp (NUL-ended); advances *pp. Returns
 * 0 at the end of the value. A link-value without `<target>` or with one that is never
 * closed has target NULL and rel NONE. */
int h2_link_next(const char **pp, h2_link *l);

/* Is the target (n bytes) one a 103 may carry? */
int h2_link_target_ok(const char *u, size_t n);

/* Is the reference u (n bytes) on the origin scheme://authority? A relative reference
 * is; an absolute one or a network-path one (`//host/...`) only with that authority
 * (and, when absolute, that scheme). NULL scheme or authority: only relative ones. */
int h2_link_same_origin(const char *u, size_t n, const char *scheme, const char *authority);

/* The eligible links of a response, gathered over its Link fields. */
typedef struct h2_hints_pick {
    struct { const char *text; size_t len; int rank; } c[H2_HINTS_CANDIDATES];
    int n;
} h2_hints_pick;

void h2_hints_pick_init(h2_hints_pick *pk);

/* Adds the eligible links of one Link field value (which must outlive pk). */
void h2_hints_pick_add(h2_hints_pick *pk, const char *value, const char *scheme,
                       const char *authority);

/* The chosen links joined by '\n' into buf (H2_HINTS_BUF bytes): at most
 * H2_HINTS_MAX_LINKS in at most H2_HINTS_MAX_BYTES bytes of text, by rank, the response's
 * order inside a rank; a link that does not fit the bytes left is skipped. Returns the
 * length (0: none). */
size_t h2_hints_pick_join(const h2_hints_pick *pk, char *buf);

#endif /* H2_HINTS_LINK_H */
