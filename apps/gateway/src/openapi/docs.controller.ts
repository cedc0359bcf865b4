import { Controller, Get, Header, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ErrorCode } from '@jobdesk/contracts';
import { ApiProblem } from '../problems/api-problem';
import { openApiJson } from './openapi.document';

/** The page may load only its own scripts and styles (Swagger UI sets inline styles), and call this origin. */
export const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const INIT_JS = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({ url: new URL('openapi.json', document.baseURI).href, dom_id: '#swagger-ui', deepLinking: true, tryItOutEnabled: false,
    presets: [SwaggerUIBundle.presets.apis], layout: 'BaseLayout' });
});
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>jobdesk API</title>
<link rel="stylesheet" href="docs/swagger-ui.css">
<link rel="icon" type="image/png" href="docs/favicon-32x32.png">
</head>
<body>
<noscript><p>The reference needs JavaScript; the raw document is at <a href="openapi.json">/openapi.json</a>.</p></noscript>
<div id="swagger-ui"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script src="docs/init.js"></script>
</body>
</html>
`;

/** Assets served from the swagger-ui-dist package itself: nothing is fetched from a CDN. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};
const assetCache = new Map<string, Buffer>();
function asset(name: string): Buffer {
  let b = assetCache.get(name);
  if (!b) {
    b = readFileSync(join(dirname(require.resolve('swagger-ui-dist/package.json')), name));
    assetCache.set(name, b);
  }
  return b;
}

/** `GET /openapi.json` and the `/docs` page: public, no API key. */
@Controller()
export class DocsController {
  @Get('openapi.json')
  @Header('Content-Type', 'application/json; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  document(): string {
    return openApiJson();
  }

  @Get('docs')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', DOCS_CSP)
  page(): string {
    return PAGE;
  }

  @Get('docs/:asset')
  async asset(@Param('asset') name: string, @Res() res: FastifyReply): Promise<void> {
    if (name === 'init.js') return void (await res.header('Content-Type', 'text/javascript; charset=utf-8').header('Cache-Control', 'no-cache').send(INIT_JS));
    if (!Object.hasOwn(ASSETS, name)) throw new ApiProblem(404, ErrorCode.NotFound, 'no such docs asset');
    await res.header('Content-Type', ASSETS[name]).header('Cache-Control', 'public, max-age=86400').send(asset(name));
  }
}
