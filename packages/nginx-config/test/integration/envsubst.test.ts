// renderTemplates is our model of the official image's start-up step; here it is checked against GNU
// envsubst (gettext-base, the program that step runs) given the variable list the step builds.
import { spawnSync } from 'node:child_process';
import { imageEnvironment, nginxFiles, renderTemplates, substitutedNames } from '@deploy-actions/nginx-config';

function gnuEnvsubst(text: string, env: Record<string, string>): string {
  const list = [...substitutedNames(env)].map((name) => `\${${name}}`).join(' ');
  const result = spawnSync('envsubst', [list], { input: text, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout;
}

const TRICKY = [
  'a $A ${A} $AB ${A}B $A_B $1 $ {A} ${A ${ $$A',
  'try_files $uri $uri/ /index.html; rewrite ^/x/(.*)$ /$1 break;',
  '${EMPTY}|$EMPTY|${UNSET}|$uri',
].join('\n');

describe('renderTemplates agrees with GNU envsubst', () => {
  test.each<[string, string, Record<string, string>]>([
    ['tricky text, no filter', TRICKY, { A: 'x', A_B: 'y', EMPTY: '', uri: 'U' }],
    ['tricky text, filter', TRICKY, { A: 'x', A_B: 'y', EMPTY: '', uri: 'U', NGINX_ENVSUBST_FILTER: '^A' }],
    [
      'the generated template with the image environment',
      nginxFiles({})[0]!.content,
      { ...imageEnvironment({}), NGINX_LOCAL_RESOLVERS: '10.0.0.2', uri: 'U', host: 'H' },
    ],
    [
      'the generated template, staging overrides, no filter',
      nginxFiles({ apiStripPrefix: true })[0]!.content,
      {
        SITE_SERVER_NAMES: 'staging.zanda360.com',
        SITE_API_PATH: '/api/',
        SITE_API_UPSTREAM: 'http://a:1',
        SITE_REAL_IP_FROM: '10.0.0.0/16',
        SITE_CLIENT_MAX_BODY_SIZE: '1m',
        NGINX_LOCAL_RESOLVERS: '10.0.0.2',
      },
    ],
  ])('%s', (_name, text, env) => {
    const [ours] = renderTemplates([{ path: '/etc/nginx/templates/t.conf.template', content: text }], env);
    expect(ours?.content).toBe(gnuEnvsubst(text, env));
  });
});
