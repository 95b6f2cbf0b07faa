/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * gen_huffman.c -- generates mod_h2/proto/huffman_table.h from the Huffman code of
 * RFC 7541 Appendix B (the table below is that appendix's "code as hex" and "len" columns).
 *
 *   cc -std=c99 -O2 -o gen_huffman tests/tools/gen_huffman.c
 *   ./gen_huffman > mod_h2/proto/huffman_table.h
 *
 * Not built by make: the generated header is committed. The generator checks that the
 * table is the complete canonical code the RFC says it is (codes assigned in order of
 * (length, symbol), Kraft sum exactly 1) before writing anything.
 *
 * What it writes (see huffman.c for how they are used):
 *  - h2_huff_code[], h2_huff_len[]: the code of each symbol 0..256, for the encoder;
 *  - h2_huff_dec[4096]: indexed by the next 12 bits of input, the one or two whole
 *    symbols those bits start with, and how many bits they take (nsym 0: the 12 bits are
 *    the prefix of a code longer than 12 bits);
 *  - h2_huff_long_*: canonical-code decoding of the codes of 13..30 bits (rare symbols).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define NSYM 257
#define LOOKUP_BITS 12
#define MAX_LEN 30

static const struct { uint32_t code; unsigned len; } rfc7541_b[NSYM] = {
    /*   0 */ {0x1ff8, 13}, {0x7fffd8, 23}, {0xfffffe2, 28}, {0xfffffe3, 28},
    /*   4 */ {0xfffffe4, 28}, {0xfffffe5, 28}, {0xfffffe6, 28}, {0xfffffe7, 28},
    /*   8 */ {0xfffffe8, 28}, {0xffffea, 24}, {0x3ffffffc, 30}, {0xfffffe9, 28},
    /*  12 */ {0xfffffea, 28}, {0x3ffffffd, 30}, {0xfffffeb, 28}, {0xfffffec, 28},
    /*  16 */ {0xfffffed, 28}, {0xfffffee, 28}, {0xfffffef, 28}, {0xffffff0, 28},
    /*  20 */ {0xffffff1, 28}, {0xffffff2, 28}, {0x3ffffffe, 30}, {0xffffff3, 28},
    /*  24 */ {0xffffff4, 28}, {0xffffff5, 28}, {0xffffff6, 28}, {0xffffff7, 28},
    /*  28 */ {0xffffff8, 28}, {0xffffff9, 28}, {0xffffffa, 28}, {0xffffffb, 28},
    /*  32 */ {0x14, 6}, {0x3f8, 10}, {0x3f9, 10}, {0xffa, 12},
    /*  36 */ {0x1ff9, 13}, {0x15, 6}, {0xf8, 8}, {0x7fa, 11},
    /*  40 */ {0x3fa, 10}, {0x3fb, 10}, {0xf9, 8}, {0x7fb, 11},
    /*  44 */ {0xfa, 8}, {0x16, 6}, {0x17, 6}, {0x18, 6},
    /*  48 */ {0x0, 5}, {0x1, 5}, {0x2, 5}, {0x19, 6},
    /*  52 */ {0x1a, 6}, {0x1b, 6}, {0x1c, 6}, {0x1d, 6},
    /*  56 */ {0x1e, 6}, {0x1f, 6}, {0x5c, 7}, {0xfb, 8},
    /*  60 */ {0x7ffc, 15}, {0x20, 6}, {0xffb, 12}, {0x3fc, 10},
    /*  64 */ {0x1ffa, 13}, {0x21, 6}, {0x5d, 7}, {0x5e, 7},
    /*  68 */ {0x5f, 7}, {0x60, 7}, {0x61, 7}, {0x62, 7},
    /*  72 */ {0x63, 7}, {0x64, 7}, {0x65, 7}, {0x66, 7},
    /*  76 */ {0x67, 7}, {0x68, 7}, {0x69, 7}, {0x6a, 7},
    /*  80 */ {0x6b, 7}, {0x6c, 7}, {0x6d, 7}, {0x6e, 7},
    /*  84 */ {0x6f, 7}, {0x70, 7}, {0x71, 7}, {0x72, 7},
    /*  88 */ {0xfc, 8}, {0x73, 7}, {0xfd, 8}, {0x1ffb, 13},
    /*  92 */ {0x7fff0, 19}, {0x1ffc, 13}, {0x3ffc, 14}, {0x22, 6},
    /*  96 */ {0x7ffd, 15}, {0x3, 5}, {0x23, 6}, {0x4, 5},
    /* 100 */ {0x24, 6}, {0x5, 5}, {0x25, 6}, {0x26, 6},
    /* 104 */ {0x27, 6}, {0x6, 5}, {0x74, 7}, {0x75, 7},
    /* 108 */ {0x28, 6}, {0x29, 6}, {0x2a, 6}, {0x7, 5},
    /* 112 */ {0x2b, 6}, {0x76, 7}, {0x2c, 6}, {0x8, 5},
    /* 116 */ {0x9, 5}, {0x2d, 6}, {0x77, 7}, {0x78, 7},
    /* 120 */ {0x79, 7}, {0x7a, 7}, {0x7b, 7}, {0x7ffe, 15},
    /* 124 */ {0x7fc, 11}, {0x3ffd, 14}, {0x1ffd, 13}, {0xffffffc, 28},
    /* 128 */ {0xfffe6, 20}, {0x3fffd2, 22}, {0xfffe7, 20}, {0xfffe8, 20},
    /* 132 */ {0x3fffd3, 22}, {0x3fffd4, 22}, {0x3fffd5, 22}, {0x7fffd9, 23},
    /* 136 */ {0x3fffd6, 22}, {0x7fffda, 23}, {0x7fffdb, 23}, {0x7fffdc, 23},
    /* 140 */ {0x7fffdd, 23}, {0x7fffde, 23}, {0xffffeb, 24}, {0x7fffdf, 23},
    /* 144 */ {0xffffec, 24}, {0xffffed, 24}, {0x3fffd7, 22}, {0x7fffe0, 23},
    /* 148 */ {0xffffee, 24}, {0x7fffe1, 23}, {0x7fffe2, 23}, {0x7fffe3, 23},
    /* 152 */ {0x7fffe4, 23}, {0x1fffdc, 21}, {0x3fffd8, 22}, {0x7fffe5, 23},
    /* 156 */ {0x3fffd9, 22}, {0x7fffe6, 23}, {0x7fffe7, 23}, {0xffffef, 24},
    /* 160 */ {0x3fffda, 22}, {0x1fffdd, 21}, {0xfffe9, 20}, {0x3fffdb, 22},
    /* 164 */ {0x3fffdc, 22}, {0x7fffe8, 23}, {0x7fffe9, 23}, {0x1fffde, 21},
    /* 168 */ {0x7fffea, 23}, {0x3fffdd, 22}, {0x3fffde, 22}, {0xfffff0, 24},
    /* 172 */ {0x1fffdf, 21}, {0x3fffdf, 22}, {0x7fffeb, 23}, {0x7fffec, 23},
    /* 176 */ {0x1fffe0, 21}, {0x1fffe1, 21}, {0x3fffe0, 22}, {0x1fffe2, 21},
    /* 180 */ {0x7fffed, 23}, {0x3fffe1, 22}, {0x7fffee, 23}, {0x7fffef, 23},
    /* 184 */ {0xfffea, 20}, {0x3fffe2, 22}, {0x3fffe3, 22}, {0x3fffe4, 22},
    /* 188 */ {0x7ffff0, 23}, {0x3fffe5, 22}, {0x3fffe6, 22}, {0x7ffff1, 23},
    /* 192 */ {0x3ffffe0, 26}, {0x3ffffe1, 26}, {0xfffeb, 20}, {0x7fff1, 19},
    /* 196 */ {0x3fffe7, 22}, {0x7ffff2, 23}, {0x3fffe8, 22}, {0x1ffffec, 25},
    /* 200 */ {0x3ffffe2, 26}, {0x3ffffe3, 26}, {0x3ffffe4, 26}, {0x7ffffde, 27},
    /* 204 */ {0x7ffffdf, 27}, {0x3ffffe5, 26}, {0xfffff1, 24}, {0x1ffffed, 25},
    /* 208 */ {0x7fff2, 19}, {0x1fffe3, 21}, {0x3ffffe6, 26}, {0x7ffffe0, 27},
    /* 212 */ {0x7ffffe1, 27}, {0x3ffffe7, 26}, {0x7ffffe2, 27}, {0xfffff2, 24},
    /* 216 */ {0x1fffe4, 21}, {0x1fffe5, 21}, {0x3ffffe8, 26}, {0x3ffffe9, 26},
    /* 220 */ {0xffffffd, 28}, {0x7ffffe3, 27}, {0x7ffffe4, 27}, {0x7ffffe5, 27},
    /* 224 */ {0xfffec, 20}, {0xfffff3, 24}, {0xfffed, 20}, {0x1fffe6, 21},
    /* 228 */ {0x3fffe9, 22}, {0x1fffe7, 21}, {0x1fffe8, 21}, {0x7ffff3, 23},
    /* 232 */ {0x3fffea, 22}, {0x3fffeb, 22}, {0x1ffffee, 25}, {0x1ffffef, 25},
    /* 236 */ {0xfffff4, 24}, {0xfffff5, 24}, {0x3ffffea, 26}, {0x7ffff4, 23},
    /* 240 */ {0x3ffffeb, 26}, {0x7ffffe6, 27}, {0x3ffffec, 26}, {0x3ffffed, 26},
    /* 244 */ {0x7ffffe7, 27}, {0x7ffffe8, 27}, {0x7ffffe9, 27}, {0x7ffffea, 27},
    /* 248 */ {0x7ffffeb, 27}, {0xffffffe, 28}, {0x7ffffec, 27}, {0x7ffffed, 27},
    /* 252 */ {0x7ffffee, 27}, {0x7ffffef, 27}, {0x7fffff0, 27}, {0x3ffffee, 26},
    /* 256 */ {0x3fffffff, 30}
};

static unsigned first_code[MAX_LEN + 2], count[MAX_LEN + 2], offset[MAX_LEN + 2];
static unsigned sorted[NSYM];

/* Checks the table is a complete canonical code and fills first_code/count/offset/sorted. */
static int check_canonical(void)
{
    unsigned n = 0, len, s;
    uint32_t code = 0;
    double kraft = 0;
    for (len = 1; len <= MAX_LEN; len++) {
        first_code[len] = code;
        offset[len] = n;
        for (s = 0; s < NSYM; s++) {
            if (rfc7541_b[s].len != len) {
                continue;
            }
            if (rfc7541_b[s].code != code) {
                fprintf(stderr, "symbol %u: code %x is not canonical (expected %x)\n", s,
                        (unsigned)rfc7541_b[s].code, (unsigned)code);
                return -1;
            }
            sorted[n++] = s;
            code++;
            kraft += 1.0 / (double)(1u << len);
        }
        count[len] = n - offset[len];
        code <<= 1;
    }
    if (n != NSYM || kraft != 1.0) {
        fprintf(stderr, "table incomplete: %u symbols, Kraft sum %f\n", n, kraft);
        return -1;
    }
    return 0;
}

/* The symbol whose code starts the bit string v (left-aligned in 32 bits), or -1. */
static int sym_at(uint32_t v, unsigned *len)
{
    unsigned l;
    for (l = 1; l <= MAX_LEN; l++) {
        uint32_t c = v >> (32 - l);
        if (count[l] && c >= first_code[l] && c - first_code[l] < count[l]) {
            *len = l;
            return (int)sorted[offset[l] + c - first_code[l]];
        }
    }
    return -1;
}

static void print_array_u32(const char *decl, const uint32_t *v, unsigned n, unsigned per_line)
{
    unsigned i;
    printf("%s = {\n", decl);
    for (i = 0; i < n; i++) {
        printf("%s0x%x%s", i % per_line == 0 ? "    " : " ", (unsigned)v[i],
               i + 1 < n ? "," : "");
        if (i % per_line == per_line - 1 || i + 1 == n) {
            printf("\n");
        }
    }
    printf("};\n\n");
}

static void print_decode_table(void)
{
    unsigned i;
    printf("static const h2_huff_entry h2_huff_dec[1u << H2_HUFF_LOOKUP_BITS] = {\n");
    for (i = 0; i < (1u << LOOKUP_BITS); i++) {
        uint32_t v = (uint32_t)i << (32 - LOOKUP_BITS);
        unsigned l1 = 0, l2 = 0, n = 0, s1 = 0, s2 = 0;
        int s = sym_at(v, &l1);
        if (s >= 0 && l1 <= LOOKUP_BITS) {
            s1 = (unsigned)s;
            n = 1;
            s = sym_at(v << l1, &l2);
            if (s >= 0 && s < 256 && l1 + l2 <= LOOKUP_BITS) {
                s2 = (unsigned)s;
                n = 2;
            } else {
                l2 = 0;
            }
        } else {
            l1 = 0;
        }
        printf("%s{%u,%u,%u,%u}%s", i % 8 == 0 ? "    " : " ", s1, s2, l1 + l2, n,
               i + 1 < (1u << LOOKUP_BITS) ? "," : "");
        if (i % 8 == 7) {
            printf("\n");
        }
    }
    printf("};\n\n");
}

int main(void)
{
    uint32_t v[NSYM];
    unsigned i, min_long = 0;
    if (check_canonical() != 0) {
        return 1;
    }
    for (i = 1; i <= MAX_LEN && !min_long; i++) {
        if (i > LOOKUP_BITS && count[i]) {
            min_long = i;
        }
    }
    printf("/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, "
           "Version 2.0. */\n"
           "/*\n"
           " * huffman_table.h -- GENERATED from RFC 7541 Appendix B by tests/tools/gen_huffman.c;\n"
           " * do not edit. To regenerate:\n"
           " *   cc -std=c99 -O2 -o gen_huffman tests/tools/gen_huffman.c\n"
           " *   ./gen_huffman > mod_h2/proto/huffman_table.h\n"
           " * Included by huffman.c only.\n"
           " */\n"
           "#ifndef H2_HUFFMAN_TABLE_H\n#define H2_HUFFMAN_TABLE_H\n\n"
           "#include <stdint.h>\n\n"
           "#define H2_HUFF_EOS 256\n"
           "#define H2_HUFF_LOOKUP_BITS %u\n"
           "#define H2_HUFF_MAX_LEN %u\n"
           "#define H2_HUFF_LONG_MIN %u   /* shortest code longer than the lookup */\n\n",
           LOOKUP_BITS, MAX_LEN, min_long);

    for (i = 0; i < NSYM; i++) {
        v[i] = rfc7541_b[i].code;
    }
    printf("/* code of each symbol, right-aligned (Appendix B \"code as hex\") */\n");
    print_array_u32("static const uint32_t h2_huff_code[257]", v, NSYM, 8);
    for (i = 0; i < NSYM; i++) {
        v[i] = rfc7541_b[i].len;
    }
    printf("/* code length in bits of each symbol */\n");
    print_array_u32("static const uint8_t h2_huff_len[257]", v, NSYM, 16);

    printf("/* Lookup by the next %u input bits: nsym whole symbols (0, 1 or 2) start there and\n"
           " * take len bits together; nsym 0 means a code longer than %u bits starts there. */\n"
           "typedef struct h2_huff_entry {\n"
           "    uint8_t sym1, sym2, len, nsym;\n"
           "} h2_huff_entry;\n\n", LOOKUP_BITS, LOOKUP_BITS);
    print_decode_table();

    printf("/* Canonical decoding of the longer codes: with v the next 32 bits, the code has the\n"
           " * first length L >= H2_HUFF_LONG_MIN with v < h2_huff_long_limit[L]; its symbol is\n"
           " * h2_huff_sorted[h2_huff_long_offset[L] + (v >> (32 - L)) - h2_huff_long_first[L]]. */\n");
    {
        uint64_t lim[MAX_LEN + 1];
        printf("static const uint64_t h2_huff_long_limit[%u] = {\n", MAX_LEN + 1);
        for (i = 0; i <= MAX_LEN; i++) {
            lim[i] = i ? (uint64_t)(first_code[i] + count[i]) << (32 - i) : 0;
            printf("%s0x%llxull%s", i % 4 == 0 ? "    " : " ", (unsigned long long)lim[i],
                   i < MAX_LEN ? "," : "");
            if (i % 4 == 3 || i == MAX_LEN) {
                printf("\n");
            }
        }
        printf("};\n\n");
    }
    for (i = 0; i <= MAX_LEN; i++) {
        v[i] = first_code[i];
    }
    print_array_u32("static const uint32_t h2_huff_long_first[31]", v, MAX_LEN + 1, 8);
    for (i = 0; i <= MAX_LEN; i++) {
        v[i] = offset[i];
    }
    print_array_u32("static const uint16_t h2_huff_long_offset[31]", v, MAX_LEN + 1, 8);
    for (i = 0; i < NSYM; i++) {
        v[i] = sorted[i];
    }
    printf("/* the symbols in code order */\n");
    print_array_u32("static const uint16_t h2_huff_sorted[257]", v, NSYM, 12);
    printf("#endif /* H2_HUFFMAN_TABLE_H */\n");
    return 0;
}
