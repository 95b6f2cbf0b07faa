/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * priority.c -- RFC 9218 §4 Priority field value: a Structured Field Dictionary (RFC 8941
 * §3.2) whose members u (Integer 0..7) and i (Boolean) matter. Any syntax error makes the
 * whole value ignored; unknown members and values of the wrong type or range are ignored.
 */
#include <string.h>

#include "h2_session.h"

typedef struct sf_in {
    const uint8_t *p, *end;
} sf_in;

enum { SF_NONE = 0, SF_INT, SF_BOOL, SF_OTHER };

typedef struct sf_item {
    int type;
    long long v;    /* SF_INT, SF_BOOL */
} sf_item;

static int is_lcalpha(uint8_t c) { return c >= 'a' && c <= 'z'; }
static int is_alpha(uint8_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

/* RFC 9110 tchar */
static int is_tchar(uint8_t c)
{
    return is_alpha(c) || is_digit(c) || (c && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static void skip_sp(sf_in *in)
{
    while (in->p < in->end && *in->p == ' ') {
        in->p++;
    }
}

static void skip_ows(sf_in *in)
{
    while (in->p < in->end && (*in->p == ' ' || *in->p == '\t')) {
        in->p++;
    }
}

/* key = ( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" ) */
static int parse_key(sf_in *in, const uint8_t **k, size_t *klen)
{
    const uint8_t *s = in->p;
    if (in->p >= in->end || !(is_lcalpha(*in->p) || *in->p == '*')) {
        return -1;
    }
    in->p++;
    while (in->p < in->end) {
        uint8_t c = *in->p;
        if (!(is_lcalpha(c) || is_digit(c) || c == '_' || c == '-' || c == '.' || c == '*')) {
            break;
        }
        in->p++;
    }
    *k = s;
    *klen = (size_t)(in->p - s);
    return 0;
}

static int parse_number(sf_in *in, sf_item *it)
{
    int neg = 0, ndig = 0, nfrac = -1;
    long long v = 0;
    if (*in->p == '-') {
        neg = 1;
        in->p++;
    }
    if (in->p >= in->end || !is_digit(*in->p)) {
        return -1;
    }
    while (in->p < in->end) {
        uint8_t c = *in->p;
        if (is_digit(c)) {
            if (nfrac >= 0) {
                if (++nfrac > 3) {
                    return -1;
                }
            } else if (++ndig > 15) {
                return -1;
            } else {
                v = v * 10 + (c - '0');
            }
        } else if (c == '.' && nfrac < 0) {
            if (ndig > 12) {
                return -1;
            }
            nfrac = 0;
        } else {
            break;
        }
        in->p++;
    }
    if (nfrac == 0) {
        return -1;   /* "1." */
    }
    if (nfrac > 0) {
        it->type = SF_OTHER;   /* Decimal */
    } else {
        it->type = SF_INT;
        it->v = neg ? -v : v;
    }
    return 0;
}

static int parse_string(sf_in *in)
{
    in->p++;   /* DQUOTE */
    while (in->p < in->end) {
        uint8_t c = *in->p++;
        if (c == '\\') {
            if (in->p >= in->end || (*in->p != '"' && *in->p != '\\')) {
                return -1;
            }
            in->p++;
        } else if (c == '"') {
            return 0;
        } else if (c < 0x20 || c > 0x7e) {
            return -1;
        }
    }
    return -1;
}

static int parse_token(sf_in *in)
{
    in->p++;   /* ALPHA or "*" */
    while (in->p < in->end && (is_tchar(*in->p) || *in->p == ':' || *in->p == '/')) {
        in->p++;
    }
    return 0;
}

static int parse_bytes(sf_in *in)
{
    in->p++;   /* ":" */
    while (in->p < in->end) {
        uint8_t c = *in->p++;
        if (c == ':') {
            return 0;
        }
        if (!(is_alpha(c) || is_digit(c) || c == '+' || c == '/' || c == '=')) {
            return -1;
        }
    }
    return -1;
}

static int parse_bare_item(sf_in *in, sf_item *it)
{
    uint8_t c;
    if (in->p >= in->end) {
        return -1;
    }
    c = *in->p;
    it->type = SF_OTHER;
    if (c == '-' || is_digit(c)) {
        return parse_number(in, it);
    }
    if (c == '"') {
        return parse_string(in);
    }
    if (c == '*' || is_alpha(c)) {
        return parse_token(in);
    }
    if (c == ':') {
        return parse_bytes(in);
    }
    if (c == '?') {
        in->p++;
        if (in->p >= in->end || (*in->p != '0' && *in->p != '1')) {
            return -1;
        }
        it->type = SF_BOOL;
        it->v = *in->p == '1';
        in->p++;
        return 0;
    }
    return -1;
}

static int parse_params(sf_in *in)
{
    while (in->p < in->end && *in->p == ';') {
        const uint8_t *k;
        size_t klen;
        sf_item it;
        in->p++;
        skip_sp(in);
        if (parse_key(in, &k, &klen) != 0) {
            return -1;
        }
        if (in->p < in->end && *in->p == '=') {
            in->p++;
            if (parse_bare_item(in, &it) != 0) {
                return -1;
            }
        }
    }
    return 0;
}

static int parse_inner_list(sf_in *in)
{
    in->p++;   /* "(" */
    for (;;) {
        sf_item it;
        skip_sp(in);
        if (in->p >= in->end) {
            return -1;
        }
        if (*in->p == ')') {
            in->p++;
            return parse_params(in);
        }
        if (parse_bare_item(in, &it) != 0 || parse_params(in) != 0) {
            return -1;
        }
        if (in->p >= in->end || (*in->p != ' ' && *in->p != ')')) {
            return -1;
        }
    }
}

static int parse_member_value(sf_in *in, sf_item *it)
{
    if (in->p < in->end && *in->p == '(') {
        it->type = SF_OTHER;
        return parse_inner_list(in);
    }
    if (parse_bare_item(in, it) != 0) {
        return -1;
    }
    return parse_params(in);
}

int h2_priority_parse(const uint8_t *value, size_t len, h2_priority *p)
{
    sf_in in;
    h2_priority r = *p;
    in.p = value;
    in.end = value + len;
    skip_sp(&in);
    while (in.p < in.end) {
        const uint8_t *k;
        size_t klen;
        sf_item it;
        if (parse_key(&in, &k, &klen) != 0) {
            return -1;
        }
        if (in.p < in.end && *in.p == '=') {
            in.p++;
            if (parse_member_value(&in, &it) != 0) {
                return -1;
            }
        } else {
            it.type = SF_BOOL;
            it.v = 1;
            if (parse_params(&in) != 0) {
                return -1;
            }
        }
        if (klen == 1 && k[0] == 'u' && it.type == SF_INT && it.v >= 0 &&
            it.v <= H2_PRIO_URGENCY_MAX) {
            r.urgency = (uint8_t)it.v;
        } else if (klen == 1 && k[0] == 'i' && it.type == SF_BOOL) {
            r.incremental = (uint8_t)it.v;
        }
        skip_ows(&in);
        if (in.p >= in.end) {
            break;
        }
        if (*in.p != ',') {
            return -1;
        }
        in.p++;
        skip_ows(&in);
        if (in.p >= in.end) {
            return -1;   /* trailing comma */
        }
    }
    *p = r;
    return 0;
}
