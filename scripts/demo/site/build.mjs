// The demo app's build: copies src/ to dist/, fingerprints the assets (app.<hash>.js, style.<hash>.css) and
// points index.html at them, like a real bundler's output (fingerprinted assets are cached as immutable).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
mkdirSync('dist/assets', { recursive: true });
let html = readFileSync('src/index.html', 'utf8');
for (const file of ['app.js', 'style.css']) {
  const content = readFileSync(`src/${file}`);
  const hash = createHash('sha256').update(content).digest('hex').slice(0, 8);
  const [name, ext] = file.split('.');
  const built = `assets/${name}.${hash}.${ext}`;
  writeFileSync(`dist/${built}`, content);
  html = html.replaceAll(`/${file}`, `/${built}`);
  console.log(`dist/${built}  ${content.length} B`);
}
writeFileSync('dist/index.html', html);
console.log(`dist/index.html  ${html.length} B`);
