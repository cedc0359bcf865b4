import { Chaos, FAULTS, logTail, Outcome, runFault, startChaos, table } from '../chaos/harness';

/**
 * The chaos suite in small (`npm run chaos` is the full one): 200 jobs through each of two
 * faults, on the suite's own Redis, NATS and PostgreSQL.
 */
jest.setTimeout(120_000);

let chaos: Chaos;
const rows: Outcome[] = [];

beforeAll(async () => {
  chaos = await startChaos();
}, 90_000);

afterAll(async () => {
  if (rows.length) process.stdout.write(`\n${table(rows)}\n\n`);
  await chaos?.stop();
}, 60_000);

const small = { jobs: 200, perSecond: 40, minMs: 20, maxMs: 200, drainTimeoutMs: 40_000 };

it.each([
  ['restart redis', FAULTS['restart redis']({ downMs: 500 })],
  ['restart nats', FAULTS['restart nats']({ downMs: 500 })],
])('%s: every accepted job ends once, every webhook arrives', async (key, fault) => {
  const outcome = await runFault(chaos, key, fault, small);
  rows.push(outcome);
  if (outcome.bad) throw new Error(`${table([outcome])}\n${logTail(chaos)}`);
  expect(outcome.jobs).toBe(small.jobs);
});
