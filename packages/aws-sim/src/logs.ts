// CloudWatch Logs (awsJson1_1, target prefix Logs_20140328): log groups, streams and events, enough for the
// awslogs driver of simulated tasks and for a deploy's failure report to read the last lines of a container.
import type { SimContext } from './context';
import { paginate } from './context';
import { AwsError, type Obj, num, objList, reqStr, str, strList, bool } from './protocol';

interface LogEvent {
  readonly timestamp: number;
  readonly message: string;
  readonly ingestionTime: number;
}
interface Stream {
  readonly name: string;
  readonly createdAt: number;
  readonly events: LogEvent[];
}
interface Group {
  readonly name: string;
  readonly createdAt: number;
  readonly streams: Map<string, Stream>;
}

const NO_GROUP = 'The specified log group does not exist.';
const NO_STREAM = 'The specified log stream does not exist.';

export class LogsSim {
  private readonly groups = new Map<string, Group>();

  constructor(private readonly ctx: SimContext) {}

  private arn(group: string): string {
    return `arn:aws:logs:${this.ctx.region}:${this.ctx.accountId}:log-group:${group}`;
  }

  private group(name: string): Group {
    const g = this.groups.get(name);
    if (!g) throw new AwsError('ResourceNotFoundException', NO_GROUP);
    return g;
  }

  private ensureGroup(name: string): Group {
    let g = this.groups.get(name);
    if (!g) {
      g = { name, createdAt: this.ctx.scheduler.now(), streams: new Map() };
      this.groups.set(name, g);
    }
    return g;
  }

  /**
   * Writes lines as the awslogs driver would (used by simulated tasks). The group is created on demand, as
   * if the task definition had `awslogs-create-group: true`.
   */
  append(groupName: string, streamName: string, lines: readonly string[], at = this.ctx.scheduler.now()): void {
    const group = this.ensureGroup(groupName);
    let stream = group.streams.get(streamName);
    if (!stream) {
      stream = { name: streamName, createdAt: at, events: [] };
      group.streams.set(streamName, stream);
    }
    lines.forEach((message, i) => stream.events.push({ timestamp: at + i, message, ingestionTime: at + i + 200 }));
  }

  handle(op: string, input: Obj): Obj {
    const now = this.ctx.scheduler.now();
    switch (op) {
      case 'CreateLogGroup': {
        const name = reqStr(input, 'logGroupName');
        if (this.groups.has(name))
          throw new AwsError('ResourceAlreadyExistsException', 'The specified log group already exists');
        this.ensureGroup(name);
        return {};
      }
      case 'DeleteLogGroup': {
        const name = reqStr(input, 'logGroupName');
        this.group(name);
        this.groups.delete(name);
        return {};
      }
      case 'CreateLogStream': {
        const group = this.group(reqStr(input, 'logGroupName'));
        const name = reqStr(input, 'logStreamName');
        if (group.streams.has(name))
          throw new AwsError('ResourceAlreadyExistsException', 'The specified log stream already exists');
        group.streams.set(name, { name, createdAt: now, events: [] });
        return {};
      }
      case 'PutLogEvents': {
        const group = this.group(reqStr(input, 'logGroupName'));
        const stream = group.streams.get(reqStr(input, 'logStreamName'));
        if (!stream) throw new AwsError('ResourceNotFoundException', NO_STREAM);
        for (const e of objList(input, 'logEvents')) {
          stream.events.push({
            timestamp: num(e, 'timestamp') ?? now,
            message: reqStr(e, 'message'),
            ingestionTime: now,
          });
        }
        stream.events.sort((a, b) => a.timestamp - b.timestamp);
        return {};
      }
      case 'DescribeLogGroups': {
        const prefix = str(input, 'logGroupNamePrefix') ?? '';
        const all = [...this.groups.values()]
          .filter((g) => g.name.startsWith(prefix))
          .sort((a, b) => a.name.localeCompare(b.name));
        const { page, nextToken } = paginate(all, num(input, 'limit'), str(input, 'nextToken'), 50);
        return {
          logGroups: page.map((g) => ({
            logGroupName: g.name,
            creationTime: g.createdAt,
            arn: `${this.arn(g.name)}:*`,
            logGroupArn: this.arn(g.name),
            storedBytes: 0,
            metricFilterCount: 0,
          })),
          nextToken,
        };
      }
      case 'DescribeLogStreams': {
        const group = this.group(this.groupName(input));
        const prefix = str(input, 'logStreamNamePrefix') ?? '';
        let all = [...group.streams.values()].filter((s) => s.name.startsWith(prefix));
        if (str(input, 'orderBy') === 'LastEventTime') {
          all.sort((a, b) => (a.events.at(-1)?.timestamp ?? 0) - (b.events.at(-1)?.timestamp ?? 0));
        } else all.sort((a, b) => a.name.localeCompare(b.name));
        if (bool(input, 'descending')) all = all.reverse();
        const { page, nextToken } = paginate(all, num(input, 'limit'), str(input, 'nextToken'), 50);
        return {
          logStreams: page.map((s) => ({
            logStreamName: s.name,
            creationTime: s.createdAt,
            firstEventTimestamp: s.events[0]?.timestamp,
            lastEventTimestamp: s.events.at(-1)?.timestamp,
            lastIngestionTime: s.events.at(-1)?.ingestionTime,
            arn: `${this.arn(group.name)}:log-stream:${s.name}`,
            storedBytes: 0,
          })),
          nextToken,
        };
      }
      case 'GetLogEvents':
        return this.getLogEvents(input);
      case 'FilterLogEvents':
        return this.filterLogEvents(input);
      default:
        throw new AwsError('UnknownOperationException', `Operation ${op} is not supported by the simulator`);
    }
  }

  private groupName(input: Obj): string {
    const id = str(input, 'logGroupIdentifier');
    if (id !== undefined) return id.startsWith('arn:') ? (id.split(':log-group:')[1] ?? id).replace(/:\*$/, '') : id;
    return reqStr(input, 'logGroupName', 'InvalidParameterException');
  }

  // Tokens are f/<index> and b/<index>, like the real ones' shape; at either end the same token comes back.
  private getLogEvents(input: Obj): Obj {
    const group = this.group(this.groupName(input));
    const stream = group.streams.get(reqStr(input, 'logStreamName'));
    if (!stream) throw new AwsError('ResourceNotFoundException', NO_STREAM);
    const startTime = num(input, 'startTime') ?? -Infinity;
    const endTime = num(input, 'endTime') ?? Infinity;
    const events = stream.events.filter((e) => e.timestamp >= startTime && e.timestamp < endTime);
    const limit = Math.min(num(input, 'limit') ?? 10000, 10000);
    const token = str(input, 'nextToken');
    let from: number;
    let to: number;
    const parsed = token === undefined ? undefined : /^([fb])\/(\d+)$/.exec(token);
    if (token !== undefined && !parsed)
      throw new AwsError('InvalidParameterException', 'The specified nextToken is invalid.');
    if (parsed?.[1] === 'f') {
      from = Math.min(Number(parsed[2]), events.length);
      to = Math.min(from + limit, events.length);
    } else if (parsed?.[1] === 'b') {
      to = Math.min(Number(parsed[2]), events.length);
      from = Math.max(0, to - limit);
    } else if (bool(input, 'startFromHead')) {
      from = 0;
      to = Math.min(limit, events.length);
    } else {
      to = events.length;
      from = Math.max(0, to - limit);
    }
    return {
      events: events
        .slice(from, to)
        .map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime })),
      nextForwardToken: `f/${String(to).padStart(56, '0')}`,
      nextBackwardToken: `b/${String(from).padStart(56, '0')}`,
    };
  }

  // filterPattern: space-separated terms (quoted phrases allowed) that must all appear, case-sensitive, as in
  // CloudWatch's plain term patterns. JSON and metric patterns are not simulated.
  private filterLogEvents(input: Obj): Obj {
    const group = this.group(this.groupName(input));
    const names = strList(input, 'logStreamNames');
    const prefix = str(input, 'logStreamNamePrefix');
    if (names.length > 0 && prefix !== undefined) {
      throw new AwsError('InvalidParameterException', 'logStreamNames and logStreamNamePrefix are mutually exclusive');
    }
    const terms = [...(str(input, 'filterPattern') ?? '').matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
    const startTime = num(input, 'startTime') ?? -Infinity;
    const endTime = num(input, 'endTime') ?? Infinity;
    const all: Obj[] = [];
    for (const s of group.streams.values()) {
      if (names.length > 0 && !names.includes(s.name)) continue;
      if (prefix !== undefined && !s.name.startsWith(prefix)) continue;
      for (const [i, e] of s.events.entries()) {
        if (e.timestamp < startTime || e.timestamp > endTime) continue;
        if (!terms.every((t) => e.message.includes(t))) continue;
        all.push({
          logStreamName: s.name,
          timestamp: e.timestamp,
          message: e.message,
          ingestionTime: e.ingestionTime,
          eventId: `${e.timestamp}${String(i).padStart(8, '0')}`,
        });
      }
    }
    all.sort((a, b) => Number(a['timestamp']) - Number(b['timestamp']));
    const { page, nextToken } = paginate(all, num(input, 'limit'), str(input, 'nextToken'), 10000);
    return { events: page, nextToken };
  }
}
