/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * h2_log.h -- our APLOGNO-style tags. Every ap_log_*error line of mod_h2 starts with
 * H2LOGNO(nnnnn): "MH2nnnnn: ". Numbers are unique across the module; take the next free one
 * (grep -rho 'H2LOGNO([0-9]*)' mod_h2 | sort | tail -1).
 */
#ifndef H2_LOG_H
#define H2_LOG_H
#define H2LOGNO(n) "MH2" #n ": "
#endif
