import { basename, dirname } from 'node:path';
import { arch, platform, version } from 'node:process';
import { BACKEND_KINDS, type BackendKind } from '../../trainer/backend-info.js';
import { firstLine, initBackend, isModuleNotFound, wasmThreads } from '../../trainer/backend.js';
import { probeWebgpu } from '../../trainer/webgpu.js';
import { nvidiaManifestFix, webgpuProblem, type WebgpuFacts } from '../../trainer/webgpu-diagnosis.js';
import { gpuDeviceNodes, type VulkanFacts } from '../../trainer/webgpu-vulkan.js';
import { findFfmpeg } from '../../videos/locate-ffmpeg.js';
import { parseOptions } from '../options.js';
import { DOCTOR_OPTIONS } from './doctor-options.js';

/** A package that provides the tensorflow backend, and whether it imports. */
export interface PackageFact {
  pkg: string;
  state: 'absent' | 'loads' | 'fails';
  /** The first line of the import's error, when it fails. */
  error?: string;
}

/** Everything the doctor looks at, probed once (probeDoctorFacts); the findings are a pure function of it. */
export interface DoctorFacts {
  /** process.version, e.g. v20.20.2. */
  node: string;
  platform: string;
  arch: string;
  tensorflow: PackageFact[];
  /** /dev/nvidiaN, /dev/dri/renderDN, /dev/dxg (Linux). */
  gpuDevices: string[];
  webgpu: WebgpuFacts;
  wasm: { ok: true; detail: string } | { ok: false; error: string };
  ffmpeg: { ok: true; path: string; source: string } | { ok: false; error: string };
}

/** One line of the doctor's report: a piece, whether it is in order, and how to fix it when not. */
export interface Finding {
  topic: string;
  ok: boolean;
  text: string;
  fix?: string;
}

export interface Diagnosis {
  findings: Finding[];
  /** Each backend, usable or with the reason it is not. */
  backends: { kind: BackendKind; usable: boolean; reason?: string }[];
  /** What `--backend auto` picks here. */
  auto: BackendKind;
}

const TENSORFLOW_FIX =
  'optional: npm install @tensorflow/tfjs-node (native CPU); @tensorflow/tfjs-node-gpu downloads libtensorflow 2.9 for CUDA 11.2 and cuDNN 8.1, so on CUDA 12–13 machines use webgpu instead';

function nodeFinding(facts: DoctorFacts): Finding {
  const major = Number(/^v(\d+)/.exec(facts.node)?.[1] ?? 0);
  const text = `Node ${facts.node} on ${facts.platform}-${facts.arch}`;
  if (major >= 20) return { topic: 'node', ok: true, text };
  return {
    topic: 'node',
    ok: false,
    text: `${text}; slicewatch needs Node 20 or newer`,
    fix: 'install Node 20 (nodejs.org, or NodeSource node_20.x)',
  };
}

function tensorflowFinding(packages: PackageFact[]): Finding {
  const loads = packages.find((p) => p.state === 'loads');
  if (loads) return { topic: 'tensorflow', ok: true, text: `${loads.pkg} loads` };
  const fails = packages.filter((p) => p.state === 'fails');
  if (fails.length === 0)
    return {
      topic: 'tensorflow',
      ok: false,
      text: `neither ${packages.map((p) => p.pkg).join(' nor ')} is installed`,
      fix: TENSORFLOW_FIX,
    };
  return {
    topic: 'tensorflow',
    ok: false,
    text: fails.map((p) => `${p.pkg} is installed but fails to load: ${p.error}`).join('; '),
    fix: `reinstall it (npm rebuild ${fails[0]!.pkg}), or npm uninstall it so that auto moves on to webgpu or wasm`,
  };
}

function vulkanFindings(vulkan: VulkanFacts, gpuDevices: string[]): Finding[] {
  const devices: Finding =
    gpuDevices.length > 0
      ? { topic: 'gpu devices', ok: true, text: gpuDevices.join(', ') }
      : {
          topic: 'gpu devices',
          ok: false,
          text: 'no GPU device node (/dev/nvidia*, /dev/dri/renderD*, /dev/dxg): no hardware adapter is possible here',
          fix: 'on a GPU machine, install its driver; in a container, start it with the GPU (docker run --gpus all)',
        };
  const loader: Finding = vulkan.loader
    ? { topic: 'vulkan loader', ok: true, text: vulkan.loader }
    : {
        topic: 'vulkan loader',
        ok: false,
        text: 'no Vulkan loader (libvulkan.so.1)',
        fix: 'apt-get install libvulkan1 (Debian/Ubuntu), dnf install vulkan-loader (Fedora)',
      };
  const from = vulkan.manifestVariable ? ` (from ${vulkan.manifestVariable})` : '';
  const folders = new Set(vulkan.manifests.map((m) => dirname(m.path)));
  const shown = (path: string) => (folders.size === 1 ? basename(path) : path);
  const listed = vulkan.manifests.map(
    (m) => `${shown(m.path)}${m.nvidia ? ' [nvidia]' : m.software ? ' [software]' : ''}`,
  );
  const where = folders.size === 1 ? ` in ${[...folders][0]}` : '';
  const nvidiaFix = nvidiaManifestFix(vulkan);
  const manifests: Finding =
    vulkan.manifests.length === 0
      ? {
          topic: 'vulkan drivers',
          ok: false,
          text: `no Vulkan driver manifest${from || ' in the icd.d folders'}`,
          fix:
            nvidiaFix ??
            "install the GPU driver's Vulkan support (NVIDIA: its nvidia_icd.json); in a container set VK_DRIVER_FILES to the driver's nvidia_icd.json",
        }
      : nvidiaFix
        ? {
            topic: 'vulkan drivers',
            ok: false,
            text: `${listed.join(', ')}${where}${from}; none is NVIDIA's, though an NVIDIA GPU is here`,
            fix: nvidiaFix,
          }
        : { topic: 'vulkan drivers', ok: true, text: `${listed.join(', ')}${where}${from}` };
  return [devices, loader, manifests];
}

function webgpuFindings(webgpu: WebgpuFacts): Finding[] {
  const problem = webgpuProblem(webgpu);
  const { dawn } = webgpu;
  if (dawn.kind === 'not-installed' || dawn.kind === 'load-failed')
    return [{ topic: 'webgpu package', ok: false, text: problem!.reason, fix: problem!.fix }];
  const pkg: Finding = { topic: 'webgpu package', ok: true, text: "webgpu (Dawn's Node binding) loads" };
  if (dawn.kind === 'no-adapter')
    return [pkg, { topic: 'dawn adapter', ok: false, text: problem!.reason, fix: problem!.fix }];
  const { device, vendor, architecture, driver, software } = dawn.adapter;
  const text = `${device} (${vendor}, ${architecture}; ${driver})${software ? ', software' : ''}`;
  return [
    pkg,
    problem === undefined
      ? { topic: 'dawn adapter', ok: true, text }
      : { topic: 'dawn adapter', ok: false, text, fix: problem.fix },
  ];
}

/** The doctor's findings and which backends are usable: a pure function of the probed facts. */
export function diagnose(facts: DoctorFacts): Diagnosis {
  const findings: Finding[] = [nodeFinding(facts), tensorflowFinding(facts.tensorflow)];
  if (facts.webgpu.vulkan) findings.push(...vulkanFindings(facts.webgpu.vulkan, facts.gpuDevices));
  findings.push(...webgpuFindings(facts.webgpu));
  findings.push(
    facts.wasm.ok
      ? { topic: 'wasm', ok: true, text: facts.wasm.detail }
      : {
          topic: 'wasm',
          ok: false,
          text: facts.wasm.error,
          fix: 'npm install (it reinstalls @tensorflow/tfjs-backend-wasm); SLICEWATCH_THREADS=1 uses the single-threaded build',
        },
  );
  if (facts.ffmpeg.ok) {
    findings.push({ topic: 'ffmpeg', ok: true, text: `${facts.ffmpeg.path} (${facts.ffmpeg.source})` });
  } else {
    const [text, ...fix] = facts.ffmpeg.error.split('. ');
    findings.push({ topic: 'ffmpeg', ok: false, text: text!, fix: fix.join('. ') });
  }
  const tensorflow = findings.find((f) => f.topic === 'tensorflow')!;
  const webgpu = webgpuProblem(facts.webgpu);
  const backends: Diagnosis['backends'] = BACKEND_KINDS.map((kind) => {
    switch (kind) {
      case 'tensorflow':
        return tensorflow.ok ? { kind, usable: true } : { kind, usable: false, reason: tensorflow.text };
      case 'webgpu':
        return webgpu === undefined ? { kind, usable: true } : { kind, usable: false, reason: webgpu.reason };
      case 'wasm':
        return facts.wasm.ok ? { kind, usable: true } : { kind, usable: false, reason: facts.wasm.error };
      case 'cpu':
        return { kind, usable: true };
      default: {
        const never: never = kind;
        return never;
      }
    }
  });
  return { findings, backends, auto: backends.find((b) => b.usable)!.kind };
}

/** The report as text: one line per finding (with its fix below), then the backends and auto's pick. */
export function formatDiagnosis(diagnosis: Diagnosis): string {
  const width = Math.max(...diagnosis.findings.map((f) => f.topic.length)) + 2;
  const lines = diagnosis.findings.flatMap((f) => [
    `${f.ok ? 'ok' : 'no'}  ${f.topic.padEnd(width)}${f.text}`,
    ...(f.fix ? [`    ${''.padEnd(width)}fix: ${f.fix}`] : []),
  ]);
  const backends = diagnosis.backends.map((b) => `  ${b.kind.padEnd(11)}${b.usable ? 'usable' : `no: ${b.reason}`}`);
  return [...lines, '', 'backends:', ...backends, `auto picks ${diagnosis.auto}`, ''].join('\n');
}

async function probePackage(pkg: string): Promise<PackageFact> {
  try {
    await import(pkg);
    return { pkg, state: 'loads' };
  } catch (error) {
    if (isModuleNotFound(error, pkg)) return { pkg, state: 'absent' };
    return { pkg, state: 'fails', error: firstLine(error) };
  }
}

/** Probes this machine: imports, the Vulkan files, Dawn's adapter, a started wasm backend, ffmpeg. */
export async function probeDoctorFacts(env: NodeJS.ProcessEnv = process.env): Promise<DoctorFacts> {
  const tensorflow = [await probePackage('@tensorflow/tfjs-node-gpu'), await probePackage('@tensorflow/tfjs-node')];
  const webgpu = await probeWebgpu(env);
  let wasm: DoctorFacts['wasm'];
  try {
    wasm = { ok: true, detail: (await initBackend('wasm', wasmThreads(env))).detail };
  } catch (error) {
    wasm = { ok: false, error: firstLine(error) };
  }
  let ffmpeg: DoctorFacts['ffmpeg'];
  try {
    const found = findFfmpeg(env);
    ffmpeg = { ok: true, path: found.path, source: found.source };
  } catch (error) {
    ffmpeg = { ok: false, error: firstLine(error) };
  }
  return {
    node: version,
    platform,
    arch,
    tensorflow,
    gpuDevices: platform === 'linux' ? gpuDeviceNodes() : [],
    webgpu,
    wasm,
    ffmpeg,
  };
}

/** `slicewatch doctor`: which backends are usable here, why the others are not, and the fix for each. */
export async function doctorCommand(argv: string[]): Promise<void> {
  const config = parseOptions(argv, DOCTOR_OPTIONS);
  const facts = await probeDoctorFacts();
  const diagnosis = diagnose(facts);
  process.stdout.write(
    config.json ? `${JSON.stringify({ facts, ...diagnosis }, null, 2)}\n` : formatDiagnosis(diagnosis),
  );
}
