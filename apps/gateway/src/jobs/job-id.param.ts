import { Param, PipeTransform } from '@nestjs/common';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** UUIDs are case-insensitive (RFC 9562) and job ids are kept in lower case: `01A2…` is `01a2…`. */
export const normalizeJobId: PipeTransform<string, string> = {
  // Anything else passes as it is: job-tracker answers 404 for it, naming what was asked.
  transform: (id) => (UUID.test(id) ? id.toLowerCase() : id),
};

/** The `:id` of a job route, normalized; every route that takes a job id uses this. */
export const JobId = (): ParameterDecorator => Param('id', normalizeJobId);
