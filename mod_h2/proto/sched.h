/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * sched.h -- output scheduler of the session engine (internal to mod_h2/proto/).
 *
 * Decides which ready stream sends the next DATA frame. It knows nothing about windows,
 * frames or streams: the session embeds an h2_sched_node in each stream, adds it when the
 * stream has body data it may send and removes it when the stream is blocked, deferred or
 * done. Intrusive lists, no allocation, O(1) per operation (sorted insertion of
 * non-incremental nodes walks from the tail, and client stream ids only grow).
 *
 * Policy (RFC 9218 §10): the lowest urgency with ready nodes is served first. Inside an
 * urgency, non-incremental nodes are served one at a time in stream id order (the head
 * keeps the turn until it leaves the queue), incremental nodes round robin one frame each;
 * when both kinds are ready the turn alternates between the two groups frame by frame.
 */
#ifndef H2_SCHED_H
#define H2_SCHED_H

#include <stdint.h>

#define H2_SCHED_LEVELS 8

typedef struct h2_sched_node {
    struct h2_sched_node *next, *prev;
    uint32_t id;            /* order of non-incremental nodes: the stream id; for a pushed
                             * stream its parent's id + 1 (right after the parent) */
    uint8_t urgency;        /* 0..7 */
    uint8_t incremental;    /* 0 or 1 */
    uint8_t queued;         /* 1 while in the scheduler */
} h2_sched_node;

typedef struct h2_sched_list {
    h2_sched_node *head, *tail;
} h2_sched_list;

typedef struct h2_sched {
    h2_sched_list q[H2_SCHED_LEVELS][2];   /* [urgency][incremental] */
    uint8_t turn[H2_SCHED_LEVELS];         /* 1: the incremental group is next */
    uint8_t levels;                        /* bit u set: urgency u has queued nodes */
    uint32_t count;
} h2_sched;

void h2_sched_init(h2_sched *q);
/* Node fields id/urgency/incremental set by the caller; no-op when already queued. */
void h2_sched_add(h2_sched *q, h2_sched_node *n);
/* No-op when not queued. */
void h2_sched_remove(h2_sched *q, h2_sched_node *n);
/* The node to serve now, or NULL. It stays queued. */
h2_sched_node *h2_sched_next(h2_sched *q);
/* n (queued) just sent one frame and stays ready: rotate it as the policy says. */
void h2_sched_served(h2_sched *q, h2_sched_node *n);
/* Change priority; a queued node moves to its new place. urgency is clamped to 0..7. */
void h2_sched_set_priority(h2_sched *q, h2_sched_node *n, uint8_t urgency, uint8_t incremental);
static inline int h2_sched_empty(const h2_sched *q) { return q->count == 0; }

#endif /* H2_SCHED_H */
