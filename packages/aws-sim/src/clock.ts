// Simulated time. Everything in the simulator reads time from a SimClock, so tests can compress it (the
// default: 1 simulated minute per 100 ms real) or drive it by hand.

export interface SimClock {
  /** Simulated epoch milliseconds. */
  now(): number;
}

/** Simulated time runs `timeScale` times faster than real time, starting at the real "now". */
export function compressedClock(timeScale: number, realNow: () => number = Date.now): SimClock {
  if (!(timeScale > 0)) throw new Error(`timeScale must be a positive number, got ${timeScale}`);
  const realStart = realNow();
  return { now: () => realStart + (realNow() - realStart) * timeScale };
}

/** A clock that only moves when told to (unit tests). */
export interface ManualClock extends SimClock {
  advance(ms: number): void;
}

export function manualClock(start = Date.UTC(2026, 0, 1)): ManualClock {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

/** Default compression: 1 simulated minute per 100 ms of real time. */
export const DEFAULT_TIME_SCALE = 600;

interface Job {
  readonly at: number;
  readonly seq: number;
  readonly run: (at: number) => void;
}

/**
 * Discrete-event scheduler on simulated time. The world is advanced lazily: before each API call is answered,
 * every job due by the clock's "now" runs, in time order, each seeing its own due time as "now". State is
 * therefore exactly what it would be had the simulation run continuously.
 */
export class Scheduler {
  private jobs: Job[] = [];
  private seq = 0;
  /** The time of the job being run, or the clock's now between jobs. */
  private current: number;

  constructor(private readonly clock: SimClock) {
    this.current = clock.now();
  }

  now(): number {
    return this.current;
  }

  at(time: number, run: (at: number) => void): void {
    const job = { at: Math.max(time, this.current), seq: this.seq++, run };
    // Keep sorted by (at, seq); jobs are few, so insertion is fine.
    let i = this.jobs.length;
    while (i > 0 && (this.jobs[i - 1]?.at ?? 0) > job.at) i--;
    this.jobs.splice(i, 0, job);
  }

  after(delayMs: number, run: (at: number) => void): void {
    this.at(this.current + delayMs, run);
  }

  /** Runs every job due by the clock's now. */
  advance(): void {
    const until = this.clock.now();
    for (let job = this.jobs[0]; job !== undefined && job.at <= until; job = this.jobs[0]) {
      this.jobs.shift();
      this.current = job.at;
      job.run(job.at);
    }
    this.current = Math.max(this.current, until);
  }

  get pending(): number {
    return this.jobs.length;
  }
}
