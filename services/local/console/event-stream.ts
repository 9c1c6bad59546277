import { PassThrough } from 'node:stream';
import type { Context } from 'koa';

export interface EventStream {
  /** Turns the request into a server-sent event stream; `first` events go to it alone. */
  open(ctx: Context, first: [string, unknown][]): void;
  broadcast(event: string, data: unknown): void;
  readonly clients: number;
  /** Ends every stream, so that the server can close. */
  close(): void;
}

/**
 * What one page may have waiting unread before it is dropped: a page that stops reading (a
 * frozen tab, a client that never reads) must not hold every later event in memory. A dropped
 * browser reconnects after the `retry` time and gets a fresh snapshot.
 */
export const maxUnreadBytes = 4 * 1024 * 1024;

/**
 * Server-sent events (https://html.spec.whatwg.org/multipage/server-sent-events.html) to every
 * open page: one `event:`/`data:` pair per change, and a comment every 15 s so that idle
 * connections stay open through proxies and browsers.
 */
export function createEventStream(): EventStream {
  // Each open page's stream: how much may wait unread for it, and how to end its connection.
  const streams = new Map<PassThrough, { maxUnread: number; drop(): void }>();
  const send = (stream: PassThrough, text: string) => {
    const page = streams.get(stream);
    if (!page) return;
    if (stream.writableLength + Buffer.byteLength(text) > page.maxUnread) {
      page.drop();
      return;
    }
    stream.write(text);
  };
  const format = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
  const keepAlive = setInterval(() => {
    for (const stream of streams.keys()) send(stream, ': keep-alive\n\n');
  }, 15_000).unref();

  return {
    open(ctx, first) {
      const stream = new PassThrough();
      const forget = () => {
        streams.delete(stream);
        stream.end();
      };
      // How long the browser waits before reconnecting after the server went away.
      const opening = ['retry: 2000\n\n', ...first.map(([event, data]) => format(event, data))].join('');
      // The first events all wait unread at first, whatever their size (a snapshot of many
      // deliveries to long paths passes 4 MiB): the limit counts what piles up beyond them, or a
      // page would be dropped as it opens, and again at each reconnect.
      const maxUnread = maxUnreadBytes + Buffer.byteLength(opening);
      // A page that stopped reading: what waits for it is discarded with its connection.
      streams.set(stream, {
        maxUnread,
        drop: () => {
          streams.delete(stream);
          stream.destroy();
          ctx.req.socket.destroy();
        },
      });
      ctx.req.on('close', forget);
      ctx.req.socket.setTimeout(0);
      ctx.set({ 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
      ctx.type = 'text/event-stream';
      ctx.body = stream;
      stream.write(opening);
    },
    broadcast(event, data) {
      if (streams.size === 0) return;
      const text = format(event, data);
      for (const stream of streams.keys()) send(stream, text);
    },
    get clients() {
      return streams.size;
    },
    close() {
      clearInterval(keepAlive);
      for (const stream of streams.keys()) stream.end();
      streams.clear();
    },
  };
}
