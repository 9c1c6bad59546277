import { connect } from 'node:net';

export interface RawAnswer {
  /** The status of the first answer, undefined when the server closed without one. */
  status?: number;
  /** Everything after the head of the first answer. */
  body: string;
}

/**
 * Writes `request` as is to a TCP connection (no client library to tidy up odd targets or
 * headers), and reads until the server closes or `timeoutMs` passes. `halfClose` ends the
 * sending side at once, for a request that promises more body than it has: Node's server
 * then gives up on it (it also stops answering a request still in progress).
 */
export function sendRaw(url: string, request: string | Buffer, options: { timeoutMs?: number; halfClose?: boolean } = {}): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), hostname, () => (options.halfClose ? socket.end(request) : socket.write(request)));
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1];
      const headEnd = text.indexOf('\r\n\r\n');
      const body = headEnd === -1 ? '' : text.slice(headEnd + 4);
      const chunked = headEnd !== -1 && /\r\ntransfer-encoding: *chunked/i.test(text.slice(0, headEnd));
      resolve({ ...(status ? { status: Number(status) } : {}), body: chunked ? dechunk(body) : body });
    };
    const timer = setTimeout(finish, options.timeoutMs ?? 5000);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', finish);
    socket.on('close', finish);
  });
}

function dechunk(text: string): string {
  let body = '';
  let at = 0;
  for (;;) {
    const lineEnd = text.indexOf('\r\n', at);
    const size = lineEnd === -1 ? 0 : parseInt(text.slice(at, lineEnd), 16);
    if (!(size > 0)) return body;
    body += text.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}
