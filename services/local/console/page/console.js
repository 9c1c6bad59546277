// The console page: a live list from the server's event stream (/_console/events), a detail
// view fetched on demand, and buttons that call /_console/api. Every value a webhook sender
// controls is put in the page as text (textContent), never as HTML.
'use strict';

const base = '/_console';
const rows = new Map();
let selected;
let oldestReceivedAt = null;
// The body tab a person chose, per place ('request', 'answer'): an update of the open delivery
// redraws its detail and must not switch back to the first tab.
const chosenTabs = new Map();

const $ = (id) => document.getElementById(id);

/** `el('td', { class: 'num' }, 'text', child)`: an element with attributes and text or element children. */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) node.setAttribute(name, String(value));
  }
  for (const child of children) {
    if (child !== undefined && child !== null) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

const badge = (word) => el('span', { class: `badge ${word}` }, word);
const ms = (value) => (value === undefined ? '' : value < 1000 ? `${Math.round(value * 10) / 10} ms` : `${(value / 1000).toFixed(1)} s`);
const time = (epoch) => new Date(epoch).toLocaleTimeString();

function age(seconds) {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
  return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
}

async function api(path, body) {
  const response = await fetch(`${base}/api${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = await response.json();
  if (!response.ok) throw new Error(answer.error ? `${answer.error.message} (${answer.error.code})` : `HTTP ${response.status}`);
  return answer;
}

function toast(text, kind = 'info') {
  const box = $('toast');
  box.dataset.kind = kind;
  box.textContent = text;
}

async function act(button, run) {
  button.disabled = true;
  try {
    toast((await run()).message);
  } catch (error) {
    toast(error.message, 'error');
  } finally {
    button.disabled = false;
  }
}

// The live list.

function renderRow(summary) {
  const cells = [
    el('td', {}, time(summary.receivedAt)),
    el('td', {}, summary.provider ?? ''),
    el('td', {}, el('code', {}, summary.path ?? '?')),
    el('td', {}, badge(summary.state)),
    el('td', { class: 'num' }, summary.status ?? ''),
    el('td', {}, summary.reason ?? ''),
    el('td', { class: 'num' }, summary.attempts),
    el('td', { class: 'num' }, ms(summary.queueLagMs)),
    el('td', { class: 'num' }, ms(summary.durationMs)),
  ];
  const existing = rows.get(summary.id);
  const row = el('tr', { 'data-id': summary.id, 'data-state': summary.state, class: [summary.id === selected ? 'selected' : '', existing ? '' : 'fresh'].join(' ').trim() }, ...cells);
  row.addEventListener('click', () => void openDetail(summary.id));
  const body = $('deliveries').tBodies[0];
  if (existing) existing.replaceWith(row);
  else body.prepend(row);
  rows.set(summary.id, row);
  $('empty').hidden = rows.size > 0;
}

function renderHealth(health) {
  if (health.error) {
    toast(`Queue health unavailable: ${health.error}`, 'error');
    return;
  }
  $('h-depth').textContent = health.queue.visible + health.queue.delayed;
  $('h-inflight').textContent = health.queue.inFlight;
  $('h-dlq').textContent = health.dlq.visible + health.dlq.inFlight;
  $('h-dlq').parentElement.classList.toggle('warn', health.dlq.visible + health.dlq.inFlight > 0);
  oldestReceivedAt = health.dlq.oldestReceivedAt;
  renderOldest();
}

function renderOldest() {
  $('h-oldest').textContent = oldestReceivedAt === null ? '–' : age(Math.max(0, Math.round((Date.now() - oldestReceivedAt) / 1000)));
}

function connect() {
  const events = new EventSource(`${base}/events`);
  const live = (on) => {
    $('live').dataset.live = String(on);
    $('live').textContent = on ? '● live' : 'reconnecting…';
  };
  events.addEventListener('open', () => live(true));
  events.addEventListener('error', () => live(false));
  events.addEventListener('snapshot', (event) => {
    for (const row of rows.values()) row.remove();
    rows.clear();
    for (const summary of JSON.parse(event.data).reverse()) renderRow(summary);
    $('empty').hidden = rows.size > 0;
  });
  events.addEventListener('delivery', (event) => {
    const summary = JSON.parse(event.data);
    renderRow(summary);
    if (summary.id === selected) void openDetail(summary.id);
  });
  events.addEventListener('health', (event) => renderHealth(JSON.parse(event.data)));
}

// The detail view.

function bodyView(view, place) {
  const tabs = [];
  if (view.json !== undefined) tabs.push(['Pretty JSON', view.json]);
  if (view.form) tabs.push(['Form fields', view.form]);
  if (view.text !== undefined) tabs.push(['Raw', view.text === '' ? '(empty body)' : view.text]);
  if (view.base64 !== undefined) tabs.push(['Base64 (not UTF-8)', view.base64]);
  const shown = el('div');
  const bar = el('div', { class: 'tabs', role: 'tablist' });
  const show = (index) => {
    const [, content] = tabs[index];
    shown.replaceChildren(Array.isArray(content)
      ? el('table', { class: 'kv form' }, ...content.map(([name, value]) => el('tr', {}, el('td', {}, name), el('td', {}, value))))
      : el('pre', {}, content));
    for (const [i, button] of [...bar.children].entries()) button.setAttribute('aria-selected', String(i === index));
  };
  for (const [index, [label]] of tabs.entries()) {
    const button = el('button', { type: 'button', role: 'tab' }, label);
    button.addEventListener('click', () => {
      chosenTabs.set(place, label);
      show(index);
    });
    bar.append(button);
  }
  const meta = el('div', { class: 'meta' }, `${view.bytes} bytes${view.contentType ? ` · ${view.contentType}` : ''}`);
  show(Math.max(0, tabs.findIndex(([label]) => label === chosenTabs.get(place))));
  return el('div', { class: 'body' }, bar, shown, meta);
}

function attemptView(attempt) {
  const head = el('div', { class: 'head' },
    badge(attempt.outcome),
    el('strong', {}, attempt.status ?? '–'),
    el('span', { class: 'meta' }, `${time(attempt.at)} · ${attempt.via === 'dlq' ? 'replayed from the DLQ' : `receive #${attempt.receiveCount}`}`),
    el('span', { class: 'meta' }, `took ${ms(attempt.durationMs)}${attempt.replayMs === undefined ? '' : ` (app ${ms(attempt.replayMs)})`}${attempt.queueLagMs === undefined ? '' : ` · queue lag ${ms(attempt.queueLagMs)}`}`),
  );
  const reason = attempt.reason ? el('div', { class: 'meta' }, `${attempt.reason}${attempt.detail ? `: ${attempt.detail}` : ''}`) : null;
  const answer = attempt.answer ? bodyView(attempt.answer, 'answer') : null;
  return el('div', { class: 'attempt', 'data-outcome': attempt.outcome }, head, reason, answer);
}

async function openDetail(id) {
  selected = id;
  for (const [rowId, row] of rows) row.classList.toggle('selected', rowId === id);
  let detail;
  try {
    detail = await api(`/deliveries/${encodeURIComponent(id)}`);
  } catch (error) {
    toast(error.message, 'error');
    return;
  }
  if (selected !== id) return;
  const inDlq = detail.state === 'parked' || detail.state === 'dead-lettered';
  const replay = el('button', { id: 'replay-delivery', type: 'button' }, inDlq ? 'Replay from the DLQ' : 'Replay');
  replay.addEventListener('click', () => void act(replay, () => api(`/deliveries/${encodeURIComponent(id)}/replay`, {})));
  const close = el('button', { type: 'button' }, 'Close');
  close.addEventListener('click', () => {
    selected = undefined;
    $('detail').hidden = true;
    for (const row of rows.values()) row.classList.remove('selected');
  });

  const request = detail.request;
  const aside = $('detail');
  // Redrawn for an update of the same delivery: it stays where the person scrolled to.
  const scrollTop = aside.dataset.id === id ? aside.scrollTop : 0;
  aside.dataset.id = id;
  aside.replaceChildren(
    el('h2', {}, el('code', {}, `${detail.method ?? ''} ${detail.path ?? '?'}`), badge(detail.state)),
    el('div', { class: 'ids' }, `request ${detail.id}`, detail.messageId ? ` · message ${detail.messageId}` : '', detail.groupId ? ` · group ${detail.groupId}` : '', ` · received ${new Date(detail.receivedAt).toLocaleString()}`),
    el('div', { class: 'tools' }, replay, close),
    el('h3', {}, 'Verdicts'),
    el('div', { class: 'verdicts' },
      el('span', {}, 'Signature'), el('span', { id: 'verdict-signature', 'data-verdict': detail.signature.verdict }, badge(detail.signature.verdict), ' ', el('span', { class: 'note' }, `${detail.signature.note}${detail.signature.code ? ` (${detail.signature.code})` : ''}`)),
      el('span', {}, 'Idempotency'), el('span', { id: 'verdict-idempotency', 'data-verdict': detail.idempotency.verdict }, badge(detail.idempotency.verdict), ' ', el('span', { class: 'note' }, detail.idempotency.note)),
    ),
    el('h3', {}, `Tries (${detail.attemptList.length})`),
    ...(detail.attemptList.length === 0 ? [el('p', { class: 'meta' }, detail.gatewayStatus === 202 ? 'Queued; the worker has not settled it yet.' : `The gateway answered ${detail.gatewayStatus ?? '?'}; nothing was queued.`)] : detail.attemptList.slice().reverse().map(attemptView)),
    ...(request
      ? [
          el('h3', {}, 'Body'), el('div', { id: 'request-body' }, bodyView(request.body, 'request')),
          el('h3', {}, 'Headers'), el('table', { class: 'kv', id: 'request-headers' }, ...request.headers.map(([name, value]) => el('tr', {}, el('td', {}, name), el('td', {}, value)))),
          ...(request.query.length > 0 ? [el('h3', {}, 'Query'), el('table', { class: 'kv' }, ...request.query.map(([name, value]) => el('tr', {}, el('td', {}, name), el('td', {}, value))))] : []),
        ]
      : [el('p', { class: 'meta' }, 'The gateway did not record this request (sent before the console started, or by another producer).')]),
  );
  aside.hidden = false;
  aside.scrollTop = scrollTop;
}

// Samples.

async function loadSamples() {
  const { samples } = await api('/samples');
  const select = $('sample-target');
  for (const sample of samples) select.append(el('option', { value: sample.target, 'data-ready': sample.ready, 'data-variable': sample.variable }, `${sample.target} → ${sample.path}`));
  const update = () => {
    const option = select.selectedOptions[0];
    const ready = option?.dataset.ready === 'true';
    $('send-sample').disabled = !ready;
    $('sample-forged').disabled = option?.value === 'webhook';
    $('sample-hint').textContent = ready ? '' : `Set ${option?.dataset.variable} to sign ${option?.value} samples, then restart npm start.`;
  };
  select.addEventListener('change', update);
  update();
}

function wire() {
  $('dlq-replay').addEventListener('click', (event) => void act(event.currentTarget, () => api('/dlq/replay', {})));
  $('dlq-redrive').addEventListener('click', (event) => void act(event.currentTarget, () => api('/dlq/redrive', {})));
  $('send-sample').addEventListener('click', (event) => void act(event.currentTarget, async () => {
    const result = await api(`/samples/${$('sample-target').value}`, { forged: $('sample-forged').checked });
    if (result.requestId) void openDetail(result.requestId);
    return result;
  }));
  setInterval(renderOldest, 1000);
}

wire();
connect();
loadSamples().catch((error) => toast(error.message, 'error'));
