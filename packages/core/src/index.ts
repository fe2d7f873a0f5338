export * from './errors';
export * from './inputs';
export * from './mask';
export * from './aws';
export * from './io';
export * from './runner';
export * from './files';
export * as md from './summary';
export { SUITE_NAME, SUITE_VERSION } from './version';
