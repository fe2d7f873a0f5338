// Cold start of the bundle as the runner starts it, and the
// in-process cost of rendering a 10-container definition. Figures only; nothing here asserts timings.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import {
  cleanTaskDefinition,
  diffTaskDefinitions,
  renderTaskDefinition,
  validateTaskDefinition,
} from '@deploy-actions/taskdef';
import { runBundle } from '@deploy-actions/testing';
import type { Figure } from '../../../scripts/bench';

function tenContainers(): RegisterTaskDefinitionCommandInput {
  return {
    family: 'bench',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '4096',
    memory: '16384',
    executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
    containerDefinitions: Array.from({ length: 10 }, (_, i) => ({
      name: `c${i}`,
      image: `repo/c${i}:1`,
      essential: i === 0,
      memory: 1024,
      portMappings: [{ containerPort: 8000 + i }],
      environment: Array.from({ length: 20 }, (_, j) => ({ name: `VAR_${j}`, value: `value-${j}` })),
      secrets: Array.from({ length: 5 }, (_, j) => ({
        name: `SECRET_${j}`,
        valueFrom: `arn:aws:ssm:eu-west-2:1:parameter/s${j}`,
      })),
      logConfiguration: {
        logDriver: 'awslogs',
        options: { 'awslogs-group': '/ecs/bench', 'awslogs-region': 'eu-west-2', 'awslogs-stream-prefix': 'ecs' },
      },
    })),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

export default async function bench(): Promise<Figure[]> {
  const workspace = await mkdtemp(path.join(tmpdir(), 'render-bench-'));
  await writeFile(path.join(workspace, 'td.json'), JSON.stringify(tenContainers()));
  const starts: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const result = await runBundle('render-task-def', {
      workspace,
      inputs: { 'task-definition': 'td.json', images: 'c0=repo/c0:2\nc9=repo/c9:2' },
    });
    starts.push(performance.now() - t0);
    if (result.code !== 0) throw new Error(`bundle failed: ${result.stdout}${result.stderr}`);
  }

  const source = tenContainers();
  const iterations = 200;
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) {
    const { taskDefinition } = cleanTaskDefinition(source, 'bench');
    const rendered = renderTaskDefinition(taskDefinition, {
      containers: ['c3'],
      images: Object.fromEntries(Array.from({ length: 10 }, (_, j) => [`c${j}`, `repo/c${j}:${i}`])),
      environment: {
        mode: 'merge',
        values: [
          { name: 'VAR_1', value: 'x' },
          { name: 'NEW', value: 'y' },
        ],
      },
      logDriver: 'awslogs',
    });
    validateTaskDefinition(rendered, 'bench');
    diffTaskDefinitions(taskDefinition, rendered);
  }
  const renderMs = (performance.now() - t0) / iterations;

  return [
    {
      name: 'cold start (bundle, file source)',
      value: median(starts),
      unit: 'ms',
      note: `median of ${starts.length} runs of node dist/index.js on a 10-container file, ${process.env['ACTIONS_NODE'] ? 'ACTIONS_NODE' : process.version}`,
    },
    {
      name: 'render 10 containers',
      value: renderMs,
      unit: 'ms',
      note: `clean + render + validate + diff, mean of ${iterations}`,
    },
  ];
}
