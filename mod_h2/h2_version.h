/* Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0. */
#ifndef H2_VERSION_H
#define H2_VERSION_H
#include "h2_proto.h"
#define MOD_H2_VERSION H2_VERSION_STR
#endif
