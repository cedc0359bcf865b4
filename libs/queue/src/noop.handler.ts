import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, JobInput, NoopInput } from '@jobdesk/contracts';
import { JobFailure } from './job-failure';
import { JobContext, JobHandler, JobResult } from './job-handler';

/** `noop`: waits `ms`, optionally failing its first attempts. The pipeline's own cost, measurable. */
@Injectable()
export class NoopHandler implements JobHandler {
  async execute(input: JobInput, ctx: JobContext): Promise<JobResult> {
    const parsed = input.kind === 'json' ? NoopInput.safeParse(input.data) : undefined;
    if (!parsed?.success) throw new JobFailure(ErrorCode.CorruptInput, 'invalid noop input');
    const { ms, fail_attempts } = parsed.data;
    if (ms > 0) await sleep(ms, undefined, { signal: ctx.signal });
    if (ctx.attempt <= fail_attempts) throw new JobFailure(ErrorCode.WorkerError, `failing attempt ${ctx.attempt} of the first ${fail_attempts} as asked`, true);
    return { ok: true, attempt: ctx.attempt, slept_ms: ms };
  }
}
