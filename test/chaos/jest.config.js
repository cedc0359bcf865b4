// `npm run chaos`: the full crash/restart/overload suite (test/chaos/*.chaos-spec.ts), one file, in band.
const base = require('../../jest.config.js');
const e2e = base.projects.find((p) => p.displayName === 'e2e');

module.exports = {
  ...e2e,
  displayName: 'chaos',
  testMatch: ['<rootDir>/test/chaos/**/*.chaos-spec.ts'],
  maxWorkers: 1,
  testTimeout: 30 * 60_000,
};
