/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * huffman.c -- the Huffman code of RFC 7541 §5.2 / Appendix B.
 *
 * Decoding is table driven, several bits at a time (huffman_table.h is generated from
 * Appendix B by tests/tools/gen_huffman.c). The input is read into a 64-bit accumulator,
 * most significant bit first; the next 12 bits index h2_huff_dec[], which gives the one or
 * two whole symbols those bits begin with (the common case: codes of 5 to 12 bits) or says
 * that a longer code starts there, which is then found by the canonical-code limits of
 * the longer lengths (rare symbols: controls, bytes >= 0x80, a few punctuation marks).
 *
 * At the end of the string the accumulator is conceptually filled with 1 bits: a symbol
 * is real only if it ends within the input's bits. What is left when no symbol ends there
 * is the padding, which §5.2 says must be shorter than 8 bits and all ones (the most
 * significant bits of EOS); EOS itself decoded inside the string is an error too.
 */
#include <string.h>

#include "h2_hpack.h"
#include "huffman_table.h"

/* ------------------------------------------------------------------------------------ */
/* encoder */

size_t h2_huffman_encoded_len(const uint8_t *src, size_t len)
{
    uint64_t bits = 0;
    size_t i = 0;
    for (; i + 4 <= len; i += 4) {
        bits += (unsigned)h2_huff_len[src[i]] + h2_huff_len[src[i + 1]] +
                h2_huff_len[src[i + 2]] + h2_huff_len[src[i + 3]];
    }
    for (; i < len; i++) {
        bits += h2_huff_len[src[i]];
    }
    return (size_t)((bits + 7) / 8);
}

int h2_huffman_encode(const uint8_t *src, size_t len, h2_buf *out)
{
    size_t n = h2_huffman_encoded_len(src, len), i;
    uint64_t acc = 0;     /* pending bits, right-aligned; only the low nb bits matter */
    unsigned nb = 0;
    uint8_t *o;

    if (n == 0) {
        return 0;
    }
    if (h2_buf_reserve(out, n) != 0) {
        return -1;
    }
    o = out->data + out->len;
    for (i = 0; i < len; i++) {
        unsigned l = h2_huff_len[src[i]];
        acc = (acc << l) | h2_huff_code[src[i]];
        nb += l;
        if (nb >= 32) {
            nb -= 32;
            h2_put_u32(o, (uint32_t)(acc >> nb));
            o += 4;
        }
    }
    while (nb >= 8) {
        nb -= 8;
        *o++ = (uint8_t)(acc >> nb);
    }
    if (nb > 0) {   /* pad with the most significant bits of EOS */
        *o++ = (uint8_t)((acc << (8 - nb)) | (0xffu >> nb));
    }
    out->len += n;
    return 0;
}

/* ------------------------------------------------------------------------------------ */
/* decoder */

/* A code longer than the lookup starts at the top of v (32 bits, left-aligned): its
 * symbol and length. */
static unsigned long_symbol(uint32_t v, unsigned *len)
{
    unsigned l = H2_HUFF_LONG_MIN;
    while (v >= h2_huff_long_limit[l]) {
        l++;
    }
    *len = l;
    return h2_huff_sorted[h2_huff_long_offset[l] + (v >> (32 - l)) - h2_huff_long_first[l]];
}

long h2_huffman_decode(const uint8_t *src, size_t len, uint8_t *out)
{
    const uint8_t *p = src, *end = src + len;
    uint8_t *o = out;
    uint64_t acc = 0;   /* unread bits, left-aligned; the bits below the top nb are zero */
    unsigned nb = 0;

    /* While 8 octets are left, refill to 56..63 bits and decode as long as 32 are there
     * (a code is at most 30): no end-of-input checks. */
    while (end - p >= 8) {
        uint64_t w = ((uint64_t)h2_get_u32(p) << 32) | h2_get_u32(p + 4);
        acc |= w >> nb;
        p += (63 - nb) >> 3;
        nb |= 56;
        acc &= ~(~(uint64_t)0 >> nb);   /* keep exactly nb bits */
        do {
            h2_huff_entry e = h2_huff_dec[acc >> (64 - H2_HUFF_LOOKUP_BITS)];
            unsigned l;
            if (e.nsym) {
                o[0] = e.sym1;
                o[1] = e.sym2;   /* out has room: see h2_hpack.h */
                o += e.nsym;
                l = e.len;
            } else {
                unsigned sym = long_symbol((uint32_t)(acc >> 32), &l);
                if (sym == H2_HUFF_EOS) {
                    return -1;
                }
                *o++ = (uint8_t)sym;
            }
            acc <<= l;
            nb -= l;
        } while (nb >= 32);
    }
    /* The last octets: refill what is left; past the end of the input the accumulator
     * reads as 1 bits, and a symbol only counts if it ends within the input. */
    for (;;) {
        uint64_t v;
        h2_huff_entry e;
        while (nb < 56 && p < end) {
            acc |= (uint64_t)*p++ << (56 - nb);
            nb += 8;
        }
        if (nb == 0) {
            break;
        }
        v = acc | (~(uint64_t)0 >> nb);
        e = h2_huff_dec[v >> (64 - H2_HUFF_LOOKUP_BITS)];
        if (e.nsym) {
            if (e.len <= nb) {
                o[0] = e.sym1;
                o[1] = e.sym2;
                o += e.nsym;
                acc <<= e.len;
                nb -= e.len;
                continue;
            }
            if (e.nsym == 2 && h2_huff_len[e.sym1] <= nb) {
                unsigned l = h2_huff_len[e.sym1];
                *o++ = e.sym1;
                acc <<= l;
                nb -= l;
                continue;
            }
        } else {
            unsigned l, sym = long_symbol((uint32_t)(v >> 32), &l);
            if (l <= nb) {
                if (sym == H2_HUFF_EOS) {
                    return -1;
                }
                *o++ = (uint8_t)sym;
                acc <<= l;
                nb -= l;
                continue;
            }
        }
        /* no symbol ends within the input: the rest must be padding */
        if (nb > 7 || (acc >> (64 - nb)) != (1u << nb) - 1) {
            return -1;
        }
        break;
    }
    return (long)(o - out);
}
