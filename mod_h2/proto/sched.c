/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/* sched.c -- RFC 9218 output scheduler: urgency levels, sequential and round-robin groups. */
#include <stddef.h>

#include "sched.h"

void h2_sched_init(h2_sched *q)
{
    unsigned u;
    for (u = 0; u < H2_SCHED_LEVELS; u++) {
        q->q[u][0].head = q->q[u][0].tail = NULL;
        q->q[u][1].head = q->q[u][1].tail = NULL;
        q->turn[u] = 0;
    }
    q->levels = 0;
    q->count = 0;
}

static void list_insert_after(h2_sched_list *l, h2_sched_node *pos, h2_sched_node *n)
{
    n->prev = pos;
    n->next = pos ? pos->next : l->head;
    if (n->next) {
        n->next->prev = n;
    } else {
        l->tail = n;
    }
    if (pos) {
        pos->next = n;
    } else {
        l->head = n;
    }
}

static void list_unlink(h2_sched_list *l, h2_sched_node *n)
{
    if (n->prev) {
        n->prev->next = n->next;
    } else {
        l->head = n->next;
    }
    if (n->next) {
        n->next->prev = n->prev;
    } else {
        l->tail = n->prev;
    }
    n->next = n->prev = NULL;
}

static void level_update(h2_sched *q, unsigned u)
{
    if (q->q[u][0].head || q->q[u][1].head) {
        q->levels |= (uint8_t)(1u << u);
    } else {
        q->levels &= (uint8_t)~(1u << u);
    }
}

void h2_sched_add(h2_sched *q, h2_sched_node *n)
{
    h2_sched_list *l;
    h2_sched_node *pos;
    if (n->queued) {
        return;
    }
    if (n->urgency >= H2_SCHED_LEVELS) {
        n->urgency = H2_SCHED_LEVELS - 1;
    }
    n->incremental = n->incremental ? 1 : 0;
    l = &q->q[n->urgency][n->incremental];
    pos = l->tail;
    if (!n->incremental) {
        /* sequential group: keep stream id order */
        while (pos && pos->id > n->id) {
            pos = pos->prev;
        }
    }
    list_insert_after(l, pos, n);
    n->queued = 1;
    q->count++;
    q->levels |= (uint8_t)(1u << n->urgency);
}

void h2_sched_remove(h2_sched *q, h2_sched_node *n)
{
    if (!n->queued) {
        return;
    }
    list_unlink(&q->q[n->urgency][n->incremental], n);
    n->queued = 0;
    q->count--;
    level_update(q, n->urgency);
}

/* lowest set bit of a non-zero 8-bit mask */
static const uint8_t lowest_bit[16] = { 0, 0, 1, 0, 2, 0, 1, 0, 3, 0, 1, 0, 2, 0, 1, 0 };

static unsigned first_level(uint8_t m)
{
    return (m & 0x0f) ? lowest_bit[m & 0x0f] : 4u + lowest_bit[m >> 4];
}

h2_sched_node *h2_sched_next(h2_sched *q)
{
    unsigned u;
    h2_sched_node *seq, *inc;
    if (!q->levels) {
        return NULL;
    }
    u = first_level(q->levels);
    seq = q->q[u][0].head;
    inc = q->q[u][1].head;
    if (seq && inc) {
        return q->turn[u] ? inc : seq;
    }
    return seq ? seq : inc;
}

void h2_sched_served(h2_sched *q, h2_sched_node *n)
{
    unsigned u;
    h2_sched_list *l;
    if (!n->queued) {
        return;
    }
    u = n->urgency;
    l = &q->q[u][n->incremental];
    if (n->incremental && l->tail != n) {
        list_unlink(l, n);
        list_insert_after(l, l->tail, n);
    }
    /* alternate between the groups of this urgency when both have nodes */
    q->turn[u] = n->incremental ? 0 : 1;
}

void h2_sched_set_priority(h2_sched *q, h2_sched_node *n, uint8_t urgency, uint8_t incremental)
{
    int was = n->queued;
    if (urgency >= H2_SCHED_LEVELS) {
        urgency = H2_SCHED_LEVELS - 1;
    }
    incremental = incremental ? 1 : 0;
    if (n->urgency == urgency && n->incremental == incremental) {
        return;
    }
    if (was) {
        h2_sched_remove(q, n);
    }
    n->urgency = urgency;
    n->incremental = incremental;
    if (was) {
        h2_sched_add(q, n);
    }
}
