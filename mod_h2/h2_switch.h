/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_switch.h -- protocol negotiation hooks (ALPN, Upgrade, prior knowledge) and
 * process_connection. Threads: the connection's thread.
 */
#ifndef H2_SWITCH_H
#define H2_SWITCH_H

void h2_switch_register_hooks(void);

#endif /* H2_SWITCH_H */
