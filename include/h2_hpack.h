/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_hpack.h -- RFC 7541 HPACK decoder and encoder, and the Huffman code of Appendix B.
 *
 * Decoder: incremental. A field block may be fed in any number of pieces (HEADERS and
 * CONTINUATION fragments, or any byte split); an incomplete representation at the end of a
 * piece is kept (bounded) and completed by the next piece. The decoded header-list size
 * (RFC 7541 §4.1 sizes: name + value + 32) and the field count are checked *while*
 * decoding: once a block exceeds a limit, nothing more is emitted or copied for it, but the
 * rest of the block is still parsed so the dynamic table stays in step with the peer's
 * encoder (the connection survives; the stream gets 431 or RST). Malformed input is a
 * COMPRESSION_ERROR for the whole connection.
 */
#ifndef H2_HPACK_H
#define H2_HPACK_H

#include "h2_proto.h"

/* flags of a header field */
#define H2_NV_NEVER_INDEX 0x01   /* decoder: was a never-indexed literal; encoder: send it so */
#define H2_NV_NO_INDEX    0x02   /* encoder: do not add to the dynamic table */

typedef struct h2_nv {
    const uint8_t *name;
    size_t name_len;
    const uint8_t *value;
    size_t value_len;
    unsigned flags;
} h2_nv;

/* Decoder results */
#define H2_HPACK_OK              0
#define H2_HPACK_ERR_COMPRESSION (-1)  /* malformed: connection error COMPRESSION_ERROR */
#define H2_HPACK_ERR_NOMEM       (-2)
#define H2_HPACK_ERR_CALLBACK    (-3)  /* the emit callback returned non-zero */
#define H2_HPACK_TOO_LARGE       1     /* block complete and table in step, but a limit was
                                        * exceeded: some fields were not emitted */

/* Called for each decoded field. Pointers are valid during the call only. Lowercase is not
 * checked here (the session validates fields). Return 0 to go on, non-zero to abort. */
typedef int h2_hpack_emit_fn(void *ctx, const h2_nv *nv);

typedef struct h2_hpack_decoder h2_hpack_decoder;

/* max_table_size: our SETTINGS_HEADER_TABLE_SIZE (acknowledged). */
h2_hpack_decoder *h2_hpack_decoder_new(size_t max_table_size);
/* the same, every allocation of the decoder through mem (NULL: libc; must outlive it) */
h2_hpack_decoder *h2_hpack_decoder_new_mem(size_t max_table_size, const h2_allocator *mem);
void h2_hpack_decoder_free(h2_hpack_decoder *d);
/* Our advertised SETTINGS_HEADER_TABLE_SIZE changed and the peer acknowledged it. The peer's
 * next block must then start with a size update <= this (RFC 7541 §4.2) if it was lowered. */
void h2_hpack_decoder_set_max_table_size(h2_hpack_decoder *d, size_t max_table_size);
/* Limits checked while decoding each block: sum of name+value+32 of the fields, and count
 * (the `cookie` fields of a block count as one: RFC 9113 §8.2.3 crumbs of one field). */
void h2_hpack_decoder_set_limits(h2_hpack_decoder *d, size_t max_list_size, size_t max_fields);

/*
 * Decode a piece of a field block. last != 0 marks the final piece of the block: then an
 * incomplete representation is an error. Returns H2_HPACK_OK, H2_HPACK_TOO_LARGE (only with
 * last != 0) or a negative H2_HPACK_ERR_*. After an error the decoder is unusable.
 */
int h2_hpack_decode(h2_hpack_decoder *d, const uint8_t *in, size_t len, int last,
                    h2_hpack_emit_fn *emit, void *ctx);

/* Current dynamic table size (RFC 7541 §4.1) and entry count, for tests and invariants. */
size_t h2_hpack_decoder_table_size(const h2_hpack_decoder *d);
size_t h2_hpack_decoder_table_entries(const h2_hpack_decoder *d);

typedef struct h2_hpack_encoder h2_hpack_encoder;

/* max_table_size: the most table we are willing to use for the peer (default 4096). */
h2_hpack_encoder *h2_hpack_encoder_new(size_t max_table_size);
/* the same, the encoder's tables through mem (NULL: libc; must outlive it); what
 * h2_hpack_encode appends goes through the out buffer's own allocator */
h2_hpack_encoder *h2_hpack_encoder_new_mem(size_t max_table_size, const h2_allocator *mem);
void h2_hpack_encoder_free(h2_hpack_encoder *e);
/* The peer's SETTINGS_HEADER_TABLE_SIZE: the table used is min(this, our max). A change is
 * signalled by a size update at the start of the next block (RFC 7541 §4.2, §6.3). */
void h2_hpack_encoder_set_peer_max_table_size(h2_hpack_encoder *e, size_t size);

/*
 * Encode a header list as one field block, appended to out. Names must be lowercase.
 * Sensitive fields are sent never-indexed regardless of flags: authorization,
 * proxy-authorization, set-cookie, and cookie values shorter than 20 bytes.
 * Returns 0, or -1 when out of memory.
 */
int h2_hpack_encode(h2_hpack_encoder *e, const h2_nv *nv, size_t n, h2_buf *out);

/* Huffman (RFC 7541 §5.2, Appendix B) */
size_t h2_huffman_encoded_len(const uint8_t *src, size_t len);
/* Append the Huffman encoding of src to out (no length prefix). */
int h2_huffman_encode(const uint8_t *src, size_t len, h2_buf *out);
/* Decode src into out (which needs room for len * 8 / 5 + 1 bytes). Returns the decoded
 * length, or -1 on an error of §5.2: EOS in the string, padding longer than 7 bits or not
 * the most significant bits of EOS. */
long h2_huffman_decode(const uint8_t *src, size_t len, uint8_t *out);

#endif /* H2_HPACK_H */
