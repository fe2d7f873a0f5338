import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';

/** A valid two-container Fargate definition shaped like the platform's (nginx in front of the API). */
export function platformTaskDefinition(): RegisterTaskDefinitionCommandInput {
  return {
    family: 'learning-platform',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '512',
    memory: '1024',
    executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
    containerDefinitions: [
      {
        name: 'nginx',
        image: 'nginx:1.27',
        essential: true,
        portMappings: [{ containerPort: 80, protocol: 'tcp' }],
        dependsOn: [{ containerName: 'api', condition: 'START' }],
      },
      {
        name: 'api',
        image: 'busybox:latest',
        essential: true,
        memory: 512,
        portMappings: [{ containerPort: 3000 }],
        environment: [
          { name: 'RAILS_ENV', value: 'production' },
          { name: 'PORT', value: '3000' },
        ],
        secrets: [
          { name: 'RAILS_MASTER_KEY', valueFrom: 'arn:aws:ssm:eu-west-2:123456789012:parameter/lp/RAILS_MASTER_KEY' },
        ],
        logConfiguration: {
          logDriver: 'awslogs',
          options: {
            'awslogs-group': '/ecs/learning-platform',
            'awslogs-region': 'eu-west-2',
            'awslogs-stream-prefix': 'ecs',
          },
        },
      },
    ],
  };
}
