/*
 * log_io.h - the log buffer on the daemon's loop: lib/log.c queues what
 * its reader does not take at once, and the loop writes the rest when
 * fd 2 can take it, so a stalled log reader never stalls the daemon.
 */
#ifndef NOMCAST_LOG_IO_H
#define NOMCAST_LOG_IO_H

struct nomcast;

/* the daemon's lines, buffered (log_buffer_stderr()), to 256 KiB */
#define LOG_IO_BUFFER	(256 * 1024)

/* buffer the log and flush it from nc's loop (nothing to do for a file) */
void	log_io_start(struct nomcast *nc);
/* write what waits for at most LOG_EXIT_FLUSH_MS, then blocking writes */
void	log_io_stop(struct nomcast *nc);

#endif
