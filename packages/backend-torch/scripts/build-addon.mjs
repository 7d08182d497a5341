#!/usr/bin/env node
// Builds the torch addon (build/wslbench_torch.node) against the first libtorch found. Optional like tfjs-node: when
// no libtorch or no compiler is found it writes build/status.json saying why and exits 0 (the engine then uses wasm),
// unless WSLBENCH_REQUIRE_TORCH=1. Rebuilds only when the source, the libtorch or Node's ABI changed (or --force).
//   libtorch search order: env LIBTORCH (a libtorch folder: include/, lib/) -> python3's torch -> Debian's (/usr).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(pkg, 'native', 'addon.cc');
const outDir = join(pkg, 'build');
const target = join(outDir, 'wslbench_torch.node');
const statusFile = join(outDir, 'status.json');
const force = process.argv.includes('--force');
const required = process.env.WSLBENCH_REQUIRE_TORCH === '1';

function writeStatus(status) {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(statusFile, `${JSON.stringify(status, null, 2)}\n`);
}

function fail(reason) {
  writeStatus({ built: false, reason });
  const msg = `backend-torch: not built (${reason}); wslbench will use the wasm engine. Fast engine: apt-get install libtorch-dev g++ (Debian/Ubuntu), or LIBTORCH=/path/to/libtorch npm run build:addon -w packages/backend-torch`;
  if (required) {
    console.error(msg);
    process.exit(1);
  }
  console.log(msg);
  process.exit(0);
}

/** A libtorch: include dirs and lib dir. */
function findLibtorch() {
  const tried = [];
  const fromFolder = (root, how) => {
    const inc = join(root, 'include');
    const api = join(inc, 'torch', 'csrc', 'api', 'include');
    const lib = join(root, 'lib');
    if (existsSync(join(api, 'torch', 'version.h')) && existsSync(lib)) return { root, how, includes: [inc, api], lib };
    tried.push(`${how} ${root} (no include/torch/csrc/api/include/torch/version.h or lib/)`);
    return null;
  };
  if (process.env.LIBTORCH) {
    const found = fromFolder(process.env.LIBTORCH, 'env LIBTORCH');
    if (found) return found;
    fail(`LIBTORCH=${process.env.LIBTORCH} is not a libtorch folder: ${tried.join('; ')}`);
  }
  try {
    const prefix = execFileSync('python3', ['-c', 'import torch, os; print(os.path.dirname(torch.__file__))'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 60_000,
    }).trim();
    if (prefix) {
      const found = fromFolder(prefix, "python3's torch");
      if (found) return found;
    }
  } catch {
    tried.push("python3's torch (not importable)");
  }
  const debApi = '/usr/include/torch/csrc/api/include';
  const debLib = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib'].find((d) =>
    existsSync(join(d, 'libtorch_cpu.so')),
  );
  if (existsSync(join(debApi, 'torch', 'version.h')) && debLib)
    return { root: '/usr', how: 'system (/usr)', includes: ['/usr/include', debApi], lib: debLib };
  tried.push('system /usr (no libtorch-dev)');
  fail(`no libtorch found: tried ${tried.join('; ')}`);
}

function nodeIncludes() {
  const candidates = [join(dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node', '/usr/local/include/node'];
  try {
    const headers = dirname(fileURLToPath(import.meta.resolve('node-api-headers/package.json')));
    candidates.push(join(headers, 'include'));
  } catch {}
  const dir = candidates.find((d) => existsSync(join(d, 'node_api.h')));
  if (!dir) fail(`no Node headers (node_api.h) in ${candidates.join(', ')} (apt-get install libnode-dev, or npm i node-api-headers)`);
  return dir;
}

const compiler = process.env.CXX || 'g++';
if (spawnSync(compiler, ['--version'], { stdio: 'ignore' }).status !== 0) fail(`no C++ compiler ('${compiler}' not found)`);
const torch = findLibtorch();
const nodeInc = nodeIncludes();
const libs = ['-ltorch', '-ltorch_cpu', '-lc10'];
const cudaLibs = ['libtorch_cuda.so', 'libc10_cuda.so'].filter((f) => existsSync(join(torch.lib, f)));
// A CUDA libtorch registers its CUDA kernels from libtorch_cuda: link it even though no symbol of it is referenced.
if (cudaLibs.length) libs.push('-Wl,--no-as-needed', ...cudaLibs.map((f) => `-l${f.slice(3, -3)}`), '-Wl,--as-needed');
// python3's torch is built with the pre-C++11 ABI on some platforms; ask it, default to the new ABI.
// A LIBTORCH that is a Python torch package (it has __init__.py) is asked too, with WSLBENCH_PYTHON if set.
let abi = 1;
if (torch.how === "python3's torch" || existsSync(join(torch.root, '__init__.py'))) {
  try {
    const py = torch.how === "python3's torch" ? 'python3' : process.env.WSLBENCH_PYTHON || 'python3';
    abi = execFileSync(py, ['-c', 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))'], { encoding: 'utf8' }).trim() === '1' ? 1 : 0;
  } catch {}
}
// Newer libtorch headers refuse anything older than C++20 (#error "C++20 or later compatible compiler is required").
const needsCxx20 = torch.includes
  .flatMap((inc) => [join(inc, 'ATen', 'ATen.h'), join(inc, 'c10', 'macros', 'Macros.h'), join(inc, 'torch', 'all.h')])
  .some((f) => existsSync(f) && /C\+\+20 or later/.test(readFileSync(f, 'utf8')));
const cxxStd = process.env.WSLBENCH_CXX_STD || (needsCxx20 ? 'c++20' : 'c++17');
const args = [
  '-O2', '-shared', '-fPIC', `-std=${cxxStd}`, `-D_GLIBCXX_USE_CXX11_ABI=${abi}`, '-DNODE_GYP_MODULE_NAME=wslbench_torch',
  `-I${nodeInc}`, ...torch.includes.map((i) => `-I${i}`), source, '-o', `${target}.tmp`,
  `-L${torch.lib}`, `-Wl,-rpath,${torch.lib}`, ...libs,
];
const fingerprint = createHash('sha256')
  .update(readFileSync(source))
  .update(JSON.stringify({ args, node: process.versions.modules }))
  .digest('hex')
  .slice(0, 16);
if (!force && existsSync(target) && existsSync(statusFile)) {
  try {
    const prev = JSON.parse(readFileSync(statusFile, 'utf8'));
    if (prev.built && prev.fingerprint === fingerprint) process.exit(0);
  } catch {}
}
mkdirSync(outDir, { recursive: true });
console.log(`backend-torch: compiling the addon against ${torch.how} ${torch.root} ...`);
const t0 = Date.now();
let std = cxxStd;
let res = spawnSync(compiler, args, { encoding: 'utf8' });
// Headers that use C++20 without saying so: one retry in C++20 (unless the standard was forced).
if (res.status !== 0 && std === 'c++17' && !process.env.WSLBENCH_CXX_STD) {
  std = 'c++20';
  console.log('backend-torch: C++17 failed; retrying with -std=c++20');
  res = spawnSync(compiler, args.map((a) => (a === '-std=c++17' ? '-std=c++20' : a)), { encoding: 'utf8' });
}
if (res.status !== 0) {
  // Where the addon is required (CI, the GPU device check) show the compiler's own words.
  if (required) console.error(`${res.stderr ?? ''}`.split('\n').slice(-40).join('\n'));
  const tail = `${res.stderr ?? ''}`.split('\n').filter((l) => /error/.test(l)).slice(0, 5).join(' | ');
  fail(`compiling against ${torch.how} ${torch.root} failed: ${tail || res.error?.message || 'unknown error'}`);
}
renameSync(`${target}.tmp`, target);
writeStatus({ built: true, libtorch: torch.root, how: torch.how, lib: torch.lib, cuda: cudaLibs.length > 0, std, fingerprint, seconds: (Date.now() - t0) / 1000 });
console.log(`backend-torch: built ${target} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
