export * from './ports';
export * from './repo';
export * from './moto';
export * from './runner';
export * from './platform';
export * from './io';
export * from './corpus';
export * from './leaks';
