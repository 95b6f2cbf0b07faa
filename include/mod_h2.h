/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
/*
 * mod_h2.h -- optional functions other httpd modules may call.
 */
#ifndef MOD_H2_H
#define MOD_H2_H

#include "apr_optional.h"
#include "httpd.h"

/* Non-zero when c (a client connection or one of its stream connections) speaks HTTP/2. */
APR_DECLARE_OPTIONAL_FN(int, h2_is_h2, (conn_rec *c));

#endif
