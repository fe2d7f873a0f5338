export * from './formats';
export * from './manifest';
export * from './references';
