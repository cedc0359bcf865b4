import { Chaos, FAULTS, logTail, Outcome, runFault, startChaos, table } from './harness';

/**
 * The full chaos suite: every fault of issue 4 under a stream of CHAOS_JOBS (default 2,000)
 * jobs. CHAOS_FAULTS=a,b picks faults by key (see FAULTS). Prints the table; fails if a fault
 * lost, duplicated or half-made a job, or left a webhook uncalled.
 */
const JOBS = Number(process.env.CHAOS_JOBS ?? 2000);
const RATE = Number(process.env.CHAOS_RATE ?? 100);
const keys = (process.env.CHAOS_FAULTS ?? Object.keys(FAULTS).join(',')).split(',').map((k) => k.trim()).filter(Boolean);

let chaos: Chaos;
const rows: Outcome[] = [];

beforeAll(async () => {
  chaos = await startChaos();
}, 180_000);

afterAll(async () => {
  if (rows.length) process.stdout.write(`\n${table(rows)}\n\n`);
  await chaos?.stop();
}, 120_000);

describe(`chaos: ${JOBS} jobs per fault`, () => {
  it.each(keys)('%s', async (key) => {
    const make = FAULTS[key];
    if (!make) throw new Error(`unknown fault ${key}; known: ${Object.keys(FAULTS).join(', ')}`);
    const outcome = await runFault(chaos, key, make(), { jobs: JOBS, perSecond: RATE, drainTimeoutMs: 240_000 });
    rows.push(outcome);
    process.stdout.write(`${table([outcome])}\n`);
    if (outcome.bad) throw new Error(`${outcome.fault}: ${JSON.stringify(outcome)}\n${logTail(chaos)}`);
  });
});
