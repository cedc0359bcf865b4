import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Piscina from 'piscina';
import { ErrorCode, ResumeDocument } from '@jobdesk/contracts';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { JobFailure } from '@jobdesk/queue';

export type ParseFormat = 'pdf' | 'docx' | 'doc' | 'odt' | 'rtf' | 'html' | 'txt' | 'md' | 'png' | 'jpeg';

/** Port: bytes of a resume → JSON Resume. */
export abstract class ResumeParser {
  abstract parse(bytes: Buffer, format: ParseFormat, signal?: AbortSignal): Promise<ResumeDocument>;
}

/**
 * Parses on worker threads (rule 6): PDF layout work is CPU-heavy, and on the main thread it
 * would starve BullMQ's lock renewal and get jobs run twice.
 */
@Injectable()
export class ThreadPoolResumeParser extends ResumeParser implements OnApplicationShutdown {
  private readonly pool: Piscina;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    super();
    this.pool = new Piscina({
      filename: workerFile(),
      maxThreads: Math.max(1, config.PARSER_THREADS),
      minThreads: 1,
      idleTimeout: 60_000,
      // A hostile file must not take the process down with it.
      resourceLimits: { maxOldGenerationSizeMb: 512 },
    });
  }

  async parse(bytes: Buffer, format: ParseFormat, signal?: AbortSignal): Promise<ResumeDocument> {
    const timeout = AbortSignal.timeout(this.config.PARSER_TIMEOUT_MS);
    const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let out: ResumeDocument | { error: { code: string; message: string } };
    try {
      out = await this.pool.run({ bytes, format, maxPages: this.config.PARSER_MAX_PAGES }, { signal: both });
    } catch (e) {
      if (timeout.aborted) throw new JobFailure(ErrorCode.Timeout, `parsing took longer than ${this.config.PARSER_TIMEOUT_MS} ms`, false);
      throw e;
    }
    if ('error' in out) throw new JobFailure(out.error.code, out.error.message, false);
    return out;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.destroy();
  }
}

/** The compiled worker; under Jest the source is TypeScript, so use the build's copy. */
function workerFile(): string {
  const here = join(__dirname, '../parsing/parser.worker.js');
  if (existsSync(here)) return here;
  const built = here.replace(/([\\/])apps([\\/])resume-parser/, '$1dist$1apps$2resume-parser');
  if (existsSync(built)) return built;
  throw new Error(`parser worker not found at ${here} or ${built}: run npm run build`);
}
