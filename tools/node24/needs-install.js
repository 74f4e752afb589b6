// Exit 0 (install needed) unless tools/node24 already holds the pinned Node.js: the test:node24 task's condition.
const { execFileSync } = require('child_process');
const { join } = require('path');

const want = `v${require('./package.json').devDependencies.node}`;
let have;
try {
  have = execFileSync(join(__dirname, 'node_modules', '.bin', 'node'), ['--version']).toString().trim();
} catch {
  have = undefined;
}
process.exit(have === want ? 1 : 0);
