export * from './resume-fixtures';
export * from './test-env';
export * from './strict-fake';
export * from './recording-event-publisher';
export * from './contract-fixtures';
