/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_frame.h -- RFC 9113 §4 and §6 frame codec (plus RFC 9218 PRIORITY_UPDATE).
 *
 * The reader is resumable at any byte boundary and never allocates more than
 * max_frame_size bytes (once), whatever length a peer announces. When a whole frame
 * lies contiguously in the caller's input, the frame's payload view points into that
 * input (no copy); otherwise into the reader's own buffer. Either way the view is valid
 * until the next call into the reader or until the caller's input is released.
 *
 * Frame-level checks (§4, §6: lengths, stream id 0 or not, padding, fixed sizes, SETTINGS
 * values) are done here. State-dependent checks (which stream states accept which frame,
 * CONTINUATION sequencing, flow control) belong to the session.
 */
#ifndef H2_FRAME_H
#define H2_FRAME_H

#include "h2_proto.h"

typedef struct h2_setting {
    uint16_t id;
    uint32_t value;
} h2_setting;

/* A decoded frame. Fields not used by a type are zero. */
typedef struct h2_frame {
    uint32_t length;          /* payload length as on the wire (counts padding: flow control uses it) */
    uint8_t type;             /* h2_frame_type, or any unknown value */
    uint8_t flags;            /* as on the wire, unknown bits kept (callers test known bits only) */
    uint32_t stream_id;       /* reserved bit cleared */

    /* Payload view with padding and fixed fields removed:
     * DATA: the data; HEADERS, PUSH_PROMISE, CONTINUATION: the field block fragment;
     * GOAWAY: additional debug data; PRIORITY_UPDATE: the Priority Field Value (ASCII);
     * SETTINGS: the raw 6-byte entries (use h2_frame_setting()); unknown types: whole payload. */
    const uint8_t *payload;
    size_t payload_len;
    uint32_t pad_len;         /* bytes of padding incl. the Pad Length octet, 0 when not PADDED */

    /* PRIORITY, and HEADERS with the PRIORITY flag (has_priority = 1) */
    uint8_t has_priority;
    uint8_t exclusive;
    uint8_t weight;           /* as on the wire (0..255, meaning 1..256) */
    uint32_t dep_stream_id;

    uint32_t error_code;          /* RST_STREAM, GOAWAY */
    uint32_t last_stream_id;      /* GOAWAY */
    uint32_t promised_stream_id;  /* PUSH_PROMISE */
    uint32_t window_increment;    /* WINDOW_UPDATE (may be 0: the session decides stream vs conn error) */
    uint32_t prioritized_stream_id; /* PRIORITY_UPDATE */
    uint8_t opaque[8];            /* PING */
    size_t n_settings;            /* SETTINGS: number of entries */
} h2_frame;

/* What the codec found wrong with a frame. */
typedef struct h2_frame_error {
    uint8_t is_conn;          /* 1: connection error (GOAWAY); 0: stream error (RST_STREAM) */
    uint32_t code;            /* h2_error_code */
    uint32_t stream_id;       /* the stream for a stream error */
    const char *reason;       /* static text naming the rule (for the log) */
} h2_frame_error;

/* Return values of h2_frame_read() and h2_frame_decode() */
#define H2_FR_AGAIN 0         /* all input consumed, frame not complete yet */
#define H2_FR_FRAME 1         /* *f holds a frame */
#define H2_FR_ERROR 2         /* *err says what; see below */

/*
 * Decode one complete frame: hdr points at 9 header octets, payload at hdr.length octets.
 * Returns H2_FR_FRAME or H2_FR_ERROR. max_frame_size is the limit we advertised.
 */
int h2_frame_decode(const uint8_t *hdr, const uint8_t *payload, uint32_t max_frame_size,
                    h2_frame *f, h2_frame_error *err);

/* SETTINGS entry i of a decoded SETTINGS frame (i < f->n_settings). */
h2_setting h2_frame_setting(const h2_frame *f, size_t i);

typedef struct h2_frame_reader {
    uint32_t max_frame_size;  /* largest payload we accept (our SETTINGS_MAX_FRAME_SIZE) */
    uint8_t hdr[H2_FRAME_HDR_LEN];
    size_t hdr_have;
    uint8_t *buf;             /* payload assembly buffer, allocated once at max_frame_size */
    size_t buf_cap;
    size_t have;              /* payload bytes assembled */
    uint32_t need;            /* payload length of the frame in progress */
    int dead;                 /* a connection error happened: reader refuses further input */
    /* added with the codec implementation (frame.c internal state): */
    int skip;                 /* discarding the payload of a frame whose header already
                               * decided a stream error (PRIORITY length != 5) */
    h2_frame_error err;       /* the connection error once dead (returned again), or the
                               * stream error pending while skipping */
    const h2_allocator *mem;  /* where buf comes from (NULL: libc) */
} h2_frame_reader;

void h2_frame_reader_init(h2_frame_reader *r, uint32_t max_frame_size);
/* the same, with the payload buffer from mem (NULL: libc); mem must outlive the reader */
void h2_frame_reader_init_mem(h2_frame_reader *r, uint32_t max_frame_size,
                              const h2_allocator *mem);
void h2_frame_reader_free(h2_frame_reader *r);
/* Change the limit (after our SETTINGS with a new MAX_FRAME_SIZE was acknowledged). */
void h2_frame_reader_set_max(h2_frame_reader *r, uint32_t max_frame_size);

/*
 * Feed input. *consumed is set to the bytes taken from in.
 *  H2_FR_FRAME: *f is a frame; call again with the rest of the input.
 *  H2_FR_AGAIN: every byte was consumed, no complete frame yet.
 *  H2_FR_ERROR: *err is filled. A stream error consumed the whole frame and the reader is
 *               ready for the next one; a connection error leaves the reader dead.
 * A length above max_frame_size is a connection error FRAME_SIZE_ERROR detected on the
 * header alone: nothing is allocated for it.
 *
 * On H2_FR_ERROR *f holds at least the header fields (length, type, flags, stream_id) for
 * the log, and err->stream_id is the frame's stream id for both kinds of error. A stream
 * error found in the payload (a priority dependency on the stream itself, §5.3.1) leaves
 * *f fully decoded: for HEADERS the session must still feed f->payload to the HPACK
 * decoder, or the compression context goes out of step (§4.3).
 */
int h2_frame_read(h2_frame_reader *r, const uint8_t *in, size_t len, size_t *consumed,
                  h2_frame *f, h2_frame_error *err);

/*
 * Encoders: append whole frames to b. Return 0, or -1 when out of memory.
 * Lengths are not checked against a peer's MAX_FRAME_SIZE: callers split.
 */
void h2_frame_pack_hdr(uint8_t out[H2_FRAME_HDR_LEN], uint32_t length, uint8_t type,
                       uint8_t flags, uint32_t stream_id);
int h2_frame_put_hdr(h2_buf *b, uint32_t length, uint8_t type, uint8_t flags, uint32_t stream_id);
/* pad_len counts like h2_frame.pad_len: the padding octets plus the Pad Length octet, so the
 * frame length is len + pad_len (1: PADDED with Pad Length 0; 255: Pad Length 254). Every
 * encoder returns -1 also when a payload does not fit the 24-bit length field. */
int h2_frame_put_data(h2_buf *b, uint32_t stream_id, const uint8_t *data, size_t len,
                      int end_stream, uint8_t pad_len /* 0: not padded */);
/* HEADERS (+ CONTINUATION frames when block_len > max_frame_size) carrying a field block */
int h2_frame_put_headers(h2_buf *b, uint32_t stream_id, const uint8_t *block, size_t block_len,
                         int end_stream, uint32_t max_frame_size);
/* PUSH_PROMISE (+ CONTINUATION) */
int h2_frame_put_push_promise(h2_buf *b, uint32_t stream_id, uint32_t promised_id,
                              const uint8_t *block, size_t block_len, uint32_t max_frame_size);
/* The same with a PADDED first frame; pad_len as for h2_frame_put_data (0: not padded),
 * here up to 256 (Pad Length 255).
 * The padding counts toward max_frame_size: the first frame's fragment is shorter. */
int h2_frame_put_headers_padded(h2_buf *b, uint32_t stream_id, const uint8_t *block,
                                size_t block_len, int end_stream, uint32_t max_frame_size,
                                unsigned pad_len /* 0..256 */);
int h2_frame_put_push_promise_padded(h2_buf *b, uint32_t stream_id, uint32_t promised_id,
                                     const uint8_t *block, size_t block_len,
                                     uint32_t max_frame_size, unsigned pad_len);
int h2_frame_put_priority(h2_buf *b, uint32_t stream_id, uint32_t dep, int exclusive, uint8_t weight);
int h2_frame_put_rst_stream(h2_buf *b, uint32_t stream_id, uint32_t error_code);
int h2_frame_put_settings(h2_buf *b, const h2_setting *s, size_t n);
int h2_frame_put_settings_ack(h2_buf *b);
int h2_frame_put_ping(h2_buf *b, const uint8_t opaque[8], int ack);
int h2_frame_put_goaway(h2_buf *b, uint32_t last_stream_id, uint32_t error_code,
                        const uint8_t *debug, size_t debug_len);
int h2_frame_put_window_update(h2_buf *b, uint32_t stream_id, uint32_t increment);
int h2_frame_put_priority_update(h2_buf *b, uint32_t prioritized_id, const char *value, size_t len);

/* Name of a frame type ("HEADERS"), "UNKNOWN" for others. */
const char *h2_frame_type_name(uint8_t type);

#endif /* H2_FRAME_H */
