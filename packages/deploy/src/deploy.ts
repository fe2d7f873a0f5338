// The deploy as named phases: plan, register, one-off task, update, follow, diagnose, roll back, report. Each
// waiting phase has its own deadline (wait-for-minutes; one minute for the diagnosis) that holds for every
// request inside it. Deploy failures are returned, not thrown, so the caller always sets outputs and writes
// the summary; only what happens before anything changed (bad input, missing service) is thrown.
import type { TaskDefinition } from '@aws-sdk/client-ecs';
import { awsErrorName, errorMessage } from '@deploy-actions/core';
import type { DeployDeps } from './deps';
import { diagnose, diagnosisLines, type Diagnosis } from './diagnose';
import { follow, type FollowEnd } from './follow';
import type { DeploymentReporter } from './github';
import { FollowMemory, readService, type ServiceRef } from './observe';
import type { DeployOptions } from './options';
import { plan, register, runningTaskDefinition, type Plan } from './plan';
import {
  consoleLinks,
  credentialsWords,
  failureMessage,
  headlineFor,
  heldWords,
  type DeployResult,
  type Outcome,
} from './report';
import { CredentialsExpired, DeadlineReached } from './request';
import { familyOf, keepRevisions } from './revisions';
import { rollBack } from './rollback';
import { oneOffTaskPhase } from './run-task';
import { strategyLine } from './strategy';
import { ourServiceDeployment, updateService, type Ours } from './update';
import { shortArn, type Expectation, type FailureCause } from './verdict';

/** The diagnosis and other after-the-fact reads may take at most this long. */
const REPORT_BUDGET_MS = 60_000;

interface Failure {
  readonly cause: FailureCause;
  readonly reason: string;
  readonly alarm?: string | undefined;
}

class Deploy {
  private readonly started: number;
  private readonly ref: ServiceRef;
  private readonly memory = new FollowMemory();
  private plan: Plan | undefined;
  private taskDefinition: TaskDefinition | undefined;
  private ours: Ours = { deploymentId: undefined, serviceDeploymentArn: undefined };
  private runTaskArn: string | undefined;
  private runTaskReport: string[] = [];
  private diagnosis: Diagnosis | undefined;
  private deregistered: string[] = [];
  private lifecycleStage: string | undefined;

  constructor(
    private readonly deps: DeployDeps,
    private readonly options: DeployOptions,
    private readonly reporter: DeploymentReporter | undefined,
  ) {
    this.started = deps.clock.now();
    this.ref = { cluster: options.cluster, service: options.service };
  }

  private deadline(ms = this.options.waitMinutes * 60_000): number {
    return this.deps.clock.now() + ms;
  }

  private get arn(): string {
    return this.taskDefinition?.taskDefinitionArn ?? '';
  }

  private get previous(): string | undefined {
    return this.plan?.previous;
  }

  private get links(): ReturnType<typeof consoleLinks> {
    return consoleLinks(this.options.region, this.options.cluster, this.options.service);
  }

  async run(): Promise<DeployResult> {
    const first = this.deadline();
    this.plan = await plan(this.deps, { ...this.options, ref: this.ref }, this.memory, first);
    this.taskDefinition = await register(this.deps, this.options.revision, first);
    this.options.checkRevision?.(this.taskDefinition);
    await this.reporter?.start();
    const oneOff = this.options.runTask ? await this.oneOffTask(this.plan) : undefined;
    if (oneOff) return this.finish(oneOff);
    // A fresh deadline: the one-off task may have used up the first one.
    const updated = await this.update(this.deadline());
    if (updated) return this.finish(updated);
    if (!this.options.wait) {
      return this.finish(
        this.result(
          'succeeded',
          `service updated to ${shortArn(this.arn)}; rollout not followed (wait-for-service-stability is false)`,
          false,
        ),
      );
    }
    const end = await this.deps.log.group('rollout', () => this.follow());
    return this.finish(await this.conclude(end));
  }

  private result(outcome: Outcome, message: string, waited = true, failure?: Failure, headline?: string): DeployResult {
    const d = this.deps;
    const td = this.taskDefinition;
    return {
      outcome,
      message: d.redact(message),
      headline: headline !== undefined ? d.redact(headline) : undefined,
      cause: failure?.cause,
      taskDefinitionArn: td?.taskDefinitionArn,
      previousTaskDefinitionArn: this.previous,
      registered: 'register' in this.options.revision,
      deploymentId: this.ours.deploymentId,
      serviceDeploymentArn: this.ours.serviceDeploymentArn,
      runTaskArn: this.runTaskArn,
      strategy: this.plan ? strategyLine(this.plan.strategy) : undefined,
      lifecycleStage: this.lifecycleStage,
      durationSeconds: Math.round((d.clock.now() - this.started) / 100) / 10,
      images: (td?.containerDefinitions ?? []).map((c) => ({ container: c.name ?? '?', image: c.image ?? '?' })),
      events: this.memory.events.map((e) => d.redact(`${e.createdAt?.toISOString() ?? ''} ${e.message ?? ''}`.trim())),
      diagnosis: this.diagnosis,
      report: this.diagnosis ? diagnosisLines(this.diagnosis) : [],
      runTaskReport: this.runTaskReport,
      deregistered: this.deregistered,
      waited,
      links: this.links,
    };
  }

  private async finish(r: DeployResult): Promise<DeployResult> {
    const ok = r.outcome === 'succeeded' || (r.outcome === 'in-progress' && r.cause === undefined);
    await this.reporter?.finish(ok ? 'success' : 'failure', r.message.split('\n')[0] ?? r.message);
    return r;
  }

  /** Phase 3: the one-off task; a failure means no service update. */
  private async oneOffTask(p: Plan): Promise<DeployResult | undefined> {
    const spec = this.options.runTask;
    if (spec === undefined || this.taskDefinition === undefined) return undefined;
    const ran = await oneOffTaskPhase(this.deps, {
      cluster: this.options.cluster,
      taskDefinition: this.taskDefinition,
      spec,
      service: p.before,
      untouched: 'the service was not updated',
      deadline: this.deadline(),
      waitMinutes: this.options.waitMinutes,
      pollMs: this.options.pollSeconds * 1000,
      logLines: this.options.logLines,
    });
    this.runTaskArn = ran.taskArn;
    this.runTaskReport = ran.report;
    if (ran.ok) return undefined;
    return this.result('failed', ran.message, true, { cause: 'run-task', reason: ran.message }, ran.message);
  }

  /** Phase 4: the update; returns a result only when it was refused. */
  private async update(deadline: number): Promise<DeployResult | undefined> {
    const p = this.plan;
    if (p === undefined) return undefined;
    try {
      const o = this.options;
      const settings = {
        forceNewDeployment: o.forceNewDeployment,
        desiredCount: o.desiredCount,
        propagateTags: o.propagateTags,
        enableEcsManagedTags: o.enableEcsManagedTags,
        volume: o.serviceVolume,
      };
      const update = await updateService(this.deps, this.ref, this.arn, settings, deadline);
      const known = p.known.serviceDeploymentArns;
      // Without waiting there is nothing to follow: no search when UpdateService did not name it.
      const sd = await ourServiceDeployment(
        this.deps,
        this.ref,
        update.serviceDeploymentArn,
        known,
        this.memory,
        deadline,
        o.wait,
      );
      this.ours = { deploymentId: update.deploymentId, serviceDeploymentArn: sd };
      this.deps.log.info(
        `service updated to ${shortArn(this.arn)}${update.deploymentId ? ` (deployment ${update.deploymentId})` : ''}`,
      );
      return undefined;
    } catch (error) {
      const why =
        error instanceof DeadlineReached ? error.message : `${awsErrorName(error) ?? 'error'}: ${errorMessage(error)}`;
      const message = `UpdateService failed (${why}); the service still runs ${shortArn(this.previous)}`;
      return this.result('failed', message, true, { cause: 'aws-error', reason: message }, message);
    }
  }

  /** Phase 5: follow our deployment to a verdict. */
  private async follow(): Promise<FollowEnd> {
    const p = this.plan;
    if (p === undefined) throw new Error('follow before plan');
    const expect: Expectation = {
      mode: 'rollout',
      taskDefinitionArn: this.arn,
      previousTaskDefinitionArn: this.previous,
      deploymentId: this.ours.deploymentId,
      serviceDeploymentArn: this.ours.serviceDeploymentArn,
      before: p.known,
      strategy: p.strategy,
      waitUntil: this.options.waitUntil,
    };
    const end = await follow(
      this.deps,
      { ref: this.ref, deadline: this.deadline(), pollMs: this.options.pollSeconds * 1000, label: 'rollout' },
      expect,
      this.memory,
    );
    this.lifecycleStage = 'observation' in end ? end.observation?.serviceDeployment?.lifecycleStage : undefined;
    return end;
  }

  private async conclude(end: FollowEnd): Promise<DeployResult> {
    const name = shortArn(this.arn);
    switch (end.kind) {
      case 'done':
        this.deps.log.info(
          `rollout done: ${name} runs ${end.deployment.runningCount ?? 0}/${end.deployment.desiredCount ?? 0}; ${end.targets.detail}`,
        );
        await this.prune();
        return this.result('succeeded', `${this.options.service} runs ${name}`);
      case 'reached':
        return this.result(
          'in-progress',
          `${this.options.service}: the deployment of ${name} ${end.what}; ECS carries on with it on its own`,
        );
      case 'credentials-expired':
        return this.credentialsExpired(end.what);
      case 'timeout':
        if (end.paused !== undefined || end.baking) return this.held(end);
        return this.failed({
          cause: 'timeout',
          reason: `the rollout did not finish within ${this.options.waitMinutes} minute(s) (last state: ${end.late ?? end.reason})`,
        });
      case 'failed':
        return this.failed(end);
    }
  }

  /** The deadline passed while ECS held a healthy revision (bake time) or waited on a pause hook: never rolled back. */
  private held(end: Extract<FollowEnd, { kind: 'timeout' }>): DeployResult {
    const words = heldWords(end, shortArn(this.arn), this.options.waitMinutes, this.ours.serviceDeploymentArn);
    const message = failureMessage(words.headline, words.what, this.links);
    return this.result('in-progress', message, true, { cause: 'timeout', reason: end.reason }, words.headline);
  }

  private credentialsExpired(what: string): DeployResult {
    const failure: Failure = { cause: 'credentials-expired', reason: `AWS credentials expired during ${what}` };
    const headline = headlineFor('credentials-expired', failure.reason, undefined, this.context());
    const message = failureMessage(headline, credentialsWords(shortArn(this.arn), shortArn(this.previous)), this.links);
    return this.result('failed', message, true, failure, headline);
  }

  private context(alarm?: string): { alarm?: string | undefined; taskDefinition: string; waitMinutes: number } {
    return { alarm, taskDefinition: shortArn(this.arn), waitMinutes: this.options.waitMinutes };
  }

  /** Phases 6 and 7: explain, then (unless it must not) roll back to what ran before. */
  private async failed(failure: Failure): Promise<DeployResult> {
    const d = this.deps;
    const skipDiagnosis = ['alarm', 'replaced', 'service-inactive', 'credentials-expired'].includes(failure.cause);
    if (!skipDiagnosis && this.taskDefinition !== undefined) {
      const td = this.taskDefinition;
      try {
        this.diagnosis = await diagnose(d, this.ref, td, this.ours.deploymentId, {
          logLines: this.options.logLines,
          deadline: this.deadline(REPORT_BUDGET_MS),
          events: this.memory.events,
        });
      } catch (error) {
        if (error instanceof CredentialsExpired) return this.credentialsExpired(error.what);
        throw error;
      }
      const lines = diagnosisLines(this.diagnosis);
      await d.log.group('failure report', async () => {
        for (const line of lines) d.log.info(line);
      });
    }
    const headline = headlineFor(failure.cause, failure.reason, this.diagnosis, this.context(failure.alarm));
    const { outcome, what } = await this.afterFailure(failure);
    const message = failureMessage(
      headline,
      `deploy of ${shortArn(this.arn)} failed: ${failure.reason}; ${what}`,
      this.links,
    );
    return this.result(outcome, message, true, failure, headline);
  }

  private async afterFailure(failure: Failure): Promise<{ outcome: Outcome; what: string }> {
    const previous = this.previous;
    if (!this.options.rollback) return { outcome: 'failed', what: `rollback is off, ${await this.whereNow()}` };
    if (failure.cause === 'replaced') return { outcome: 'failed', what: 'not rolling back over another deployment' };
    if (previous === undefined || previous === this.arn)
      return { outcome: 'failed', what: 'no earlier revision to roll back to' };
    const p = this.plan;
    if (p === undefined) return { outcome: 'failed', what: 'no plan' };
    const back = await this.deps.log.group(`rollback to ${shortArn(previous)}`, () =>
      rollBack(
        this.deps,
        {
          ref: this.ref,
          plan: p,
          previous,
          taskDefinitionArn: this.arn,
          ours: this.ours,
          deadline: this.deadline(),
          pollMs: this.options.pollSeconds * 1000,
        },
        this.memory,
      ),
    );
    switch (back.kind) {
      case 'settled': {
        const how =
          back.how === 'ecs' ? ' (ECS rolled it back)' : back.how === 'stop' ? ' (StopServiceDeployment ROLLBACK)' : '';
        return { outcome: 'rolled-back', what: `rolled back to ${shortArn(previous)}, which runs again${how}` };
      }
      case 'skipped':
        return { outcome: 'failed', what: `not rolling back: ${back.reason}` };
      case 'not-settled':
        return {
          outcome: 'failed',
          what: `rolling back to ${shortArn(previous)} did not settle (${back.reason}) — check the service now`,
        };
    }
  }

  /** What the service runs now, said truthfully (ECS's circuit breaker may have put it back already). */
  private async whereNow(): Promise<string> {
    const now = await readService(this.deps, this.ref, this.deadline(REPORT_BUDGET_MS)).then(
      (s) => (s ? runningTaskDefinition(s) : undefined),
      () => undefined,
    );
    if (now === undefined) return 'the service could not be described';
    return now === this.arn
      ? `the service is left on ${shortArn(this.arn)}`
      : `the service runs ${shortArn(now)} (put back by ECS)`;
  }

  private async prune(): Promise<void> {
    if (this.options.keepRevisions === undefined) return;
    const protect = [this.arn, ...(this.previous ? [this.previous] : [])];
    const where = {
      cluster: this.options.cluster,
      family: familyOf(this.arn),
      keep: this.options.keepRevisions,
      protect,
    };
    this.deregistered = await keepRevisions(this.deps, { ...where, deadline: this.deadline(REPORT_BUDGET_MS) });
  }
}

/**
 * The whole deploy: remember what runs now, register (or take the named revision), optionally run a one-off
 * task, update the service, follow our deployment to a truthful end, explain a failure, roll back to what
 * ran before. Returns the result instead of throwing for deploy failures, so the caller can always set
 * outputs and write the summary first.
 */
export function deployService(
  deps: DeployDeps,
  options: DeployOptions,
  reporter?: DeploymentReporter,
): Promise<DeployResult> {
  return new Deploy(deps, options, reporter).run();
}
