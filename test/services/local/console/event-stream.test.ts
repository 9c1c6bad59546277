// The console's server-sent events against a real HTTP connection on 127.0.0.1: a page that
// never reads must not make the process keep every later event in memory.
import { get } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import Koa from 'koa';
import { createEventStream, maxUnreadBytes } from '../../../../services/local/console/event-stream.ts';

describe('createEventStream', () => {
  const events = createEventStream();
  const app = new Koa();
  // A page that goes away ends its stream early: Koa would print each as an error.
  app.silent = true;
  app.use((ctx) => events.open(ctx, [['hello', { n: 1 }]]));
  const server = app.listen(0, '127.0.0.1');
  const sockets: Socket[] = [];
  const url = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  after(() => {
    events.close();
    for (const socket of sockets) socket.destroy();
    server.close();
  });

  it('sends the first events, then each broadcast, to a page that reads', async () => {
    let text = '';
    const request = get(`${url()}/events`);
    const type = await new Promise<string | undefined>((resolve) => request.once('response', (response) => {
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      resolve(response.headers['content-type']);
    }));
    events.broadcast('delivery', { id: 'r1' });
    for (let i = 0; i < 100 && !text.includes('event: delivery'); i++) await sleep(10);
    request.destroy();

    expect([type, text]).to.deep.equal(['text/event-stream; charset=utf-8', 'retry: 2000\n\nevent: hello\ndata: {"n":1}\n\nevent: delivery\ndata: {"id":"r1"}\n\n']);
  });

  it('drops a page that stops reading once what waits for it passes the limit, and closes its connection', async () => {
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    sockets.push(socket);
    let closed = false;
    socket.on('close', () => (closed = true));
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    // Read nothing from now on: the kernel's buffers fill, then Node's.
    socket.pause();
    const before = events.clients;
    await sleep(50);
    const opened = events.clients;

    const chunk = 'x'.repeat(64 * 1024);
    let sent = 0;
    // Bounded: 16 times the limit, in case the kernel buffers several MiB itself.
    while (events.clients === opened && sent < 16 * maxUnreadBytes) {
      events.broadcast('delivery', { chunk });
      sent += chunk.length;
      await sleep(0);
    }
    // Reading again, the page finds its connection ended (and what waited for it gone).
    socket.resume();
    for (let i = 0; i < 100 && !closed; i++) await sleep(20);

    expect({ opened: opened - before, clients: events.clients, closed }).to.deep.equal({ opened: 1, clients: before, closed: true });
  });
});
