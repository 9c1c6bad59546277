// Child process of `npm run bench`: the worker's warm path (bench/worker.ts), in a process of
// its own so that no other part's garbage or JIT state weighs on it.
import { reportResult } from '../child.ts';
import { measureWorker } from '../worker.ts';

const { figures } = await measureWorker();
reportResult(figures);
