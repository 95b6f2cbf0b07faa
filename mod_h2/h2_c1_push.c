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

void h2_push_c1_response_priority(h2_c1 *c1, h2_strm *strm, const h2_nv *nv, size_t n)
{
    const h2_nv *pf = find_nv(nv, n, "priority");
    h2_priority prio;
    if (h2_session_get_priority(c1->engine, strm->id, &prio) != H2_SESS_OK) return;
    if (pf) {
        /* the handler's Priority field (RFC 9218 §5) wins; invalid values change nothing */
        if (h2_priority_parse(pf->value, pf->value_len, &prio) == 0)
            h2_session_set_priority(c1->engine, strm->id, &prio);
        return;
    }
    if (strm->pushed_on && strm->push_dep != H2_PUSH_DEP_NONE) {
        switch (strm->push_dep) {
        case H2_PUSH_DEP_BEFORE:
            if (prio.urgency > 0) --prio.urgency;
            break;
        case H2_PUSH_DEP_INTERLEAVED:
            prio.incremental = 1;
            break;
        default:
            if (strm->push_weight < 16 && prio.urgency < H2_PRIO_URGENCY_MAX) ++prio.urgency;
            break;
        }
        h2_session_set_priority(c1->engine, strm->id, &prio);
    }
}
