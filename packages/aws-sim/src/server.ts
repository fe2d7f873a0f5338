// The HTTP front: one endpoint for every service, routed by X-Amz-Target prefix (JSON services) or by the
// query protocol's Version (ELBv2, STS), with injected faults applied before the model sees the call.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Scheduler } from './clock';
import { uuid } from './context';
import { AwsError, type Obj, isObj, jsonError, parseQuery, queryError, queryResponse } from './protocol';

export type ServiceId = 'ecs' | 'ssm' | 'ecr' | 'logs' | 'elbv2' | 'sts';

/** X-Amz-Target prefixes of the awsJson1_1 services. */
export const JSON_TARGETS: Record<string, ServiceId> = {
  AmazonEC2ContainerServiceV20141113: 'ecs',
  AmazonSSM: 'ssm',
  AmazonEC2ContainerRegistry_V20150921: 'ecr',
  Logs_20140328: 'logs',
};

/** awsQuery API versions and the XML namespace of their responses. */
export const QUERY_VERSIONS: Record<string, { service: ServiceId; xmlns: string }> = {
  '2015-12-01': { service: 'elbv2', xmlns: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/' },
  '2011-06-15': { service: 'sts', xmlns: 'https://sts.amazonaws.com/doc/2011-06-15/' },
};

export type FaultKind =
  'throttle' | 'server-error' | 'reset' | 'slow' | 'blackhole' | 'stale' | 'empty' | 'expired-credentials';

export interface FaultSpec {
  /** Operation name (e.g. DescribeServices); every operation when omitted. */
  readonly operation?: string;
  /** Service (ecs, ssm, ecr, logs, elbv2, sts); every service when omitted. */
  readonly service?: ServiceId;
  readonly kind: FaultKind;
  /** How many matching calls fail; default 1, except expired-credentials: every later call. */
  readonly times?: number;
  /**
   * An outage: every matching call fails for this many simulated milliseconds once the fault has started
   * (`times` is then ignored).
   */
  readonly forMs?: number;
  /** Matching calls that succeed before the fault starts; default 0. */
  readonly afterCalls?: number;
  /**
   * Simulated milliseconds after injection before the fault starts (e.g. 3_600_000: a one-hour role
   * session ending mid-wait); default 0. Combined with afterCalls, both must have passed.
   */
  readonly afterMs?: number;
  /** For `slow`: real milliseconds to hold the reply; default 2000. */
  readonly delayMs?: number;
}

interface ActiveFault {
  readonly spec: FaultSpec;
  /** Simulated time from which the fault may fire. */
  readonly startsAt: number;
  seen: number;
  fired: number;
  /** `stale`: the first answer to each request (by its body) since injection, replayed when the fault fires. */
  readonly snapshots: Map<string, Obj>;
}

export interface Call {
  readonly service: ServiceId;
  readonly operation: string;
  /** The request as the server read it (JSON body, or query parameters): what the SDK really sent. */
  readonly input: Obj;
  /** The fault injected into this call, if any. */
  readonly fault?: FaultKind;
}

export type Handler = (operation: string, input: Obj) => Obj;

export interface Router {
  readonly handlers: Record<ServiceId, Handler>;
  readonly scheduler: Scheduler;
  readonly calls: Call[];
  readonly faults: ActiveFault[];
}

export function addFault(faults: ActiveFault[], spec: FaultSpec, now: number): void {
  faults.push({ spec, startsAt: now + (spec.afterMs ?? 0), seen: 0, fired: 0, snapshots: new Map() });
}

const matches = (f: ActiveFault, service: ServiceId, operation: string): boolean =>
  (f.spec.operation === undefined || f.spec.operation === operation) &&
  (f.spec.service === undefined || f.spec.service === service);

function pickFault(faults: ActiveFault[], service: ServiceId, operation: string, now: number): ActiveFault | undefined {
  let chosen: ActiveFault | undefined;
  for (const f of faults) {
    if (!matches(f, service, operation)) continue;
    f.seen++;
    const times =
      f.spec.forMs !== undefined ? Infinity : (f.spec.times ?? (f.spec.kind === 'expired-credentials' ? Infinity : 1));
    const within = f.spec.forMs === undefined || now < f.startsAt + f.spec.forMs;
    if (chosen === undefined && now >= f.startsAt && within && f.seen > (f.spec.afterCalls ?? 0) && f.fired < times) {
      f.fired++;
      chosen = f;
    }
  }
  return chosen;
}

function faultError(kind: FaultKind, service: ServiceId): AwsError | undefined {
  switch (kind) {
    case 'throttle':
      return new AwsError(
        service === 'elbv2' || service === 'sts' ? 'Throttling' : 'ThrottlingException',
        'Rate exceeded',
      );
    case 'server-error':
      return service === 'ecs'
        ? new AwsError('ServerException', 'Service unavailable. Please try again later.', 500)
        : service === 'ssm'
          ? new AwsError('InternalServerError', 'An internal error occurred.', 500)
          : new AwsError('InternalFailure', 'The request processing has failed because of an unknown error.', 500);
    case 'expired-credentials':
      return service === 'elbv2' || service === 'sts'
        ? new AwsError('ExpiredToken', 'The security token included in the request is expired', 403)
        : new AwsError('ExpiredTokenException', 'The security token included in the request is expired');
    default:
      return undefined;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function handle(router: Router, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = uuid();
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ simulator: 'aws-sim' }));
    return;
  }
  const body = await readBody(req);
  const target = req.headers['x-amz-target'];
  let service: ServiceId;
  let operation: string;
  let input: Obj;
  let xmlns: string | undefined;
  if (typeof target === 'string') {
    const [prefix = '', op = ''] = target.split('.');
    const svc = JSON_TARGETS[prefix];
    if (!svc) {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId });
      res.end(jsonError(new AwsError('UnknownOperationException', `Unknown target ${target}`)));
      return;
    }
    service = svc;
    operation = op;
    let parsed: unknown;
    try {
      parsed = body === '' ? {} : JSON.parse(body);
    } catch {
      parsed = undefined;
    }
    if (!isObj(parsed)) {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId });
      res.end(jsonError(new AwsError('SerializationException', 'Request body is not a JSON object')));
      return;
    }
    input = parsed;
  } else {
    const q = parseQuery(body);
    const v = QUERY_VERSIONS[q.version];
    if (!v) {
      res.writeHead(400, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
      res.end(queryError(new AwsError('InvalidAction', `Unknown API version '${q.version}'`), requestId));
      return;
    }
    service = v.service;
    xmlns = v.xmlns;
    operation = q.action;
    input = q.params;
  }

  router.scheduler.advance();
  const fault = pickFault(router.faults, service, operation, router.scheduler.now());
  router.calls.push(fault ? { service, operation, input, fault: fault.spec.kind } : { service, operation, input });
  if (fault?.spec.kind === 'reset') {
    req.socket.destroy();
    return;
  }
  // A request that is never answered: the connection stays open until the client gives up.
  if (fault?.spec.kind === 'blackhole') return;
  if (fault?.spec.kind === 'slow') {
    await sleep(fault.spec.delayMs ?? 2000);
    router.scheduler.advance();
  }

  let status = 200;
  let payload: string;
  try {
    const injected = fault ? faultError(fault.spec.kind, service) : undefined;
    if (injected) throw injected;
    const result = answer(router, fault, service, operation, input);
    payload = xmlns === undefined ? JSON.stringify(result) : queryResponse(operation, xmlns, result, requestId);
  } catch (error) {
    const e =
      error instanceof AwsError
        ? error
        : new AwsError(
            'InternalFailure',
            `simulator error: ${error instanceof Error ? error.message : String(error)}`,
            500,
          );
    status = e.status;
    payload = xmlns === undefined ? jsonError(e) : queryError(e, requestId);
  }
  if (res.destroyed) return;
  res.writeHead(status, {
    'content-type': xmlns === undefined ? 'application/x-amz-json-1.1' : 'text/xml',
    'x-amzn-requestid': requestId,
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

/**
 * The model's answer, or what an eventually consistent read would show instead: `stale` replays the first
 * answer given to the same request since the fault was injected (e.g. DescribeServices from before an
 * update), `empty` answers with every list empty (e.g. no service returned).
 */
function answer(
  router: Router,
  fault: ActiveFault | undefined,
  service: ServiceId,
  operation: string,
  input: Obj,
): Obj {
  const key = JSON.stringify(input);
  const replay = fault?.spec.kind === 'stale' ? fault.snapshots.get(key) : undefined;
  if (replay !== undefined) return replay;
  const result = router.handlers[service](operation, input);
  for (const f of router.faults) {
    if (f.spec.kind === 'stale' && matches(f, service, operation) && !f.snapshots.has(key)) {
      f.snapshots.set(key, structuredClone(result));
    }
  }
  if (fault?.spec.kind !== 'empty') return result;
  return Object.fromEntries(Object.entries(result).map(([k, v]) => [k, Array.isArray(v) ? [] : v]));
}

export function createSimServer(router: Router): Server {
  return createServer((req, res) => {
    handle(router, req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    });
  });
}
