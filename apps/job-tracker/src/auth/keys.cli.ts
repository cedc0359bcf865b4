import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { loadConfig } from '@jobdesk/config';
import { ormConfig } from '../mikro-orm.config';
import { migrate } from '../migrate';
import { ApiKeysService } from './api-keys.service';
import { retentionProblem, TenantSettingsService } from '../tenants/tenant-settings.service';

const USAGE = `usage: npm run keys -- create --tenant <tenant> [--name <name>] [--admin]
       npm run keys -- revoke <key id>
       npm run keys -- list [--tenant <tenant>]
       npm run keys -- retention --tenant <tenant> --days <days>   (how long finished jobs keep their files)`;

/** `npm run keys`: operators make and revoke API keys (the new key is printed alone on the last line). */
async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const flag = (name: string) => {
    const i = rest.indexOf(`--${name}`);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  if (!cmd || !['create', 'revoke', 'list', 'retention'].includes(cmd)) {
    console.error(USAGE);
    return 2;
  }
  await migrate();
  const orm = await MikroORM.init(ormConfig(loadConfig()));
  const keys = new ApiKeysService(orm.em);
  try {
    if (cmd === 'retention') {
      const tenant = flag('tenant');
      const days = flag('days');
      if (!tenant || days === undefined) {
        console.error(USAGE);
        return 2;
      }
      // Say what is wrong, not only how it is used: `--days -1` printed the usage alone.
      const problem = retentionProblem(/^\d+$/.test(days) ? Number(days) : NaN);
      if (problem) {
        console.error(`--days ${problem}; got ${days}`);
        return 2;
      }
      await new TenantSettingsService(orm.em).setRetention(tenant, Number(days));
      console.log(`tenant ${tenant}: finished jobs keep their files ${days} day(s)`);
    } else if (cmd === 'create') {
      const tenant = flag('tenant');
      if (!tenant) {
        console.error(USAGE);
        return 2;
      }
      const { id, key } = await keys.create(tenant, { name: flag('name'), admin: rest.includes('--admin') });
      console.error(`created key ${id} for tenant ${tenant}${rest.includes('--admin') ? ' (admin)' : ''}; it is shown once:`);
      console.log(key);
    } else if (cmd === 'revoke') {
      if (!rest[0]) {
        console.error(USAGE);
        return 2;
      }
      const done = await keys.revoke(rest[0]);
      console.log(done ? `revoked ${rest[0]}` : `no active key ${rest[0]}`);
      return done ? 0 : 1;
    } else {
      for (const k of await keys.list(flag('tenant'))) {
        console.log([k.id, k.tenant, k.admin ? 'admin' : '-', k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active', k.name ?? ''].join('\t'));
      }
    }
    return 0;
  } finally {
    await orm.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error((e as Error).message);
    process.exit(1);
  },
);
