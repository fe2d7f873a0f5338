export * from './batches';
export * from './ssm';
export * from './taskdefs';
export * from './verify';
export * from './report';
