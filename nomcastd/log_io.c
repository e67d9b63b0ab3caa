/*
 * log_io.c - the log buffer on the daemon's loop; see log_io.h.
 *
 * Before each wait the loop tries to empty the buffer; what the reader
 * does not take then waits for fd 2 to be writable.  The io watcher runs
 * only while bytes wait, so an idle log costs no wake-ups.
 */
#include "nomcastd/log_io.h"

#include "nomcastd/daemon.h"
#include "lib/log.h"

static void
log_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	if (log_flush() == 0)
		ev_io_stop(loop, w);
}

/* lines logged since the last wait: out now, or watch for room */
static void
log_prep_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct nomcast *nc = w->data;

	(void)revents;
	if (!ev_is_active(&nc->log_io) && log_flush() > 0)
		ev_io_start(loop, &nc->log_io);
}

void
log_io_start(struct nomcast *nc)
{
	int fd = log_buffer_stderr(LOG_IO_BUFFER);

	if (fd == -1)
		return;
	ev_io_init(&nc->log_io, log_io_cb, fd, EV_WRITE);
	ev_prepare_init(&nc->log_prep, log_prep_cb);
	nc->log_prep.data = nc;
	ev_prepare_start(nc->loop, &nc->log_prep);
}

void
log_io_stop(struct nomcast *nc)
{
	ev_prepare_stop(nc->loop, &nc->log_prep);
	ev_io_stop(nc->loop, &nc->log_io);
	log_flush_wait(LOG_EXIT_FLUSH_MS);
	log_buffer_stop();
}
