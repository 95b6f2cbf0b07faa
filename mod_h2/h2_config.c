/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_config.c -- directives, defaults and merging. See h2_config.h.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "apr_strings.h"
#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "ap_mpm.h"

#include "h2_log.h"
#include "h2_config.h"

APLOG_USE_MODULE(h2);
extern module AP_MODULE_DECLARE_DATA h2_module;

/* defaults (same as mod_http2's where the directive exists there) */
#define DEF_MAX_STREAMS        100
#define DEF_WINDOW_SIZE        65535
#define DEF_STREAM_MAX_MEM     65536
#define DEF_WORKER_IDLE        600
#define DEF_TLS_WARMUP         (1024 * 1024)
#define DEF_TLS_COOLDOWN       1
#define DEF_PUSH_DIARY         256
#define DEF_MAX_FRAME_SIZE     16384
#define DEF_HEADER_TABLE_SIZE  4096
/* H2ConnWindowSize: the most unread request body a connection holds. 4 MiB: a stream's
 * window grows to at most 1 MiB (the engine's stream_buffer_max), so one upload gains
 * nothing above that, four at once up to 4 MiB; 16 MiB was no faster in
 * tests/bench/bench_upload_window.py (100 MB POSTs, 1/4/16 MiB) and buffered 4x more. */
#define DEF_CONN_WINDOW        (4 * 1024 * 1024)
#define DEF_MAX_CONTINUATIONS  32
#define DEF_RESET_BUDGET       200
#define DEF_CONTROL_BUDGET     1000
#define DEF_EMPTY_BUDGET       1000
#define DEF_UPGRADE_BODY_MAX   (64 * 1024)
#define DEF_MAX_STREAM_ERRORS  8          /* mod_http2's */
#define DEF_OVERSIZED_BUDGET   4

void *h2_config_create_srv(apr_pool_t *p, server_rec *s)
{
    h2_srv_config *c = apr_pcalloc(p, sizeof(*c));
    c->name = apr_psprintf(p, "srv[%s]", s && s->defn_name ? s->defn_name : "default");
    c->h2_direct = H2_UNSET;
    c->h2_upgrade = H2_UNSET;
    c->max_streams = H2_UNSET;
    c->window_size = H2_UNSET;
    c->stream_max_mem = H2_UNSET;
    c->min_workers = H2_UNSET;
    c->max_workers = H2_UNSET;
    c->max_worker_idle_secs = H2_UNSET;
    c->modern_tls_only = H2_UNSET;
    c->stream_timeout = H2_UNSET;
    c->max_data_frame_len = H2_UNSET;
    c->output_buffering = H2_UNSET;
    c->copy_files = H2_UNSET;
    c->tls_warmup_size = H2_UNSET;
    c->tls_cooldown_secs = H2_UNSET;
    c->padding_bits = H2_UNSET;
    c->serialize_headers = H2_UNSET;
    c->push = H2_UNSET;
    c->push_prios = NULL;
    c->push_diary_size = H2_UNSET;
    c->early_hints = H2_UNSET;
    c->early_hints_learned = H2_UNSET;
    c->max_header_block_len = H2_UNSET;
    c->max_stream_errors = H2_UNSET;
    c->proxy_requests = H2_UNSET;
    c->websockets = H2_UNSET;
    c->max_frame_size = H2_UNSET;
    c->header_table_size = H2_UNSET;
    c->conn_window_size = H2_UNSET;
    c->max_continuations = H2_UNSET;
    c->reset_budget = H2_UNSET;
    c->control_budget = H2_UNSET;
    c->empty_frame_budget = H2_UNSET;
    c->upgrade_body_max = H2_UNSET;
    c->oversized_budget = H2_UNSET;
    return c;
}

#define MERGE_I(f) n->f = (add->f != H2_UNSET) ? add->f : base->f

void *h2_config_merge_srv(apr_pool_t *p, void *basev, void *addv)
{
    h2_srv_config *base = basev, *add = addv;
    h2_srv_config *n = apr_pcalloc(p, sizeof(*n));
    n->name = add->name;
    MERGE_I(h2_direct);
    MERGE_I(h2_upgrade);
    MERGE_I(max_streams);
    MERGE_I(window_size);
    MERGE_I(stream_max_mem);
    MERGE_I(min_workers);
    MERGE_I(max_workers);
    MERGE_I(max_worker_idle_secs);
    MERGE_I(modern_tls_only);
    MERGE_I(stream_timeout);
    MERGE_I(max_data_frame_len);
    MERGE_I(output_buffering);
    MERGE_I(copy_files);
    MERGE_I(tls_warmup_size);
    MERGE_I(tls_cooldown_secs);
    MERGE_I(padding_bits);
    MERGE_I(serialize_headers);
    MERGE_I(push);
    n->push_prios = add->push_prios ? add->push_prios : base->push_prios;
    MERGE_I(push_diary_size);
    MERGE_I(early_hints);
    MERGE_I(early_hints_learned);
    MERGE_I(max_header_block_len);
    MERGE_I(max_stream_errors);
    MERGE_I(proxy_requests);
    MERGE_I(websockets);
    MERGE_I(max_frame_size);
    MERGE_I(header_table_size);
    MERGE_I(conn_window_size);
    MERGE_I(max_continuations);
    MERGE_I(reset_budget);
    MERGE_I(control_budget);
    MERGE_I(empty_frame_budget);
    MERGE_I(upgrade_body_max);
    MERGE_I(oversized_budget);
    return n;
}

void *h2_config_create_dir(apr_pool_t *p, char *dir)
{
    h2_dir_config *c = apr_pcalloc(p, sizeof(*c));
    c->name = apr_psprintf(p, "dir[%s]", dir ? dir : "/");
    c->h2_upgrade = H2_UNSET;
    c->push = H2_UNSET;
    c->early_hints_on = H2_UNSET;
    c->early_hints_learned = H2_UNSET;
    c->copy_files = H2_UNSET;
    c->stream_timeout = H2_UNSET;
    c->output_buffering = H2_UNSET;
    c->proxy_requests = H2_UNSET;
    return c;
}

void *h2_config_merge_dir(apr_pool_t *p, void *basev, void *addv)
{
    h2_dir_config *base = basev, *add = addv;
    h2_dir_config *n = apr_pcalloc(p, sizeof(*n));
    n->name = add->name;
    MERGE_I(h2_upgrade);
    MERGE_I(push);
    MERGE_I(early_hints_on);
    MERGE_I(early_hints_learned);
    MERGE_I(copy_files);
    MERGE_I(stream_timeout);
    MERGE_I(output_buffering);
    MERGE_I(proxy_requests);
    if (add->push_list && base->push_list)
        n->push_list = apr_array_append(p, base->push_list, add->push_list);
    else
        n->push_list = add->push_list ? add->push_list : base->push_list;
    if (add->early_hints && base->early_hints)
        n->early_hints = apr_array_append(p, base->early_hints, add->early_hints);
    else
        n->early_hints = add->early_hints ? add->early_hints : base->early_hints;
    return n;
}

static h2_srv_config *sconf_of(cmd_parms *cmd)
{
    return ap_get_module_config(cmd->server->module_config, &h2_module);
}

/* Directory-capable directives: cmd->path is set inside <Directory>/<Location>/.htaccess */
static int in_dir(cmd_parms *cmd)
{
    return cmd->path != NULL;
}

static const char *parse_flag(const char *arg, int *out)
{
    if (!strcasecmp(arg, "on")) { *out = 1; return NULL; }
    if (!strcasecmp(arg, "off")) { *out = 0; return NULL; }
    return "expected 'on' or 'off'";
}

static const char *parse_int(cmd_parms *cmd, const char *arg, long lo, long hi, int *out)
{
    char *end;
    long v = strtol(arg, &end, 10);
    if (!*arg || *end || v < lo || v > hi)
        return apr_psprintf(cmd->pool, "%s: '%s' is not a number in [%ld, %ld]",
                            cmd->cmd->name, arg, lo, hi);
    *out = (int)v;
    return NULL;
}

/* offsets of int fields set from server-only numeric directives */
typedef struct num_spec {
    const char *name;
    size_t off;
    long lo, hi;
} num_spec;

#define SOFF(f) offsetof(h2_srv_config, f)
static const num_spec num_specs[] = {
    { "H2MaxSessionStreams", SOFF(max_streams), 1, 1000000 },
    { "H2WindowSize", SOFF(window_size), 0, 2147483647L },
    { "H2MinWorkers", SOFF(min_workers), 1, 100000 },
    { "H2MaxWorkers", SOFF(max_workers), 1, 100000 },
    { "H2MaxWorkerIdleSeconds", SOFF(max_worker_idle_secs), 1, 86400 * 365 },
    { "H2MaxDataFrameLen", SOFF(max_data_frame_len), 0, 16777215 },
    { "H2TLSCoolDownSecs", SOFF(tls_cooldown_secs), 0, 86400 },
    { "H2Padding", SOFF(padding_bits), 0, 8 },
    { "H2PushDiarySize", SOFF(push_diary_size), 0, 1 << 20 },
    { "H2MaxFrameSize", SOFF(max_frame_size), 16384, 16777215 },
    { "H2HeaderTableSize", SOFF(header_table_size), 0, 1 << 20 },
    { "H2ConnWindowSize", SOFF(conn_window_size), 65535, 2147483647L },
    { "H2MaxContinuationFrames", SOFF(max_continuations), 1, 100000 },
    { "H2ResetBudget", SOFF(reset_budget), 1, 1000000 },
    { "H2ControlFrameBudget", SOFF(control_budget), 1, 1000000 },
    { "H2EmptyFrameBudget", SOFF(empty_frame_budget), 1, 1000000 },
    { "H2UpgradeMaxBody", SOFF(upgrade_body_max), 0, 1 << 30 },
    { "H2MaxHeaderBlockLen", SOFF(max_header_block_len), 0, 2147483647L },
    { "H2MaxStreamErrors", SOFF(max_stream_errors), 0, 2147483647L },
    { "H2OversizedHeaderBudget", SOFF(oversized_budget), 0, 1000000 },
    { NULL, 0, 0, 0 }
};

static const char *set_srv_num(cmd_parms *cmd, void *dc, const char *arg)
{
    const num_spec *sp;
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_CONTEXT);
    (void)dc;
    if (err) return err;
    for (sp = num_specs; sp->name; ++sp) {
        if (!strcasecmp(sp->name, cmd->cmd->name)) {
            int v;
            err = parse_int(cmd, arg, sp->lo, sp->hi, &v);
            if (err) return err;
            *(int *)((char *)sconf_of(cmd) + sp->off) = v;
            return NULL;
        }
    }
    return "internal error: unknown numeric directive";
}

static void config_warn(cmd_parms *cmd, const char *msg);

static const char *set_srv_flag(cmd_parms *cmd, void *dc, const char *arg)
{
    h2_srv_config *sc = sconf_of(cmd);
    const char *name = cmd->cmd->name;
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_CONTEXT);
    int v;
    (void)dc;
    if (err) return err;
    if ((err = parse_flag(arg, &v)))
        return apr_pstrcat(cmd->pool, name, ": ", err, NULL);
    if (!strcasecmp(name, "H2Direct")) sc->h2_direct = v;
    else if (!strcasecmp(name, "H2ModernTLSOnly")) sc->modern_tls_only = v;
    else if (!strcasecmp(name, "H2WebSockets")) sc->websockets = v;
    else if (!strcasecmp(name, "H2SerializeHeaders")) {
        sc->serialize_headers = v;
        if (v)
            config_warn(cmd, "H2SerializeHeaders on has no effect in mod_h2");
    }
    else return "internal error: unknown flag directive";
    return NULL;
}

/* Directives allowed in server and directory context: the directory value wins at request
 * time, the server value applies to connections. */
static const char *set_mixed_flag(cmd_parms *cmd, void *dc, const char *arg)
{
    h2_dir_config *d = dc;
    h2_srv_config *sc = sconf_of(cmd);
    const char *name = cmd->cmd->name;
    const char *err;
    int v;
    if ((err = parse_flag(arg, &v)))
        return apr_pstrcat(cmd->pool, name, ": ", err, NULL);
    if (!strcasecmp(name, "H2Upgrade")) {
        if (in_dir(cmd)) d->h2_upgrade = v; else sc->h2_upgrade = v;
    }
    else if (!strcasecmp(name, "H2Push")) {
        if (in_dir(cmd)) d->push = v; else sc->push = v;
    }
    else if (!strcasecmp(name, "H2EarlyHints")) {
        if (in_dir(cmd)) d->early_hints_on = v; else sc->early_hints = v;
    }
    else if (!strcasecmp(name, "H2EarlyHintsLearned")) {
        if (in_dir(cmd)) d->early_hints_learned = v; else sc->early_hints_learned = v;
    }
    else if (!strcasecmp(name, "H2CopyFiles")) {
        if (in_dir(cmd)) d->copy_files = v; else sc->copy_files = v;
    }
    else if (!strcasecmp(name, "H2OutputBuffering")) {
        if (in_dir(cmd)) d->output_buffering = v; else sc->output_buffering = v;
    }
    else if (!strcasecmp(name, "H2ProxyRequests")) {
        if (in_dir(cmd)) d->proxy_requests = v; else sc->proxy_requests = v;
    }
    else return "internal error: unknown flag directive";
    return NULL;
}

/* sizes: plain bytes, or with a K/M/G suffix */
static const char *parse_size(cmd_parms *cmd, const char *arg, apr_int64_t lo, apr_int64_t *out)
{
    char *end;
    apr_int64_t v = apr_strtoi64(arg, &end, 10);
    if (end == arg || v < 0)
        return apr_psprintf(cmd->pool, "%s: '%s' is not a size", cmd->cmd->name, arg);
    switch (*end) {
    case 'k': case 'K': v *= 1024; ++end; break;
    case 'm': case 'M': v *= 1024 * 1024; ++end; break;
    case 'g': case 'G': v *= 1024 * 1024 * 1024; ++end; break;
    default: break;
    }
    if (*end || v < lo)
        return apr_psprintf(cmd->pool, "%s: '%s' is not a size >= %" APR_INT64_T_FMT,
                            cmd->cmd->name, arg, lo);
    *out = v;
    return NULL;
}

static const char *set_stream_max_mem(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_CONTEXT);
    (void)dc;
    if (err) return err;
    return parse_size(cmd, arg, 1024, &sconf_of(cmd)->stream_max_mem);
}

static const char *set_tls_warmup(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_CONTEXT);
    (void)dc;
    if (err) return err;
    return parse_size(cmd, arg, 0, &sconf_of(cmd)->tls_warmup_size);
}

static const char *set_stream_timeout(cmd_parms *cmd, void *dc, const char *arg)
{
    h2_dir_config *d = dc;
    apr_interval_time_t t;
    if (ap_timeout_parameter_parse(arg, &t, "s") != APR_SUCCESS || t < 0)
        return "H2StreamTimeout: invalid timeout";
    if (in_dir(cmd)) d->stream_timeout = t;
    else sconf_of(cmd)->stream_timeout = t;
    return NULL;
}

static const char *add_push_priority(cmd_parms *cmd, void *dc, const char *ctype,
                                     const char *dep, const char *weight)
{
    h2_srv_config *sc = sconf_of(cmd);
    h2_push_prio *pp;
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_CONTEXT);
    int w = 16;
    (void)dc;
    if (err) return err;
    if (dep && strcasecmp(dep, "After") && strcasecmp(dep, "Before")
        && strcasecmp(dep, "Interleaved")) {
        /* "H2PushPriority type weight" form */
        if (!weight && (err = parse_int(cmd, dep, 1, 256, &w)) == NULL) {
            dep = "After";
        }
        else
            return "H2PushPriority: dependency must be After, Before or Interleaved";
    }
    else if (weight && (err = parse_int(cmd, weight, 1, 256, &w)))
        return err;
    if (!sc->push_prios)
        sc->push_prios = apr_array_make(cmd->pool, 5, sizeof(h2_push_prio));
    pp = apr_array_push(sc->push_prios);
    pp->content_type = ctype;
    pp->dependency = dep ? dep : "After";
    pp->weight = w;
    return NULL;
}

/* H2PushResource [add] uri-ref [critical] (mod_http2's syntax; "add" is optional) */
static const char *add_push_resource(cmd_parms *cmd, void *dc, const char *a1, const char *a2,
                                     const char *a3)
{
    h2_dir_config *d = dc;
    h2_push_res *res;
    if (!strcasecmp(a1, "add") && a2) {
        a1 = a2;
        a2 = a3;
    }
    else if (a3) {
        return "H2PushResource: use [add] uri-ref [critical]";
    }
    if (a2 && strcasecmp(a2, "critical"))
        return "H2PushResource: second argument must be 'critical'";
    if (!d->push_list)
        d->push_list = apr_array_make(cmd->pool, 5, sizeof(h2_push_res));
    res = apr_array_push(d->push_list);
    res->uri_ref = a1;
    res->as = a2;
    (void)cmd;
    return NULL;
}

static const char *add_early_hint(cmd_parms *cmd, void *dc, const char *name, const char *value)
{
    h2_dir_config *d = dc;
    h2_early_hint *eh;
    if (!d->early_hints)
        d->early_hints = apr_array_make(cmd->pool, 5, sizeof(h2_early_hint));
    eh = apr_array_push(d->early_hints);
    eh->name = name;
    eh->value = value;
    return NULL;
}

/* Start-up warnings: kept until post_config, when the error log is open. */
#define WARN_KEY "mod_h2_config_warnings"
static void config_warn(cmd_parms *cmd, const char *msg)
{
    apr_array_header_t *w = NULL;
    apr_pool_userdata_get((void **)&w, WARN_KEY, cmd->pool);
    if (!w) {
        w = apr_array_make(cmd->pool, 5, sizeof(const char *));
        apr_pool_userdata_setn(w, WARN_KEY, apr_pool_cleanup_null, cmd->pool);
    }
    APR_ARRAY_PUSH(w, const char *) = apr_psprintf(cmd->pool, "%s (%s:%d)", msg,
        cmd->directive ? cmd->directive->filename : "?",
        cmd->directive ? cmd->directive->line_num : 0);
}

void h2_config_log_warnings(apr_pool_t *pconf, server_rec *s)
{
    apr_array_header_t *w = NULL;
    int i;
    const h2_srv_config *c = h2_config_sget(s);
    apr_pool_userdata_get((void **)&w, WARN_KEY, pconf);
    for (i = 0; w && i < w->nelts; ++i)
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, H2LOGNO(00102) "%s",
                     APR_ARRAY_IDX(w, i, const char *));
    /* the pool is per child: the main server's values are the ones that count */
    if (c && c->min_workers != H2_UNSET && c->max_workers != H2_UNSET
        && c->min_workers > c->max_workers)
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, H2LOGNO(00910)
                     "H2MinWorkers %d is above H2MaxWorkers %d: running at most %d worker "
                     "threads, and keeping as many", c->min_workers, c->max_workers,
                     c->max_workers);
}

/* H2SessionExtraFiles: obsolete in mod_http2 too, which ignores it with a warning. */
static const char *set_obsolete(cmd_parms *cmd, void *dc, const char *arg)
{
    (void)dc;
    (void)arg;
    config_warn(cmd, apr_psprintf(cmd->pool, "%s is obsolete and will be ignored",
                                  cmd->cmd->name));
    return NULL;
}

/* Contexts (req_override) are mod_http2's for its directives: RSRC_CONF = server and
 * virtual host; OR_AUTHCFG / OR_FILEINFO add <Directory>, <Location>, <Files> and
 * .htaccess under "AllowOverride AuthConfig" / "FileInfo". MIX_FLAG is our own wider
 * context for a few of them (H2EarlyHints, H2OutputBuffering; see docs/directives.md). */
#define SRV_NUM(n, help) AP_INIT_TAKE1(n, set_srv_num, NULL, RSRC_CONF, help)
#define SRV_FLAG(n, help) AP_INIT_TAKE1(n, set_srv_flag, NULL, RSRC_CONF, help)
#define MIX_FLAG(n, help) AP_INIT_TAKE1(n, set_mixed_flag, NULL, RSRC_CONF | OR_FILEINFO, help)
#define AUTH_FLAG(n, help) AP_INIT_TAKE1(n, set_mixed_flag, NULL, RSRC_CONF | OR_AUTHCFG, help)
#define FINFO_FLAG(n, help) AP_INIT_TAKE1(n, set_mixed_flag, NULL, OR_FILEINFO, help)

const command_rec h2_cmds[] = {
    SRV_FLAG("H2Direct", "on to detect the HTTP/2 preface on cleartext connections"),
    AUTH_FLAG("H2Upgrade", "on to allow HTTP/1.1 Upgrade: h2c"),
    SRV_NUM("H2MaxSessionStreams", "maximum number of concurrent streams per connection"),
    SRV_NUM("H2WindowSize", "initial stream receive window (SETTINGS_INITIAL_WINDOW_SIZE)"),
    AP_INIT_TAKE1("H2StreamMaxMemSize", set_stream_max_mem, NULL, RSRC_CONF,
                  "maximum response bytes buffered per stream"),
    SRV_NUM("H2MinWorkers", "minimum number of worker threads per child"),
    SRV_NUM("H2MaxWorkers", "maximum number of worker threads per child"),
    SRV_NUM("H2MaxWorkerIdleSeconds", "seconds an idle worker above the minimum lives"),
    SRV_FLAG("H2ModernTLSOnly", "on to require TLS 1.2+ without blocklisted ciphers"),
    AP_INIT_TAKE1("H2StreamTimeout", set_stream_timeout, NULL, RSRC_CONF | OR_FILEINFO,
                  "timeout for stream I/O (default: Timeout)"),
    SRV_NUM("H2MaxDataFrameLen", "maximum DATA frame payload, 0 for the peer's maximum"),
    MIX_FLAG("H2OutputBuffering", "on to buffer response output (off: pass every write)"),
    FINFO_FLAG("H2CopyFiles", "on to copy file data instead of passing file handles"),
    AP_INIT_TAKE1("H2TLSWarmUpSize", set_tls_warmup, NULL, RSRC_CONF,
                  "bytes sent in small TLS records on a new connection"),
    SRV_NUM("H2TLSCoolDownSecs", "idle seconds after which TLS records are small again"),
    SRV_NUM("H2Padding", "number of random padding bits (0-8) for frames"),
    SRV_FLAG("H2SerializeHeaders", "accepted for compatibility, no effect"),
    AUTH_FLAG("H2Push", "on to allow server push"),
    AP_INIT_TAKE23("H2PushPriority", add_push_priority, NULL, RSRC_CONF,
                   "content-type [After|Before|Interleaved] [weight] for pushed responses"),
    AP_INIT_TAKE123("H2PushResource", add_push_resource, NULL, OR_FILEINFO | OR_AUTHCFG,
                    "[add] uri-ref [critical]: a resource to push with responses here"),
    SRV_NUM("H2PushDiarySize", "number of pushed resources remembered per connection"),
    MIX_FLAG("H2EarlyHints", "on to send 103 Early Hints"),
    AP_INIT_TAKE2("H2EarlyHint", add_early_hint, NULL, OR_FILEINFO | OR_AUTHCFG,
                  "name value: a header to add to a 103 Early Hints response"),
    MIX_FLAG("H2EarlyHintsLearned", "off to stop sending 103s learned from pages' Link "
             "preload and preconnect fields"),
    SRV_NUM("H2MaxHeaderBlockLen", "largest response header block (bytes), 0 for no limit"),
    SRV_NUM("H2MaxStreamErrors", "flow-control stream errors per connection before GOAWAY"),
    FINFO_FLAG("H2ProxyRequests", "on to pass absolute-form (forward proxy) requests on"),
    SRV_FLAG("H2WebSockets", "on to offer WebSockets over HTTP/2 (RFC 8441)"),
    AP_INIT_TAKE1("H2SessionExtraFiles", set_obsolete, NULL, RSRC_CONF,
                  "obsolete, ignored (as in mod_http2)"),

    /* our own */
    SRV_NUM("H2MaxFrameSize", "largest frame payload we accept (SETTINGS_MAX_FRAME_SIZE)"),
    SRV_NUM("H2HeaderTableSize", "HPACK decoder table size (SETTINGS_HEADER_TABLE_SIZE)"),
    SRV_NUM("H2ConnWindowSize", "connection-level receive window"),
    SRV_NUM("H2MaxContinuationFrames", "CONTINUATION frames allowed per header block"),
    SRV_NUM("H2ResetBudget", "stream resets tolerated per interval before GOAWAY"),
    SRV_NUM("H2ControlFrameBudget", "unanswered control frames tolerated before GOAWAY"),
    SRV_NUM("H2EmptyFrameBudget", "empty DATA/CONTINUATION frames tolerated per interval"),
    SRV_NUM("H2UpgradeMaxBody", "largest request body read before an h2c Upgrade"),
    SRV_NUM("H2OversizedHeaderBudget", "request header blocks over the limits (431) per "
            "connection before GOAWAY"),
    { NULL }
};

const h2_srv_config *h2_config_sget(server_rec *s)
{
    return ap_get_module_config(s->module_config, &h2_module);
}

const h2_dir_config *h2_config_rget(request_rec *r)
{
    return ap_get_module_config(r->per_dir_config, &h2_module);
}

#define OR_DEF(v, d) ((v) == H2_UNSET ? (d) : (v))

int h2_config_direct(server_rec *s, int is_tls)
{
    const h2_srv_config *c = h2_config_sget(s);
    return OR_DEF(c->h2_direct, !is_tls);
}

int h2_config_upgrade(server_rec *s, request_rec *r)
{
    if (r) {
        const h2_dir_config *d = h2_config_rget(r);
        if (d && d->h2_upgrade != H2_UNSET) return d->h2_upgrade;
        s = r->server;
    }
    return OR_DEF(h2_config_sget(s)->h2_upgrade, 1);
}

apr_interval_time_t h2_config_stream_timeout(server_rec *s, request_rec *r)
{
    if (r) {
        const h2_dir_config *d = h2_config_rget(r);
        if (d && d->stream_timeout != H2_UNSET) return d->stream_timeout;
        s = r->server;
    }
    if (h2_config_sget(s)->stream_timeout != H2_UNSET)
        return h2_config_sget(s)->stream_timeout;
    return s->timeout;
}

int h2_config_push(server_rec *s, request_rec *r)
{
    if (r) {
        const h2_dir_config *d = h2_config_rget(r);
        if (d && d->push != H2_UNSET) return d->push;
        s = r->server;
    }
    return OR_DEF(h2_config_sget(s)->push, 1);   /* on, as in mod_http2 */
}

int h2_config_early_hints(server_rec *s, request_rec *r)
{
    if (r) {
        const h2_dir_config *d = h2_config_rget(r);
        if (d && d->early_hints_on != H2_UNSET) return d->early_hints_on;
        s = r->server;
    }
    return OR_DEF(h2_config_sget(s)->early_hints, 0);
}

int h2_config_early_hints_learned(server_rec *s, request_rec *r)
{
    if (r) {
        const h2_dir_config *d = h2_config_rget(r);
        if (d && d->early_hints_learned != H2_UNSET) return d->early_hints_learned;
        s = r->server;
    }
    return OR_DEF(h2_config_sget(s)->early_hints_learned, 1);   /* on (h2_hints.h) */
}

int h2_config_output_buffering(server_rec *s, request_rec *r)
{
    if (r) {
        const h2_dir_config *d = h2_config_rget(r);
        if (d && d->output_buffering != H2_UNSET) return d->output_buffering;
        s = r->server;
    }
    return OR_DEF(h2_config_sget(s)->output_buffering, 1);
}

int h2_config_proxy_requests(server_rec *s)
{
    return OR_DEF(h2_config_sget(s)->proxy_requests, 0);
}

int h2_config_websockets(server_rec *s)
{
    return OR_DEF(h2_config_sget(s)->websockets, 0);
}

int h2_config_copy_files(server_rec *s, request_rec *r)
{
    if (r) {
        const h2_dir_config *d = h2_config_rget(r);
        if (d && d->copy_files != H2_UNSET) return d->copy_files;
        s = r->server;
    }
    return OR_DEF(h2_config_sget(s)->copy_files, 0);
}

void h2_config_workers(server_rec *s, int *pmin, int *pmax, int *pidle)
{
    const h2_srv_config *c = h2_config_sget(s);
    int threads = 0, mn, mx;
    ap_mpm_query(AP_MPMQ_MAX_THREADS, &threads);
    if (threads <= 0) threads = 25;
    /* mod_http2's defaults (h2_get_workers_config): the minimum ThreadsPerChild, the
     * maximum 1.5 times the minimum and at least 4; then the maximum is obeyed as
     * written: a minimum above it is lowered to it (h2_config_log_warnings warns when the
     * operator wrote both) */
    mn = OR_DEF(c->min_workers, threads);
    if (mn < 1) mn = 1;
    mx = OR_DEF(c->max_workers, mn * 3 / 2 > 4 ? mn * 3 / 2 : 4);
    if (mx < 1) mx = 1;
    if (mn > mx) mn = mx;
    *pmin = mn;
    *pmax = mx;
    *pidle = OR_DEF(c->max_worker_idle_secs, DEF_WORKER_IDLE);
}

void h2_config_apply_defaults(server_rec *s)
{
    for (; s; s = s->next) {
        h2_srv_config *c = ap_get_module_config(s->module_config, &h2_module);
        if (!c) continue;
        if (c->max_streams == H2_UNSET) c->max_streams = DEF_MAX_STREAMS;
        if (c->window_size == H2_UNSET) c->window_size = DEF_WINDOW_SIZE;
        if (c->stream_max_mem == H2_UNSET) c->stream_max_mem = DEF_STREAM_MAX_MEM;
        if (c->modern_tls_only == H2_UNSET) c->modern_tls_only = 1;
        if (c->max_data_frame_len == H2_UNSET) c->max_data_frame_len = 0;
        if (c->output_buffering == H2_UNSET) c->output_buffering = 1;
        if (c->tls_warmup_size == H2_UNSET) c->tls_warmup_size = DEF_TLS_WARMUP;
        if (c->tls_cooldown_secs == H2_UNSET) c->tls_cooldown_secs = DEF_TLS_COOLDOWN;
        if (c->padding_bits == H2_UNSET) c->padding_bits = 0;
        if (c->push_diary_size == H2_UNSET) c->push_diary_size = DEF_PUSH_DIARY;
        if (c->max_frame_size == H2_UNSET) c->max_frame_size = DEF_MAX_FRAME_SIZE;
        if (c->header_table_size == H2_UNSET) c->header_table_size = DEF_HEADER_TABLE_SIZE;
        if (c->conn_window_size == H2_UNSET) c->conn_window_size = DEF_CONN_WINDOW;
        if (c->max_continuations == H2_UNSET) c->max_continuations = DEF_MAX_CONTINUATIONS;
        if (c->reset_budget == H2_UNSET) c->reset_budget = DEF_RESET_BUDGET;
        if (c->control_budget == H2_UNSET) c->control_budget = DEF_CONTROL_BUDGET;
        if (c->empty_frame_budget == H2_UNSET) c->empty_frame_budget = DEF_EMPTY_BUDGET;
        if (c->upgrade_body_max == H2_UNSET) c->upgrade_body_max = DEF_UPGRADE_BODY_MAX;
        if (c->max_header_block_len == H2_UNSET) c->max_header_block_len = 0;
        if (c->max_stream_errors == H2_UNSET) c->max_stream_errors = DEF_MAX_STREAM_ERRORS;
        if (c->proxy_requests == H2_UNSET) c->proxy_requests = 0;
        if (c->websockets == H2_UNSET) c->websockets = 0;
        if (c->oversized_budget == H2_UNSET) c->oversized_budget = DEF_OVERSIZED_BUDGET;
    }
}
