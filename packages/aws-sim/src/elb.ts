// ELBv2 (awsQuery, Version 2015-12-01): target groups and target health. ECS services with load balancers
// register their tasks' IPs here; the ECS model decides each target's health according to the scenario.
import type { SimContext } from './context';
import { hex } from './context';
import { AwsError, type Obj, num, objList, reqStr, str, strList } from './protocol';

export type TargetState = 'initial' | 'healthy' | 'unhealthy' | 'unused' | 'draining';

interface Target {
  readonly id: string;
  readonly port: number;
  state: TargetState;
  reason: string | undefined;
  description: string | undefined;
}

export interface TargetGroup {
  readonly arn: string;
  readonly name: string;
  readonly protocol: string;
  readonly port: number;
  readonly vpcId: string | undefined;
  readonly targetType: string;
  readonly healthCheckPath: string;
  readonly targets: Map<string, Target>;
}

/** Seconds a deregistered target stays `draining` (AWS default 300 s; shortened so rollouts stay quick). */
export const DEREGISTRATION_DELAY_MS = 30_000;
/** Time from registration to the first health verdict (interval 30 s x healthy threshold, shortened). */
export const HEALTH_CHECK_MS = 30_000;

const REASONS: Record<TargetState, [string, string] | undefined> = {
  initial: ['Elb.RegistrationInProgress', 'Target registration is in progress'],
  healthy: undefined,
  unhealthy: ['Target.FailedHealthChecks', 'Health checks failed with these codes: [502]'],
  unused: ['Target.NotInUse', 'Target group is not configured to receive traffic from the load balancer'],
  draining: ['Target.DeregistrationInProgress', 'Target deregistration is in progress'],
};

const key = (id: string, port: number): string => `${id}:${port}`;

export class ElbSim {
  readonly groups = new Map<string, TargetGroup>();

  constructor(private readonly ctx: SimContext) {}

  get(arn: string): TargetGroup {
    const tg = this.groups.get(arn);
    if (!tg) throw new AwsError('TargetGroupNotFound', 'One or more target groups not found');
    return tg;
  }

  /** Sets (or adds) a target's state; used by the ECS model. */
  setTarget(arn: string, id: string, port: number, state: TargetState): void {
    const tg = this.groups.get(arn);
    if (!tg) return;
    const reason = REASONS[state];
    tg.targets.set(key(id, port), { id, port, state, reason: reason?.[0], description: reason?.[1] });
  }

  removeTarget(arn: string, id: string, port: number): void {
    this.groups.get(arn)?.targets.delete(key(id, port));
  }

  createTargetGroup(input: Obj): TargetGroup {
    const name = reqStr(input, 'Name', 'ValidationError');
    if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/.test(name)) {
      throw new AwsError(
        'ValidationError',
        `Target group name '${name}' can have a maximum of 32 characters, contain only alphanumeric characters or hyphens, and must not begin or end with a hyphen`,
      );
    }
    const targetType = str(input, 'TargetType') ?? 'instance';
    if (targetType === 'lambda' && (str(input, 'Protocol') !== undefined || num(input, 'Port') !== undefined)) {
      throw new AwsError('ValidationError', "Protocol cannot be specified for target groups with target type 'lambda'");
    }
    const protocol = str(input, 'Protocol') ?? 'HTTP';
    const port = num(input, 'Port') ?? 80;
    const existing = [...this.groups.values()].find((g) => g.name === name);
    if (existing) {
      // AWS returns the existing group when the settings are identical, and refuses otherwise.
      if (existing.protocol === protocol && existing.port === port) return existing;
      throw new AwsError(
        'DuplicateTargetGroupName',
        'A target group with the same name exists, but with different settings',
      );
    }
    const arn = `arn:aws:elasticloadbalancing:${this.ctx.region}:${this.ctx.accountId}:targetgroup/${name}/${hex(8)}`;
    const tg: TargetGroup = {
      arn,
      name,
      protocol,
      port,
      vpcId: str(input, 'VpcId'),
      targetType,
      healthCheckPath: str(input, 'HealthCheckPath') ?? '/',
      targets: new Map(),
    };
    this.groups.set(arn, tg);
    return tg;
  }

  private describe(tg: TargetGroup): Obj {
    if (tg.targetType === 'lambda') {
      return {
        TargetGroupArn: tg.arn,
        TargetGroupName: tg.name,
        HealthCheckEnabled: false,
        LoadBalancerArns: [],
        TargetType: 'lambda',
      };
    }
    return {
      TargetGroupArn: tg.arn,
      TargetGroupName: tg.name,
      Protocol: tg.protocol,
      Port: tg.port,
      VpcId: tg.vpcId,
      HealthCheckProtocol: tg.protocol,
      HealthCheckPort: 'traffic-port',
      HealthCheckEnabled: true,
      HealthCheckIntervalSeconds: 30,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: 5,
      UnhealthyThresholdCount: 2,
      HealthCheckPath: tg.healthCheckPath,
      Matcher: { HttpCode: '200' },
      LoadBalancerArns: [],
      TargetType: tg.targetType,
      ProtocolVersion: 'HTTP1',
      IpAddressType: 'ipv4',
    };
  }

  handle(op: string, input: Obj): Obj {
    switch (op) {
      case 'CreateTargetGroup':
        return { TargetGroups: [this.describe(this.createTargetGroup(input))] };
      case 'DescribeTargetGroups': {
        const arns = strList(input, 'TargetGroupArns');
        const names = strList(input, 'Names');
        let groups = [...this.groups.values()];
        if (arns.length > 0) groups = arns.map((a) => this.get(a));
        else if (names.length > 0) {
          groups = names.map((n) => {
            const g = groups.find((x) => x.name === n);
            if (!g) throw new AwsError('TargetGroupNotFound', `One or more target groups not found`);
            return g;
          });
        }
        return { TargetGroups: groups.map((g) => this.describe(g)) };
      }
      case 'DeleteTargetGroup': {
        const arn = reqStr(input, 'TargetGroupArn', 'ValidationError');
        this.groups.delete(arn);
        return {};
      }
      case 'RegisterTargets': {
        const tg = this.get(reqStr(input, 'TargetGroupArn', 'ValidationError'));
        for (const t of objList(input, 'Targets')) {
          const id = reqStr(t, 'Id', 'ValidationError');
          const port = num(t, 'Port') ?? tg.port;
          // No load balancer is simulated in front of manually registered targets: AWS reports them unused.
          this.setTarget(tg.arn, id, port, 'unused');
        }
        return {};
      }
      case 'DeregisterTargets': {
        const tg = this.get(reqStr(input, 'TargetGroupArn', 'ValidationError'));
        for (const t of objList(input, 'Targets')) {
          const id = reqStr(t, 'Id', 'ValidationError');
          const port = num(t, 'Port') ?? tg.port;
          if (!tg.targets.has(key(id, port))) {
            throw new AwsError('InvalidTarget', `The target '${id}' is not registered with the target group`);
          }
          this.setTarget(tg.arn, id, port, 'draining');
          this.ctx.scheduler.after(DEREGISTRATION_DELAY_MS, () => this.removeTarget(tg.arn, id, port));
        }
        return {};
      }
      case 'DescribeTargetHealth': {
        const tg = this.get(reqStr(input, 'TargetGroupArn', 'ValidationError'));
        const wanted = objList(input, 'Targets');
        const targets =
          wanted.length === 0
            ? [...tg.targets.values()]
            : wanted.map((t) => {
                const id = reqStr(t, 'Id', 'ValidationError');
                const port = num(t, 'Port') ?? tg.port;
                return (
                  tg.targets.get(key(id, port)) ?? {
                    id,
                    port,
                    state: 'unused' as const,
                    reason: 'Target.NotRegistered',
                    description: 'Target is not registered to the target group',
                  }
                );
              });
        return {
          TargetHealthDescriptions: targets.map((t) => ({
            Target: { Id: t.id, Port: t.port },
            HealthCheckPort: String(t.port),
            TargetHealth: { State: t.state, Reason: t.reason, Description: t.description },
          })),
        };
      }
      default:
        throw new AwsError('InvalidAction', `The action ${op} is not valid for this web service.`);
    }
  }
}
