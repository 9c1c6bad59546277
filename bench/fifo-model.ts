// A discrete-event model of an SQS FIFO queue drained by Lambda's SQS event source mapping,
// for `npm run bench:fifo`: how long a mix of webhooks takes to drain, and how long each waits,
// for a given choice of message groups. Time is simulated (milliseconds), so the figures are
// exact and the same on any machine.
//
// What it models, and where AWS documents it:
// - A receive returns up to `batchSize` messages, "as many messages with the same message group
//   ID as possible", then messages of other available groups; a group with a message in flight
//   gives nothing more until that message is deleted or visible again; SQS looks for available
//   groups among the first 20,000 messages only.
//   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html
//   https://repost.aws/knowledge-center/sqs-fifo-messages-not-returned
// - Lambda runs at most min(active message groups, MaximumConcurrency) batches at once, and
//   retries a failed record before it takes more from its group.
//   https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html
// - The worker replays a batch's records one at a time; after a failure in group G it reports
//   G's later records failed without replaying them (README "Worker", skipGroupOnError). Failed
//   records come back when the visibility timeout (counted from the receive) ends; a receive
//   that would pass `maxReceiveCount` moves the message to the DLQ instead — every message of
//   the batch counts a receive, so the records skipped behind a failure age towards the DLQ too.
//   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
//
// Not modelled: Lambda's ramp-up of pollers (documented for standard queues: five batches at
// first, then up to 300 more a minute), throttling, SQS's per-partition request limits, and a function timeout
// (every record here answers within its service time).

export interface ModelMessage {
  /** Arrival time (the send to SQS), in milliseconds. */
  at: number;
  group: string;
  /** Answers 5xx on every attempt: retried until the redrive policy moves it to the DLQ. */
  fails?: boolean;
}

export interface FifoModelOptions {
  /** `ScalingConfig.MaximumConcurrency`: batches in flight at once. */
  maxConcurrency: number;
  /** `BatchSize`, at most 10 for FIFO. */
  batchSize: number;
  /**
   * How a receive fills a batch: `sqs`, as many messages of one group as possible, then other
   * groups'; `one-per-group`, at most one message per group (fauxqs 1.9, used by `npm start`).
   */
  receive: 'sqs' | 'one-per-group';
  visibilityTimeoutMs: number;
  maxReceiveCount: number;
  /** Time the app takes to answer one record. */
  serviceMs: number;
  /** Time from the receive to the first record's replay: the invoke. */
  invokeMs: number;
  /** Time from the last record's answer until the batch's successes are deleted. */
  ackMs: number;
  /** How many messages from the head of the queue SQS looks through for available groups. */
  scanWindow?: number;
}

interface MessageOutcome {
  /** When the app answered 2xx. */
  handledAt?: number;
  /** When the redrive policy moved it to the DLQ. */
  dlqAt?: number;
  receives: number;
}

export interface FifoModelResult {
  outcomes: MessageOutcome[];
  batches: number;
  /** Mean records per batch. */
  meanBatchSize: number;
  peakConcurrency: number;
  /** When the last message was handled or moved to the DLQ. */
  endedAt: number;
}

interface Group {
  /** Indices of its messages not yet deleted nor in flight, in send order. */
  pending: number[];
  head: number;
  /** Held by a batch in flight, or by a failed record until it is visible again. */
  held: boolean;
  /** Ordering key among available groups (see `rankOf`). */
  rank: number;
}

/** Runs the mix to the end and returns what happened to each message, in input order. */
export function simulateFifo(messages: readonly ModelMessage[], options: FifoModelOptions): FifoModelResult {
  const order = messages.map((_, i) => i).sort((a, b) => messages[a]!.at - messages[b]!.at || a - b);
  const seqOf = new Int32Array(messages.length);
  order.forEach((index, seq) => (seqOf[index] = seq));
  const outcomes: MessageOutcome[] = messages.map(() => ({ receives: 0 }));
  const groups = new Map<string, Group>();
  // Messages not yet deleted, counted by send sequence: the 20,000-message scan window.
  const live = new Fenwick(messages.length);
  const scanWindow = options.scanWindow ?? 20_000;
  const available = new Heap<{ rank: number; group: string }>((a, b) => a.rank - b.rank);
  const events = new Heap<{ at: number; seq: number; run: () => void }>((a, b) => a.at - b.at || a.seq - b.seq);
  let eventSeq = 0;
  let insertions = 0;
  let now = 0;
  let running = 0;
  let peakConcurrency = 0;
  let batches = 0;
  let records = 0;
  let endedAt = 0;

  const schedule = (at: number, run: () => void) => events.push({ at, seq: eventSeq++, run });
  const groupOf = (name: string): Group => {
    let group = groups.get(name);
    if (!group) groups.set(name, (group = { pending: [], head: 0, held: false, rank: 0 }));
    return group;
  };
  const hasPending = (group: Group) => group.head < group.pending.length;
  // SQS serves the group whose first message is oldest; fauxqs keeps groups in a Map in the
  // order they last went from empty to non-empty.
  const rankOf = (group: Group, wasEmpty: boolean): number =>
    options.receive === 'sqs' ? seqOf[group.pending[group.head]!]! : wasEmpty ? insertions++ : group.rank;
  const offer = (name: string, group: Group, wasEmpty: boolean) => {
    if (!hasPending(group)) return;
    group.rank = rankOf(group, wasEmpty);
    if (!group.held) available.push({ rank: group.rank, group: name });
  };
  const finish = (index: number, field: 'handledAt' | 'dlqAt', at: number) => {
    outcomes[index]![field] = at;
    live.add(seqOf[index]!, -1);
    endedAt = Math.max(endedAt, at);
  };

  const receive = (): number[] => {
    const batch: number[] = [];
    const taken: { name: string; group: Group }[] = [];
    while (batch.length < options.batchSize) {
      const top = available.pop();
      if (!top) break;
      const group = groups.get(top.group)!;
      if (group.held || !hasPending(group) || group.rank !== top.rank) continue; // stale entry
      if (options.receive === 'sqs' && live.prefix(seqOf[group.pending[group.head]!]!) >= scanWindow) {
        available.push(top);
        break;
      }
      let took = 0;
      while (hasPending(group) && batch.length < options.batchSize && (options.receive === 'sqs' || took === 0)) {
        const index = group.pending[group.head++]!;
        const outcome = outcomes[index]!;
        if (outcome.receives >= options.maxReceiveCount) {
          finish(index, 'dlqAt', now);
          continue;
        }
        outcome.receives++;
        batch.push(index);
        took++;
      }
      if (took > 0) {
        group.held = true;
        taken.push({ name: top.group, group });
      } else if (hasPending(group)) {
        available.push(top);
      }
    }
    return batch;
  };

  const run = (batch: number[]) => {
    const receivedAt = now;
    let cursor = now + options.invokeMs;
    const failedGroups = new Set<string>();
    const failed: number[] = [];
    for (const index of batch) {
      const message = messages[index]!;
      if (failedGroups.has(message.group)) {
        failed.push(index);
        continue;
      }
      cursor += options.serviceMs;
      if (message.fails) {
        failedGroups.add(message.group);
        failed.push(index);
      } else {
        finish(index, 'handledAt', cursor);
      }
    }
    const doneAt = cursor + options.ackMs;
    const touched = new Set(batch.map((index) => messages[index]!.group));
    schedule(doneAt, () => {
      running--;
      for (const name of touched) {
        if (!failedGroups.has(name)) release(name);
      }
    });
    if (failed.length > 0) {
      // The failed and skipped records stay in flight until the visibility timeout ends, then
      // return to the front of their group in their order.
      schedule(Math.max(doneAt, receivedAt + options.visibilityTimeoutMs), () => {
        const byGroup = new Map<string, number[]>();
        for (const index of failed) byGroup.set(messages[index]!.group, [...(byGroup.get(messages[index]!.group) ?? []), index]);
        for (const [name, indices] of byGroup) {
          const group = groups.get(name)!;
          const wasEmpty = !hasPending(group);
          group.pending = [...indices, ...group.pending.slice(group.head)];
          group.head = 0;
          release(name, wasEmpty);
        }
      });
    }
  };

  const release = (name: string, wasEmpty = !hasPending(groups.get(name)!)) => {
    const group = groups.get(name)!;
    group.held = false;
    offer(name, group, wasEmpty);
  };

  const dispatch = () => {
    while (running < options.maxConcurrency) {
      const batch = receive();
      if (batch.length === 0) return;
      running++;
      batches++;
      records += batch.length;
      peakConcurrency = Math.max(peakConcurrency, running);
      run(batch);
    }
  };

  for (const index of order) {
    schedule(messages[index]!.at, () => {
      live.add(seqOf[index]!, 1);
      const name = messages[index]!.group;
      const group = groupOf(name);
      const wasEmpty = !hasPending(group);
      if (group.head > 1024 && group.head * 2 > group.pending.length) {
        group.pending = group.pending.slice(group.head);
        group.head = 0;
      }
      group.pending.push(index);
      if (wasEmpty) offer(name, group, true);
    });
  }

  for (let event = events.pop(); event; event = events.pop()) {
    now = event.at;
    event.run();
    // Events at the same instant settle before batches are taken, as one poll would see them.
    if (events.peek()?.at !== now) dispatch();
  }

  return { outcomes, batches, meanBatchSize: batches === 0 ? 0 : records / batches, peakConcurrency, endedAt };
}

/** A binary heap; `before(a, b) < 0` puts `a` first. */
class Heap<T> {
  private readonly items: T[] = [];
  constructor(private readonly before: (a: T, b: T) => number) {}

  push(item: T): void {
    const items = this.items;
    items.push(item);
    for (let i = items.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (this.before(items[i]!, items[parent]!) >= 0) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  peek(): T | undefined {
    return this.items[0];
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      for (let i = 0; ; ) {
        const left = 2 * i + 1;
        const right = left + 1;
        let first = i;
        if (left < items.length && this.before(items[left]!, items[first]!) < 0) first = left;
        if (right < items.length && this.before(items[right]!, items[first]!) < 0) first = right;
        if (first === i) break;
        [items[i], items[first]] = [items[first]!, items[i]!];
        i = first;
      }
    }
    return top;
  }
}

/** Counts per position with prefix sums in O(log n): messages still on the queue before a given one. */
class Fenwick {
  private readonly tree: Int32Array;
  constructor(size: number) {
    this.tree = new Int32Array(size + 1);
  }

  add(position: number, delta: number): void {
    for (let i = position + 1; i < this.tree.length; i += i & -i) this.tree[i]! += delta;
  }

  /** The sum over positions before `position`. */
  prefix(position: number): number {
    let sum = 0;
    for (let i = position; i > 0; i -= i & -i) sum += this.tree[i]!;
    return sum;
  }
}
