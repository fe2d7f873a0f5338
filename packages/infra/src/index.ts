export * from './template';
export * from './resolve';
export * from './iam';
export * from './docs';
