/**
 * Creates the platform stack in a moto server from infra/platform.yml with the example parameters, as a user
 * would with `aws cloudformation create-stack`, apart from what moto cannot do, said here once:
 * - moto cannot create ACM certificates from a template (HTTP 500), so four are requested through ACM first
 *   and passed as CertificateArns (the parameter real users with existing certificates set too);
 * - moto's YAML reader misreads `!GetAtt X.A.B` short forms, so the template goes as the JSON CloudFormation
 *   itself would parse it (packages/infra reads the short forms).
 */
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ACMClient, RequestCertificateCommand } from '@aws-sdk/client-acm';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
  type Parameter,
} from '@aws-sdk/client-cloudformation';
import { STACKS, exampleParameters, loadTemplate } from '@deploy-actions/infra';
import { REPO_ROOT, type Moto } from '@deploy-actions/testing';

export const PLATFORM_STACK = 'learning-platform';
/** The listener's certificates, in the order CertificateArns takes them. */
export const CERTIFICATE_DOMAINS = [
  '*.staging.zanda360.com',
  '*.zanda360.com',
  '*.staging.smartlms.co.uk',
  '*.smartlms.co.uk',
];

export interface ClientConfig {
  readonly region: string;
  readonly endpoint: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
}

export function clientConfig(moto: Moto): ClientConfig {
  return {
    region: moto.env['AWS_REGION'] ?? 'eu-west-2',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
}

/** The template as JSON (the long forms of every intrinsic function). */
export function templateJson(stack: keyof typeof STACKS): string {
  return JSON.stringify(loadTemplate(path.join(REPO_ROOT, STACKS[stack].template)));
}

export interface PlatformStack {
  readonly status: string;
  readonly outputs: Record<string, string>;
  readonly certificates: string[];
  readonly parameters: Record<string, string>;
}

export async function createPlatformStack(moto: Moto, overrides: Record<string, string> = {}): Promise<PlatformStack> {
  const config = clientConfig(moto);
  const acm = new ACMClient(config);
  const certificates: string[] = [];
  for (const domain of CERTIFICATE_DOMAINS) {
    const out = await acm.send(new RequestCertificateCommand({ DomainName: domain, ValidationMethod: 'DNS' }));
    certificates.push(out.CertificateArn ?? '');
  }
  const parameters = {
    ...exampleParameters(REPO_ROOT, 'platform'),
    CertificateArns: certificates.join(','),
    ...overrides,
  };
  const cfn = new CloudFormationClient(config);
  await cfn.send(
    new CreateStackCommand({
      StackName: PLATFORM_STACK,
      TemplateBody: templateJson('platform'),
      Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]): Parameter => ({
        ParameterKey,
        ParameterValue,
      })),
      Capabilities: ['CAPABILITY_NAMED_IAM'],
    }),
  );
  const stack = (await cfn.send(new DescribeStacksCommand({ StackName: PLATFORM_STACK }))).Stacks?.[0];
  const outputs = Object.fromEntries((stack?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  return { status: stack?.StackStatus ?? 'missing', outputs, certificates, parameters };
}

/** The AWS CLI of the repository's .venv (what .ci/run installs), against moto; throws with its stderr. */
export function awsCli(moto: Moto, args: readonly string[], input?: string): string {
  const run = spawnSync(path.join(REPO_ROOT, '.venv/bin/aws'), [...args, '--output', 'json'], {
    // AWS CLI v1 reads the region from AWS_DEFAULT_REGION only.
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: process.env['HOME'] ?? '/tmp',
      AWS_DEFAULT_REGION: moto.env['AWS_REGION'] ?? '',
      ...moto.env,
    },
    encoding: 'utf8',
    ...(input !== undefined ? { input } : {}),
  });
  if (run.status !== 0) throw new Error(`aws ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}
