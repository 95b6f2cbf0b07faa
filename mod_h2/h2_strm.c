/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_strm.c -- helpers of the stream record shared by c1 and c2. See h2_stream.h.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <time.h>
#include <sys/mman.h>

#include "apr_time.h"
#include "apr_strings.h"
#include "apr_tables.h"

#include "h2_stream.h"
#include "h2_push.h"
#include "h2_ws.h"

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

/* apr_table_do callback: the fields of a table as h2_nv pointing into the table (the
 * array in pool p), all but those named in skip (NULL-terminated, case-insensitive). */
typedef struct h2_nv_collect {
    h2_nv *nv;
    size_t n, cap;
    apr_pool_t *p;
    const char *const *skip;
} h2_nv_collect;

static int strm_collect_nv(void *baton, const char *key, const char *value)
{
    h2_nv_collect *nc = baton;
    const char *const *sk;
    if (!key || !value) return 1;
    for (sk = nc->skip; sk && *sk; ++sk)
        if (!strcasecmp(key, *sk)) return 1;
    if (nc->n == nc->cap) {
        size_t ncap = nc->cap ? nc->cap * 2 : 32;
        h2_nv *nnv = apr_palloc(nc->p, ncap * sizeof(h2_nv));
        if (nc->n) memcpy(nnv, nc->nv, nc->n * sizeof(h2_nv));
        nc->nv = nnv;
        nc->cap = ncap;
    }
    nc->nv[nc->n].name = (const uint8_t *)key;
    nc->nv[nc->n].name_len = strlen(key);
    nc->nv[nc->n].value = (const uint8_t *)value;
    nc->nv[nc->n].value_len = strlen(value);
    nc->nv[nc->n].flags = 0;
    ++nc->n;
    return 1;
}

h2_hdrs *h2_hdrs_from_table_skip(apr_pool_t *p, apr_table_t *t, int status,
                                 const char *const *skip)
{
    h2_nv_collect nc;
    memset(&nc, 0, sizeof(nc));
    nc.p = p;
    nc.skip = skip;
    if (t) apr_table_do(strm_collect_nv, &nc, t, NULL);
    return h2_hdrs_from_nv(nc.nv, nc.n, status);
}

h2_hdrs *h2_hdrs_from_table(apr_pool_t *p, apr_table_t *t, int status)
{
    return h2_hdrs_from_table_skip(p, t, status, NULL);
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
/* records */

h2_hub *h2_hub_create(conn_rec *c, const char *proto, apr_size_t stream_max_mem)
{
    h2_hub *hub = calloc(1, sizeof(*hub));
    if (!hub) return NULL;
    if (pthread_mutex_init(&hub->mx, NULL) != 0) {
        free(hub);
        return NULL;
    }
    hub->c = c;
    hub->proto = proto;
    hub->stream_max_mem = stream_max_mem;
    return hub;
}

void h2_hub_destroy(h2_hub *hub)
{
    if (!hub) return;
    h2_hub_spare_drop(hub);
    pthread_mutex_destroy(&hub->mx);
    free(hub);
}

h2_oitem *h2_hub_spare_take(h2_hub *hub)
{
    h2_oitem *oi;
    h2_hub_lock(hub);
    oi = hub->spare;
    if (oi) {
        hub->spare = oi->next;
        --hub->nspare;
    }
    h2_hub_unlock(hub);
    if (oi) {
        oi->next = NULL;
        oi->len = oi->off = 0;
    }
    return oi;
}

int h2_hub_spare_put_locked(h2_hub *hub, h2_oitem *oi)
{
    if (oi->type != H2_OI_MEM || oi->cap != H2_ITEM_MIN || hub->nspare >= H2_SPARE_ITEMS)
        return 0;
    oi->next = hub->spare;
    hub->spare = oi;
    ++hub->nspare;
    return 1;
}

void h2_hub_spare_drop(h2_hub *hub)
{
    h2_oitem *oi;
    h2_hub_lock(hub);
    oi = hub->spare;
    hub->spare = NULL;
    hub->nspare = 0;
    h2_hub_unlock(hub);
    while (oi) {
        h2_oitem *next = oi->next;
        free(oi);
        oi = next;
    }
}

static int strm_cond_init(h2_strm *strm)
{
    /* timed waits on the monotonic clock: a clock change does not stretch them */
    pthread_condattr_t attr;
    int rv;
    if (pthread_condattr_init(&attr) != 0) return -1;
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    rv = pthread_cond_init(&strm->cond, &attr);
    pthread_condattr_destroy(&attr);
    return rv == 0 ? 0 : -1;
}

h2_strm *h2_strm_create(void)
{
    h2_strm *strm = calloc(1, sizeof(*strm));
    if (!strm) return NULL;
    if (strm_cond_init(strm) != 0) {
        free(strm);
        return NULL;
    }
    return strm;
}

void h2_strm_reset(h2_strm *strm)
{
    /* nobody waits on a released record: a fresh condition is safe */
    pthread_cond_destroy(&strm->cond);
    memset(strm, 0, sizeof(*strm));
    strm_cond_init(strm);
}

void h2_strm_destroy(h2_strm *strm)
{
    pthread_cond_destroy(&strm->cond);
    free(strm);
}

void h2_strm_clear(h2_strm *strm)
{
    h2_oitem *oi;
    h2_ichunk *ic;
    h2_interim *im;
    while ((oi = strm->out_head)) {
        strm->out_head = oi->next;
        if (oi->type == H2_OI_FILE) {
            if (oi->map) munmap(oi->map, oi->map_len);
            if (oi->fd >= 0) close(oi->fd);
        }
        free(oi);
    }
    strm->out_tail = NULL;
    while ((ic = strm->in_head)) {
        strm->in_head = ic->next;
        free(ic);
    }
    strm->in_tail = NULL;
    while ((im = strm->interims)) {
        strm->interims = im->next;
        h2_hdrs_free(im->hdrs);
        h2_push_list_free(im->pushes);
        free(im);
    }
    h2_push_list_free(strm->pushes);
    strm->pushes = NULL;
    h2_hdrs_free(strm->req);
    h2_hdrs_free(strm->resp);
    h2_hdrs_free(strm->trailers);
    h2_hdrs_free(strm->in_trailers);
    free(strm->method);
    free(strm->status_json);
    strm->status_json = NULL;
    strm->req = strm->resp = strm->trailers = strm->in_trailers = NULL;
    strm->method = NULL;
    h2_ws_free(strm);   /* the WebSocket state, on every path a record ends by */
}

/* ---------------------------------------------------------------------------------- */
/* waiting and wakeups */

apr_status_t h2_strm_wait(h2_strm *strm, apr_interval_time_t t)
{
    struct timespec ts;
    int rv;
    /* never longer than a second: waiters loop and recheck, so that a child that stops
     * (h2_workers_stopping, which wakes no stream) is seen in time */
    if (t > apr_time_from_sec(1)) t = apr_time_from_sec(1);
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)apr_time_sec(t);
    ts.tv_nsec += (long)apr_time_usec(t) * 1000;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec += 1;
        ts.tv_nsec -= 1000000000L;
    }
    rv = pthread_cond_timedwait(&strm->cond, &strm->hub->mx, &ts);
    return rv == ETIMEDOUT ? APR_TIMEUP : APR_SUCCESS;
}

void h2_strm_signal(h2_strm *strm)
{
    pthread_cond_signal(&strm->cond);
}

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
    if (!hub->wake_pending && ((hub->c1_waiting && !(hub->queued > 0 && hub->c1_wait_short))
                               || hub->c1_parked)) {
        hub->wake_pending = 1;
        *pwake = 1;
    }
}

void h2_hub_wake(h2_hub *hub)
{
    /* under the lock: c1 clears hub->pollset (and destroys it) when it drops it */
    h2_hub_lock(hub);
    if (hub->c1_parked && hub->park_wake)
        hub->park_wake(hub->park_baton);   /* c1 does not wait in the pollset */
    else if (hub->pollset)
        apr_pollset_wakeup(hub->pollset);
    h2_hub_unlock(hub);
}
