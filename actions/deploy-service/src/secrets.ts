import { redact } from '@deploy-actions/core';

/**
 * Names that are secret by convention: their environment values are masked and never printed, and their
 * `NAME=value` / `NAME: value` forms in log lines are redacted. One rule for both.
 */
const SECRET_WORD = /PASSWORD|SECRET|TOKEN|PRIVATE|CREDENTIAL/i;
export function isSecretName(name: string): boolean {
  return SECRET_WORD.test(name) || name.split('_').some((part) => part.toUpperCase() === 'KEY');
}
const ASSIGNMENT = /\b([A-Za-z][A-Za-z0-9_]*)(\s*[=:]\s*)("[^"]*"|'[^']*'|\S+)/g;

/** Replaces known secret values and the values of secret-looking NAME=value pairs. */
export function redactor(secrets: readonly string[]): (text: string) => string {
  return (text) =>
    redact(text, secrets).replace(ASSIGNMENT, (match, name: string, sep: string) =>
      isSecretName(name) ? `${name}${sep}***` : match,
    );
}
