/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_strm.c -- helpers of the stream record shared by c1 and c2. See h2_stream.h.
 */
#include <stdlib.h>
#include <string.h>

#include "h2_stream.h"

/* ---------------------------------------------------------------------------------- */
/* header blocks (any thread) */

h2_hdrs *h2_hdrs_from_nv(const h2_nv *nv, size_t n, int status)
{
    size_t i, sz = sizeof(h2_hdrs) + n * sizeof(h2_nv);
    h2_hdrs *h;
    char *p;
    for (i = 0; i < n; ++i)
        sz += nv[i].name_len + nv[i].value_len + 2;
    h = malloc(sz);
    if (!h) return NULL;
    h->status = status;
    h->n = n;
    h->nv = (h2_nv *)(h + 1);
    p = (char *)(h->nv + n);
    for (i = 0; i < n; ++i) {
        memcpy(p, nv[i].name, nv[i].name_len);
        p[nv[i].name_len] = 0;
        h->nv[i].name = (const uint8_t *)p;
        h->nv[i].name_len = nv[i].name_len;
        p += nv[i].name_len + 1;
        memcpy(p, nv[i].value, nv[i].value_len);
        p[nv[i].value_len] = 0;
        h->nv[i].value = (const uint8_t *)p;
        h->nv[i].value_len = nv[i].value_len;
        h->nv[i].flags = nv[i].flags;
        p += nv[i].value_len + 1;
    }
    return h;
}

void h2_hdrs_free(h2_hdrs *h)
{
    free(h);
}

/* ---------------------------------------------------------------------------------- */
/* request body queue */

int h2_strm_in_append(h2_strm *strm, const char *data, apr_size_t len)
{
    h2_ichunk *ic = malloc(sizeof(*ic) + len);
    if (!ic) return -1;
    ic->next = NULL;
    ic->len = len;
    ic->off = 0;
    memcpy(ic->data, data, len);
    if (strm->in_tail) strm->in_tail->next = ic; else strm->in_head = ic;
    strm->in_tail = ic;
    strm->in_bytes += len;
    return 0;
}

/* ---------------------------------------------------------------------------------- */
/* wakeups */

void h2_strm_mark_dirty(h2_strm *strm, int *pwake)
{
    h2_hub *hub = strm->hub;
    if (!strm->dirty) {
        strm->dirty = 1;
        strm->next_dirty = hub->dirty_head;
        hub->dirty_head = strm;
    }
    /* c1 not in poll: it looks for news before it waits. More streams queued and c1
     * back within H2_BATCH_WAIT anyway: this news goes with the batch (c1 polls with
     * that timeout while streams are queued, h2_c1_wait_begin). */
    if (!hub->wake_pending && hub->c1_waiting && !(hub->queued > 0 && hub->c1_wait_short)) {
        hub->wake_pending = 1;
        *pwake = 1;
    }
}

void h2_hub_wake(h2_hub *hub)
{
    if (hub->pollset)
        apr_pollset_wakeup(hub->pollset);
}
