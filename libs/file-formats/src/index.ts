export * from './sniff-format';
