// Runs before `tauri build` on Windows and macOS (the beforeBuildCommand of
// windows-macos.json): builds the front end for production, builds the `paydesk` command
// in release and puts it where Tauri's bundler takes sidecars from
// (src-tauri/bundle/bin/paydesk-<target triple>[.exe]). On Linux the app's own program is
// the command (paydesk.sh), so linux.json only builds the front end.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const windows = process.platform === 'win32';
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: 'inherit', shell: windows });

const host = execFileSync('rustc', ['-vV']).toString().match(/^host: (\S+)$/m)[1];
const triple = process.env.TAURI_ENV_TARGET_TRIPLE || host;
const cross = triple !== host;

run('npm', ['run', 'build'], join(root, 'ui'));
run('cargo', ['build', '--release', '--locked', '-p', 'paydesk-cli', ...(cross ? ['--target', triple] : [])], root);

const exe = windows ? '.exe' : '';
const target = process.env.CARGO_TARGET_DIR ? resolve(root, process.env.CARGO_TARGET_DIR) : join(root, 'target');
const built = join(target, ...(cross ? [triple] : []), 'release', 'paydesk' + exe);
mkdirSync(join(here, 'bin'), { recursive: true });
copyFileSync(built, join(here, 'bin', `paydesk-${triple}${exe}`));
console.log(`paydesk command staged for ${triple}`);
