import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { NatsConnection, Subscription } from 'nats';
import type { z } from 'zod';
import {
  AuthenticateRequest,
  CancelJobRequest,
  CreateEndpointRequest,
  CreateJobRequest,
  EndpointDeliveriesRequest,
  EndpointRefRequest,
  GetJobRequest,
  JobRefRequest,
  ListJobsRequest,
  RetryJobRequest,
  SigningSecretsRequest,
  Subjects,
  TenantRequest,
  TransitionsRequest,
  UpdateEndpointRequest,
  WebhookSettingsRequest,
} from '@jobdesk/contracts';
import { NATS_CONNECTION, RpcContext, SUBJECTS, serveRpc } from '@jobdesk/messaging';
import { setLogContext } from '@jobdesk/observability';
import { JobsService } from './jobs.service';
import { JobStatements } from './job-statements';
import { refusingInvalidInput } from './invalid-input';
import { ApiKeysService } from '../auth/api-keys.service';
import { DeliveriesService } from '../deliveries/deliveries.service';
import { WebhooksService } from '../webhooks/webhooks.service';

/** The gateway's questions over NATS request-reply; each handler is one call into JobsService. */
@Injectable()
export class TrackerRpcServer implements OnApplicationBootstrap, OnModuleDestroy {
  private subs: Subscription[] = [];

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SUBJECTS) private readonly s: Subjects,
    private readonly jobs: JobsService,
    private readonly statements: JobStatements,
    private readonly keys: ApiKeysService,
    private readonly deliveries: DeliveriesService,
    private readonly webhooks: WebhooksService,
  ) {}

  onApplicationBootstrap(): void {
    // Lines logged while a request is handled name its tenant and job (the request id and trace come in the NATS headers).
    // A request PostgreSQL refuses as invalid text or JSON is the client's fault (422), not an outage.
    const about = <R extends { tenant: string; id?: string }, T>(fn: (req: R, rpc: RpcContext) => Promise<T>) =>
      refusingInvalidInput((req: R, rpc: RpcContext) => {
        setLogContext({ tenant: req.tenant, jobId: req.id });
        return fn(req, rpc);
      });
    this.subs = [
      serveRpc(this.nc, this.s.trackerCreate, 'job-tracker', CreateJobRequest, about((req, rpc) => this.jobs.create(req, rpc))),
      serveRpc(this.nc, this.s.trackerGet, 'job-tracker', GetJobRequest, about((req) => this.statements.get(req))),
      serveRpc(this.nc, this.s.trackerResult, 'job-tracker', GetJobRequest, about((req) => this.statements.resultBody(req))),
      serveRpc(this.nc, this.s.trackerList, 'job-tracker', ListJobsRequest, about((req) => this.jobs.list(req))),
      serveRpc(this.nc, this.s.trackerCancel, 'job-tracker', CancelJobRequest, about((req) => this.jobs.cancel(req))),
      serveRpc(this.nc, this.s.trackerRetry, 'job-tracker', RetryJobRequest, about((req) => this.jobs.retry(req))),
      serveRpc(this.nc, this.s.trackerTransitions, 'job-tracker', TransitionsRequest, about((req) => this.jobs.transitions(req))),
      serveRpc(this.nc, this.s.trackerDeliveries, 'job-tracker', JobRefRequest, about((req) => this.deliveries.list(req))),
      serveRpc(this.nc, this.s.trackerRedeliver, 'job-tracker', JobRefRequest, about((req) => this.deliveries.redeliver(req))),
      ...this.webhookHandlers(about),
      serveRpc(this.nc, this.s.trackerAuthenticate, 'job-tracker', AuthenticateRequest, (req) => this.keys.authenticate(req.key)),
    ];
  }

  private webhookHandlers(about: <R extends { tenant: string; id?: string }, T>(fn: (req: R, rpc: RpcContext) => Promise<T>) => (req: R, rpc: RpcContext) => Promise<T>): Subscription[] {
    const w = this.s.webhooks;
    const serve = <S extends z.ZodType<{ tenant: string; id?: string }>, T>(subject: string, schema: S, fn: (req: z.infer<S>) => Promise<T>) =>
      serveRpc(this.nc, subject, 'job-tracker', schema, about(fn));
    return [
      serve(w.createEndpoint, CreateEndpointRequest, (r) => this.webhooks.createEndpoint(r)),
      serve(w.listEndpoints, TenantRequest, (r) => this.webhooks.listEndpoints(r)),
      serve(w.getEndpoint, EndpointRefRequest, (r) => this.webhooks.getEndpoint(r)),
      serve(w.updateEndpoint, UpdateEndpointRequest, (r) => this.webhooks.updateEndpoint(r)),
      serve(w.deleteEndpoint, EndpointRefRequest, (r) => this.webhooks.deleteEndpoint(r)),
      serve(w.rotateEndpointSecret, EndpointRefRequest, (r) => this.webhooks.rotateEndpointSecret(r)),
      serve(w.endpointDeliveries, EndpointDeliveriesRequest, (r) => this.deliveries.listForEndpoint(r)),
      serve(w.getSecret, TenantRequest, (r) => this.webhooks.getSecret(r)),
      serve(w.rotateSecret, TenantRequest, (r) => this.webhooks.rotateSecret(r)),
      serve(w.getSettings, TenantRequest, (r) => this.webhooks.getSettings(r)),
      serve(w.putSettings, WebhookSettingsRequest, (r) => this.webhooks.putSettings(r)),
      serve(w.signingSecrets, SigningSecretsRequest, (r) => this.webhooks.signingSecrets(r)),
    ];
  }

  async onModuleDestroy(): Promise<void> {
    // Drain: stop taking requests, let the ones in hand answer.
    await Promise.all(this.subs.map((s) => s.drain().catch(() => undefined)));
  }
}
