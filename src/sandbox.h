/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * Once the programs are attached, socktrace needs no privilege: it reads a
 * mapped ring buffer and writes lines. This takes every capability away,
 * sets no_new_privs and confines it to the few syscalls left to make.
 */
#ifndef SANDBOX_H
#define SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

/* serve: --metrics' clients are taken and answered too. 0, or -1 with
 * one line in err. */
int sandbox_enter(bool serve, char *err, size_t errlen);

#endif
