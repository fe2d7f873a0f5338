import { envsubst, localResolvers, renderTemplates, substitutedNames } from '@deploy-actions/nginx-config';

const T = '/etc/nginx/templates';

describe('renderTemplates (20-envsubst-on-templates.sh)', () => {
  test.each<[string, Record<string, string | undefined>, string]>([
    ['listen ${PORT};', { PORT: '8080' }, 'listen 8080;'],
    ['listen $PORT;', { PORT: '8080' }, 'listen 8080;'],
    ['listen ${PORT};', {}, 'listen ${PORT};'], // unset: left as is
    ['listen ${PORT};', { PORT: undefined }, 'listen ${PORT};'],
    ['x ${EMPTY}y', { EMPTY: '' }, 'x y'], // set but empty: replaced
    ['try_files $uri $uri/ /index.html;', { PORT: '1' }, 'try_files $uri $uri/ /index.html;'],
    ['$uri ${uri}', { uri: 'REPLACED' }, 'REPLACED REPLACED'], // envsubst itself does not know nginx
    ['$PORTS ${PORT}S', { PORT: '1' }, '$PORTS 1S'], // a bare name runs to the last name character
    ['${PORT ${PORT', { PORT: '1' }, '${PORT ${PORT'], // an unclosed brace is not a reference
    ['rewrite ^/api/(.*)$ /$1 break;', { PORT: '1' }, 'rewrite ^/api/(.*)$ /$1 break;'],
    ['a $A_1 b', { A_1: 'ok' }, 'a ok b'],
  ])('%p with %j -> %p', (template, env, expected) => {
    const [out] = renderTemplates([{ path: `${T}/default.conf.template`, content: template }], env);
    expect(out).toEqual({ path: '/etc/nginx/conf.d/default.conf', content: expected });
  });

  test('NGINX_ENVSUBST_FILTER limits substitution to matching names (an unanchored extended regex)', () => {
    const env = {
      NGINX_ENVSUBST_FILTER: '^(SITE_|NGINX_LOCAL_RESOLVERS$)',
      SITE_A: 'a',
      uri: 'BAD',
      NGINX_LOCAL_RESOLVERS: '10.0.0.2',
      NGINX_LOCAL_RESOLVERS_X: 'no',
    };
    expect([...substitutedNames(env)].sort()).toEqual(['NGINX_LOCAL_RESOLVERS', 'SITE_A']);
    const [out] = renderTemplates(
      [{ path: `${T}/a.conf.template`, content: '$SITE_A $uri ${NGINX_LOCAL_RESOLVERS} $NGINX_LOCAL_RESOLVERS_X' }],
      env,
    );
    expect(out?.content).toBe('a $uri 10.0.0.2 $NGINX_LOCAL_RESOLVERS_X');
    expect([...substitutedNames({ NGINX_ENVSUBST_FILTER: 'ITE', SITE: 'x', OTHER: 'y' })].sort()).toEqual(['SITE']);
  });

  test('only *.template files under the template dir are rendered; sub-directories are kept', () => {
    const out = renderTemplates(
      [
        { path: `${T}/default.conf.template`, content: 'a' },
        { path: `${T}/sub/dir/extra.conf.template`, content: 'b' },
        { path: `${T}/notes.txt`, content: 'c' },
        { path: '/etc/nginx/other/x.conf.template', content: 'd' },
        { path: '/usr/share/nginx/html/index.html', content: 'e' },
      ],
      {},
    );
    expect(out).toEqual([
      { path: '/etc/nginx/conf.d/default.conf', content: 'a' },
      { path: '/etc/nginx/conf.d/sub/dir/extra.conf', content: 'b' },
    ]);
  });

  test('template dir, suffix and output dir come from NGINX_ENVSUBST_*; empty means the default', () => {
    const files = [
      { path: '/tpl/site.conf.tmpl', content: '$X' },
      { path: `${T}/default.conf.template`, content: '$X' },
    ];
    const env = {
      X: '1',
      NGINX_ENVSUBST_TEMPLATE_DIR: '/tpl/',
      NGINX_ENVSUBST_TEMPLATE_SUFFIX: '.tmpl',
      NGINX_ENVSUBST_OUTPUT_DIR: '/out',
    };
    expect(renderTemplates(files, env)).toEqual([{ path: '/out/site.conf', content: '1' }]);
    expect(renderTemplates(files, { X: '2', NGINX_ENVSUBST_TEMPLATE_DIR: '', NGINX_ENVSUBST_OUTPUT_DIR: '' })).toEqual([
      { path: '/etc/nginx/conf.d/default.conf', content: '2' },
    ]);
  });

  test('envsubst replaces only the listed names', () => {
    expect(envsubst('$A ${B} $C', { A: '1', B: '2', C: '3' }, new Set(['A', 'B']))).toBe('1 2 $C');
  });
});

describe('localResolvers (15-local-resolvers.envsh)', () => {
  test.each([
    ['nameserver 10.0.0.2\n', '10.0.0.2'],
    [
      '# comment\nsearch eu-west-2.compute.internal\nnameserver 169.254.169.253\n  nameserver   10.0.0.2  \n',
      '169.254.169.253 10.0.0.2',
    ],
    ['nameserver fd00:ec2::253\nnameserver 10.0.0.2', '[fd00:ec2::253] 10.0.0.2'],
    ['options ndots:5\n', ''],
  ])('%p -> %p', (conf, expected) => {
    expect(localResolvers(conf)).toBe(expected);
  });
});
