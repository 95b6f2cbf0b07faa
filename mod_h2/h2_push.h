/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_push.h -- server push policy (RFC 9113 §8.4): what a response may push, the
 * per-connection push diary, and how pushed streams get their priority (RFC 9218).
 *
 * Sources of pushes (collected on the worker that answers the parent request, because
 * H2Push, H2PushResource and H2PushPriority depend on r->server and r->per_dir_config):
 *   - `Link: <uri-ref>; rel=preload` response fields (also in a 103 a handler sends);
 *     a `nopush` parameter suppresses the push; several links per field, several fields.
 *   - mod_spdy's `X-Associated-Content: "url"[:prio], "url2"` (prio 0..7 becomes the
 *     RFC 9218 urgency of the pushed stream). The field is removed from the response.
 *   - `H2PushResource [add] uri-ref [critical]` of the request's directory (paths only;
 *     `critical` ones get urgency 0; with `H2EarlyHints on` they are also announced as
 *     Link fields in a 103 and promised together with it, not again with the response).
 * Only pushable requests are collected: H2Push on (the default, as in mod_http2) for the
 * request's vhost and directory, parent method GET, the parent is not itself pushed, 2xx
 * final responses (or a 103), same scheme and authority as the parent, a path without
 * fragment, at most 64 per response. The client's SETTINGS_ENABLE_PUSH 0 turns all of
 * it off (and H2PUSH=off in the request's environment).
 *
 * Promising (c1 thread): the diary (H2PushDiarySize, default 256, 0 = no diary) drops
 * resources already pushed on this connection; the engine refuses pushes the client does
 * not allow (SETTINGS_ENABLE_PUSH 0, its MAX_CONCURRENT_STREAMS, GOAWAY): those are
 * dropped silently. A promised request copies these fields of the parent request, as a
 * browser would send them for a sub-resource: accept, accept-encoding, accept-language,
 * cache-control, user-agent. Cookies and credentials (cookie, authorization) are NOT
 * copied: a pushed response is meant to be a cacheable, shareable resource; a response
 * that depends on the user's session must not be pushed (it would also leak the cookie
 * into a request the client never made).
 *
 * Priorities of pushed streams: the engine gives a promised stream its parent's urgency
 * and orders it right after the parent. X-Associated-Content's `:N` sets urgency N at
 * promise time. When the pushed response's headers are known, H2PushPriority (matched on
 * its content type, `*` as default) adjusts it relative to the parent's urgency P:
 *   After [w]        u = P (ordered after the parent); w < 16 ("less important"): P+1
 *   Before           u = P-1 (before the parent's remaining data)
 *   Interleaved      u = P, incremental (takes turns with the parent)
 * (RFC 9218 has no weights: mod_http2's weight 1..256 only decides After's step above.)
 * A `Priority` response field from a handler overrides all of this for its own stream
 * (and is passed on to the client).
 */
#ifndef H2_PUSH_H
#define H2_PUSH_H

#include "httpd.h"
#include "h2_session.h"

struct h2_c1;
struct h2_strm;

/* One resource to promise. malloc()ed list (crosses from the worker to c1). */
typedef struct h2_push_req {
    struct h2_push_req *next;
    int urgency;          /* -1: engine default (parent's), else 0..7 */
    char path[1];         /* absolute path (and query) on the parent's authority */
} h2_push_req;

void h2_push_list_free(h2_push_req *list);

/* How H2PushPriority ranks a pushed response (c2 -> c1) */
#define H2_PUSH_DEP_NONE        0
#define H2_PUSH_DEP_AFTER       1
#define H2_PUSH_DEP_BEFORE      2
#define H2_PUSH_DEP_INTERLEAVED 3

/* --- parsing (any thread, pure) --- */

/* Append the preload links of one Link field value (RFC 8288) to *list (absolute paths
 * resolved against base_path; scheme/authority of the parent to check same origin). */
void h2_push_parse_link(apr_pool_t *p, const char *value, const char *scheme,
                        const char *authority, const char *base_path, h2_push_req **list);
/* Append the URLs of an X-Associated-Content field value to *list. */
void h2_push_parse_xac(apr_pool_t *p, const char *value, const char *scheme,
                       const char *authority, const char *base_path, h2_push_req **list);

/* --- worker (c2) --- */

/* Is push allowed for the answer to r at all (H2Push of r's vhost/dir, GET, not pushed)? */
int h2_push_c2_allowed(request_rec *r, int is_pushed);

/* Pushes of a response: Link fields and X-Associated-Content of headers (the latter is
 * removed from headers), plus H2PushResource unless early hints announced them already
 * (with_config 0). status is the response status (2xx or 103). Returns a malloc()ed list
 * or NULL. scheme/authority: the parent's. */
h2_push_req *h2_push_c2_collect(request_rec *r, apr_table_t *headers, int status,
                                const char *scheme, const char *authority, int with_config);

/* The H2PushResource entries of r's directory: adds their Link fields to t (for a 103)
 * and returns them as a push list when push is allowed (push_ok), else NULL. */
h2_push_req *h2_push_c2_config_links(request_rec *r, apr_table_t *t, int push_ok);

/* H2PushPriority for a pushed response of content type ctype (r->server's table). */
void h2_push_c2_priority(request_rec *r, const char *ctype, int *dep, int *weight);

/* --- c1 --- */

/* The per-connection diary: resources pushed on this connection. */
typedef struct h2_push_diary h2_push_diary;
h2_push_diary *h2_push_diary_create(int size);    /* NULL for size <= 0 */
void h2_push_diary_free(h2_push_diary *d);
/* 1 if authority+path was pushed on this connection (and is still remembered). */
int h2_push_diary_contains(h2_push_diary *d, const char *authority, const char *path);
/* Remember a promised resource (the oldest entry goes when the diary is full). */
void h2_push_diary_add(h2_push_diary *d, const char *authority, const char *path);

/* c1: promise the resources of list on behalf of stream parent (takes list). */
void h2_push_c1_promise(struct h2_c1 *c1, struct h2_strm *parent, h2_push_req *list);

/* c1: the response headers of stream strm are about to be submitted: set its priority
 * from the client's signals, a Priority response field, the defaults by content type, and
 * for pushed streams H2PushPriority (dep/weight from the worker); the order of precedence
 * is documented at the definition (h2_c1_push.c). */
void h2_push_c1_response_priority(struct h2_c1 *c1, struct h2_strm *strm, const h2_nv *nv,
                                  size_t n);

#endif /* H2_PUSH_H */
