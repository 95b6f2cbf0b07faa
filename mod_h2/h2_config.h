/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_config.h -- mod_h2's directives: server (per vhost) and directory configuration.
 *
 * Directive names and meanings follow Apache's mod_http2 so that a site can swap the
 * LoadModule line and keep its configuration: every directive of mod_http2 2.4.71 is
 * accepted in the contexts and .htaccess override classes mod_http2 gives it (a few in
 * more contexts, see docs/directives.md); only the obsolete H2SessionExtraFiles is ignored
 * (with a start-up warning). Directives of our own (engine limits and flood budgets) carry
 * the H2 prefix too. docs/directives.md has one entry per directive of h2_cmds (a test
 * checks it).
 *
 * Threads: configuration is built at start-up and read-only afterwards; any thread may
 * read it.
 */
#ifndef H2_CONFIG_H
#define H2_CONFIG_H

#include "httpd.h"
#include "http_config.h"

#define H2_UNSET (-1)

/* one H2PushResource entry */
typedef struct h2_push_res {
    const char *uri_ref;
    const char *as;      /* "critical" or NULL */
} h2_push_res;

/* one H2PushPriority entry */
typedef struct h2_push_prio {
    const char *content_type;   /* "*" for the default */
    const char *dependency;     /* After, Before, Interleaved */
    int weight;
} h2_push_prio;

/* one H2EarlyHint entry */
typedef struct h2_early_hint {
    const char *name;
    const char *value;
} h2_early_hint;

typedef struct h2_srv_config {
    const char *name;
    int h2_direct;             /* H2Direct: -1 unset (then on for h2c, off for h2) */
    int h2_upgrade;            /* H2Upgrade: -1 unset (on for h2c, never over TLS) */
    int max_streams;           /* H2MaxSessionStreams */
    int window_size;           /* H2WindowSize: our SETTINGS_INITIAL_WINDOW_SIZE */
    apr_int64_t stream_max_mem;/* H2StreamMaxMemSize: bytes buffered per stream response */
    int min_workers;           /* H2MinWorkers (global) */
    int max_workers;           /* H2MaxWorkers (global) */
    int max_worker_idle_secs;  /* H2MaxWorkerIdleSeconds (global) */
    int modern_tls_only;       /* H2ModernTLSOnly */
    apr_interval_time_t stream_timeout; /* H2StreamTimeout, -1: use Timeout */
    int max_data_frame_len;    /* H2MaxDataFrameLen, 0: as large as the peer allows */
    int output_buffering;      /* H2OutputBuffering */
    int copy_files;            /* H2CopyFiles */
    apr_int64_t tls_warmup_size;  /* H2TLSWarmUpSize */
    int tls_cooldown_secs;     /* H2TLSCoolDownSecs */
    int padding_bits;          /* H2Padding 0..8 */
    int serialize_headers;     /* H2SerializeHeaders: accepted, no effect */
    int push;                  /* H2Push */
    apr_array_header_t *push_prios;  /* H2PushPriority: h2_push_prio */
    int push_diary_size;       /* H2PushDiarySize */
    int early_hints;           /* H2EarlyHints */
    int early_hints_learned;   /* H2EarlyHintsLearned (h2_hints.h), default on */
    int max_header_block_len;  /* H2MaxHeaderBlockLen: response header block, 0: no limit */
    int max_stream_errors;     /* H2MaxStreamErrors: FLOW_CONTROL_ERROR resets per
                                * connection before GOAWAY(PROTOCOL_ERROR), 0: no limit */
    int proxy_requests;        /* H2ProxyRequests: absolute-form requests to mod_proxy */
    int websockets;            /* H2WebSockets: RFC 8441 extended CONNECT */

    /* our own engine limits and budgets */
    int max_frame_size;        /* H2MaxFrameSize: our SETTINGS_MAX_FRAME_SIZE */
    int header_table_size;     /* H2HeaderTableSize: our SETTINGS_HEADER_TABLE_SIZE */
    int conn_window_size;      /* H2ConnWindowSize: connection receive window */
    int max_continuations;     /* H2MaxContinuationFrames per header block */
    int reset_budget;          /* H2ResetBudget: client resets/wasted streams per interval */
    int control_budget;        /* H2ControlFrameBudget: queued unanswered control frames */
    int empty_frame_budget;    /* H2EmptyFrameBudget: empty DATA/CONTINUATION frames */
    int upgrade_body_max;      /* H2UpgradeMaxBody: request body read before h2c switch */
    int oversized_budget;      /* H2OversizedHeaderBudget: 431 header blocks per connection */
} h2_srv_config;

typedef struct h2_dir_config {
    const char *name;
    int h2_upgrade;            /* H2Upgrade */
    int push;                  /* H2Push */
    apr_array_header_t *push_list;    /* H2PushResource: h2_push_res */
    apr_array_header_t *early_hints;  /* H2EarlyHint: h2_early_hint */
    int early_hints_on;        /* H2EarlyHints */
    int early_hints_learned;   /* H2EarlyHintsLearned */
    int copy_files;            /* H2CopyFiles */
    apr_interval_time_t stream_timeout; /* H2StreamTimeout */
    int output_buffering;      /* H2OutputBuffering */
    int proxy_requests;        /* H2ProxyRequests in a directory: accepted as mod_http2
                                * does, no effect (decided before the URL is mapped) */
} h2_dir_config;

extern const command_rec h2_cmds[];

void *h2_config_create_srv(apr_pool_t *p, server_rec *s);
void *h2_config_merge_srv(apr_pool_t *p, void *base, void *add);
void *h2_config_create_dir(apr_pool_t *p, char *dir);
void *h2_config_merge_dir(apr_pool_t *p, void *base, void *add);

/* The effective server config of s (defaults applied). */
const h2_srv_config *h2_config_sget(server_rec *s);
const h2_dir_config *h2_config_rget(request_rec *r);

/* Effective values that depend on context */
int h2_config_direct(server_rec *s, int is_tls);
int h2_config_upgrade(server_rec *s, request_rec *r);
apr_interval_time_t h2_config_stream_timeout(server_rec *s, request_rec *r);
int h2_config_push(server_rec *s, request_rec *r);
int h2_config_early_hints(server_rec *s, request_rec *r);
int h2_config_early_hints_learned(server_rec *s, request_rec *r);
int h2_config_copy_files(server_rec *s, request_rec *r);
int h2_config_output_buffering(server_rec *s, request_rec *r);
/* H2ProxyRequests of the connection's server s (mod_http2 reads it there too) */
int h2_config_proxy_requests(server_rec *s);
/* H2WebSockets of server s */
int h2_config_websockets(server_rec *s);

/* Fill unset numeric values of every server with defaults (post_config). */
void h2_config_apply_defaults(server_rec *s);

/* Log the start-up warnings collected while reading the configuration (post_config). */
void h2_config_log_warnings(apr_pool_t *pconf, server_rec *s);

/* Worker pool sizing after MPM values are known (child_init). */
void h2_config_workers(server_rec *s, int *pmin, int *pmax, int *pidle_secs);

#endif /* H2_CONFIG_H */
