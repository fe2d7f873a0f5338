export * from './options';
export * from './envsubst';
export { nginxFiles, imageEnvironment, environmentFor, serverTemplate, TEMPLATE_PATH } from './template';
