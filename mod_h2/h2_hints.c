/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_hints.c -- learned 103 Early Hints: the per-child table and its rules. See
 * h2_hints.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apr_strings.h"
#include "apr_lib.h"
#include "apr_thread_mutex.h"
#include "httpd.h"
#include "http_config.h"
#include "http_log.h"

#include "h2_log.h"
#include "h2_config.h"
#include "h2_hints.h"
#include "h2_hints_link.h"

APLOG_USE_MODULE(h2);

#define HINTS_ENTRIES   (H2_HINTS_SETS * H2_HINTS_WAYS)

typedef struct hints_ent {
    uint64_t hash;            /* of vhost and key; 0: a free entry */
    const server_rec *s;      /* the vhost */
    uint32_t stamp;           /* last use, for the LRU choice inside a set */
    int learned;              /* links came back on two consecutive responses */
    char *key;                /* authority + path (malloc) */
    char *links;              /* the set last seen, '\n'-separated (malloc) */
} hints_ent;

typedef struct hints_table {
    apr_thread_mutex_t *lock;
    uint32_t clock;           /* [lock] */
    int used;                 /* [lock] entries in use */
    hints_ent ent[HINTS_ENTRIES];   /* [lock] */
} hints_table;

static hints_table *hints;    /* NULL: learning off (no table) */

/* ---------------------------------------------------------------------------------- */
/* the table (any thread, under hints->lock) */

static uint64_t hints_hash(const server_rec *s, const char *key)
{
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)(uintptr_t)s;
    const unsigned char *p;
    for (p = (const unsigned char *)key; *p; ++p) {
        h ^= apr_tolower(*p);
        h *= 1099511628211ULL;
    }
    h ^= h >> 29;
    return h | 1;   /* never 0 (free) */
}

static hints_ent *hints_set_locked(uint64_t hash)
{
    return &hints->ent[(size_t)((hash >> 7) % H2_HINTS_SETS) * H2_HINTS_WAYS];
}

static hints_ent *hints_find_locked(uint64_t hash, const server_rec *s, const char *key)
{
    hints_ent *set = hints_set_locked(hash);
    int i;
    for (i = 0; i < H2_HINTS_WAYS; ++i)
        if (set[i].hash == hash && set[i].s == s && !strcmp(set[i].key, key))
            return &set[i];
    return NULL;
}

static void hints_drop_locked(hints_ent *e)
{
    free(e->key);
    free(e->links);
    memset(e, 0, sizeof(*e));
    --hints->used;
}

/* A new entry in hash's set: a free one, else the least recently used one. */
static hints_ent *hints_take_locked(uint64_t hash)
{
    hints_ent *set = hints_set_locked(hash), *v = NULL;
    int i;
    for (i = 0; i < H2_HINTS_WAYS; ++i) {
        if (!set[i].hash) return &set[i];
        if (!v || (uint32_t)(hints->clock - set[i].stamp) > (uint32_t)(hints->clock - v->stamp))
            v = &set[i];
    }
    hints_drop_locked(v);
    return v;
}

/* child_init: the table is per child (each child learns on its own), malloc()ed, and
 * freed by a cleanup of the child's pool: by then the workers are joined (their pool's
 * pre-cleanup) and the MPM's threads have ended. */
static apr_status_t hints_child_cleanup(void *data)
{
    int i;
    (void)data;
    if (!hints) return APR_SUCCESS;
    for (i = 0; i < HINTS_ENTRIES; ++i) {
        free(hints->ent[i].key);
        free(hints->ent[i].links);
    }
    free(hints);
    hints = NULL;
    return APR_SUCCESS;
}

void h2_hints_child_init(apr_pool_t *pchild, server_rec *s)
{
    hints_table *t = calloc(1, sizeof(*t));
    if (!t || apr_thread_mutex_create(&t->lock, APR_THREAD_MUTEX_DEFAULT, pchild)
              != APR_SUCCESS) {
        free(t);
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, H2LOGNO(00960)
                     "h2: no table for learned early hints, H2EarlyHintsLearned has no effect");
        return;
    }
    hints = t;
    /* registered after the mutex's own cleanup, so it runs before the mutex goes */
    apr_pool_cleanup_register(pchild, NULL, hints_child_cleanup, apr_pool_cleanup_null);
}

/* ---------------------------------------------------------------------------------- */
/* what a response teaches (worker, pure) */

/* The eligible links of the Link fields of headers, chosen and joined by '\n' into buf
 * (H2_HINTS_BUF bytes; h2_hints_link.h). Returns the length (0: none). */
static size_t hints_c2_collect(apr_table_t *headers, const char *scheme,
                               const char *authority, char *buf)
{
    const apr_array_header_t *a = apr_table_elts(headers);
    const apr_table_entry_t *el = (const apr_table_entry_t *)a->elts;
    h2_hints_pick pk;
    int i;
    h2_hints_pick_init(&pk);
    for (i = 0; i < a->nelts; ++i)
        if (el[i].key && el[i].val && !strcasecmp(el[i].key, "Link"))
            h2_hints_pick_add(&pk, el[i].val, scheme, authority);
    return h2_hints_pick_join(&pk, buf);
}

/* Does any field `name` of t contain one of words (case-insensitive substring: a
 * conservative match, `private="x"` and `no-store` included)? */
static int hints_field_has(apr_table_t *t, const char *name, const char *const *words)
{
    const apr_array_header_t *a = apr_table_elts(t);
    const apr_table_entry_t *el = (const apr_table_entry_t *)a->elts;
    int i, k;
    for (i = 0; i < a->nelts; ++i) {
        if (!el[i].key || !el[i].val || strcasecmp(el[i].key, name)) continue;
        for (k = 0; words[k]; ++k)
            if (ap_strcasestr(el[i].val, words[k])) return 1;
    }
    return 0;
}

/* Would a shared cache give this response to another user? (h2_hints.h) */
static int hints_shareable(apr_table_t *h)
{
    static const char *const cc[] = { "private", "no-store", NULL };
    static const char *const vary[] = { "*", "cookie", "authorization", NULL };
    if (apr_table_get(h, "Set-Cookie") || apr_table_get(h, "Set-Cookie2")) return 0;
    return !hints_field_has(h, "Cache-Control", cc) && !hints_field_has(h, "Vary", vary);
}

/* ---------------------------------------------------------------------------------- */
/* requests (worker) */

/* The rules both sides share: table, H2EarlyHintsLearned, GET, no credentials, not a
 * forward-proxy request. Returns the table key (authority + path without the query) in
 * r->pool, NULL when the request takes no part. */
static const char *hints_c2_key(request_rec *r, const char *method, const char *authority,
                                const char *path)
{
    size_t al, pl;
    if (!hints || !method || strcmp(method, "GET") || r->header_only || !path) return NULL;
    if (r->proxyreq == PROXYREQ_PROXY) return NULL;
    if (!h2_config_early_hints_learned(r->server, r)) return NULL;
    if (apr_table_get(r->headers_in, "Authorization")
        || apr_table_get(r->headers_in, "Proxy-Authorization"))
        return NULL;
    if (!authority) authority = "";
    al = strlen(authority);
    pl = strcspn(path, "?#");
    if (!pl || path[0] != '/' || al + pl > H2_HINTS_PATH_MAX) return NULL;
    return apr_pstrcat(r->pool, authority, apr_pstrmemdup(r->pool, path, pl), NULL);
}

/* Does the request look like a navigation (h2_hints.h)? */
static int hints_c2_navigation(request_rec *r)
{
    const char *mode = apr_table_get(r->headers_in, "Sec-Fetch-Mode");
    const char *dest = apr_table_get(r->headers_in, "Sec-Fetch-Dest");
    const char *accept;
    if (mode || dest)
        return (mode && !strcasecmp(mode, "navigate")) || (dest && !strcasecmp(dest, "document"));
    accept = apr_table_get(r->headers_in, "Accept");
    if (!accept) return 0;
    while (*accept == ' ' || *accept == '\t') ++accept;
    return !strncasecmp(accept, "text/html", 9);
}

void h2_hints_c2_learn(request_rec *r, const char *method, const char *scheme,
                       const char *authority, const char *path, int status,
                       apr_table_t *headers)
{
    const char *key = hints_c2_key(r, method, authority, path);
    const char *ctype;
    char links[H2_HINTS_BUF];
    size_t n = 0;
    uint64_t hash;
    hints_ent *e;
    const char *what = NULL;
    int used;

    if (!key || status == HTTP_NOT_MODIFIED) return;   /* a 304 says the page is the same */
    ctype = apr_table_get(headers, "Content-Type");
    if (status >= 200 && status < 300 && ctype && !strncasecmp(ctype, "text/html", 9)
        && hints_shareable(headers))
        n = hints_c2_collect(headers, scheme, authority, links);
    hash = hints_hash(r->server, key);
    apr_thread_mutex_lock(hints->lock);
    ++hints->clock;
    e = hints_find_locked(hash, r->server, key);
    if (!n) {
        if (e) {
            hints_drop_locked(e);
            what = "forgotten";
        }
    }
    else if (e && !strcmp(e->links, links)) {
        e->stamp = hints->clock;
        if (!e->learned) {
            e->learned = 1;      /* the same set twice in a row */
            what = "learned";
        }
    }
    else {
        char *copy = malloc(n + 1);
        char *kcopy = e ? NULL : strdup(key);
        if (copy && (e || kcopy)) {
            memcpy(copy, links, n + 1);
            if (!e) {
                e = hints_take_locked(hash);
                e->hash = hash;
                e->s = r->server;
                e->key = kcopy;
                ++hints->used;
            }
            else {
                free(e->links);
            }
            e->links = copy;
            e->learned = 0;
            e->stamp = hints->clock;
            what = "candidate";
        }
        else {
            free(copy);
            free(kcopy);
            if (e) hints_drop_locked(e);
        }
    }
    used = hints->used;
    apr_thread_mutex_unlock(hints->lock);
    if (what)
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, H2LOGNO(00961)
                      "h2 hints: %s %s (%d entries)", key, what, used);
}

int h2_hints_c2_add(request_rec *r, const char *method, const char *authority,
                    const char *path, apr_table_t *t)
{
    const char *key = hints_c2_key(r, method, authority, path);
    uint64_t hash;
    hints_ent *e;
    char *links = NULL, *l, *next;
    int added = 0;

    if (!key || !hints_c2_navigation(r)) return 0;
    hash = hints_hash(r->server, key);
    apr_thread_mutex_lock(hints->lock);
    e = hints_find_locked(hash, r->server, key);
    if (e && e->learned) {
        links = apr_pstrdup(r->pool, e->links);
        e->stamp = ++hints->clock;
    }
    apr_thread_mutex_unlock(hints->lock);
    for (l = links; l && *l && added < H2_HINTS_MAX_LINKS; l = next) {
        const apr_array_header_t *a = apr_table_elts(t);
        const apr_table_entry_t *el = (const apr_table_entry_t *)a->elts;
        int i, dup = 0;
        next = strchr(l, '\n');
        if (next) *next++ = '\0';
        for (i = 0; i < a->nelts && !dup; ++i)
            dup = el[i].key && el[i].val && !strcasecmp(el[i].key, "Link")
                  && !strcmp(el[i].val, l);
        if (dup) continue;
        apr_table_addn(t, "Link", l);
        ++added;
    }
    if (added)
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, H2LOGNO(00962)
                      "h2 hints: %s: %d learned links in the 103", key, added);
    return added;
}
