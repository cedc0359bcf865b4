import { Controller, Get, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { DeliveryView, Subjects } from '@jobdesk/contracts';
import { RpcClient, SUBJECTS } from '@jobdesk/messaging';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { Tenant } from './tenant.decorator';
import { JobId } from './job-id.param';

/** A job's webhook delivery log, and manual redelivery (same webhook-id, a fresh round of attempts). */
@Controller('v1/jobs/:id')
@UseGuards(ApiKeyGuard)
export class DeliveriesController {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(SUBJECTS) private readonly s: Subjects,
  ) {}

  @Get('deliveries')
  async list(@Tenant() tenant: string, @JobId() id: string): Promise<{ data: DeliveryView[] }> {
    return { data: await this.rpc.request<DeliveryView[]>(this.s.trackerDeliveries, { tenant, id }) };
  }

  @Post('redeliver')
  @HttpCode(202)
  redeliver(@Tenant() tenant: string, @JobId() id: string): Promise<{ redelivery: number }> {
    return this.rpc.request<{ redelivery: number }>(this.s.trackerRedeliver, { tenant, id });
  }
}
