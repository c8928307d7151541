/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/* The iterators' links, made once the programs are loaded (the rest of
 * their interface is tracer.h's). */
#ifndef ITERS_H
#define ITERS_H

#include "tracer.h"

/* Makes the iterators' links; one the kernel refuses is said in t->feat. */
void iters_attach(struct tracer *t);
void iters_detach(struct tracer *t);

#endif
