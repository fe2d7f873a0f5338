import { runAction, type ActionIO } from '@deploy-actions/core';

export async function main(io: ActionIO): Promise<void> {
  io.log.info(`hello ${io.inputs.required('task-definition')}`);
  io.setOutput('task-definition', 'x');
}

export function run(io?: ActionIO): Promise<void> {
  return runAction('render-task-def', main, io);
}
