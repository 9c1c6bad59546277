import type { IncomingMessage, RequestListener } from 'node:http';
import type { Logger } from '../../shared/logger.ts';
import { onResponseDone } from './response-done.ts';

/**
 * Enough for thousands of typical webhooks (a few KiB) or 43 of the largest a queue message
 * carries at once, and little enough that they and the messages built from them (about 3 times
 * their size) fit beside the consumer in the smallest task (512 MiB).
 */
export const defaultMaxBodyBytesInFlight = 32 * 1024 * 1024;

interface BodyBudgetOptions {
  /** Bytes of request bodies the server holds at once; at least one body of `bodyLimit` always fits. */
  maxBytes: number;
  /** The largest body read; a declared length above it is answered 413 unread and reserves nothing. */
  bodyLimit: number;
  logger: Logger;
}

/**
 * A body still arriving slower than this (a webhook provider sends megabytes a second), once the
 * request is past `slowGraceMs`, gives way to a new request that finds the budget full.
 */
const minBytesPerSecond = 64 * 1024;
const slowGraceMs = 1000;

interface Reservation {
  req: IncomingMessage;
  since: number;
  /** The connection's bytes read when the request was admitted: its body arrives after them. */
  bytesRead: number;
  release: () => void;
}

/**
 * Admission by declared body size. Each request with a body reserves its Content-Length (a
 * chunked one, whose length is unknown, `bodyLimit`) until its answer is sent or its connection
 * closes; one that would take the bodies in flight past `maxBytes` is answered 503 `server_busy`
 * before a byte of it is read. Without it, many slow senders of near-limit bodies make the
 * process hold them all (and the queue messages built from them, several times their size): the
 * task runs out of memory and every request and batch in it fails. A provider told 503 retries
 * later. A declared length costs nothing to send, so a full budget first cuts the connection of
 * the slowest body still arriving below `minBytesPerSecond`: otherwise a few dozen connections
 * sending headers alone held the whole budget, and every webhook was refused, for as long as
 * Node waits for a request (5 minutes).
 */
export function limitBodiesInFlight(listener: RequestListener, options: BodyBudgetOptions): RequestListener {
  const maxBytes = Math.max(options.maxBytes, options.bodyLimit);
  const held = new Set<Reservation>();
  let inFlight = 0;
  let refused = 0;
  let cut = 0;
  let lastLogged = 0;

  // The slowest body still arriving that is past its grace and below the rate, if any.
  const slowest = (now: number) => {
    let found: Reservation | undefined;
    let foundRate = minBytesPerSecond;
    for (const reservation of held) {
      const elapsedMs = now - reservation.since;
      if (reservation.req.complete || elapsedMs < slowGraceMs) continue;
      const rate = ((reservation.req.socket.bytesRead - reservation.bytesRead) * 1000) / elapsedMs;
      if (rate < foundRate) [found, foundRate] = [reservation, rate];
    }
    return found;
  };

  return (req, res) => {
    const reserved = declaredBodyBytes(req, options.bodyLimit);
    if (reserved === 0) {
      listener(req, res);
      return;
    }
    const now = Date.now();
    for (let slow = slowest(now); inFlight + reserved > maxBytes && slow; slow = slowest(now)) {
      slow.release();
      slow.req.socket.destroy();
      cut += 1;
    }
    if (inFlight + reserved > maxBytes) refused += 1;
    // One line a second at most, however many are refused: a flood must not flood the logs too.
    if ((refused > 0 || cut > 0) && now - lastLogged >= 1000) {
      options.logger.warn('request bodies in flight at the limit', { refused, slowCut: cut, inFlightBytes: inFlight, maxBytes });
      lastLogged = now;
      refused = 0;
      cut = 0;
    }
    if (inFlight + reserved > maxBytes) {
      res.writeHead(503, { 'content-type': 'application/json', connection: 'close', 'retry-after': '1' })
        .end(JSON.stringify({ error: { code: 'server_busy', message: 'Too many request bodies are being received; retry shortly' } }));
      return;
    }
    inFlight += reserved;
    const reservation: Reservation = {
      req,
      since: now,
      bytesRead: req.socket.bytesRead,
      release: () => {
        if (!held.delete(reservation)) return;
        inFlight -= reserved;
      },
    };
    held.add(reservation);
    onResponseDone(req, res, reservation.release);
    listener(req, res);
  };
}

/** What a request's body may take: its Content-Length, `bodyLimit` when chunked, 0 with none or one too large to read. */
function declaredBodyBytes(req: IncomingMessage, bodyLimit: number): number {
  if (req.headers['transfer-encoding'] !== undefined) return bodyLimit;
  const length = Number(req.headers['content-length'] ?? 0);
  return length > 0 && length <= bodyLimit ? length : 0;
}
