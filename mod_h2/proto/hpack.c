/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * hpack.c -- RFC 7541 HPACK: the dynamic table, the decoder and the encoder.
 *
 * Dynamic table (shared by both directions): the names and values of the entries lie
 * back to back in one byte ring of twice the table's maximum size, each entry contiguous
 * (an entry that does not fit before the end of the ring goes to its start; with twice
 * the room that always works, see table_place()); a ring of small descriptors, indexed by
 * the entry's insertion number, says where each entry is. Eviction (§4.4) only advances
 * the oldest number. The encoder adds hash chains over the same numbers.
 *
 * Decoder: one representation at a time, straight from the caller's bytes. A
 * representation cut by the end of a piece is copied aside (d->carry) and completed from
 * the next piece; parse_rep() says how many bytes it needs, so a long string costs one
 * copy, not one attempt per piece. Before a string is copied or decoded the decoder asks
 * whether anyone needs it: the emit callback (not once the block is over its limits) or
 * the dynamic table (when the entry can fit). A string nobody needs is skipped in place,
 * however it is split, and its representation's effect is applied at once (the field
 * counts as over the limit; an entry too large for the table empties the table).
 */
#include <stdlib.h>
#include <string.h>

#include "h2_hpack.h"
#include "hpack_static.h"

#define ENTRY_OVERHEAD 32u                 /* §4.1 */
#define TABLE_MAX_CAP ((size_t)1 << 30)    /* our own max table size is clamped to this */
/* Decoder limits until h2_hpack_decoder_set_limits() is called: */
#define DEFAULT_MAX_LIST (64u * 1024u)
#define DEFAULT_MAX_FIELDS 1000u
/* A literal string longer than max(this, max list size + max table size) octets on the
 * wire is refused at once as a COMPRESSION_ERROR: no field the limits let through comes
 * near it, and it would only be skipped. */
#define STR_MIN_BOUND (64u * 1024u)
/* Decoder buffers larger than this are freed at the end of a block. */
#define SCRATCH_KEEP (16u * 1024u)

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* ==================================================================================== */
/* dynamic table */

typedef struct hp_entry {
    uint32_t off;          /* name at buf[off], value right after it */
    uint32_t name_len;
    uint32_t value_len;
} hp_entry;

typedef struct hp_link {   /* encoder only: hash chains over entry numbers */
    uint64_t next_nv;      /* next older entry in the same name+value bucket */
    uint64_t next_n;       /* next older entry in the same name bucket */
    uint32_t hash_nv;
    uint32_t hash_n;
} hp_link;

typedef struct hp_table {
    uint8_t *buf;
    hp_entry *ent;
    hp_link *link;         /* allocated with ent when with_links (encoder) */
    size_t cap;            /* bytes in buf: >= 2 * limit once an entry was added */
    uint32_t ent_mask;     /* slots in ent (a power of 2) minus 1 */
    int with_links;
    uint64_t first;        /* number of the oldest entry; numbers start at 1 */
    uint64_t next;         /* number the next added entry gets */
    size_t tail;           /* where the next entry's bytes go */
    size_t size;           /* §4.1 size */
    size_t limit;          /* §4.2 maximum size in force */
    const h2_allocator *mem;   /* of buf, ent, link (and the decoder's own buffers) */
} hp_table;

static void table_init(hp_table *t, size_t limit, int with_links, const h2_allocator *mem)
{
    memset(t, 0, sizeof(*t));
    t->mem = mem;
    t->first = t->next = 1;
    t->limit = limit;
    t->with_links = with_links;
}

static void table_free(hp_table *t)
{
    h2_mem_free(t->mem, t->buf);
    h2_mem_free(t->mem, t->ent);
    h2_mem_free(t->mem, t->link);
}

static inline uint32_t table_count(const hp_table *t)
{
    return (uint32_t)(t->next - t->first);
}

static inline const hp_entry *table_get(const hp_table *t, uint64_t id)
{
    return &t->ent[id & t->ent_mask];
}

static void table_evict_one(hp_table *t)
{
    const hp_entry *e = table_get(t, t->first);
    t->size -= (size_t)e->name_len + e->value_len + ENTRY_OVERHEAD;
    t->first++;
    if (t->first == t->next) {
        t->tail = 0;
    }
}

static void table_clear(hp_table *t)
{
    t->first = t->next;
    t->size = 0;
    t->tail = 0;
}

/* §4.3: a new maximum size evicts until the table fits in it. */
static void table_set_limit(hp_table *t, size_t limit)
{
    t->limit = limit;
    while (t->size > limit) {
        table_evict_one(t);
    }
}

/* A byte ring of new_cap bytes with the live entries packed at its start. */
static int table_grow_bytes(hp_table *t, size_t new_cap)
{
    uint8_t *nb = h2_mem_malloc(t->mem, new_cap);
    size_t pos = 0;
    uint64_t id;
    if (!nb) {
        return -1;
    }
    for (id = t->first; id != t->next; id++) {
        hp_entry *e = &t->ent[id & t->ent_mask];
        size_t n = (size_t)e->name_len + e->value_len;
        memcpy(nb + pos, t->buf + e->off, n);
        e->off = (uint32_t)pos;
        pos += n;
    }
    h2_mem_free(t->mem, t->buf);
    t->buf = nb;
    t->cap = new_cap;
    t->tail = pos;
    return 0;
}

/* Twice the descriptor slots (16 at first), the live ones moved to their new places. */
static int table_grow_slots(hp_table *t)
{
    uint32_t slots = t->ent ? (t->ent_mask + 1) * 2 : 16, i, count = table_count(t);
    hp_entry *ne = h2_mem_malloc(t->mem, slots * sizeof(*ne));
    hp_link *nl = t->with_links ? h2_mem_malloc(t->mem, slots * sizeof(*nl)) : NULL;
    if (!ne || (t->with_links && !nl)) {
        h2_mem_free(t->mem, ne);
        h2_mem_free(t->mem, nl);
        return -1;
    }
    for (i = 0; i < count; i++) {
        uint64_t id = t->first + i;
        ne[id & (slots - 1)] = t->ent[id & t->ent_mask];
        if (nl) {
            nl[id & (slots - 1)] = t->link[id & t->ent_mask];
        }
    }
    h2_mem_free(t->mem, t->ent);
    h2_mem_free(t->mem, t->link);
    t->ent = ne;
    t->link = nl;
    t->ent_mask = slots - 1;
    return 0;
}

/*
 * Where the bytes of a new entry of n bytes go; the caller has evicted enough for its
 * §4.1 size, so live bytes + n <= limit <= cap / 2. Unwrapped (live bytes in
 * [head, tail)): at tail if it fits before the end, else at 0, and then head >= n since
 * (cap - tail) + head = cap - live >= 2n. Wrapped (newer entries in [0, tail), older
 * ones from head up to where the last wrap happened, W > cap - limit): the gap
 * [tail, head) is W - live > cap - limit - live >= n.
 */
static size_t table_place(const hp_table *t, size_t n)
{
    size_t head;
    if (t->first == t->next) {
        return 0;
    }
    head = table_get(t, t->first)->off;
    if (t->tail >= head && t->cap - t->tail < n) {
        return 0;
    }
    return t->tail;
}

/*
 * §4.4: adds an entry, evicting for room; an entry larger than the table empties it and
 * is not added. name and value must not point into the table. Returns the new entry's
 * number, 0 when it was not added, or -1 when out of memory (the table is then unchanged
 * but for evictions).
 */
static int64_t table_add(hp_table *t, const uint8_t *name, size_t nlen,
                         const uint8_t *value, size_t vlen)
{
    size_t n = nlen + vlen, pos;
    hp_entry *e;
    if (n > t->limit || n + ENTRY_OVERHEAD > t->limit) {
        table_clear(t);
        return 0;
    }
    while (t->size + n + ENTRY_OVERHEAD > t->limit) {
        table_evict_one(t);
    }
    if (t->cap < 2 * t->limit && table_grow_bytes(t, 2 * t->limit) != 0) {
        return -1;
    }
    if ((!t->ent || table_count(t) > t->ent_mask) && table_grow_slots(t) != 0) {
        return -1;
    }
    pos = table_place(t, n);
    if (nlen) {
        memcpy(t->buf + pos, name, nlen);
    }
    if (vlen) {
        memcpy(t->buf + pos + nlen, value, vlen);
    }
    e = &t->ent[t->next & t->ent_mask];
    e->off = (uint32_t)pos;
    e->name_len = (uint32_t)nlen;
    e->value_len = (uint32_t)vlen;
    t->tail = pos + n;
    t->size += n + ENTRY_OVERHEAD;
    return (int64_t)t->next++;
}

/* A field of the static table (1..61) or the dynamic table (62..): name and value. */
typedef struct hp_field {
    const uint8_t *name;
    const uint8_t *value;
    size_t name_len;
    size_t value_len;
} hp_field;

/* Returns 1 for a dynamic entry, 0 for a static one, -1 for index 0 or out of range. */
static int table_lookup(const hp_table *t, uint32_t idx, hp_field *f)
{
    const hp_entry *e;
    if (idx == 0) {
        return -1;
    }
    if (idx <= H2_HPACK_STATIC_COUNT) {
        const h2_hpack_static_entry *s = &h2_hpack_static[idx];
        f->name = (const uint8_t *)s->name;
        f->name_len = s->name_len;
        f->value = (const uint8_t *)s->value;
        f->value_len = s->value_len;
        return 0;
    }
    idx -= H2_HPACK_STATIC_COUNT + 1;
    if (idx >= table_count(t)) {
        return -1;
    }
    e = table_get(t, t->next - 1 - idx);
    f->name = t->buf + e->off;
    f->name_len = e->name_len;
    f->value = f->name + e->name_len;
    f->value_len = e->value_len;
    return 1;
}

/* ==================================================================================== */
/* decoder */

struct h2_hpack_decoder {
    hp_table t;
    size_t max;              /* our acknowledged SETTINGS_HEADER_TABLE_SIZE */
    size_t update_bound;     /* with need_update: the bound an update must meet */
    size_t max_list;         /* limits of a block */
    size_t max_fields;
    size_t str_max;          /* longest literal string accepted */
    /* the block being decoded */
    size_t list_size;        /* §4.1 sizes of the fields emitted */
    size_t nfields;
    uint8_t need_update;     /* the next block must start with an update <= update_bound */
    uint8_t fields_seen;     /* a field representation was decoded in this block */
    uint8_t cookie_counted;  /* a cookie field was counted in nfields: later crumbs are not */
    uint8_t over;            /* a limit was exceeded: emit nothing more in this block */
    uint8_t failed;
    /* state between pieces */
    uint8_t skip_str;        /* when skip is done: a string follows that is skipped too */
    uint64_t skip;           /* octets of an unneeded string still to skip */
    uint8_t *carry;          /* an incomplete representation */
    size_t carry_len, carry_cap;
    size_t carry_need;       /* octets it needs at least */
    uint8_t *scratch;        /* Huffman-decoded strings */
    size_t scratch_cap;
};

/* parse results besides the negative H2_HPACK_ERR_* */
#define P_DONE 0
#define P_MORE 1

typedef struct hp_str {      /* a literal string on the wire */
    const uint8_t *p;
    uint32_t len;
    int huff;
} hp_str;

static void decoder_update_str_max(h2_hpack_decoder *d)
{
    size_t m = d->max_list + d->max;
    if (m < d->max_list) {
        m = SIZE_MAX;
    }
    d->str_max = m > STR_MIN_BOUND ? m : STR_MIN_BOUND;
}

h2_hpack_decoder *h2_hpack_decoder_new(size_t max_table_size)
{
    return h2_hpack_decoder_new_mem(max_table_size, NULL);
}

h2_hpack_decoder *h2_hpack_decoder_new_mem(size_t max_table_size, const h2_allocator *mem)
{
    h2_hpack_decoder *d;
    mem = h2_mem(mem);
    if (!(d = h2_mem_calloc(mem, 1, sizeof(*d)))) {
        return NULL;
    }
    /* the peer's encoder starts at the protocol's 4096 (RFC 9113 §6.5.2); below that it
     * has to signal our smaller max first */
    table_init(&d->t, H2_DEFAULT_HEADER_TABLE_SIZE, 0, mem);
    d->max_list = DEFAULT_MAX_LIST;
    d->max_fields = DEFAULT_MAX_FIELDS;
    h2_hpack_decoder_set_max_table_size(d, max_table_size);
    return d;
}

void h2_hpack_decoder_free(h2_hpack_decoder *d)
{
    if (d) {
        const h2_allocator *mem = d->t.mem;
        table_free(&d->t);
        h2_mem_free(mem, d->carry);
        h2_mem_free(mem, d->scratch);
        h2_mem_free(mem, d);
    }
}

void h2_hpack_decoder_set_max_table_size(h2_hpack_decoder *d, size_t max_table_size)
{
    d->max = min_size(max_table_size, TABLE_MAX_CAP);
    if (d->max < d->t.limit) {
        /* §4.2: the peer's next block must start by shrinking the table to at most this
         * (to at most the smallest, when it was lowered more than once meanwhile) */
        if (!d->need_update || d->max < d->update_bound) {
            d->update_bound = d->max;
        }
        d->need_update = 1;
    }
    decoder_update_str_max(d);
}

void h2_hpack_decoder_set_limits(h2_hpack_decoder *d, size_t max_list_size, size_t max_fields)
{
    d->max_list = max_list_size;
    d->max_fields = max_fields;
    decoder_update_str_max(d);
}

size_t h2_hpack_decoder_table_size(const h2_hpack_decoder *d)
{
    return d->t.size;
}

size_t h2_hpack_decoder_table_entries(const h2_hpack_decoder *d)
{
    return table_count(&d->t);
}

static int grow(const h2_allocator *mem, uint8_t **buf, size_t *cap, size_t want)
{
    size_t c = *cap ? *cap : 256;
    uint8_t *nb;
    if (want <= *cap) {
        return 0;
    }
    while (c < want) {
        c = c > SIZE_MAX / 2 ? want : c * 2;
    }
    nb = h2_mem_realloc(mem, *buf, c);
    if (!nb) {
        return -1;
    }
    *buf = nb;
    *cap = c;
    return 0;
}

/*
 * §5.1 integer with an n-bit prefix starting at p[0]. Returns the octets it took, 0 when
 * the input ends inside it, -1 when it exceeds 2^32-1 or has more than 5 continuation
 * octets (enough for any 32-bit value).
 */
static inline int read_int(const uint8_t *p, const uint8_t *end, unsigned n, uint32_t *v)
{
    uint32_t mask = (1u << n) - 1;
    uint64_t x = p[0] & mask;
    unsigned shift = 0;
    int i = 1;
    if (x < mask) {
        *v = (uint32_t)x;
        return 1;
    }
    for (;;) {
        uint8_t b;
        if (p + i == end) {
            return 0;
        }
        b = p[i++];
        x += (uint64_t)(b & 0x7f) << shift;
        if (x > 0xffffffffu) {
            return -1;
        }
        if (!(b & 0x80)) {
            break;
        }
        shift += 7;
        if (shift > 28) {
            return -1;
        }
    }
    *v = (uint32_t)x;
    return i;
}

/* The outcome of an integer read that did not finish (r <= 0). */
static int int_not_done(int r, const uint8_t *p0, const uint8_t *end, size_t *need)
{
    if (r < 0) {
        return H2_HPACK_ERR_COMPRESSION;
    }
    *need = (size_t)(end - p0) + 1;
    return P_MORE;
}

/* §5.2 string header (H flag and length) at p: like read_int, the length checked too. */
static inline int read_str_hdr(const h2_hpack_decoder *d, const uint8_t *p, const uint8_t *end,
                               hp_str *s)
{
    int r = read_int(p, end, 7, &s->len);
    if (r > 0 && s->len > d->str_max) {
        return -1;
    }
    s->huff = p[0] & 0x80;
    return r;
}

/* What a string of len wire octets decodes to at least: a Huffman code is <= 30 bits. */
static inline uint64_t str_min_len(const hp_str *s)
{
    return s->huff ? (uint64_t)s->len * 8 / 30 : s->len;
}

/* Is a field of at least min_len name+value octets of use to anybody: the emit callback
 * (the block still within its limits) or the dynamic table (an entry that can fit)? Once
 * a cookie was counted, any field may be a further crumb that the count lets through
 * (deliver() decides, knowing the name). */
static int field_wanted(const h2_hpack_decoder *d, int indexing, uint64_t min_len)
{
    uint64_t sz = min_len + ENTRY_OVERHEAD;
    return (!d->over && (d->cookie_counted || d->nfields < d->max_fields)
            && sz <= d->max_list - d->list_size) ||
           (indexing && sz <= d->t.limit);
}

/* The crumbs of a cookie (RFC 9113 §8.2.3: a request may split it into one field per
 * cookie-pair) are joined into one field for the application, so the field count
 * counts them once, as mod_http2 does for LimitRequestFields; their sizes all count. */
static int is_cookie(const uint8_t *name, size_t nlen)
{
    return nlen == 6 && !memcmp(name, "cookie", 6);
}

/* Counts a decoded field against the limits of the block; emits it while they hold. */
static int deliver(h2_hpack_decoder *d, const uint8_t *name, size_t nlen, const uint8_t *value,
                   size_t vlen, unsigned flags, h2_hpack_emit_fn *emit, void *ctx)
{
    size_t sz = nlen + vlen + ENTRY_OVERHEAD;
    int crumb = d->cookie_counted && is_cookie(name, nlen);
    d->fields_seen = 1;
    if (!d->over && (crumb || d->nfields < d->max_fields) && sz <= d->max_list - d->list_size) {
        h2_nv nv;
        d->list_size += sz;
        if (!crumb) {
            d->nfields++;
            if (is_cookie(name, nlen)) d->cookie_counted = 1;
        }
        nv.name = name;
        nv.name_len = nlen;
        nv.value = value;
        nv.value_len = vlen;
        nv.flags = flags;
        return emit(ctx, &nv) ? H2_HPACK_ERR_CALLBACK : P_DONE;
    }
    d->over = 1;
    return P_DONE;
}

/* A literal whose string at p (len octets) nobody needs: apply what the representation
 * does (see field_wanted()) and skip the string, and the value string after it when
 * more_str. */
static int skip_literal(h2_hpack_decoder *d, int indexing, const uint8_t *p, const uint8_t *p0,
                        uint32_t len, int more_str, size_t *used)
{
    if (indexing) {
        table_clear(&d->t);
    }
    d->over = 1;
    d->fields_seen = 1;
    d->skip = len;
    d->skip_str = (uint8_t)more_str;
    *used = (size_t)(p - p0);
    return P_DONE;
}

/* The string length after a skipped name: its string is skipped too. */
static int parse_skipped_value(h2_hpack_decoder *d, const uint8_t *p0, const uint8_t *end,
                               size_t *used, size_t *need)
{
    hp_str s;
    int r = read_str_hdr(d, p0, end, &s);
    if (r <= 0) {
        return int_not_done(r, p0, end, need);
    }
    d->skip = s.len;
    d->skip_str = 0;
    *used = (size_t)r;
    return P_DONE;
}

static int parse_indexed(h2_hpack_decoder *d, const uint8_t *p0, const uint8_t *end,
                         size_t *used, size_t *need, h2_hpack_emit_fn *emit, void *ctx)
{
    uint32_t idx;
    hp_field f;
    int r = read_int(p0, end, 7, &idx);
    if (r <= 0) {
        return int_not_done(r, p0, end, need);
    }
    if (d->need_update || table_lookup(&d->t, idx, &f) < 0) {
        return H2_HPACK_ERR_COMPRESSION;
    }
    *used = (size_t)r;
    return deliver(d, f.name, f.name_len, f.value, f.value_len, 0, emit, ctx);
}

/* §6.3 dynamic table size update: only before the first field of a block, at most our
 * max; one <= the bound satisfies a pending §4.2 requirement. */
static int parse_update(h2_hpack_decoder *d, const uint8_t *p0, const uint8_t *end,
                        size_t *used, size_t *need)
{
    uint32_t v;
    int r = read_int(p0, end, 5, &v);
    if (r <= 0) {
        return int_not_done(r, p0, end, need);
    }
    if (d->fields_seen || v > d->max) {
        return H2_HPACK_ERR_COMPRESSION;
    }
    table_set_limit(&d->t, v);
    if (v <= d->update_bound) {
        d->need_update = 0;
    }
    *used = (size_t)r;
    return P_DONE;
}

/* Decodes a wire string into *out (raw strings are used in place), advancing *s. */
static int str_value(const hp_str *w, uint8_t **s, const uint8_t **out, size_t *len)
{
    long n;
    if (!w->huff) {
        *out = w->p;
        *len = w->len;
        return 0;
    }
    n = h2_huffman_decode(w->p, w->len, *s);
    if (n < 0) {
        return -1;
    }
    *out = *s;
    *len = (size_t)n;
    *s += n;
    return 0;
}

/* Second half of a literal: all its octets are there; decode, deliver, index. */
static int finish_literal(h2_hpack_decoder *d, hp_field *f, int name_in_table, const hp_str *ns,
                          const hp_str *vs, int indexing, unsigned flags,
                          h2_hpack_emit_fn *emit, void *ctx)
{
    size_t room = (ns->huff ? (size_t)ns->len * 8 / 5 + 1 : 0) +
                  (vs->huff ? (size_t)vs->len * 8 / 5 + 1 : 0) +
                  (name_in_table && indexing ? f->name_len : 0);
    uint8_t *s;
    int rc;
    if (grow(d->t.mem, &d->scratch, &d->scratch_cap, room) != 0) {
        return H2_HPACK_ERR_NOMEM;
    }
    s = d->scratch;
    if ((ns->p && str_value(ns, &s, &f->name, &f->name_len) != 0) ||
        str_value(vs, &s, &f->value, &f->value_len) != 0) {
        return H2_HPACK_ERR_COMPRESSION;
    }
    rc = deliver(d, f->name, f->name_len, f->value, f->value_len, flags, emit, ctx);
    if (rc != P_DONE || !indexing) {
        return rc;
    }
    if (name_in_table && f->name_len) {   /* adding may evict or move the entry holding it */
        memcpy(s, f->name, f->name_len);
        f->name = s;
    }
    return table_add(&d->t, f->name, f->name_len, f->value, f->value_len) < 0
           ? H2_HPACK_ERR_NOMEM : P_DONE;
}

/* §6.2 literal field: with incremental indexing (01), without (0000), never (0001). */
static int parse_literal(h2_hpack_decoder *d, const uint8_t *p0, const uint8_t *end,
                         size_t *used, size_t *need, h2_hpack_emit_fn *emit, void *ctx)
{
    const uint8_t *p = p0;
    int indexing = (p0[0] & 0x40) != 0, name_in_table = 0;
    unsigned flags = (!indexing && (p0[0] & 0x10)) ? H2_NV_NEVER_INDEX : 0;
    hp_str ns = {NULL, 0, 0}, vs;
    hp_field f;
    uint64_t name_min;
    uint32_t idx;
    int r = read_int(p, end, indexing ? 6 : 4, &idx);

    if (r <= 0) {
        return int_not_done(r, p0, end, need);
    }
    if (d->need_update) {
        return H2_HPACK_ERR_COMPRESSION;
    }
    p += r;
    if (idx) {
        int k = table_lookup(&d->t, idx, &f);
        if (k < 0) {
            return H2_HPACK_ERR_COMPRESSION;
        }
        name_in_table = k;
        name_min = f.name_len;
    } else {
        r = (p < end) ? read_str_hdr(d, p, end, &ns) : 0;
        if (r <= 0) {
            return int_not_done(r, p0, end, need);
        }
        p += r;
        name_min = str_min_len(&ns);
        if (!field_wanted(d, indexing, name_min)) {
            return skip_literal(d, indexing, p, p0, ns.len, 1, used);
        }
        if ((size_t)(end - p) < ns.len) {
            *need = (size_t)(p - p0) + ns.len + 1;
            return P_MORE;
        }
        ns.p = p;
        p += ns.len;
    }
    r = (p < end) ? read_str_hdr(d, p, end, &vs) : 0;
    if (r <= 0) {
        return int_not_done(r, p0, end, need);
    }
    p += r;
    if (!field_wanted(d, indexing, name_min + str_min_len(&vs))) {
        return skip_literal(d, indexing, p, p0, vs.len, 0, used);
    }
    if ((size_t)(end - p) < vs.len) {
        *need = (size_t)(p - p0) + vs.len;
        return P_MORE;
    }
    vs.p = p;
    *used = (size_t)(p - p0) + vs.len;
    return finish_literal(d, &f, name_in_table, &ns, &vs, indexing, flags, emit, ctx);
}

/* One representation (or the length of a skipped string) from [p0, end), p0 < end. */
static int parse_rep(h2_hpack_decoder *d, const uint8_t *p0, const uint8_t *end,
                     size_t *used, size_t *need, h2_hpack_emit_fn *emit, void *ctx)
{
    uint8_t b = p0[0];
    if (d->skip_str) {
        return parse_skipped_value(d, p0, end, used, need);
    }
    if (b & 0x80) {
        return parse_indexed(d, p0, end, used, need, emit, ctx);
    }
    if ((b & 0xe0) == 0x20) {
        return parse_update(d, p0, end, used, need);
    }
    return parse_literal(d, p0, end, used, need, emit, ctx);
}

/* Completes the carried representation with octets from *pp. */
static int resume_carry(h2_hpack_decoder *d, const uint8_t **pp, const uint8_t *end,
                        h2_hpack_emit_fn *emit, void *ctx)
{
    size_t old = d->carry_len, take = d->carry_need - old, used, need;
    int rc;
    if (take > (size_t)(end - *pp)) {
        take = (size_t)(end - *pp);
    }
    if (grow(d->t.mem, &d->carry, &d->carry_cap, old + take) != 0) {
        return H2_HPACK_ERR_NOMEM;
    }
    memcpy(d->carry + old, *pp, take);
    d->carry_len += take;
    rc = parse_rep(d, d->carry, d->carry + d->carry_len, &used, &need, emit, ctx);
    if (rc == P_MORE) {
        d->carry_need = need;
        *pp += take;
        return P_DONE;
    }
    if (rc < 0) {
        return rc;
    }
    /* the old octets alone were not enough, so the representation ends in the new ones */
    if (used <= old) {
        return H2_HPACK_ERR_COMPRESSION;
    }
    *pp += used - old;
    d->carry_len = 0;
    return P_DONE;
}

static int decode_piece(h2_hpack_decoder *d, const uint8_t *p, const uint8_t *end,
                        h2_hpack_emit_fn *emit, void *ctx)
{
    while (p < end) {
        size_t used, need;
        int rc;
        if (d->skip) {
            size_t n = (size_t)(end - p);
            if (n > d->skip) {
                n = (size_t)d->skip;
            }
            p += n;
            d->skip -= n;
            continue;
        }
        if (d->carry_len) {
            rc = resume_carry(d, &p, end, emit, ctx);
            if (rc < 0) {
                return rc;
            }
            continue;
        }
        rc = parse_rep(d, p, end, &used, &need, emit, ctx);
        if (rc == P_DONE) {
            p += used;
        } else if (rc == P_MORE) {
            size_t n = (size_t)(end - p);
            if (grow(d->t.mem, &d->carry, &d->carry_cap, n) != 0) {
                return H2_HPACK_ERR_NOMEM;
            }
            memcpy(d->carry, p, n);
            d->carry_len = n;
            d->carry_need = need;
            p = end;
        } else {
            return rc;
        }
    }
    return H2_HPACK_OK;
}

/* Between blocks, buffers grown for an unusually large field are given back. */
static void release_large(h2_hpack_decoder *d)
{
    if (d->carry_cap > SCRATCH_KEEP) {
        h2_mem_free(d->t.mem, d->carry);
        d->carry = NULL;
        d->carry_cap = 0;
    }
    if (d->scratch_cap > SCRATCH_KEEP) {
        h2_mem_free(d->t.mem, d->scratch);
        d->scratch = NULL;
        d->scratch_cap = 0;
    }
}

int h2_hpack_decode(h2_hpack_decoder *d, const uint8_t *in, size_t len, int last,
                    h2_hpack_emit_fn *emit, void *ctx)
{
    int rc;
    if (d->failed) {
        return H2_HPACK_ERR_COMPRESSION;
    }
    rc = len ? decode_piece(d, in, in + len, emit, ctx) : H2_HPACK_OK;
    if (rc == H2_HPACK_OK && last) {
        /* truncated representation, or a required size update never came */
        if (d->carry_len || d->skip || d->skip_str || d->need_update) {
            rc = H2_HPACK_ERR_COMPRESSION;
        } else {
            rc = d->over ? H2_HPACK_TOO_LARGE : H2_HPACK_OK;
            d->list_size = d->nfields = 0;
            d->over = d->fields_seen = d->cookie_counted = 0;
            release_large(d);
        }
    }
    if (rc < 0) {
        d->failed = 1;
    }
    return rc;
}

/* ==================================================================================== */
/* encoder */

#define HBUCKETS 128u      /* hash chain heads; a 4096-octet table holds <= 128 entries */

/*
 * Indexing policy: which literal fields go into the dynamic table.
 *
 * HPACK evicts first-in first-out, so every entry added pushes the oldest ones out,
 * however often those are used. A value that does not come again before it would be
 * evicted is pure loss: it shortens the life of the entries that do come again (on
 * response streams a long p3p or cache-control value that is in every response, when
 * the table churns through unique dates, ids and lengths). So the encoder adds a field
 * only when fields *of its kind* tend to come again within one table lifetime, and it
 * learns that per connection instead of guessing it per header name:
 *
 *  - every field sent from the tables or as a non-sensitive literal is observed: a ring
 *    of the last POL_RING observations, each with the count of table octets added so
 *    far (e->pol.added) when it was made;
 *  - an observation recurs when the same name+value is observed again before
 *    table-limit more octets were added (it would still be in the table) and misses when
 *    it leaves the ring without that;
 *  - the kind of a field is its name plus whether its value was in the ring already:
 *    "date: <a new date>" and "date: <a date seen a moment ago>" learn apart, and so do
 *    a known and a new cache-control or cookie value;
 *  - a literal is added when its kind recurred at least as often as it missed (the
 *    counts are halved past POL_DECAY so the policy follows changing traffic; a new kind
 *    starts out indexed), or when its name is in neither table (indexing it at least
 *    spares the name next time); never when the entry would take more than 3/4 of the
 *    table.
 *
 * Measured with tests/bench/hpack_size.sh (32 raw-data stories, a 4096-octet table):
 * 344,690 octets, 4.3% fewer than nghttp2's encoder (360,319); indexing everything but
 * :path, content-length and a few other names known to be unique (nghttp2's approach)
 * gives 358,782 here. With tables of 512 to 16384 octets the policy also beat that
 * approach on the same corpus (by 16% to 2%). Its state costs the encoder ~10 KiB; it
 * never affects correctness, only what is added to the table.
 */
#define POL_RING 512u      /* observations remembered (power of 2) */
#define POL_INDEX 1024u    /* direct-mapped hash index into the ring (power of 2) */
#define POL_SETS 32u       /* counters: POL_SETS sets of POL_WAYS kinds, LRU within a set */
#define POL_WAYS 4u
#define POL_DECAY 1024u

typedef struct pol_obs {
    uint32_t hash;         /* name+value hash */
    uint32_t added;        /* e->pol.added when observed */
    uint32_t kind;         /* its kind's tag; 0 once resolved */
} pol_obs;

typedef struct pol_kind {
    uint32_t tag;          /* name hash with the low bit saying "value seen before"; 0 free */
    uint32_t used;         /* LRU clock */
    uint16_t recur;
    uint16_t miss;
} pol_kind;

typedef struct hp_policy {
    uint32_t added;        /* table octets added so far (mod 2^32) */
    uint32_t head, tail;   /* the ring holds observations head..tail-1 */
    uint32_t clock;
    pol_obs ring[POL_RING];
    uint16_t index[POL_INDEX];   /* low bits of the latest observation's number per hash */
    pol_kind kinds[POL_SETS * POL_WAYS];
} hp_policy;

struct h2_hpack_encoder {
    hp_table t;
    size_t max;              /* the most table we use */
    size_t upd_min;          /* pending size updates: smallest and final size */
    size_t upd_final;
    int upd_pending;
    uint64_t bucket_nv[HBUCKETS];
    uint64_t bucket_n[HBUCKETS];
    hp_policy pol;
};

h2_hpack_encoder *h2_hpack_encoder_new(size_t max_table_size)
{
    return h2_hpack_encoder_new_mem(max_table_size, NULL);
}

h2_hpack_encoder *h2_hpack_encoder_new_mem(size_t max_table_size, const h2_allocator *mem)
{
    h2_hpack_encoder *e;
    mem = h2_mem(mem);
    if (!(e = h2_mem_calloc(mem, 1, sizeof(*e)))) {
        return NULL;
    }
    e->max = min_size(max_table_size, TABLE_MAX_CAP);
    /* the peer's decoder starts at the protocol's 4096 */
    table_init(&e->t, H2_DEFAULT_HEADER_TABLE_SIZE, 1, mem);
    h2_hpack_encoder_set_peer_max_table_size(e, H2_DEFAULT_HEADER_TABLE_SIZE);
    return e;
}

void h2_hpack_encoder_free(h2_hpack_encoder *e)
{
    if (e) {
        const h2_allocator *mem = e->t.mem;
        table_free(&e->t);
        h2_mem_free(mem, e);
    }
}

void h2_hpack_encoder_set_peer_max_table_size(h2_hpack_encoder *e, size_t size)
{
    size_t eff = min_size(size, e->max);
    e->upd_min = (e->upd_pending && e->upd_min < eff) ? e->upd_min : eff;
    e->upd_final = eff;
    e->upd_pending = 1;
}

static inline uint32_t hash_bytes(uint32_t h, const uint8_t *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        h = (h ^ p[i]) * 16777619u;     /* FNV-1a */
    }
    return h;
}

/* §5.1 */
static uint8_t *put_int(uint8_t *o, uint8_t first, unsigned n, uint32_t v)
{
    uint32_t mask = (1u << n) - 1;
    if (v < mask) {
        *o++ = (uint8_t)(first | v);
        return o;
    }
    *o++ = (uint8_t)(first | mask);
    v -= mask;
    while (v >= 0x80) {
        *o++ = (uint8_t)(0x80 | (v & 0x7f));
        v >>= 7;
    }
    *o++ = (uint8_t)v;
    return o;
}

/* Appends an integer; out has room (reserved by the caller). */
static void out_int(h2_buf *out, uint8_t first, unsigned n, uint32_t v)
{
    out->len = (size_t)(put_int(out->data + out->len, first, n, v) - out->data);
}

/* §5.2: Huffman when strictly shorter. */
static int out_str(h2_buf *out, const uint8_t *s, size_t len)
{
    size_t hl = h2_huffman_encoded_len(s, len);
    if (len > 0xffffffffu || h2_buf_reserve(out, 6 + len) != 0) {
        return -1;
    }
    if (hl < len) {
        out_int(out, 0x80, 7, (uint32_t)hl);
        return h2_huffman_encode(s, len, out);
    }
    out_int(out, 0, 7, (uint32_t)len);
    if (len) {
        memcpy(out->data + out->len, s, len);
        out->len += len;
    }
    return 0;
}

/* The static table's entries of a name: first index and count (0 when none). */
static unsigned static_name(const uint8_t *name, size_t len, unsigned *count)
{
    unsigned i;
    if (len > H2_HPACK_STATIC_NAME_MAX) {
        return 0;
    }
    for (i = h2_hpack_static_by_len[len]; i < h2_hpack_static_by_len[len + 1]; i++) {
        if (memcmp(h2_hpack_static_names[i].name, name, len) == 0) {
            *count = h2_hpack_static_names[i].count;
            return h2_hpack_static_names[i].index;
        }
    }
    return 0;
}

static int mem_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

/* The dynamic entry holding name (and value when want_value), as a §2.3.3 index; 0 if none. */
static uint32_t dyn_find(const h2_hpack_encoder *e, const h2_nv *nv, uint32_t h, int want_value)
{
    const hp_table *t = &e->t;
    uint64_t id = want_value ? e->bucket_nv[h % HBUCKETS] : e->bucket_n[h % HBUCKETS];
    while (id >= t->first) {
        const hp_link *l = &t->link[id & t->ent_mask];
        const hp_entry *en = table_get(t, id);
        if ((want_value ? l->hash_nv : l->hash_n) == h &&
            mem_eq(t->buf + en->off, en->name_len, nv->name, nv->name_len) &&
            (!want_value || mem_eq(t->buf + en->off + en->name_len, en->value_len,
                                   nv->value, nv->value_len))) {
            return (uint32_t)(t->next - id) + H2_HPACK_STATIC_COUNT;
        }
        id = want_value ? l->next_nv : l->next_n;
    }
    return 0;
}

/* Sensitive fields (h2_hpack.h): sent never-indexed whatever the caller's flags. */
static int is_sensitive(unsigned sidx, const h2_nv *nv)
{
    switch (sidx) {
    case 23:   /* authorization */
    case 49:   /* proxy-authorization */
    case 55:   /* set-cookie */
        return 1;
    case 32:   /* cookie */
        return nv->value_len < 20;
    default:
        return 0;
    }
}

/* The counters of a kind, claimed (least recently used in its set) when absent. */
static pol_kind *pol_kind_get(hp_policy *P, uint32_t tag)
{
    pol_kind *set = &P->kinds[tag % POL_SETS * POL_WAYS], *victim = set;
    unsigned i;
    P->clock++;
    for (i = 0; i < POL_WAYS; i++) {
        if (set[i].tag == tag) {
            set[i].used = P->clock;
            return &set[i];
        }
        if (set[i].used < victim->used) {
            victim = &set[i];
        }
    }
    victim->tag = tag;
    victim->used = P->clock;
    victim->recur = victim->miss = 0;
    return victim;
}

static void pol_resolve(hp_policy *P, pol_obs *o, int recurred)
{
    pol_kind *k;
    if (!o->kind) {
        return;
    }
    k = pol_kind_get(P, o->kind);
    if (recurred) {
        k->recur++;
    } else {
        k->miss++;
    }
    if ((unsigned)k->recur + k->miss > POL_DECAY) {
        k->recur /= 2;
        k->miss /= 2;
    }
    o->kind = 0;
}

/* Records that a field (hash hnv, name hash hn) is sent; returns its kind's counters. */
static const pol_kind *pol_observe(h2_hpack_encoder *e, uint32_t hnv, uint32_t hn)
{
    hp_policy *P = &e->pol;
    uint32_t d = (uint16_t)(P->tail - P->index[hnv % POL_INDEX]), tag;
    int seen = 0;
    pol_obs *o;

    while (P->head != P->tail &&       /* out of the table by now: missed */
           P->added - P->ring[P->head % POL_RING].added > e->t.limit) {
        pol_resolve(P, &P->ring[P->head++ % POL_RING], 0);
    }
    if (d >= 1 && d <= P->tail - P->head) {
        o = &P->ring[(P->tail - d) % POL_RING];
        if (o->hash == hnv) {
            seen = 1;
            pol_resolve(P, o, 1);
        }
    }
    if (P->tail - P->head == POL_RING) {
        pol_resolve(P, &P->ring[P->head++ % POL_RING], 0);
    }
    tag = (hn & ~1u) | (uint32_t)seen;
    if (tag < 2) {
        tag |= 2;
    }
    o = &P->ring[P->tail % POL_RING];
    o->hash = hnv;
    o->added = P->added;
    o->kind = tag;
    P->index[hnv % POL_INDEX] = (uint16_t)P->tail++;
    return pol_kind_get(P, tag);
}

/* Whether a literal field goes into the dynamic table (see the policy above). */
static int should_index(const h2_hpack_encoder *e, const pol_kind *k, uint32_t name_idx,
                        const h2_nv *nv)
{
    size_t sz = nv->name_len + nv->value_len + ENTRY_OVERHEAD;
    if (sz > e->t.limit / 4 * 3) {
        return 0;
    }
    return k->recur >= k->miss || name_idx == 0;
}

static void link_entry(h2_hpack_encoder *e, uint64_t id, uint32_t hnv, uint32_t hn)
{
    hp_link *l = &e->t.link[id & e->t.ent_mask];
    l->hash_nv = hnv;
    l->hash_n = hn;
    l->next_nv = e->bucket_nv[hnv % HBUCKETS];
    l->next_n = e->bucket_n[hn % HBUCKETS];
    e->bucket_nv[hnv % HBUCKETS] = id;
    e->bucket_n[hn % HBUCKETS] = id;
}

static int encode_field(h2_hpack_encoder *e, const h2_nv *nv, h2_buf *out)
{
    unsigned count = 0, sidx = static_name(nv->name, nv->name_len, &count), i;
    int never = (nv->flags & H2_NV_NEVER_INDEX) || is_sensitive(sidx, nv), indexing = 0;
    uint32_t hn, hnv, name_idx, idx;

    if (h2_buf_reserve(out, 16) != 0) {
        return -1;
    }
    if (!never) {
        for (i = sidx; i < sidx + count; i++) {
            if (mem_eq((const uint8_t *)h2_hpack_static[i].value, h2_hpack_static[i].value_len,
                       nv->value, nv->value_len)) {
                out_int(out, 0x80, 7, i);
                return 0;
            }
        }
    }
    hn = hash_bytes(2166136261u, nv->name, nv->name_len);
    hnv = hash_bytes(hash_bytes(hn, (const uint8_t *)":", 1), nv->value, nv->value_len);
    name_idx = sidx;
    if (!never) {
        const pol_kind *k = pol_observe(e, hnv, hn);
        if ((idx = dyn_find(e, nv, hnv, 1)) != 0) {
            out_int(out, 0x80, 7, idx);
            return 0;
        }
        if (!name_idx) {
            name_idx = dyn_find(e, nv, hn, 0);
        }
        indexing = !(nv->flags & H2_NV_NO_INDEX) && should_index(e, k, name_idx, nv);
    } else if (!name_idx) {
        name_idx = dyn_find(e, nv, hn, 0);
    }
    if (indexing) {
        out_int(out, 0x40, 6, name_idx);
    } else {
        out_int(out, never ? 0x10 : 0x00, 4, name_idx);
    }
    if ((!name_idx && out_str(out, nv->name, nv->name_len) != 0) ||
        out_str(out, nv->value, nv->value_len) != 0) {
        return -1;
    }
    if (indexing) {
        int64_t id = table_add(&e->t, nv->name, nv->name_len, nv->value, nv->value_len);
        e->pol.added += (uint32_t)(nv->name_len + nv->value_len + ENTRY_OVERHEAD);
        if (id < 0) {
            return -1;
        }
        if (id > 0) {
            link_entry(e, (uint64_t)id, hnv, hn);
        }
    }
    return 0;
}

/* §4.2, §6.3: pending size updates at the start of the block (the smallest size the
 * table had to shrink to since the last block, then the final one). */
static int encode_updates(h2_hpack_encoder *e, h2_buf *out)
{
    if (!e->upd_pending) {
        return 0;
    }
    if (h2_buf_reserve(out, 12) != 0) {
        return -1;
    }
    if (e->upd_min < e->t.limit && e->upd_min != e->upd_final) {
        out_int(out, 0x20, 5, (uint32_t)e->upd_min);
        table_set_limit(&e->t, e->upd_min);
    }
    if (e->upd_final != e->t.limit) {
        out_int(out, 0x20, 5, (uint32_t)e->upd_final);
        table_set_limit(&e->t, e->upd_final);
    }
    e->upd_pending = 0;
    return 0;
}

int h2_hpack_encode(h2_hpack_encoder *e, const h2_nv *nv, size_t n, h2_buf *out)
{
    size_t i;
    if (encode_updates(e, out) != 0) {
        return -1;
    }
    for (i = 0; i < n; i++) {
        if (encode_field(e, &nv[i], out) != 0) {
            return -1;
        }
    }
    return 0;
}
