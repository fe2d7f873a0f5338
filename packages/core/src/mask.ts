/** Registers a value with the runner's masker (::add-mask::). */
export type SetSecret = (value: string) => void;

/**
 * Every form in which a secret could reach a log: itself, each of its lines (the runner masks line by line),
 * its JSON-escaped, URL-encoded and base64 forms. Values shorter than 4 characters are not masked on their
 * own (masking "1" would garble every log), but are still never printed by the suite.
 */
export function secretForms(value: string): string[] {
  const forms = new Set<string>();
  const add = (form: string): void => {
    if (form.trim().length >= 4) forms.add(form);
  };
  add(value);
  for (const line of value.split(/\r?\n/)) add(line);
  add(JSON.stringify(value).slice(1, -1));
  add(encodeURIComponent(value));
  add(Buffer.from(value, 'utf8').toString('base64'));
  return [...forms];
}

/** Masks a secret and its derived forms. Call it the moment a secret value is read, before anything else. */
export function maskSecret(value: string, setSecret: SetSecret): void {
  for (const form of secretForms(value)) setSecret(form);
}

/** Replaces every known secret form in a text (for files and reports the runner does not mask). */
export function redact(text: string, secrets: Iterable<string>): string {
  let out = text;
  const forms = [...secrets].flatMap(secretForms).sort((a, b) => b.length - a.length);
  for (const form of forms) out = out.split(form).join('***');
  return out;
}
