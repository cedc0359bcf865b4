import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RpcFailure } from '@jobdesk/messaging';
import { describeError } from '@jobdesk/observability';
import { ApiProblem, toProblem } from './api-problem';

/** Every error leaves the gateway as application/problem+json. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly log = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    sendProblem(ctx.getRequest<FastifyRequest>(), ctx.getResponse<FastifyReply>(), exception, this.log);
  }
}

/** A job-tracker failure carries the status and code the client should see. */
export function fromRpcFailure(exception: unknown): unknown {
  return exception instanceof RpcFailure ? new ApiProblem(exception.status, exception.code, exception.message, exception.status === 503 ? { retryAfterS: 5 } : {}) : exception;
}

export function sendProblem(req: FastifyRequest, reply: FastifyReply, exception: unknown, log: Logger): void {
  const { body, retryAfterS, unexpected } = toProblem(fromRpcFailure(exception), req.url.split('?')[0]);
  // The route's pattern and the error's class and short message; the stack's frames, not its first line (the message again).
  if (unexpected) log.error(`${req.method} ${req.routeOptions?.url ?? 'unmatched'}: ${describeError(exception)}`, (exception as Error)?.stack?.split('\n').slice(1).join('\n'));
  if (retryAfterS) void reply.header('Retry-After', String(retryAfterS));
  void reply.status(body.status).header('Content-Type', 'application/problem+json').send(body);
}
