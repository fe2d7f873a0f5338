export * from './sim';
export * from './docker-registry';
export * from './base-image';
export * from './proxy';
export * from './nginx-proxy';
