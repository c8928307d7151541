/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * The connection view, text's default: one line per connection when it
 * ends (who, both ends, how it ended, bytes each way, how long), one per
 * failed attempt when it fails, one per socket that starts listening;
 * not one per event. The events come as ever: the view keeps, per
 * socket, what its last line needs from an earlier event (the connect's
 * result and time) until the close.
 */
#ifndef CONNVIEW_H
#define CONNVIEW_H

#include <stdint.h>
#include "buf.h"
#include "format.h"

struct connview;

struct connview *connview_new(void);
void connview_free(struct connview *v);
/* The line e makes, if any, into b. */
void connview_event(struct connview *v, struct buf *b, const struct event *e, const struct fmt *f);
void connview_header(struct buf *b, const struct fmt *f);
void connview_lost(struct buf *b, uint64_t count, int64_t real_ns, const struct fmt *f);

#endif
