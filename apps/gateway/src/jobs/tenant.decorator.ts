import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** The caller's tenant. Until API keys exist every caller is the `default` tenant. */
export const DEFAULT_TENANT = 'default';

export const Tenant = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const req = ctx.switchToHttp().getRequest<FastifyRequest & { tenant?: string }>();
  return req.tenant ?? DEFAULT_TENANT;
});
