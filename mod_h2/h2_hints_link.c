/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_hints_link.c -- the Link field parser of learned Early Hints. See h2_hints_link.h.
 */
#include <string.h>

#include "h2_hints_link.h"

static int link_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* [s, s + n) equals the lower-case literal lit, ignoring case */
static int link_ieq(const char *s, size_t n, const char *lit)
{
    size_t i;
    if (strlen(lit) != n) return 0;
    for (i = 0; i < n; ++i)
        if (link_lower((unsigned char)s[i]) != lit[i]) return 0;
    return 1;
}

static int link_is_blank(int c)
{
    return c == ' ' || c == '\t';
}

static int link_is_tchar(int c)
{
    return c > 0x20 && c < 0x7f && !strchr("\"(),/:;<=>?@[\\]{}", c);
}

static int link_is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int link_is_scheme_char(int c)
{
    return link_is_alpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

/* rel's value [v, ve), a list of relation types: H2_LINK_REL_PRELOAD when one names
 * preload or modulepreload (*module set for the latter), else PRECONNECT when one names
 * preconnect, else NONE */
static int link_rel_kind(const char *v, const char *ve, int *module)
{
    int kind = H2_LINK_REL_NONE;
    while (v < ve) {
        const char *w;
        while (v < ve && link_is_blank(*v)) ++v;
        for (w = v; w < ve && !link_is_blank(*w); ++w)
            ;
        if (link_ieq(v, (size_t)(w - v), "preload")) return H2_LINK_REL_PRELOAD;
        if (link_ieq(v, (size_t)(w - v), "modulepreload")) {
            *module = 1;
            return H2_LINK_REL_PRELOAD;
        }
        if (link_ieq(v, (size_t)(w - v), "preconnect")) kind = H2_LINK_REL_PRECONNECT;
        v = w;
    }
    return kind;
}

static int link_as_rank(const char *v, size_t n)
{
    if (link_ieq(v, n, "style")) return H2_LINK_RANK_STYLE;
    if (link_ieq(v, n, "font")) return H2_LINK_RANK_FONT;
    if (link_ieq(v, n, "script")) return H2_LINK_RANK_SCRIPT;
    return H2_LINK_RANK_OTHER;
}

/* a quoted-string from the opening quote at p: past its end (or the value's end) */
static const char *link_skip_quoted(const char *p, const char **v, const char **ve)
{
    for (*v = ++p; *p && *p != '"'; ++p)
        if (*p == '\\' && p[1]) ++p;
    *ve = p;
    return *p ? p + 1 : p;
}

int h2_link_next(const char **pp, h2_link *l)
{
    const char *p = *pp, *as = NULL, *ase = NULL, *te;
    int rel_seen = 0, module = 0;
    while (link_is_blank(*p) || *p == ',') ++p;
    *pp = p;
    if (!*p) return 0;
    memset(l, 0, sizeof(*l));
    l->text = p;
    if (*p == '<') {
        const char *e = strchr(p + 1, '>');
        if (!e) {                       /* never closed: the rest is one bad link */
            l->text_len = strlen(p);
            *pp = p + l->text_len;
            return 1;
        }
        l->target = p + 1;
        l->target_len = (size_t)(e - p - 1);
        p = e + 1;
    }
    while (*p && *p != ',') {
        if (*p == '"') {
            const char *v, *ve;
            p = link_skip_quoted(p, &v, &ve);
        }
        else if (*p == ';') {
            const char *n = ++p, *v, *ve;
            size_t nl;
            while (link_is_blank(*n)) ++n;
            for (p = n; link_is_tchar((unsigned char)*p); ++p)
                ;
            nl = (size_t)(p - n);
            while (link_is_blank(*p)) ++p;
            if (*p != '=') continue;    /* a parameter without value (`crossorigin`) */
            ++p;
            while (link_is_blank(*p)) ++p;
            if (*p == '"') {
                p = link_skip_quoted(p, &v, &ve);
            }
            else {
                for (v = p; *p && *p != ';' && *p != ',' && !link_is_blank(*p); ++p)
                    ;
                ve = p;
            }
            if (link_ieq(n, nl, "rel") && !rel_seen) {
                rel_seen = 1;           /* RFC 8288 §3.3: only the first rel counts */
                l->rel = link_rel_kind(v, ve, &module);
            }
            else if (link_ieq(n, nl, "as") && !as) {
                as = v;
                ase = ve;
            }
        }
        else {
            ++p;
        }
    }
    te = p;
    while (te > l->text && link_is_blank(te[-1])) --te;
    l->text_len = (size_t)(te - l->text);
    if (*p == ',') ++p;
    *pp = p;
    if (!l->target) l->rel = H2_LINK_REL_NONE;
    if (l->rel == H2_LINK_REL_PRECONNECT) l->rank = H2_LINK_RANK_FONT;
    else if (module) l->rank = H2_LINK_RANK_SCRIPT;
    else l->rank = as ? link_as_rank(as, (size_t)(ase - as)) : H2_LINK_RANK_OTHER;
    return 1;
}

int h2_link_target_ok(const char *u, size_t n)
{
    size_t i;
    if (!n) return 0;
    for (i = 0; i < n; ++i) {
        unsigned char c = (unsigned char)u[i];
        if (c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>') return 0;
    }
    return 1;
}

int h2_link_same_origin(const char *u, size_t n, const char *scheme, const char *authority)
{
    size_t i = 0, al;
    if (n >= 2 && u[0] == '/' && u[1] == '/') {
        i = 2;
    }
    else {
        while (i < n && link_is_scheme_char((unsigned char)u[i]))
            ++i;
        if (i == 0 || i >= n || u[i] != ':' || !link_is_alpha((unsigned char)u[0]))
            return 1;                        /* no scheme: a relative reference */
        if (!scheme || strlen(scheme) != i) return 0;
        for (al = 0; al < i; ++al)
            if (link_lower((unsigned char)u[al]) != link_lower((unsigned char)scheme[al]))
                return 0;
        if (n < i + 3 || u[i + 1] != '/' || u[i + 2] != '/') return 0;
        i += 3;
    }
    for (al = 0; i + al < n && u[i + al] != '/' && u[i + al] != '?' && u[i + al] != '#'; ++al)
        ;
    if (!authority || strlen(authority) != al) return 0;
    for (n = 0; n < al; ++n)
        if (link_lower((unsigned char)u[i + n]) != link_lower((unsigned char)authority[n]))
            return 0;
    return 1;
}

void h2_hints_pick_init(h2_hints_pick *pk)
{
    pk->n = 0;
}

void h2_hints_pick_add(h2_hints_pick *pk, const char *value, const char *scheme,
                       const char *authority)
{
    const char *p = value;
    h2_link l;
    while (pk->n < H2_HINTS_CANDIDATES && h2_link_next(&p, &l)) {
        if (l.rel == H2_LINK_REL_NONE) continue;
        if (!h2_link_target_ok(l.target, l.target_len)) continue;
        if (l.rel == H2_LINK_REL_PRELOAD
            && !h2_link_same_origin(l.target, l.target_len, scheme, authority))
            continue;
        if (l.text_len > H2_HINTS_MAX_BYTES) continue;
        pk->c[pk->n].text = l.text;
        pk->c[pk->n].len = l.text_len;
        pk->c[pk->n].rank = l.rank;
        ++pk->n;
    }
}

size_t h2_hints_pick_join(const h2_hints_pick *pk, char *buf)
{
    size_t len = 0, bytes = 0;
    int rank, i, count = 0;
    buf[0] = '\0';
    for (rank = 0; rank < H2_LINK_RANKS && count < H2_HINTS_MAX_LINKS; ++rank) {
        for (i = 0; i < pk->n && count < H2_HINTS_MAX_LINKS; ++i) {
            if (pk->c[i].rank != rank || bytes + pk->c[i].len > H2_HINTS_MAX_BYTES) continue;
            if (len) buf[len++] = '\n';
            memcpy(buf + len, pk->c[i].text, pk->c[i].len);
            len += pk->c[i].len;
            buf[len] = '\0';
            bytes += pk->c[i].len;
            ++count;
        }
    }
    return len;
}
