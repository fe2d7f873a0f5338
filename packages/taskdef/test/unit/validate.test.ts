import type { ContainerDefinition, RegisterTaskDefinitionCommandInput, Secret } from '@aws-sdk/client-ecs';
import { ConfigErrors } from '@deploy-actions/core';
import {
  fargateMemoryOptions,
  MAX_TASK_DEFINITION_BYTES,
  parseCpuUnits,
  parseMemoryMiB,
  RULES,
  validateTaskDefinition,
} from '@deploy-actions/taskdef';
import { Check } from '../../src/validate/context';
import { platformTaskDefinition } from './fixtures';

const WHERE = "file '.aws/td.json'";
type Edit = (td: RegisterTaskDefinitionCommandInput) => void;
const api = (td: RegisterTaskDefinitionCommandInput): ContainerDefinition => td.containerDefinitions![1]!;
const nginx = (td: RegisterTaskDefinitionCommandInput): ContainerDefinition => td.containerDefinitions![0]!;

function problems(edit: Edit): string {
  const td = platformTaskDefinition();
  edit(td);
  try {
    validateTaskDefinition(td, WHERE);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigErrors);
    return (error as Error).message;
  }
  return '';
}

describe('validateTaskDefinition', () => {
  test('the platform definition is valid', () => {
    expect(problems(() => undefined)).toBe('');
  });

  test.each<[string, Edit, string]>([
    ['family missing', (td) => delete (td as Partial<typeof td>).family, 'at family: is missing'],
    ['family with spaces', (td) => (td.family = 'my app'), 'family: is not a valid family name'],
    [
      'bad launch type',
      (td) => (td.requiresCompatibilities = ['LAMBDA' as 'EC2']),
      'requiresCompatibilities[0]: is not a launch type — use one of: EC2, EXTERNAL, FARGATE, MANAGED_INSTANCES',
    ],
    ['bridge on Fargate', (td) => (td.networkMode = 'bridge'), 'networkMode: is bridge but Fargate requires awsvpc'],
    ['no networkMode on Fargate', (td) => delete td.networkMode, 'networkMode: is missing but Fargate requires awsvpc'],
    [
      'unknown network mode',
      (td) => (td.networkMode = 'overlay' as 'host'),
      'networkMode: is not a network mode — use one of: awsvpc, bridge, host, none',
    ],
    ['cpu not a size', (td) => (td.cpu = 'fast'), 'at cpu: is not a CPU size'],
    ['memory not a size', (td) => (td.memory = 'big'), 'at memory: is not a memory size'],
    ['Fargate without cpu', (td) => delete td.cpu, 'cpu: is missing; Fargate needs a task-level cpu'],
    ['Fargate without memory', (td) => delete td.memory, 'memory: is missing; Fargate needs a task-level memory'],
    ['cpu not a Fargate size', (td) => (td.cpu = '300'), '300 CPU units is not a Fargate size'],
    ['256 with 1536', (td) => ((td.cpu = '256'), (td.memory = '1536')), 'with cpu 256 use memory 512, 1024, 2048'],
    ['512 with 512', (td) => (td.memory = '512'), '512 MiB is not allowed with cpu 512 on Fargate'],
    [
      '4096 with 4096',
      (td) => ((td.cpu = '4 vCPU'), (td.memory = '4 GB')),
      'with cpu 4096 use memory 8192..30720 in steps of 1024',
    ],
    [
      'task role not an ARN',
      (td) => (td.taskRoleArn = 'my role'),
      'taskRoleArn: is neither an IAM role ARN nor a role name',
    ],
    [
      'execution role a user',
      (td) => (td.executionRoleArn = 'arn:aws:iam::123456789012:user/x'),
      'executionRoleArn: is neither an IAM role ARN nor a role name',
    ],
    [
      'ephemeral storage',
      (td) => (td.ephemeralStorage = { sizeInGiB: 10 }),
      'ephemeralStorage.sizeInGiB: 10 GiB is out of range',
    ],
    ['duplicate volumes', (td) => (td.volumes = [{ name: 'v' }, { name: 'v' }]), "the volume name 'v' is used twice"],
    ['no containers', (td) => (td.containerDefinitions = []), 'containerDefinitions: has no containers'],
    ['duplicate container names', (td) => (api(td).name = 'nginx'), "the container name 'nginx' is used twice"],
    [
      'no essential container',
      (td) => td.containerDefinitions!.forEach((c) => (c.essential = false)),
      'has no essential container',
    ],
    ['container without a name', (td) => delete nginx(td).name, 'containerDefinitions[0].name: is missing'],
    [
      'container name with a dot',
      (td) => ((nginx(td).name = 'web.1'), (nginx(td).dependsOn = [])),
      'containerDefinitions[0].name: is not a valid container name',
    ],
    ['container without an image', (td) => delete api(td).image, "containerDefinitions[1] ('api').image: is missing"],
    ['blank image', (td) => (api(td).image = '  '), "('api').image: is missing"],
    ['image with a space', (td) => (api(td).image = 'nginx 1.27'), "('api').image: is not an image reference"],
    [
      'container memory over task',
      (td) => (api(td).memory = 2048),
      "('api').memory: 2048 MiB is more than the task's 1024 MiB",
    ],
    [
      'reservation over memory',
      (td) => (api(td).memoryReservation = 600),
      "memoryReservation: 600 MiB is more than the container's memory 512 MiB",
    ],
    ['containers add up over task', (td) => (nginx(td).memory = 768), "the containers' memory adds up to 1280 MiB"],
    [
      'container cpu over task',
      (td) => (api(td).cpu = 1024),
      "('api').cpu: 1024 CPU units is more than the task's 512",
    ],
    ['container memory tiny', (td) => (api(td).memory = 4), '4 MiB is too little'],
    [
      'hostPort differs under awsvpc',
      (td) => (nginx(td).portMappings = [{ containerPort: 80, hostPort: 8080 }]),
      'hostPort: is 8080 but containerPort is 80; under awsvpc they must be equal',
    ],
    [
      'port out of range',
      (td) => (nginx(td).portMappings = [{ containerPort: 70000 }]),
      'portMappings[0].containerPort: is not a port number',
    ],
    [
      'no containerPort',
      (td) => (nginx(td).portMappings = [{ protocol: 'tcp' }]),
      'portMappings[0]: has no containerPort',
    ],
    [
      'bad protocol',
      (td) => (nginx(td).portMappings = [{ containerPort: 80, protocol: 'http' as 'tcp' }]),
      'protocol: is not a protocol — use one of: tcp, udp',
    ],
    [
      'bad appProtocol',
      (td) => (nginx(td).portMappings = [{ containerPort: 80, appProtocol: 'https' as 'http' }]),
      'appProtocol: is not an app protocol — use one of: grpc, http, http2',
    ],
    [
      'same port in two containers',
      (td) => (api(td).portMappings = [{ containerPort: 80 }]),
      '80/tcp is already used by containerDefinitions[0]',
    ],
    ['links under awsvpc', (td) => (nginx(td).links = ['api']), 'links: is not supported with awsvpc'],
    [
      'env var twice',
      (td) => api(td).environment!.push({ name: 'PORT', value: '1' }),
      "('api').environment: the variable 'PORT' is set twice",
    ],
    ['env var without a name', (td) => api(td).environment!.push({ value: '1' }), 'environment[2].name: is missing'],
    [
      'env var name with a space',
      (td) => api(td).environment!.push({ name: 'MY VAR', value: '1' }),
      'environment[2].name: is not a valid variable name',
    ],
    [
      'env var without a value',
      (td) => api(td).environment!.push({ name: 'EMPTY' }),
      'environment[2].value: is missing',
    ],
    [
      'secret without valueFrom',
      (td) => api(td).secrets!.push({ name: 'X' } as Secret),
      'secrets[1].valueFrom: is missing',
    ],
    [
      'secret without a name',
      (td) => api(td).secrets!.push({ valueFrom: 'arn:x' } as Secret),
      'secrets[1].name: is missing',
    ],
    [
      'secret twice',
      (td) => api(td).secrets!.push({ name: 'RAILS_MASTER_KEY', valueFrom: 'a' }),
      "the secret 'RAILS_MASTER_KEY' is set twice",
    ],
    [
      'env and secret',
      (td) => api(td).secrets!.push({ name: 'PORT', valueFrom: 'a' }),
      "'PORT' is both an environment variable and a secret",
    ],
    [
      'secrets without execution role',
      (td) => delete td.executionRoleArn,
      "executionRoleArn: is missing but containerDefinitions[1] ('api') uses secrets",
    ],
    [
      'log driver unknown',
      (td) => (api(td).logConfiguration!.logDriver = 'cloudwatch' as 'awslogs'),
      'logDriver: is not a log driver — use one of: ',
    ],
    [
      'log driver not on Fargate',
      (td) => (api(td).logConfiguration = { logDriver: 'json-file' }),
      'json-file is not available on Fargate — use one of: awslogs, splunk, awsfirelens',
    ],
    [
      'awslogs without group',
      (td) => delete api(td).logConfiguration!.options!['awslogs-group'],
      'options.awslogs-group: is missing; awslogs needs it',
    ],
    [
      'awslogs without region',
      (td) => delete api(td).logConfiguration!.options!['awslogs-region'],
      'options.awslogs-region: is missing',
    ],
    [
      'awslogs without prefix on Fargate',
      (td) => delete api(td).logConfiguration!.options!['awslogs-stream-prefix'],
      'awslogs-stream-prefix: is missing; Fargate needs it',
    ],
    [
      'dependsOn unknown container',
      (td) => (nginx(td).dependsOn = [{ containerName: 'db', condition: 'START' }]),
      'dependsOn[0].containerName: names no container of this task — use one of: api',
    ],
    [
      'dependsOn itself',
      (td) => (nginx(td).dependsOn = [{ containerName: 'nginx', condition: 'START' }]),
      'a container cannot depend on itself',
    ],
    [
      'dependsOn bad condition',
      (td) => (nginx(td).dependsOn = [{ containerName: 'api', condition: 'READY' as 'START' }]),
      'dependsOn[0].condition: is not a condition — use one of: COMPLETE, HEALTHY, START, SUCCESS',
    ],
    [
      'mount of unknown volume',
      (td) => (nginx(td).mountPoints = [{ sourceVolume: 'data', containerPath: '/d' }]),
      'mountPoints[0].sourceVolume: names no volume of this task — declare the volume under "volumes"',
    ],
    ['empty health check', (td) => (api(td).healthCheck = { command: [] }), 'healthCheck.command: is empty'],
    ['privileged on Fargate', (td) => (api(td).privileged = true), 'privileged: is not supported on Fargate'],
    [
      'EC2 without any memory',
      (td) => ((td.requiresCompatibilities = ['EC2']), delete td.memory, delete api(td).memory),
      "containerDefinitions[0] ('nginx').memory: is missing and the task has no memory",
    ],
  ])('%s', (_name, edit, message) => {
    expect(problems(edit)).toContain(message);
  });

  test('every problem is reported at once, each naming the file', () => {
    const message = problems((td) => {
      td.networkMode = 'bridge';
      delete api(td).image;
      api(td).environment!.push({ name: 'PORT', value: '1' });
    });
    expect(message).toMatch(/^3 problems:/);
    expect(
      message
        .split('\n')
        .slice(1)
        .every((line) => line.includes(WHERE)),
    ).toBe(true);
  });

  test('a bridge EC2 task may map another host port', () => {
    expect(
      problems((td) => {
        td.requiresCompatibilities = ['EC2'];
        td.networkMode = 'bridge';
        nginx(td).portMappings = [{ containerPort: 80, hostPort: 8080 }];
      }),
    ).toBe('');
  });
});

/** One case per rule at least, run through that rule alone: each concern is tested where it lives. */
const BY_RULE: [keyof typeof RULES, string, Edit, string][] = [
  ['family', 'family with a colon', (td) => (td.family = 'web:1'), 'family: is not a valid family name'],
  ['launchTypes', 'bridge on Fargate', (td) => (td.networkMode = 'bridge'), 'Fargate requires awsvpc'],
  ['taskSize', 'Fargate size pair', (td) => (td.memory = '512'), '512 MiB is not allowed with cpu 512 on Fargate'],
  ['roles', 'template placeholder', (td) => (td.executionRoleArn = '{{EXECUTION_ROLE_ARN}}'), 'nor a role name'],
  ['roles', 'account placeholder', (td) => (td.taskRoleArn = 'arn:aws:iam::XXXXXXXXXXXX:role/x'), 'taskRoleArn'],
  ['storageAndVolumes', 'storage', (td) => (td.ephemeralStorage = { sizeInGiB: 300 }), '300 GiB is out of range'],
  ['containerSet', 'no containers', (td) => (td.containerDefinitions = []), 'has no containers'],
  ['images', 'placeholder image', (td) => (api(td).image = '<IMAGE1_NAME>'), 'looks like an unfilled placeholder'],
  ['containerResources', 'memory sum', (td) => (nginx(td).memory = 768), "the containers' memory adds up to 1280 MiB"],
  [
    'ports',
    'awsvpc host port',
    (td) => (nginx(td).portMappings = [{ containerPort: 80, hostPort: 81 }]),
    'must be equal',
  ],
  ['variables', 'env twice', (td) => api(td).environment!.push({ name: 'PORT', value: '1' }), "'PORT' is set twice"],
  [
    'executionRole',
    'ECR on Fargate',
    (td) => {
      delete td.executionRoleArn;
      delete api(td).secrets;
      delete api(td).logConfiguration;
      nginx(td).image = '123456789012.dkr.ecr.eu-west-2.amazonaws.com/web:1';
    },
    "is missing but containerDefinitions[0] ('nginx') pulls from ECR on Fargate",
  ],
  [
    'logging',
    'awslogs group',
    (td) => delete api(td).logConfiguration!.options!['awslogs-group'],
    'awslogs-group: is missing',
  ],
  [
    'references',
    'volumesFrom',
    (td) => (api(td).volumesFrom = [{ sourceContainer: 'db' }]),
    'names no other container',
  ],
  [
    'limits',
    '11 containers',
    (td) => {
      td.requiresCompatibilities = ['EC2'];
      td.networkMode = 'bridge';
      for (let i = 0; i < 9; i++)
        td.containerDefinitions!.push({ name: `side${i}`, image: 'busybox', memory: 6, essential: false });
    },
    'has 11 containers; ECS allows at most 10 (Amazon ECS service quota "Containers per task definition": 10, not adjustable; https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html)',
  ],
  [
    'limits',
    'over 64 KiB',
    (td) => {
      api(td).command = ['sh', '-c', 'x'.repeat(MAX_TASK_DEFINITION_BYTES)];
    },
    'KiB; ECS registers at most 64 KiB (Amazon ECS service quota "Task definition size limit": 64 KiB, not adjustable',
  ],
];

describe.each(BY_RULE)('rule %s: %s', (rule, _name, edit, message) => {
  test('reports it on its own', () => {
    const td = platformTaskDefinition();
    edit(td);
    const check = new Check(td, { where: WHERE });
    RULES[rule]?.(check);
    expect(() => check.errors.throwIfAny()).toThrow(message);
  });
});

test('every rule has a case of its own above', () => {
  expect(new Set(BY_RULE.map(([rule]) => rule))).toEqual(new Set(Object.keys(RULES)));
});

describe('what AWS accepts is accepted', () => {
  test.each<[string, Edit]>([
    ['short role names', (td) => ((td.executionRoleArn = 'ecsTaskExecutionRole'), (td.taskRoleArn = 'app-task'))],
    ['role with a path', (td) => (td.taskRoleArn = 'arn:aws:iam::123456789012:role/service/app')],
    ['GovCloud role', (td) => (td.taskRoleArn = 'arn:aws-us-gov:iam::123456789012:role/app')],
    ['".25 vcpu" and ".5 gb"', (td) => ((td.cpu = '.25 vcpu'), (td.memory = '.5 gb'), (api(td).memory = 256))],
    [
      '10 containers',
      (td) => {
        for (let i = 0; i < 8; i++)
          td.containerDefinitions!.push({ name: `side${i}`, image: 'busybox', essential: false });
      },
    ],
  ])('%s', (_name, edit) => expect(problems(edit)).toBe(''));
});

describe('multi-step render: containers this step leaves alone', () => {
  const withEmpty = (): RegisterTaskDefinitionCommandInput => {
    const td = platformTaskDefinition();
    api(td).image = '';
    nginx(td).image = '<NGINX_IMAGE>';
    return td;
  };

  test('warn at the render stage when another step will set the image', () => {
    const result = validateTaskDefinition(withEmpty(), { where: WHERE, stage: 'render', changed: ['nginx2'] });
    expect(result.warnings).toEqual([
      `${WHERE} at containerDefinitions[0] ('nginx').image: is not an image reference (it looks like an unfilled placeholder); a later step must set it before the task definition is registered`,
      `${WHERE} at containerDefinitions[1] ('api').image: is missing; a later step must set it before the task definition is registered`,
    ]);
  });

  test('are errors for the containers this step changes, and at registration', () => {
    expect(() => validateTaskDefinition(withEmpty(), { where: WHERE, stage: 'render', changed: ['api'] })).toThrow(
      "('api').image: is missing",
    );
    expect(() => validateTaskDefinition(withEmpty(), WHERE)).toThrow(/2 problems/);
  });

  test("messages name the calling action's input only when it has one", () => {
    const td = platformTaskDefinition();
    delete td.executionRoleArn;
    expect(() => validateTaskDefinition(td, WHERE)).toThrow('set "executionRoleArn" to a role ECS can use');
    expect(() => validateTaskDefinition(td, WHERE)).not.toThrow('input');
    expect(() =>
      validateTaskDefinition(td, { where: WHERE, inputs: { executionRoleArn: 'execution-role-arn' } }),
    ).toThrow('or set the input execution-role-arn');
  });
});

describe('Fargate sizes', () => {
  test.each([
    [256, [512, 1024, 2048]],
    [512, [1024, 2048, 3072, 4096]],
    [8192, [16384, 20480, 24576, 28672, 32768, 36864, 40960, 45056, 49152, 53248, 57344, 61440]],
    [300, []],
  ])('cpu %d allows %j', (cpu, memory) => {
    expect(fargateMemoryOptions(cpu)).toEqual(memory);
  });

  test.each([
    ['1024', 1024],
    ['1 vCPU', 1024],
    ['0.25 vcpu', 256],
    ['.25 vcpu', 256],
    ['.5', undefined],
  ])('cpu %p → %p', (text, units) => expect(parseCpuUnits(text)).toBe(units));

  test.each([
    ['2048', 2048],
    ['2 GB', 2048],
    ['0.5GB', 512],
    ['lots', undefined],
  ])('memory %p → %p', (text, mib) => expect(parseMemoryMiB(text)).toBe(mib));
});
