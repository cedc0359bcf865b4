import { ErrorCode } from '@jobdesk/contracts';
import { RpcFailure } from '@jobdesk/messaging';
import { refusingInvalidInput } from './invalid-input';

const dbError = (fields: Record<string, string>) => Object.assign(new Error('invalid input syntax for type json'), fields);
const failureOf = async (e: unknown) => refusingInvalidInput(async () => Promise.reject(e))().catch((x: unknown) => x);

describe('refusingInvalidInput', () => {
  it('turns text or JSON PostgreSQL refuses into a 422 validation failure, from pg and MikroORM alike', async () => {
    for (const e of [dbError({ code: '22P02' }), dbError({ sqlState: '22P05' }), dbError({ code: '22021' })]) {
      const f = await failureOf(e);
      expect(f).toBeInstanceOf(RpcFailure);
      expect(f).toMatchObject({ code: ErrorCode.ValidationFailed, status: 422, message: expect.stringContaining('cannot store') });
    }
  });

  it('leaves other errors as they are (the database down stays a 503 for serveRpc to give)', async () => {
    const down = dbError({ code: '57P01' });
    expect(await failureOf(down)).toBe(down);
    const plain = new Error('boom');
    expect(await failureOf(plain)).toBe(plain);
  });

  it('passes the handler\'s value and arguments through', async () => {
    await expect(refusingInvalidInput(async (a: number, b: number) => a + b)(2, 3)).resolves.toBe(5);
  });
});
