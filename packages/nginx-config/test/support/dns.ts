import { createSocket, type Socket } from 'node:dgram';

/**
 * A tiny authoritative DNS server on 127.0.0.1 for the tests: A records from a mutable map, NXDOMAIN for
 * everything else. nginx's resolver talks to it exactly as it talks to the VPC resolver in Fargate.
 */
export interface TestDns {
  readonly address: string; // host:port, as nginx's `resolver` directive takes it
  readonly records: Map<string, string>;
  readonly queries: string[];
  stop(): Promise<void>;
}

export async function startDns(port: number): Promise<TestDns> {
  const records = new Map<string, string>();
  const queries: string[] = [];
  const socket: Socket = createSocket('udp4');
  socket.on('message', (message, peer) => {
    const answer = respond(message, records, queries);
    if (answer) socket.send(answer, peer.port, peer.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => resolve());
  });
  return {
    address: `127.0.0.1:${port}`,
    records,
    queries,
    stop: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

function respond(query: Buffer, records: Map<string, string>, queries: string[]): Buffer | undefined {
  if (query.length < 12) return undefined;
  const labels: string[] = [];
  let offset = 12;
  while (offset < query.length) {
    const length = query[offset] ?? 0;
    offset += 1;
    if (length === 0) break;
    labels.push(query.subarray(offset, offset + length).toString('ascii'));
    offset += length;
  }
  const type = query.readUInt16BE(offset);
  const question = query.subarray(12, offset + 4);
  const name = labels.join('.').toLowerCase();
  queries.push(name);
  const ip = type === 1 ? records.get(name) : undefined;
  const known = records.has(name);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0); // same id
  header.writeUInt16BE(0x8180 | (known ? 0 : 3), 2); // response, recursion available; NXDOMAIN if unknown
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(ip ? 1 : 0, 6);
  if (!ip) return Buffer.concat([header, question]);
  const answer = Buffer.alloc(16);
  answer.writeUInt16BE(0xc00c, 0); // pointer to the question's name
  answer.writeUInt16BE(1, 2); // A
  answer.writeUInt16BE(1, 4); // IN
  answer.writeUInt32BE(1, 6); // TTL 1 s
  answer.writeUInt16BE(4, 10);
  ip.split('.').forEach((part, i) => answer.writeUInt8(Number(part), 12 + i));
  return Buffer.concat([header, question, answer]);
}
