export * from './options';
export * from './envsubst';
export { nginxFiles, imageEnvironment, environmentFor, serverTemplate, TEMPLATE_PATH } from './template';
export { apiHostsScript, API_HOSTS_SCRIPT_PATH } from './entrypoint';
