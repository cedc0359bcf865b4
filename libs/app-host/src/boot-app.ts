import 'reflect-metadata';
import { ConsoleLogger, INestApplication, Logger, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@jobdesk/config';
import { randomUUID } from 'node:crypto';

export interface BootOptions {
  name: string;
  defaultPort: number;
  /** Extra setup before the modules start (plugins, hooks). */
  configure?: (app: NestFastifyApplication) => Promise<void> | void;
  /** Setup that must come after Nest's own (it installs Fastify's error handler during init). */
  afterInit?: (app: NestFastifyApplication) => Promise<void> | void;
  bodyLimit?: number;
}

/**
 * Starts one jobdesk app: validated config (a bad variable stops the process with its name),
 * logger, Fastify HTTP (the API for the gateway; metrics and health for every app) and
 * shutdown hooks so SIGTERM drains work before exit.
 */
export async function bootApp(module: Type<unknown>, opts: BootOptions): Promise<INestApplication> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    console.error(`${opts.name}: ${(e as Error).message}`);
    process.exit(78); // EX_CONFIG
  }
  const levels = ['error', 'warn', 'log', 'debug'] as const;
  const logger = new ConsoleLogger({
    prefix: opts.name,
    json: config.LOG_FORMAT === 'json',
    logLevels: levels.slice(0, levels.indexOf(config.LOG_LEVEL) + 1) as never,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    module,
    new FastifyAdapter({
      bodyLimit: opts.bodyLimit ?? 1024 * 1024,
      trustProxy: true,
      // Honour a caller's (or the proxy's) request id, else make one; echoed on every response.
      requestIdHeader: 'x-request-id',
      genReqId: () => randomUUID(),
    }),
    { logger, bufferLogs: true },
  );
  app.enableShutdownHooks();
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', async (req, reply) => {
      void reply.header('x-request-id', req.id);
      void reply.header('x-content-type-options', 'nosniff');
      void reply.header('x-frame-options', 'DENY');
      void reply.header('referrer-policy', 'no-referrer');
      if (!reply.hasHeader('content-security-policy')) void reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    });
  await opts.configure?.(app);
  await app.init();
  await opts.afterInit?.(app);
  const port = config.PORT ?? opts.defaultPort;
  await app.listen(port, config.HOST);
  new Logger(opts.name).log(`listening on http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`);
  return app;
}
