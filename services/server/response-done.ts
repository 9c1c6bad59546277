import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Calls `done` once: when the response closes or, before that, its connection. A request
 * pipelined behind another on a keep-alive connection has its response queued until the one
 * before it is sent; when the connection closes first, Node never gives that response the socket
 * nor emits its 'close', and whatever waited for it would be held for good.
 */
export function onResponseDone(req: IncomingMessage, res: ServerResponse, done: () => void): void {
  const { socket } = req;
  const finish = () => {
    res.off('close', finish);
    socket.off('close', finish);
    done();
  };
  res.once('close', finish);
  socket.once('close', finish);
}
