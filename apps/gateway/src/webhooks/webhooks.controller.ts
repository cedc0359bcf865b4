import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Put, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import {
  CreateEndpointBody,
  DeliveryView,
  EndpointView,
  ErrorCode,
  SecretView,
  Subjects,
  UpdateEndpointBody,
  WebhookSettingsBody,
  WebhookSettingsView,
} from '@jobdesk/contracts';
import { RpcClient, SUBJECTS } from '@jobdesk/messaging';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { Tenant } from '../jobs/tenant.decorator';
import { ApiProblem } from '../problems/api-problem';
import { parseJsonBody } from '../problems/json-body';
import { ReceiverCheck } from './receiver-check';

const DeliveriesQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }).strict();

/**
 * The tenant's webhooks: registered endpoints (own secret, event filter, delivery log), the
 * signing secret of per-job callbacks, and where to be told when an endpoint is disabled.
 * job-tracker owns all of it; each route is one request to it.
 */
@Controller('v1/webhooks')
@UseGuards(ApiKeyGuard)
export class WebhooksController {
  private readonly w: Subjects['webhooks'];

  constructor(
    private readonly rpc: RpcClient,
    private readonly receivers: ReceiverCheck,
    @Inject(SUBJECTS) s: Subjects,
  ) {
    this.w = s.webhooks;
  }

  @Get('endpoints')
  async list(@Tenant() tenant: string): Promise<{ data: EndpointView[] }> {
    return { data: await this.rpc.request<EndpointView[]>(this.w.listEndpoints, { tenant }) };
  }

  @Post('endpoints')
  @HttpCode(201)
  create(@Tenant() tenant: string, @Body() raw: unknown): Promise<EndpointView & { secret: string }> {
    const body = parseJsonBody(CreateEndpointBody, raw, { what: 'the endpoint', shape: '{"url", "events", "description"}' });
    this.receivers.assertReachable({ url: body.url });
    return this.rpc.request(this.w.createEndpoint, { tenant, ...body });
  }

  @Get('endpoints/:id')
  get(@Tenant() tenant: string, @Param('id') id: string): Promise<EndpointView & { secret: string }> {
    return this.rpc.request(this.w.getEndpoint, { tenant, id });
  }

  @Patch('endpoints/:id')
  update(@Tenant() tenant: string, @Param('id') id: string, @Body() raw: unknown): Promise<EndpointView> {
    const changes = parseJsonBody(UpdateEndpointBody, raw, { what: 'the change', shape: '{"url", "events", "description", "enabled"}' });
    this.receivers.assertReachable({ url: changes.url });
    return this.rpc.request(this.w.updateEndpoint, { tenant, id, changes });
  }

  @Delete('endpoints/:id')
  @HttpCode(204)
  async remove(@Tenant() tenant: string, @Param('id') id: string): Promise<void> {
    await this.rpc.request(this.w.deleteEndpoint, { tenant, id });
  }

  @Post('endpoints/:id/secret/rotate')
  @HttpCode(200)
  rotateEndpointSecret(@Tenant() tenant: string, @Param('id') id: string): Promise<SecretView> {
    return this.rpc.request(this.w.rotateEndpointSecret, { tenant, id });
  }

  @Get('endpoints/:id/deliveries')
  async deliveries(@Tenant() tenant: string, @Param('id') id: string, @Query() raw: Record<string, string>): Promise<{ data: DeliveryView[] }> {
    const q = DeliveriesQuery.safeParse(raw);
    if (!q.success) throw new ApiProblem(400, ErrorCode.ValidationFailed, 'invalid query: limit is 1-500', { errors: q.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })) });
    return { data: await this.rpc.request<DeliveryView[]>(this.w.endpointDeliveries, { tenant, id, limit: q.data.limit }) };
  }

  @Get('secret')
  secret(@Tenant() tenant: string): Promise<SecretView> {
    return this.rpc.request(this.w.getSecret, { tenant });
  }

  @Post('secret/rotate')
  @HttpCode(200)
  rotateSecret(@Tenant() tenant: string): Promise<SecretView> {
    return this.rpc.request(this.w.rotateSecret, { tenant });
  }

  @Get('settings')
  settings(@Tenant() tenant: string): Promise<WebhookSettingsView> {
    return this.rpc.request(this.w.getSettings, { tenant });
  }

  @Put('settings')
  putSettings(@Tenant() tenant: string, @Body() raw: unknown): Promise<WebhookSettingsView> {
    const body = parseJsonBody(WebhookSettingsBody, raw, { what: 'the settings', shape: '{"alert_email"}', plural: true });
    return this.rpc.request(this.w.putSettings, { tenant, ...body });
  }
}
