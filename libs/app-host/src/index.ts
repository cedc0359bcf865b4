export * from './boot-app';
