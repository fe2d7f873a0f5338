/**
 * GitHub Actions expressions (`${{ ... }}`): a tokenizer, a parser and an evaluator with the runner's rules
 * (case-insensitive property names and string comparison, loose `==` coercion, `&&`/`||` returning an
 * operand, missing properties evaluating to null, null rendered as ''). Enough to evaluate what our workflow
 * files contain, so tests and the demo can read a step's inputs from the workflow itself instead of copying
 * them. Unsupported syntax (object filters `.*`) throws instead of guessing.
 */

export type Value = null | boolean | number | string | Value[] | { [key: string]: Value };

type Token =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'ident'; value: string }
  | { kind: 'op'; value: string };

export type Node =
  | { type: 'literal'; value: Value }
  | { type: 'context'; name: string }
  | { type: 'member'; object: Node; property: Node }
  | { type: 'call'; name: string; args: Node[] }
  | { type: 'not'; operand: Node }
  | { type: 'binary'; op: string; left: Node; right: Node };

export class ExpressionError extends Error {
  constructor(expression: string, message: string) {
    super(`expression '${expression}': ${message}`);
    this.name = 'ExpressionError';
  }
}

const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '(', ')', '[', ']', '.', ',', '*'];

export function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expression.length) {
    const c = expression[i] ?? '';
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= expression.length) throw new ExpressionError(expression, 'unterminated string');
        if (expression[i] === "'") {
          if (expression[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += expression[i];
        i++;
      }
      tokens.push({ kind: 'string', value });
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(expression[i + 1] ?? ''))) {
      const match = /^-?(0x[0-9a-f]+|\d+(\.\d+)?(e[+-]?\d+)?)/i.exec(expression.slice(i));
      const text = match?.[0] ?? c;
      tokens.push({ kind: 'number', value: Number(text) });
      i += text.length;
    } else if (/[A-Za-z_]/.test(c)) {
      // Property names may contain hyphens (inputs.role-to-assume).
      const text = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(expression.slice(i))?.[0] ?? c;
      tokens.push({ kind: 'ident', value: text });
      i += text.length;
    } else {
      const op = OPERATORS.find((o) => expression.startsWith(o, i));
      if (op === undefined) throw new ExpressionError(expression, `unexpected character '${c}'`);
      tokens.push({ kind: 'op', value: op });
      i += op.length;
    }
  }
  return tokens;
}

export function parse(expression: string): Node {
  const tokens = tokenize(expression);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isOp = (value: string): boolean => {
    const t = peek();
    return t?.kind === 'op' && t.value === value;
  };
  const expect = (value: string): void => {
    if (!isOp(value)) throw new ExpressionError(expression, `expected '${value}'`);
    pos++;
  };
  const binary = (ops: string[], next: () => Node) => (): Node => {
    let left = next();
    for (;;) {
      const t = peek();
      if (t?.kind !== 'op' || !ops.includes(t.value)) return left;
      pos++;
      left = { type: 'binary', op: t.value, left, right: next() };
    }
  };
  const primary = (): Node => {
    const t = peek();
    if (t === undefined) throw new ExpressionError(expression, 'unexpected end');
    pos++;
    if (t.kind === 'string' || t.kind === 'number') return { type: 'literal', value: t.value };
    if (t.kind === 'op' && t.value === '(') {
      const inner = or();
      expect(')');
      return inner;
    }
    if (t.kind === 'ident') {
      const word = t.value.toLowerCase();
      if (word === 'true' || word === 'false') return { type: 'literal', value: word === 'true' };
      if (word === 'null') return { type: 'literal', value: null };
      if (isOp('(')) {
        pos++;
        const args: Node[] = [];
        while (!isOp(')')) {
          args.push(or());
          if (!isOp(')')) expect(',');
        }
        pos++;
        return { type: 'call', name: word, args };
      }
      return { type: 'context', name: t.value };
    }
    throw new ExpressionError(expression, `unexpected '${t.value}'`);
  };
  const postfix = (): Node => {
    let node = primary();
    for (;;) {
      if (isOp('.')) {
        pos++;
        const t = peek();
        if (t?.kind === 'op' && t.value === '*')
          throw new ExpressionError(expression, 'object filters (.*) are not supported');
        if (t?.kind !== 'ident') throw new ExpressionError(expression, 'expected a property name after .');
        pos++;
        node = { type: 'member', object: node, property: { type: 'literal', value: t.value } };
      } else if (isOp('[')) {
        pos++;
        const property = or();
        expect(']');
        node = { type: 'member', object: node, property };
      } else {
        return node;
      }
    }
  };
  const unary = (): Node => {
    if (isOp('!')) {
      pos++;
      return { type: 'not', operand: unary() };
    }
    return postfix();
  };
  const comparison = binary(['<', '<=', '>', '>='], unary);
  const equality = binary(['==', '!='], comparison);
  const and = binary(['&&'], equality);
  const or = binary(['||'], and);
  const tree = or();
  if (pos !== tokens.length) throw new ExpressionError(expression, `unexpected '${String(tokens[pos]?.value)}'`);
  return tree;
}

export function truthy(value: Value): boolean {
  if (value === null || value === false || value === '' || value === 0) return false;
  if (typeof value === 'number' && Number.isNaN(value)) return false;
  return true;
}

function toNumber(value: Value): number {
  if (value === null) return 0;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return value.trim() === '' ? 0 : Number(value);
  return NaN;
}

function equal(a: Value, b: Value): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (typeof a === typeof b && (typeof a === 'object' || typeof a === 'boolean')) return a === b;
  return toNumber(a) === toNumber(b);
}

/** How the runner turns a value into text inside a string (`null` → '', objects → JSON). */
export function stringify(value: Value): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value, null, 2);
}

function property(object: Value, key: Value): Value {
  if (Array.isArray(object)) {
    const index = toNumber(key);
    return Number.isInteger(index) ? (object[index] ?? null) : null;
  }
  if (object === null || typeof object !== 'object') return null;
  const name = stringify(key).toLowerCase();
  const found = Object.keys(object).find((k) => k.toLowerCase() === name);
  return found === undefined ? null : (object[found] ?? null);
}

/** Contexts by name (github, inputs, steps, needs, matrix, vars, env, job, runner, ...) plus the job status. */
export interface EvaluationContext {
  readonly contexts: Record<string, Value>;
  /** Status of the job so far, for success()/failure()/cancelled(); 'success' when not given. */
  readonly status?: 'success' | 'failure' | 'cancelled';
}

export function evaluateNode(node: Node, context: EvaluationContext, source = ''): Value {
  const run = (n: Node): Value => evaluateNode(n, context, source);
  switch (node.type) {
    case 'literal':
      return node.value;
    case 'context':
      return property(context.contexts, node.name);
    case 'member':
      return property(run(node.object), run(node.property));
    case 'not':
      return !truthy(run(node.operand));
    case 'binary': {
      if (node.op === '&&') {
        const left = run(node.left);
        return truthy(left) ? run(node.right) : left;
      }
      if (node.op === '||') {
        const left = run(node.left);
        return truthy(left) ? left : run(node.right);
      }
      const left = run(node.left);
      const right = run(node.right);
      if (node.op === '==') return equal(left, right);
      if (node.op === '!=') return !equal(left, right);
      const [l, r] =
        typeof left === 'string' && typeof right === 'string'
          ? [left.toLowerCase(), right.toLowerCase()]
          : [toNumber(left), toNumber(right)];
      if (node.op === '<') return l < r;
      if (node.op === '<=') return l <= r;
      if (node.op === '>') return l > r;
      return l >= r;
    }
    case 'call':
      return call(node.name, node.args.map(run), context, source);
  }
}

function call(name: string, args: Value[], context: EvaluationContext, source: string): Value {
  const text = (i: number): string => stringify(args[i] ?? null);
  const status = context.status ?? 'success';
  switch (name) {
    case 'success':
      return status === 'success';
    case 'failure':
      return status === 'failure';
    case 'cancelled':
      return status === 'cancelled';
    case 'always':
      return true;
    case 'contains': {
      const haystack = args[0] ?? null;
      if (Array.isArray(haystack)) return haystack.some((item) => equal(item, args[1] ?? null));
      return text(0).toLowerCase().includes(text(1).toLowerCase());
    }
    case 'startswith':
      return text(0).toLowerCase().startsWith(text(1).toLowerCase());
    case 'endswith':
      return text(0).toLowerCase().endsWith(text(1).toLowerCase());
    case 'format':
      return text(0).replace(/\{(\d+)\}/g, (_, i: string) => text(Number(i) + 1));
    case 'join': {
      const list = args[0] ?? null;
      const separator = args.length > 1 ? text(1) : ',';
      return Array.isArray(list) ? list.map(stringify).join(separator) : stringify(list);
    }
    case 'tojson':
      return JSON.stringify(args[0] ?? null, null, 2);
    case 'fromjson':
      return JSON.parse(text(0)) as Value;
    default:
      throw new ExpressionError(source, `function ${name}() is not supported`);
  }
}

export function evaluate(expression: string, context: EvaluationContext): Value {
  return evaluateNode(parse(expression), context, expression);
}

const TEMPLATE = /\$\{\{([\s\S]*?)\}\}/g;

/** The expressions inside `${{ }}` of a text, in order. */
export function expressionsIn(text: string): string[] {
  return [...text.matchAll(TEMPLATE)].map((m) => (m[1] ?? '').trim());
}

/** Replaces every `${{ expr }}` in a text with its value as the runner renders it. */
export function interpolate(text: string, context: EvaluationContext): string {
  return text.replace(TEMPLATE, (_, expr: string) => stringify(evaluate(expr.trim(), context)));
}

/**
 * Evaluates a job or step `if:` the way the runner does: `${{ }}` is optional, and a condition without a
 * status function is implicitly `success() && (...)`.
 */
export function condition(text: string | boolean | undefined, context: EvaluationContext): boolean {
  if (text === undefined) return (context.status ?? 'success') === 'success';
  if (typeof text === 'boolean') return text && (context.status ?? 'success') === 'success';
  const trimmed = text.trim();
  const whole = /^\$\{\{([\s\S]*)\}\}$/.exec(trimmed);
  const expression = whole?.[1]?.trim() ?? trimmed;
  const usesStatus = /\b(success|failure|cancelled|always)\s*\(/i.test(expression);
  const value = truthy(evaluate(expression, context));
  return usesStatus ? value : value && (context.status ?? 'success') === 'success';
}

/** Property chains an expression reads, e.g. `steps.render.outputs.task-definition` → ['steps','render',...]. */
export function propertyPaths(expression: string): string[][] {
  const paths: string[][] = [];
  const visit = (node: Node): string[] | undefined => {
    switch (node.type) {
      case 'context':
        return [node.name];
      case 'member': {
        const base = visit(node.object);
        if (node.property.type === 'literal' && typeof node.property.value === 'string' && base !== undefined) {
          return [...base, node.property.value];
        }
        if (base !== undefined) paths.push(base);
        flush(visit(node.property));
        return undefined;
      }
      case 'literal':
        return undefined;
      case 'not':
        flush(visit(node.operand));
        return undefined;
      case 'binary':
        flush(visit(node.left));
        flush(visit(node.right));
        return undefined;
      case 'call':
        for (const arg of node.args) flush(visit(arg));
        return undefined;
    }
  };
  const flush = (path: string[] | undefined): void => {
    if (path !== undefined) paths.push(path);
  };
  flush(visit(parse(expression)));
  return paths;
}
