export * from './job-types';
export * from './notify';
export * from './job';
export * from './events';
export * from './subjects';
export * from './error-codes';
export * from './resume';
export * from './api';
