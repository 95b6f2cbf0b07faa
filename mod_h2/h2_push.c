/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_push.c -- server push policy, diary and push priorities. See h2_push.h.
 */
#include <stdlib.h>
#include <string.h>

#include "apr_strings.h"
#include "apr_lib.h"
#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_request.h"

#include "h2_log.h"
#include "h2_config.h"
#include "h2_stream.h"
#include "h2_push.h"

APLOG_USE_MODULE(h2);

/* ---------------------------------------------------------------------------------- */
/* lists */

void h2_push_list_free(h2_push_req *list)
{
    while (list) {
        h2_push_req *n = list->next;
        free(list);
        list = n;
    }
}

/* more preload links than this in one response are not pushed (bounded work per
 * response; the engine allows at most max_push_streams pushes at a time anyway) */
#define MAX_PUSHES_PER_RESPONSE 64

static void list_add(h2_push_req **list, const char *path, int urgency)
{
    size_t len = strlen(path);
    h2_push_req *pr, **pp;
    int n = 0;
    for (pp = list; *pp; pp = &(*pp)->next) {
        if (!strcmp((*pp)->path, path)) return;   /* once per response */
        if (++n >= MAX_PUSHES_PER_RESPONSE) return;
    }
    pr = malloc(sizeof(*pr) + len);
    if (!pr) return;
    pr->next = NULL;
    pr->urgency = urgency;
    memcpy(pr->path, path, len + 1);
    *pp = pr;
}

/* ---------------------------------------------------------------------------------- */
/* same-origin resolution */

/* host[:port] without the scheme's default port, lowercased */
static const char *norm_authority(apr_pool_t *p, const char *scheme, const char *auth,
                                  apr_size_t len)
{
    char *a = apr_pstrmemdup(p, auth, len);
    char *c;
    ap_str_tolower(a);
    c = strrchr(a, ':');
    if (c && !strchr(c, ']')) {
        if ((!strcasecmp(scheme, "https") && !strcmp(c, ":443"))
            || (!strcasecmp(scheme, "http") && !strcmp(c, ":80")))
            *c = 0;
    }
    return a;
}

/* Resolve ref (absolute URL of the same origin, network-path reference, absolute path or
 * relative path) against the parent; NULL when it is not pushable. */
static const char *resolve(apr_pool_t *p, const char *ref, apr_size_t len,
                           const char *scheme, const char *authority, const char *base_path)
{
    const char *s, *e, *path;
    char *out, *hash;
    apr_size_t i;
    if (!len || !scheme || !authority) return NULL;
    for (i = 0; i < len; ++i) {
        unsigned char ch = (unsigned char)ref[i];
        if (ch <= 0x20 || ch == 0x7f) return NULL;
    }
    s = ref;
    e = ref + len;
    if (len > 2 && s[0] == '/' && s[1] == '/') {
        /* //authority/path: same scheme */
        const char *a = s + 2, *slash = memchr(a, '/', (size_t)(e - a));
        if (!slash) slash = e;
        if (strcmp(norm_authority(p, scheme, a, (apr_size_t)(slash - a)),
                   norm_authority(p, scheme, authority, strlen(authority))))
            return NULL;
        path = apr_pstrmemdup(p, slash, (apr_size_t)(e - slash));
        if (!*path) path = "/";
    }
    else if (s[0] == '/') {
        path = apr_pstrmemdup(p, s, len);
    }
    else {
        const char *colon = memchr(s, ':', len);
        const char *slash = memchr(s, '/', len);
        if (colon && (!slash || colon < slash)) {
            /* absolute URL: scheme://authority/path of the parent's origin only */
            const char *a, *ae;
            if ((apr_size_t)(colon - s) != strlen(scheme)
                || strncasecmp(s, scheme, (apr_size_t)(colon - s)))
                return NULL;
            if (e - colon < 3 || colon[1] != '/' || colon[2] != '/') return NULL;
            a = colon + 3;
            ae = memchr(a, '/', (size_t)(e - a));
            if (!ae) ae = e;
            if (strcmp(norm_authority(p, scheme, a, (apr_size_t)(ae - a)),
                       norm_authority(p, scheme, authority, strlen(authority))))
                return NULL;
            path = apr_pstrmemdup(p, ae, (apr_size_t)(e - ae));
            if (!*path) path = "/";
        }
        else {
            /* relative path: against the directory of the parent's path */
            const char *bp = base_path && *base_path == '/' ? base_path : "/";
            const char *q = strchr(bp, '?');
            const char *dirend;
            apr_size_t blen = q ? (apr_size_t)(q - bp) : strlen(bp);
            dirend = bp + blen;
            while (dirend > bp && dirend[-1] != '/') --dirend;
            path = apr_pstrcat(p, apr_pstrmemdup(p, bp, (apr_size_t)(dirend - bp)),
                               apr_pstrmemdup(p, s, len), NULL);
        }
    }
    out = apr_pstrdup(p, path);
    hash = strchr(out, '#');
    if (hash) *hash = 0;
    if (!*out || *out != '/') return NULL;
    /* dot segments would let a reference escape the path semantics: leave those alone */
    if (strstr(out, "/../") || strstr(out, "/./")) {
        ap_getparents(out);
        if (*out != '/') return NULL;
    }
    return out;
}

/* ---------------------------------------------------------------------------------- */
/* Link (RFC 8288) */

static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t') ++s;
    return s;
}

/* a token or quoted-string at s; returns its (unquoted) value, *ps after it */
static const char *param_value(apr_pool_t *p, const char **ps)
{
    const char *s = *ps;
    if (*s == '"') {
        char *v = apr_palloc(p, strlen(s) + 1), *o = v;
        ++s;
        while (*s && *s != '"') {
            if (*s == '\\' && s[1]) ++s;
            *o++ = *s++;
        }
        *o = 0;
        if (*s == '"') ++s;
        *ps = s;
        return v;
    }
    else {
        const char *st = s;
        while (*s && *s != ';' && *s != ',' && *s != ' ' && *s != '\t') ++s;
        *ps = s;
        return apr_pstrmemdup(p, st, (apr_size_t)(s - st));
    }
}

static int has_token(const char *list, const char *tok)
{
    apr_size_t tl = strlen(tok);
    const char *s = list;
    while (*s) {
        const char *e;
        while (*s == ' ' || *s == '\t') ++s;
        e = s;
        while (*e && *e != ' ' && *e != '\t') ++e;
        if ((apr_size_t)(e - s) == tl && !strncasecmp(s, tok, tl)) return 1;
        s = e;
    }
    return 0;
}

void h2_push_parse_link(apr_pool_t *p, const char *value, const char *scheme,
                        const char *authority, const char *base_path, h2_push_req **list)
{
    const char *s = value;
    while (s && *s) {
        const char *ref, *refe;
        int preload = 0, nopush = 0;
        s = skip_ws(s);
        if (*s == ',') { ++s; continue; }
        if (*s != '<') {
            /* not a link-value: skip to the next one */
            s = strchr(s, ',');
            continue;
        }
        ref = s + 1;
        refe = strchr(ref, '>');
        if (!refe) return;
        s = refe + 1;
        for (;;) {
            const char *name, *ne;
            s = skip_ws(s);
            if (*s != ';') break;
            s = skip_ws(s + 1);
            name = s;
            while (*s && *s != '=' && *s != ';' && *s != ',' && *s != ' ' && *s != '\t') ++s;
            ne = s;
            s = skip_ws(s);
            if (*s == '=') {
                const char *v;
                s = skip_ws(s + 1);
                v = param_value(p, &s);
                if (ne - name == 3 && !strncasecmp(name, "rel", 3) && has_token(v, "preload"))
                    preload = 1;
            }
            if (ne - name == 6 && !strncasecmp(name, "nopush", 6)) nopush = 1;
        }
        if (preload && !nopush) {
            const char *path = resolve(p, ref, (apr_size_t)(refe - ref), scheme, authority,
                                       base_path);
            if (path) list_add(list, path, -1);
        }
        /* on to the next link-value */
        while (*s && *s != ',') {
            if (*s == '"') { (void)param_value(p, &s); continue; }
            ++s;
        }
    }
}

void h2_push_parse_xac(apr_pool_t *p, const char *value, const char *scheme,
                       const char *authority, const char *base_path, h2_push_req **list)
{
    const char *s = value;
    while (s && *s) {
        const char *ref, *refe;
        int urgency = -1;
        s = skip_ws(s);
        if (*s == ',') { ++s; continue; }
        if (*s == '"') {
            ref = s + 1;
            refe = strchr(ref, '"');
            if (!refe) return;
            s = refe + 1;
        }
        else {
            /* unquoted (lenient): up to the next comma */
            ref = s;
            refe = strchr(s, ',');
            if (!refe) refe = s + strlen(s);
            s = refe;
            /* a trailing :digits is the priority */
            {
                const char *d = refe;
                while (d > ref && apr_isdigit(d[-1])) --d;
                if (d < refe && d > ref && d[-1] == ':') {
                    urgency = atoi(d);
                    refe = d - 1;
                }
            }
        }
        s = skip_ws(s);
        if (*s == ':') {
            s = skip_ws(s + 1);
            if (apr_isdigit(*s)) urgency = atoi(s);
            while (apr_isdigit(*s)) ++s;
        }
        if (urgency > H2_PRIO_URGENCY_MAX) urgency = H2_PRIO_URGENCY_MAX;
        {
            const char *path = resolve(p, ref, (apr_size_t)(refe - ref), scheme, authority,
                                       base_path);
            if (path) list_add(list, path, urgency);
        }
        while (*s && *s != ',') ++s;
    }
}

/* ---------------------------------------------------------------------------------- */
/* worker side */

int h2_push_c2_allowed(request_rec *r, int is_pushed)
{
    if (is_pushed || r->main || r->method_number != M_GET || r->header_only) return 0;
    return h2_config_push(r->server, r);
}

typedef struct link_ctx {
    request_rec *r;
    const char *scheme, *authority;
    h2_push_req **list;
} link_ctx;

static int collect_link(void *baton, const char *key, const char *value)
{
    link_ctx *lc = baton;
    (void)key;
    if (value)
        h2_push_parse_link(lc->r->pool, value, lc->scheme, lc->authority, lc->r->uri, lc->list);
    return 1;
}

static int collect_xac(void *baton, const char *key, const char *value)
{
    link_ctx *lc = baton;
    (void)key;
    if (value)
        h2_push_parse_xac(lc->r->pool, value, lc->scheme, lc->authority, lc->r->uri, lc->list);
    return 1;
}

h2_push_req *h2_push_c2_config_links(request_rec *r, apr_table_t *t, int push_ok)
{
    const h2_dir_config *d = h2_config_rget(r);
    h2_push_req *list = NULL;
    int i;
    if (!d || !d->push_list) return NULL;
    for (i = 0; i < d->push_list->nelts; ++i) {
        const h2_push_res *res = &APR_ARRAY_IDX(d->push_list, i, h2_push_res);
        if (t)
            apr_table_add(t, "Link", apr_psprintf(r->pool, "<%s>; rel=preload%s", res->uri_ref,
                                                  res->as ? "; critical" : ""));
        if (push_ok) {
            const char *path = resolve(r->pool, res->uri_ref, strlen(res->uri_ref), "x",
                                       "x", r->uri);
            /* H2PushResource is a path on this server (an absolute URL is checked for the
             * origin by the c1 side's authority when promised: only paths are taken here) */
            if (path) list_add(&list, path, res->as ? 0 : -1);
        }
    }
    return list;
}

h2_push_req *h2_push_c2_collect(request_rec *r, apr_table_t *headers, int status,
                                const char *scheme, const char *authority, int with_config)
{
    h2_push_req *list = NULL;
    link_ctx lc;
    if (!headers) return NULL;
    if (status != 103 && (status < 200 || status >= 300)) {
        apr_table_unset(headers, "X-Associated-Content");
        return NULL;
    }
    lc.r = r;
    lc.scheme = scheme;
    lc.authority = authority;
    lc.list = &list;
    if (with_config) list = h2_push_c2_config_links(r, NULL, 1);
    apr_table_do(collect_link, &lc, headers, "Link", NULL);
    apr_table_do(collect_xac, &lc, headers, "X-Associated-Content", NULL);
    apr_table_unset(headers, "X-Associated-Content");
    if (list)
        ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r, H2LOGNO(00520)
                      "h2: push candidates collected for %s", r->uri);
    return list;
}

void h2_push_c2_priority(request_rec *r, const char *ctype, int *dep, int *weight)
{
    const h2_srv_config *sc = h2_config_sget(r->server);
    const h2_push_prio *best = NULL;
    apr_size_t tlen = 0;
    int i;
    *dep = H2_PUSH_DEP_AFTER;
    *weight = 16;
    if (ctype) {
        const char *semi = strchr(ctype, ';');
        tlen = semi ? (apr_size_t)(semi - ctype) : strlen(ctype);
        while (tlen && (ctype[tlen - 1] == ' ' || ctype[tlen - 1] == '\t')) --tlen;
    }
    if (sc->push_prios) {
        for (i = 0; i < sc->push_prios->nelts; ++i) {
            const h2_push_prio *pp = &APR_ARRAY_IDX(sc->push_prios, i, h2_push_prio);
            if (!strcmp(pp->content_type, "*")) {
                if (!best) best = pp;
            }
            else if (ctype && strlen(pp->content_type) == tlen
                     && !strncasecmp(pp->content_type, ctype, tlen)) {
                best = pp;
                break;
            }
        }
    }
    if (!best) return;
    *weight = best->weight;
    if (!strcasecmp(best->dependency, "Before")) *dep = H2_PUSH_DEP_BEFORE;
    else if (!strcasecmp(best->dependency, "Interleaved")) *dep = H2_PUSH_DEP_INTERLEAVED;
    else *dep = H2_PUSH_DEP_AFTER;
}

/* ---------------------------------------------------------------------------------- */
/* diary (c1) */

struct h2_push_diary {
    int size, n, next;
    apr_uint64_t hashes[1];
};

h2_push_diary *h2_push_diary_create(int size)
{
    h2_push_diary *d;
    if (size <= 0) return NULL;
    d = calloc(1, sizeof(*d) + (size_t)size * sizeof(apr_uint64_t));
    if (d) d->size = size;
    return d;
}

void h2_push_diary_free(h2_push_diary *d)
{
    free(d);
}

static apr_uint64_t fnv1a(apr_uint64_t h, const char *s)
{
    for (; *s; ++s) {
        h ^= (unsigned char)apr_tolower(*s);
        h *= 1099511628211ULL;
    }
    return h;
}

static apr_uint64_t diary_hash(const char *authority, const char *path)
{
    apr_uint64_t h;
    h = fnv1a(14695981039346656037ULL, authority ? authority : "");
    h ^= 0x2f;  /* separator */
    h *= 1099511628211ULL;
    for (; *path; ++path) {   /* the path is case-sensitive */
        h ^= (unsigned char)*path;
        h *= 1099511628211ULL;
    }
    return h;
}

int h2_push_diary_contains(h2_push_diary *d, const char *authority, const char *path)
{
    apr_uint64_t h;
    int i;
    if (!d) return 0;
    h = diary_hash(authority, path);
    for (i = 0; i < d->n; ++i)
        if (d->hashes[i] == h) return 1;
    return 0;
}

void h2_push_diary_add(h2_push_diary *d, const char *authority, const char *path)
{
    if (!d || h2_push_diary_contains(d, authority, path)) return;
    /* full: the oldest entry goes */
    {
        apr_uint64_t h = diary_hash(authority, path);
        d->hashes[d->next] = h;
        d->next = (d->next + 1) % d->size;
        if (d->n < d->size) ++d->n;
    }
}
