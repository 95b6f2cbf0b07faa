/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_c1_push.c -- the c1 side of server push: PUSH_PROMISE and the pushed stream (see
 * h2_push.h for the policy), and the priority of a response from its Priority field or
 * H2PushPriority. Threads: c1 only.
 */
#include <stdlib.h>
#include <string.h>

#include "apr_strings.h"
#include "httpd.h"
#include "http_config.h"
#include "http_log.h"

#include "h2_log.h"
#include "h2_c1.h"
#include "h2_push.h"

APLOG_USE_MODULE(h2);

/* ---------------------------------------------------------------------------------- */
/* promising (c1) */

static const char *const copy_fields[] = {
    "accept", "accept-encoding", "accept-language", "cache-control", "user-agent", NULL
};

static int copy_field(const h2_nv *nv)
{
    int i;
    for (i = 0; copy_fields[i]; ++i)
        if (nv->name_len == strlen(copy_fields[i])
            && !memcmp(nv->name, copy_fields[i], nv->name_len))
            return 1;
    return 0;
}

static h2_nv mknv(const char *name, const char *value)
{
    h2_nv nv;
    nv.name = (const uint8_t *)name;
    nv.name_len = strlen(name);
    nv.value = (const uint8_t *)value;
    nv.value_len = strlen(value);
    nv.flags = 0;
    return nv;
}

void h2_push_c1_promise(h2_c1 *c1, h2_strm *parent, h2_push_req *list)
{
    h2_push_req *pr;
    for (pr = list; pr; pr = pr->next) {
        h2_nv nv[4 + 8];
        size_t n = 0, i, plen;
        uint32_t psid = 0;
        int rv;
        h2_strm *strm;
        char *p;
        if (parent->closed || parent->eos_sent) break;
        if (!h2_session_push_enabled(c1->engine)) {
            ap_log_cerror(APLOG_MARK, APLOG_TRACE1, 0, c1->c, H2LOGNO(00521)
                          "h2 stream %u: push of %s not possible now (client)",
                          (unsigned)parent->id, pr->path);
            break;
        }
        if (h2_push_diary_contains(c1->push_diary, parent->authority, pr->path)) {
            ap_log_cerror(APLOG_MARK, APLOG_TRACE1, 0, c1->c, H2LOGNO(00522)
                          "h2 stream %u: %s was pushed before on this connection",
                          (unsigned)parent->id, pr->path);
            continue;
        }
        nv[n++] = mknv(":method", "GET");
        nv[n++] = mknv(":scheme", parent->scheme ? parent->scheme
                                                 : (c1->is_tls ? "https" : "http"));
        nv[n++] = mknv(":authority", parent->authority ? parent->authority : "");
        nv[n++] = mknv(":path", pr->path);
        if (parent->req) {
            for (i = 0; i < parent->req->n && n < sizeof(nv) / sizeof(nv[0]); ++i)
                if (copy_field(&parent->req->nv[i])) nv[n++] = parent->req->nv[i];
        }
        rv = h2_session_submit_push_promise(c1->engine, parent->id, nv, n, NULL, &psid);
        if (rv != H2_SESS_OK) {
            ap_log_cerror(APLOG_MARK, APLOG_TRACE1, 0, c1->c, H2LOGNO(00523)
                          "h2 stream %u: push of %s refused (%d)", (unsigned)parent->id,
                          pr->path, rv);
            /* refused (e.g. the client's stream limit): later ones would be too */
            break;
        }
        /* made on the first push (2 KB with the default H2PushDiarySize: most
         * connections never push, and idle ones should not carry it) */
        if (!c1->push_diary)
            c1->push_diary = h2_push_diary_create(c1->cfg->push_diary_size);
        h2_push_diary_add(c1->push_diary, parent->authority, pr->path);
        strm = h2_c1_strm_new(c1, psid);
        if (strm) {
            strm->req = h2_hdrs_from_nv(nv + 4, n - 4, 0);
            plen = 4 + strlen((const char *)nv[1].value) + 1 + nv[2].value_len + 1
                   + strlen(pr->path) + 1;
            p = malloc(plen);
        }
        else {
            p = NULL;
        }
        if (!strm || !strm->req || !p) {
            free(p);
            if (strm) {
                h2_hdrs_free(strm->req);
                strm->req = NULL;
                h2_c1_strm_release(c1, strm);
            }
            h2_session_submit_rst(c1->engine, psid, H2_INTERNAL_ERROR);
            break;
        }
        strm->method = p; memcpy(p, "GET", 4); p += 4;
        strm->scheme = p; strcpy(p, (const char *)nv[1].value); p += strlen(p) + 1;
        strm->authority = p; memcpy(p, nv[2].value, nv[2].value_len); p[nv[2].value_len] = 0;
        p += nv[2].value_len + 1;
        strm->path = p; strcpy(p, pr->path);
        strm->pushed_on = parent->id;
        strm->req_has_body = 0;
        strm->in_eos = 1;
        strm->in_eos_seen = 1;
        h2_session_set_stream_data(c1->engine, psid, strm);
        if (pr->urgency >= 0) {
            h2_priority prio;
            h2_session_get_priority(c1->engine, psid, &prio);
            prio.urgency = (uint8_t)pr->urgency;
            h2_session_set_priority(c1->engine, psid, &prio);
        }
        ap_log_cerror(APLOG_MARK, APLOG_DEBUG, 0, c1->c, H2LOGNO(00524)
                      "h2 stream %u: pushing %s as stream %u", (unsigned)parent->id,
                      pr->path, (unsigned)psid);
        h2_c1_strm_dispatch(c1, strm);
        ++c1->st_push_submits;
    }
    h2_push_list_free(list);
}

static const h2_nv *find_nv(const h2_nv *nv, size_t n, const char *name)
{
    size_t i, len = strlen(name);
    for (i = 0; i < n; ++i)
        if (nv[i].name_len == len && !strncasecmp((const char *)nv[i].name, name, len))
            return &nv[i];
    return NULL;
}

/* Defaults by the response's media type, for clients that say nothing about priorities
 * (no Priority field other than the defaults and no PRIORITY_UPDATE on the connection):
 * what a page needs before it can render first and one at a time (the document, CSS and
 * fonts), scripts next, images and media last and interleaved (RFC 9218 §4.2: a partial
 * image is of use), everything else at the RFC's default u=3. A row matches the media type
 * exactly or, ending with '/', any subtype of it. */
static const struct {
    const char *type;
    uint8_t urgency, incremental;
} ctype_prio[] = {
    { "text/html", 0, 0 },
    { "application/xhtml+xml", 0, 0 },
    { "text/css", 0, 0 },
    { "font/", 0, 0 },
    { "application/font-woff", 0, 0 },
    { "application/font-woff2", 0, 0 },
    { "application/x-font-ttf", 0, 0 },
    { "application/x-font-otf", 0, 0 },
    { "application/vnd.ms-fontobject", 0, 0 },
    { "text/javascript", 1, 0 },
    { "application/javascript", 1, 0 },
    { "application/x-javascript", 1, 0 },
    { "application/ecmascript", 1, 0 },
    { "text/ecmascript", 1, 0 },
    { "application/wasm", 1, 0 },
    { "image/", 5, 1 },
    { "video/", 5, 1 },
    { "audio/", 5, 1 },
};

static int c1_ctype_prio(const h2_nv *ct, h2_priority *prio)
{
    size_t len = 0, i;
    if (!ct) return 0;
    while (len < ct->value_len && ct->value[len] != ';' && ct->value[len] != ' '
           && ct->value[len] != '\t')
        ++len;
    for (i = 0; i < sizeof(ctype_prio) / sizeof(ctype_prio[0]); ++i) {
        size_t tl = strlen(ctype_prio[i].type);
        int prefix = ctype_prio[i].type[tl - 1] == '/';
        if ((prefix ? len > tl : len == tl)
            && !strncasecmp((const char *)ct->value, ctype_prio[i].type, tl)) {
            prio->urgency = ctype_prio[i].urgency;
            prio->incremental = ctype_prio[i].incremental;
            return 1;
        }
    }
    return 0;
}

/*
 * The priority of a response when its HEADERS are submitted. Precedence, first wins:
 * 1. a PRIORITY_UPDATE of the client for the stream (its latest word; one that arrives
 *    later changes the priority again in the engine);
 * 2. the response's own Priority field, per parameter over what follows (RFC 9218 §8:
 *    "If a parameter is present in the response, use the response value"; an operator's
 *    `Header set Priority` knows the resource);
 * 3. the request's Priority field, when the client speaks RFC 9218 (a value other than
 *    u=3 or any PRIORITY_UPDATE on the connection so far: then a request without one
 *    means u=3 on purpose);
 * 4. otherwise (no signal at all, or a flat client sending only u=3) the defaults by
 *    media type above; for a pushed stream H2PushPriority relative to its parent.
 */
void h2_push_c1_response_priority(h2_c1 *c1, h2_strm *strm, const h2_nv *nv, size_t n)
{
    const h2_nv *pf = find_nv(nv, n, "priority");
    h2_priority prio;
    int sig;
    if (h2_session_get_priority(c1->engine, strm->id, &prio) != H2_SESS_OK) return;
    sig = h2_session_priority_signals(c1->engine, strm->id);
    if (sig < 0 || (sig & H2_PRIO_SIG_UPDATE)) return;
    if (strm->pushed_on) {
        if (!pf && strm->push_dep != H2_PUSH_DEP_NONE) {
            switch (strm->push_dep) {
            case H2_PUSH_DEP_BEFORE:
                if (prio.urgency > 0) --prio.urgency;
                break;
            case H2_PUSH_DEP_INTERLEAVED:
                prio.incremental = 1;
                break;
            default:
                if (strm->push_weight < 16 && prio.urgency < H2_PRIO_URGENCY_MAX)
                    ++prio.urgency;
                break;
            }
        }
    }
    else if (!(sig & H2_PRIO_SIG_CONN)) {
        c1_ctype_prio(find_nv(nv, n, "content-type"), &prio);
    }
    /* the handler's Priority field (RFC 9218 §5, §8); invalid values change nothing */
    if (pf) h2_priority_parse(pf->value, pf->value_len, &prio);
    ap_log_cerror(APLOG_MARK, APLOG_TRACE2, 0, c1->c, H2LOGNO(00980)
                  "h2 stream %u: priority u=%u%s (client signals 0x%x)", (unsigned)strm->id,
                  (unsigned)prio.urgency, prio.incremental ? ", i" : "", (unsigned)sig);
    h2_session_set_priority(c1->engine, strm->id, &prio);
}
