// ECS (awsJson1_1, target prefix AmazonEC2ContainerServiceV20141113) over simulated time, split by concern:
// model.ts (state), taskdefs.ts, services.ts (clusters, services, deployment configuration), deployments.ts
// (rolling updates, circuit breaker, alarms, early success), records.ts (the service-deployments API),
// strategies.ts (blue/green, linear, canary lifecycle), tasks.ts (task lifecycle and APIs). This file wires them and dispatches calls.
import type { SimContext } from '../context';
import type { ElbSim } from '../elb';
import type { LogsSim } from '../logs';
import { AwsError, type Obj, epochSeconds, objList, reqStr, str, strList } from '../protocol';
import type { ScenarioRule } from '../scenarios';
import { Deployments } from './deployments';
import { EcsWorld } from './model';
import { ServiceDeploymentApi } from './records';
import { Services } from './services';
import { TaskDefinitions } from './taskdefs';
import { Tasks } from './tasks';

export class EcsSim {
  private readonly world: EcsWorld;
  private readonly taskDefs: TaskDefinitions;
  private readonly tasks: Tasks;
  private readonly deployments: Deployments;
  private readonly services: Services;
  private readonly records: ServiceDeploymentApi;

  constructor(ctx: SimContext, elb: ElbSim, logs: LogsSim) {
    this.world = new EcsWorld(ctx, elb, logs);
    this.taskDefs = new TaskDefinitions(this.world);
    this.tasks = new Tasks(this.world, this.taskDefs);
    this.deployments = new Deployments(this.world, this.tasks, this.taskDefs);
    this.services = new Services(this.world, this.deployments, this.tasks);
    this.records = new ServiceDeploymentApi(this.world, this.deployments);
  }

  get rules(): ScenarioRule[] {
    return this.world.rules;
  }

  handle(op: string, input: Obj): Obj {
    return (
      this.services.handle(op, input) ??
      this.taskDefs.handle(op, input) ??
      this.records.handle(op, input) ??
      this.tasks.handle(op, input) ??
      this.other(op, input)
    );
  }

  private other(op: string, input: Obj): Obj {
    switch (op) {
      case 'DescribeServiceRevisions':
        return this.describeRevisions(input);
      case 'ListTagsForResource': {
        const arn = reqStr(input, 'resourceArn');
        const td = this.world.findTaskDef(arn);
        const svc = this.world.services.find((s) => s.arn === arn);
        const c = [...this.world.clusters.values()].find((x) => x.arn === arn);
        const tags = td?.tags ?? svc?.tags ?? c?.tags;
        if (!tags) throw new AwsError('InvalidParameterException', 'The specified resource does not exist.');
        return { tags };
      }
      default:
        throw new AwsError('UnknownOperationException', `Operation ${op} is not supported by the simulator`);
    }
  }

  private describeRevisions(input: Obj): Obj {
    const found: Obj[] = [];
    const failures: Obj[] = [];
    for (const arn of strList(input, 'serviceRevisionArns')) {
      const svc = this.world.services.find((s) => s.revisions.has(arn));
      const rev = svc?.revisions.get(arn);
      if (!svc || !rev) {
        failures.push({ arn, reason: 'MISSING' });
        continue;
      }
      const names = objList(rev.taskDef.body, 'containerDefinitions').map((c) => str(c, 'name'));
      found.push({
        serviceRevisionArn: arn,
        serviceArn: svc.arn,
        clusterArn: svc.cluster.arn,
        taskDefinition: rev.taskDef.arn,
        launchType: svc.launchType,
        platformVersion: '1.4.0',
        platformFamily: 'Linux',
        loadBalancers: this.services.describe(svc)['loadBalancers'],
        networkConfiguration: svc.networkConfiguration,
        containerImages: this.taskDefs.images(rev.taskDef).map((image, i) => ({ containerName: names[i], image })),
        createdAt: epochSeconds(rev.createdAt),
      });
    }
    return { serviceRevisions: found, failures };
  }

  /** In-process service creation already in its steady state (seeding for the demo and tests). */
  createSettledService(input: Obj): Obj {
    return this.services.create(input, true);
  }
}
