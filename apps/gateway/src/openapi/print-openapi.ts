import { buildOpenApiDocument } from './openapi.document';

/** Prints the OpenAPI document (used by `npm run gen:client`). */
process.stdout.write(`${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
