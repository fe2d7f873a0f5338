// Rollout scenarios: how the tasks of a deployment (or a one-off task) behave, and what their containers log.

export const SCENARIOS = [
  'healthy',
  'crash',
  'pull-failure',
  'unhealthy',
  'rollback',
  'slow',
  'half-slow',
  'alarm',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface ScenarioMatch {
  /** Service name (not ARN); one-off tasks have no service and only match rules without one. */
  readonly service?: string;
  /** Substring of any container image of the task definition. */
  readonly image?: string;
}

export interface ScenarioRule extends ScenarioMatch {
  readonly scenario: ScenarioName;
}

/** The newest matching rule wins; nothing matching means a healthy rollout. */
export function resolveScenario(
  rules: readonly ScenarioRule[],
  service: string | undefined,
  images: readonly string[],
): ScenarioName {
  for (let i = rules.length - 1; i >= 0; i--) {
    const r = rules[i];
    if (r === undefined) continue;
    if (r.service !== undefined && r.service !== service) continue;
    if (r.image !== undefined && !images.some((img) => img.includes(r.image ?? ''))) continue;
    return r.scenario;
  }
  return 'healthy';
}

/**
 * How the n-th task of a deployment behaves: rollback tasks crash (the scenario also forces the circuit breaker
 * on), half-slow makes every second task slow, alarm tasks are healthy (the deployment's alarm fires instead).
 */
export type TaskBehaviour = 'healthy' | 'crash' | 'pull-failure' | 'unhealthy' | 'slow';
export function behaviourOf(s: ScenarioName, index = 0): TaskBehaviour {
  switch (s) {
    case 'rollback':
      return 'crash';
    case 'half-slow':
      return index % 2 === 1 ? 'slow' : 'healthy';
    case 'alarm':
      return 'healthy';
    default:
      return s;
  }
}

// Simulated durations (ms of simulated time).
export const TIMINGS = {
  /** From a deployment (or a failed task) to the scheduler launching tasks. */
  launchDelay: 5_000,
  /** PROVISIONING -> PENDING (ENI attached). */
  provision: 10_000,
  /** PENDING -> RUNNING (image pulled, container started). */
  pull: 20_000,
  /** RUNNING -> essential container exits 1 (crash). */
  crashAfter: 15_000,
  /** RUNNING -> a one-off task's command finishes. */
  oneOffRuns: 20_000,
  /** PENDING -> STOPPED when the image cannot be pulled (retries). */
  pullFailure: 20_000,
  /** Unhealthy target -> ECS stops the task. */
  unhealthyStop: 10_000,
  /** STOPPING -> STOPPED. */
  stop: 5_000,
  /** A "slow" task stays PENDING this long: longer than any test or deploy timeout. */
  slowPull: 24 * 3600_000,
  /** A lifecycle stage of a traffic-shifting deployment that waits for nothing (e.g. POST_SCALE_UP). */
  stage: 5_000,
  /** A Lambda lifecycle hook answers SUCCEEDED after this long. */
  lambdaHook: 5_000,
  /** From the traffic shift (or, rolling, the tasks becoming healthy) to the `alarm` scenario's ALARM. */
  alarmAfter: 10_000,
  /** StopServiceDeployment: ROLLBACK_REQUESTED until the rollback starts. */
  stopRequested: 2_000,
} as const;

/** Plausible container output for each phase, so failure reports have real-looking lines to show. */
export function containerLines(
  behaviour: TaskBehaviour | 'one-off',
  phase: 'start' | 'fail' | 'exit',
  image: string,
  command: readonly string[] | undefined,
): string[] {
  const nginx = image.includes('nginx');
  const cmd = command?.join(' ');
  if (phase === 'start') {
    if (cmd !== undefined) return [`+ ${cmd}`, `I, [sim] INFO -- : running ${cmd} (image ${image})`];
    if (nginx) {
      return [
        '/docker-entrypoint.sh: Configuration complete; ready for start up',
        'nginx: [notice] using the "epoll" event method',
        'nginx: [notice] start worker processes',
      ];
    }
    return [`=> Booting ${image}`, '* Listening on http://0.0.0.0:3000', 'Use Ctrl-C to stop'];
  }
  if (phase === 'exit') {
    if (cmd !== undefined && behaviour !== 'crash') {
      return [
        '== 20260101000000 AddIndexes: migrating =====',
        '== 20260101000000 AddIndexes: migrated (0.0123s) ====',
        'done',
      ];
    }
    return ['received SIGTERM, shutting down gracefully'];
  }
  // phase === 'fail'
  switch (behaviour) {
    case 'crash':
      if (nginx) {
        return [
          '/docker-entrypoint.sh: Configuration complete; ready for start up',
          'nginx: [emerg] host not found in upstream "api.internal:3000" in /etc/nginx/conf.d/default.conf:12',
        ];
      }
      return [
        cmd !== undefined ? `+ ${cmd}` : `=> Booting ${image}`,
        'ActiveRecord::ConnectionNotEstablished: connection to server at "10.0.200.10", port 5432 failed: Connection refused',
        '/usr/local/bundle/gems/activerecord/lib/active_record/connection_adapters/postgresql_adapter.rb:87:in `rescue in new_client`',
        'Exiting with status 1',
      ];
    case 'unhealthy':
      return [
        '10.0.0.2 - - "GET /health HTTP/1.1" 502 157 "-" "ELB-HealthChecker/2.0"',
        'connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.2, request: "GET /health HTTP/1.1"',
        '10.0.0.2 - - "GET /health HTTP/1.1" 502 157 "-" "ELB-HealthChecker/2.0"',
      ];
    default:
      return [];
  }
}
