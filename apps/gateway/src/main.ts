import { Logger } from '@nestjs/common';
import multipart from '@fastify/multipart';
import { bootApp } from '@jobdesk/app-host';
import { loadConfig } from '@jobdesk/config';
import { Metrics } from '@jobdesk/observability';
import { AppModule } from './app.module';
import { sendProblem } from './problems/problem-details.filter';
import { ApiProblem } from './problems/api-problem';
import { ErrorCode } from '@jobdesk/contracts';

void bootApp(AppModule, {
  name: 'gateway',
  defaultPort: 3000,
  bodyLimit: 1024 * 1024,
  // A path parameter over Fastify's length limit (a "job id" of 100+ characters) or a malformed
  // URL never reaches a route: still problem+json.
  frameworkErrors: (err, req, reply) => sendProblem(req, reply, err, new Logger('http')),
  configure: async (app) => {
    const config = loadConfig();
    const fastify = app.getHttpAdapter().getInstance();
    // Errors Fastify raises before a route runs (bad JSON, wrong content type) keep their codes:
    // Nest's handler would turn them into anonymous HttpExceptions. Ours is the only one: Nest's,
    // set at init, is not installed (replacing it made Fastify warn FSTWRN004 on every start).
    const log = new Logger('http');
    fastify.setErrorHandler((err, req, reply) => sendProblem(req, reply, err, log));
    app.getHttpAdapter().setErrorHandler = () => undefined;
    // A text/plain body is answered 415 (send JSON). Read as bytes: as UTF-8 text, one with
    // invalid bytes (a PDF posted as text/plain) failed Fastify's length check first, a 400
    // "Request body size did not match Content-Length".
    fastify.removeContentTypeParser('text/plain');
    fastify.addContentTypeParser('text/plain', { parseAs: 'buffer' }, (_req, body, done) => done(null, body.toString('utf8')));
    await app.register(multipart as never, {
      limits: { fileSize: config.MAX_UPLOAD_BYTES, files: 1, fields: 20, fieldSize: 64 * 1024, parts: 25 },
    });
    const http = app.get(Metrics).histogram('jobdesk_http_request_duration_seconds', 'HTTP requests', ['method', 'route', 'status'], [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10]);
    // `/docs/` as people type it: to the page (relative, so a path prefix in front is kept; the
    // page's own relative asset links only resolve from `/docs`).
    fastify.addHook('onRequest', async (req, reply) => {
      if (req.method === 'GET' && req.url.split('?')[0] === '/docs/') return reply.code(308).header('Location', '../docs').send();
      // A compressed body would be read as garbage ("not valid JSON"): say what is wrong.
      const encoding = req.headers['content-encoding'];
      if (encoding && encoding.toLowerCase() !== 'identity') {
        throw new ApiProblem(415, ErrorCode.UnsupportedMediaType, `Content-Encoding ${encoding.slice(0, 40)} is not supported: send the body uncompressed`);
      }
    });
    fastify.addHook('onResponse', async (req, reply) => {
      http.observe({ method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    });
  },
});
