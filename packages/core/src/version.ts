/** The suite's version, sent in the AWS user agent. A unit test keeps it equal to package.json's. */
export const SUITE_NAME = 'deploy-actions';
export const SUITE_VERSION = '1.0.0';
