/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_hints.h -- learned 103 Early Hints (H2EarlyHintsLearned, on by default).
 *
 * The Link fields with rel=preload (rel=modulepreload counts as preload) or rel=preconnect
 * that a page's final response carries are remembered for its vhost and path; a later
 * navigation to the same path gets them in a 103 (RFC 8297) before its handler runs. The
 * rules, each one a guard against sending a hint that is not the site's shared, public
 * answer for that URL:
 *
 * Learning (worker, when c2 makes a final response; h2_hints_c2_learn):
 *   - only client streams (not pushed ones) of GET requests (not HEAD) without an
 *     `Authorization` (or `Proxy-Authorization`) field, H2EarlyHintsLearned on for the
 *     request's vhost and directory;
 *   - the key is the request's vhost (r->server), its :authority and the client's :path
 *     up to `?` (together at most H2_HINTS_PATH_MAX bytes; longer ones are never learned);
 *     forward-proxy requests (H2ProxyRequests) are never learned;
 *   - a response teaches only when it is 2xx, `text/html` and looks shareable: no
 *     `Set-Cookie`, no `Cache-Control` private or no-store, no `Vary` on `*`, `Cookie` or
 *     `Authorization` (what a shared cache would not give to another user is not learned);
 *   - of its Link fields only preload/modulepreload links to the same origin (a relative
 *     reference, or the request's own scheme and authority) and preconnect links count,
 *     at most H2_HINTS_MAX_LINKS of them in at most H2_HINTS_MAX_BYTES bytes, the
 *     render-blocking kinds first when there are more (h2_hints_link.h);
 *   - a set becomes a hint only when the same set came back on two consecutive
 *     responses of the path (a Link that differs per request or per user never does);
 *   - the hint is forgotten when a response of the path carries another set (the new one
 *     is again a candidate), none, is not shareable HTML, or is not 2xx (a 304 changes
 *     nothing: the client's copy of the page is still the page).
 * Sending (worker, c2's last fixups hook, after httpd's access checks: h2_hints_c2_add):
 * GET requests without `Authorization` or `Proxy-Authorization` (a request with
 * credentials neither teaches nor is taught) that look like navigations
 * (`Sec-Fetch-Mode: navigate` or `Sec-Fetch-Dest: document`; without Sec-Fetch fields,
 * `Accept` starting with `text/html`). Only HTTP/2 streams (c2) learn or are taught;
 * learned links are not pushed from the 103. The third request of a path (after two
 * identical responses) is the first to get its hint.
 *
 * The table: per child, H2_HINTS_SETS sets of H2_HINTS_WAYS entries (1024), the least
 * recently used entry of a set replaced; malloc()ed in child_init, shared by the child's
 * workers under one mutex. Memory: 40 bytes per entry (40 KB) plus the path and, for a
 * learned set, its links (malloc()ed, at most 256 + 2048 bytes each: at most 2.4 MB per
 * child, typically a few hundred bytes per entry).
 *
 * Threads: child_init creates the table; any worker (or c1's thread for inline streams)
 * learns and looks up under the table's mutex.
 */
#ifndef H2_HINTS_H
#define H2_HINTS_H

#include "httpd.h"

#include "h2_hints_link.h"   /* H2_HINTS_MAX_LINKS, H2_HINTS_MAX_BYTES: the parser's bounds */

#define H2_HINTS_SETS       256
#define H2_HINTS_WAYS       4
#define H2_HINTS_PATH_MAX   256    /* longest path learned (bytes) */

/* child_init: the child's table (learning is off when it cannot be made). */
void h2_hints_child_init(apr_pool_t *pchild, server_rec *s);

/* worker: the final response of a client stream's request: learn or forget its hints.
 * method/scheme/authority/path: the stream's request pseudo-headers; status and headers:
 * the response as it goes out (err_headers_out merged in). */
void h2_hints_c2_learn(request_rec *r, const char *method, const char *scheme,
                       const char *authority, const char *path, int status,
                       apr_table_t *headers);

/* worker: a request about to be handled: add the learned Link fields of its path to t
 * (one field per link, none already in t). Returns the number added. */
int h2_hints_c2_add(request_rec *r, const char *method, const char *authority,
                    const char *path, apr_table_t *t);

#endif /* H2_HINTS_H */
