// The one polling loop (the rollout, the rollback and the one-off task all wait through it): a fixed interval,
// never the SDK waiter's growing back-off, and one deadline that holds for the loop and for every request in it.
import type { DeployDeps } from './deps';
import { DeadlineReached } from './request';

/** How long before the deadline the last look starts. */
const LAST_LOOK_MS = 1_000;

export interface PollOptions {
  /** Clock time (ms) after which the loop stops. */
  readonly deadline: number;
  readonly intervalMs: number;
}

export type PollResult<T> =
  { readonly done: true; readonly value: T } | { readonly done: false; readonly late?: string };

/**
 * Calls `step` until it returns a value (done), then returns it; `undefined` means "look again after the
 * interval". Once less than an interval is left, the last look comes a second before the deadline; when it is
 * not done either, or a request got no answer by the deadline, it returns `{ done: false }` (with what was
 * still unanswered).
 */
export async function poll<T>(
  deps: Pick<DeployDeps, 'clock'>,
  options: PollOptions,
  step: () => Promise<T | undefined>,
): Promise<PollResult<T>> {
  for (let last = false; ;) {
    try {
      const value = await step();
      if (value !== undefined) return { done: true, value };
    } catch (error) {
      if (error instanceof DeadlineReached) return { done: false, late: error.message };
      throw error;
    }
    const left = options.deadline - deps.clock.now();
    if (last || left <= 0) return { done: false };
    // Less than an interval left: the last look comes a second before the deadline, time for its requests.
    last = left <= options.intervalMs;
    const pause = last ? left - Math.min(left, LAST_LOOK_MS) : options.intervalMs;
    // That last look would come now, right after this one: this one was it.
    if (last && pause <= 0) return { done: false };
    if (pause > 0) await deps.clock.sleep(pause);
  }
}
