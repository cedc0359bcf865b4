import { Injectable } from '@nestjs/common';
import { ErrorCode, JobInput } from '@jobdesk/contracts';
import { JobContext, JobFailure, JobHandler, JobResult } from '@jobdesk/queue';
import { ObjectNotFoundError, ObjectStorage } from '@jobdesk/storage';
import { ParseFormat, ResumeParser } from './resume-parser.pool';

const FORMATS: readonly string[] = ['pdf', 'docx', 'doc', 'odt', 'rtf', 'html', 'txt', 'md', 'png', 'jpeg'];

/** resume.parse: read the upload, parse it off the event loop, return JSON Resume. */
@Injectable()
export class ParseResumeHandler implements JobHandler {
  constructor(
    private readonly storage: ObjectStorage,
    private readonly parser: ResumeParser,
  ) {}

  async execute(input: JobInput, ctx: JobContext): Promise<JobResult> {
    if (input.kind !== 'file') throw new JobFailure(ErrorCode.CorruptInput, 'resume.parse needs an uploaded file');
    const { file } = input;
    if (!FORMATS.includes(file.format)) throw new JobFailure(ErrorCode.CorruptInput, `cannot parse ${file.format} files`);
    await ctx.reportProgress(5, 'reading');
    let bytes: Buffer;
    try {
      bytes = await this.storage.get(file.key);
    } catch (e) {
      if (e instanceof ObjectNotFoundError) throw new JobFailure(ErrorCode.InputMissing, 'the uploaded file is no longer in storage');
      throw e;
    }
    await ctx.reportProgress(20, 'parsing');
    const doc = await this.parser.parse(bytes, file.format as ParseFormat, ctx.signal);
    await ctx.reportProgress(95, 'storing');
    return doc as unknown as JobResult;
  }
}
