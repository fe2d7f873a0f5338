// ncc's settings that are not its defaults, each with its reason (ncc's API takes them; its CLI has no flags).

/**
 * Resolution: a package without an `exports` map resolves to its ESM build (`module`), else `main`. That covers
 * the AWS SDK clients and the credential providers: webpack can then leave out what an action never imports
 * (commands and schemas it does not use), and the SDK's own `await import()` of optional parts (the other
 * credential providers, the STS client of a web identity) become separate chunks in dist/, read only when
 * called. Packages with an `exports` map are still resolved by ncc's conditions (import/require, node), so
 * @smithy/core and @aws-sdk/core stay CommonJS for every importer: one build of each, never two copies
 * (check-dist fails on two). The `browser` field is never applied: ncc targets Node.
 *
 * Our own code loads a module that a run may not need before its first AWS call (an SDK client, the YAML parser)
 * with `import(/* webpackMode: "eager", webpackExports: [...] *\/ ...)`: kept in dist/index.js (minified with it;
 * ncc does not minify chunks) and evaluated only when first called; webpackExports names what is used, since
 * webpack cannot see which exports of a dynamically imported namespace are read.
 */
export const MAIN_FIELDS = ['module', 'main'];

/**
 * Not bundled, with the reason. bowser is a browser user-agent parser that @aws-sdk/core's CommonJS build
 * (chosen by its exports map under Node) requires inside its browser-only user-agent provider; the clients'
 * Node configuration uses the Node provider, so that require never runs. Left external it costs nothing; were it
 * ever reached, it would fail loudly ("Cannot find module 'bowser'"), never silently. check-dist fails on any
 * other external that is not a Node built-in.
 */
export const EXTERNALS = { bowser: 'bowser' };
