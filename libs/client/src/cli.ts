#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { JobdeskClient, JobdeskError } from './client';

const USAGE = `usage: jobdesk <command> [options]

  submit FILE [--wait] [--type resume.parse] [--callback-url URL] [--metadata JSON] [--priority N] [--idempotency-key KEY]
      upload FILE as a job and print its id; with --wait follow it to the end and print the result JSON
  status ID        print the job as JSON
  result ID        print the job's result JSON
  wait ID          follow the job to the end and print the result JSON
  cancel ID [--purge]
  retry ID

environment: JOBDESK_URL (default http://127.0.0.1:3000), JOBDESK_API_KEY
exit codes: 0 ok, 1 the job failed or was canceled, 2 usage or HTTP error`;

class UsageError extends Error {}

function parseArgs(argv: string[]): { positional: string[]; flags: Record<string, string | true> } {
  const positional: string[] = [];
  const flags: Record<string, string | true> = {};
  const valued = new Set(['type', 'callback-url', 'metadata', 'priority', 'idempotency-key', 'timeout']);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split(/=(.*)/s, 2);
      if (valued.has(name)) {
        const v = inline ?? argv[++i];
        if (v === undefined) throw new UsageError(`--${name} needs a value`);
        flags[name] = v;
      } else if (['wait', 'purge', 'help', 'quiet'].includes(name)) flags[name] = true;
      else throw new UsageError(`unknown option --${name}`);
    } else if (a === '-h') flags.help = true;
    else positional.push(a);
  }
  return { positional, flags };
}

const print = (v: unknown) => process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
const err = (s: string) => process.stderr.write(`${s}\n`);

/** Follows a job to its end; prints the result (exit 0) or why it failed (exit 1). */
async function finish(client: JobdeskClient, id: string, timeoutMs: number, quiet: boolean): Promise<number> {
  let last = '';
  const job = await client.waitForEnd(id, {
    timeoutMs,
    onUpdate: (status, progress) => {
      const line = `${status}${progress !== undefined && status === 'processing' ? ` ${progress}%` : ''}`;
      if (!quiet && line !== last) err(`${id}: ${line}`);
      last = line;
    },
  });
  if (job.status !== 'completed') {
    err(`job ${id} ${job.status}${job.error ? `: ${job.error.code}: ${job.error.message}` : ''}`);
    return 1;
  }
  print(await client.result(id));
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(argv);
  } catch (e) {
    err(`jobdesk: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { positional, flags } = parsed;
  const [cmd, arg, ...extra] = positional;
  if (flags.help || !cmd) {
    (flags.help ? process.stdout : process.stderr).write(`${USAGE}\n`);
    return flags.help ? 0 : 2;
  }
  const needsArg = ['submit', 'status', 'result', 'wait', 'cancel', 'retry'];
  if (!needsArg.includes(cmd)) {
    err(`jobdesk: unknown command "${cmd}"\n\n${USAGE}`);
    return 2;
  }
  if (!arg || extra.length) {
    err(`jobdesk: ${cmd} takes exactly one ${cmd === 'submit' ? 'FILE' : 'ID'}\n\n${USAGE}`);
    return 2;
  }
  const client = new JobdeskClient();
  const timeoutMs = flags.timeout ? Number(flags.timeout) * 1000 : 10 * 60_000;
  const quiet = flags.quiet === true;
  try {
    switch (cmd) {
      case 'submit': {
        let bytes: Buffer;
        try {
          bytes = await readFile(arg);
        } catch (e) {
          err(`jobdesk: cannot read ${arg}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
          return 2;
        }
        let metadata;
        if (typeof flags.metadata === 'string') {
          try {
            metadata = JSON.parse(flags.metadata);
          } catch {
            err('jobdesk: --metadata must be a JSON object');
            return 2;
          }
        }
        const job = await client.submitFile(bytes, basename(arg), {
          type: typeof flags.type === 'string' ? (flags.type as 'resume.parse') : undefined,
          callbackUrl: typeof flags['callback-url'] === 'string' ? flags['callback-url'] : undefined,
          metadata,
          priority: typeof flags.priority === 'string' ? Number(flags.priority) : undefined,
          idempotencyKey: typeof flags['idempotency-key'] === 'string' ? flags['idempotency-key'] : undefined,
        });
        process.stdout.write(`${job.id}\n`);
        return flags.wait ? await finish(client, job.id, timeoutMs, quiet) : 0;
      }
      case 'status':
        print(await client.get(arg));
        return 0;
      case 'result':
        print(await client.result(arg));
        return 0;
      case 'wait':
        return await finish(client, arg, timeoutMs, quiet);
      case 'cancel':
        print(await client.cancel(arg, { purge: flags.purge === true }));
        return 0;
      case 'retry':
        print(await client.retry(arg));
        return 0;
    }
  } catch (e) {
    if (e instanceof JobdeskError) {
      // A failed or canceled job asked for its result: the job failed, not the request.
      if (e.status === 409 && (e.code === 'job_failed' || e.code === 'job_canceled')) {
        err(`jobdesk: ${e.message}`);
        return 1;
      }
      err(`jobdesk: ${e.message}`);
      return 2;
    }
    err(`jobdesk: ${(e as Error).message}`);
    return 2;
  }
  return 2;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      err(`jobdesk: ${(e as Error).stack ?? String(e)}`);
      process.exit(2);
    },
  );
}
