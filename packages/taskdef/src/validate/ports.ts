import { ApplicationProtocol, TransportProtocol } from '@aws-sdk/client-ecs';
import { containerLabel, enumValues, type Check } from './context';

/** Port mappings as ECS checks them; under awsvpc the containers share one network namespace. */
export function ports(c: Check): void {
  const used = new Map<string, string>();
  c.containers.forEach((d, i) => {
    const label = containerLabel(i, d);
    (d.portMappings ?? []).forEach((p, j) => {
      const at = (field: string, problem: string, fix?: string): void =>
        c.at(`${label}.portMappings[${j}]${field}`, problem, fix);
      if (p.containerPort === undefined && p.containerPortRange === undefined)
        at('', 'has no containerPort', 'set "containerPort"');
      for (const key of ['containerPort', 'hostPort'] as const) {
        const port = p[key];
        if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
          at(`.${key}`, 'is not a port number', 'use 0..65535');
        }
      }
      if (c.awsvpc && p.hostPort !== undefined && p.containerPort !== undefined && p.hostPort !== p.containerPort) {
        at(
          '.hostPort',
          `is ${p.hostPort} but containerPort is ${p.containerPort}; under awsvpc they must be equal`,
          `remove hostPort or set it to ${p.containerPort}`,
        );
      }
      if (p.protocol !== undefined && !enumValues(TransportProtocol).includes(p.protocol)) {
        at('.protocol', 'is not a protocol', 'use one of: tcp, udp');
      }
      if (p.appProtocol !== undefined && !enumValues(ApplicationProtocol).includes(p.appProtocol)) {
        at('.appProtocol', 'is not an app protocol', `use one of: ${enumValues(ApplicationProtocol).join(', ')}`);
      }
      if (c.awsvpc && p.containerPort !== undefined) {
        const key = `${p.containerPort}/${p.protocol ?? 'tcp'}`;
        const other = used.get(key);
        if (other !== undefined) {
          at(
            '.containerPort',
            `${key} is already used by ${other}; containers of an awsvpc task share one network`,
            'use another port',
          );
        } else used.set(key, label);
      }
    });
    if (c.awsvpc && (d.links ?? []).length > 0) {
      c.at(`${label}.links`, 'is not supported with awsvpc', 'remove links; containers reach each other on localhost');
    }
  });
}
