import { Inject, Injectable } from '@nestjs/common';
import { CreateJobReply, CreateJobRequest, JobRecord, Subjects, uuidv7 } from '@jobdesk/contracts';
import { RpcClient, SUBJECTS } from '@jobdesk/messaging';

export interface ChildJob {
  tenant: string;
  type: 'sms.send' | 'email.send';
  input: unknown;
  metadata: Record<string, string>;
  /** Made once per key: a re-run of the parent job finds the first child instead of a second. */
  key: string;
}

/** Port: make a job of its own (tracked, retried, listed) for a message to send. */
export abstract class ChildJobs {
  abstract create(job: ChildJob): Promise<JobRecord>;
}

@Injectable()
export class RpcChildJobs extends ChildJobs {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(SUBJECTS) private readonly s: Subjects,
  ) {
    super();
  }

  async create(job: ChildJob): Promise<JobRecord> {
    const req: CreateJobRequest = {
      id: uuidv7(),
      tenant: job.tenant,
      type: job.type,
      input: { kind: 'json', data: job.input },
      metadata: job.metadata,
      idempotency: { key: job.key, fingerprint: job.key },
    };
    return (await this.rpc.request<CreateJobReply>(this.s.trackerCreate, req)).job;
  }
}
