export * from './formats';
export * from './manifest';
