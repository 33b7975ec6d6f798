/**
 * When the reader of our output goes away (`imagestreams plan | head -5`), writing to the pipe fails with EPIPE.
 * Like a Unix tool killed by SIGPIPE, we then print nothing more and no stack trace; unlike one, the command runs to
 * its end, so that a state lock it holds is released, and the process exits with the command's own code.
 */
export function quietOnBrokenPipe(...streams: NodeJS.WritableStream[]): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
    });
  }
}
