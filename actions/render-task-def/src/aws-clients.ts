// The SDK clients render-task-def may call, loaded on first use: a render from a file makes no AWS call and
// never evaluates the SDK. main imports this module with webpackMode "eager", so ncc keeps it in dist/index.js
// (minified, no extra file to read) and only its evaluation waits for the first describe or account lookup.
export { DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
export { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
