import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { diagnose, formatDiagnosis, type Diagnosis, type DoctorFacts } from '../../server/commands/doctor.js';
import type { VulkanFacts } from '../../trainer/webgpu-vulkan.js';

const NVIDIA_ICD = '/usr/share/vulkan/icd.d/nvidia_icd.json';

/** An NVIDIA machine where everything is in order: the starting point each case takes one piece from. */
function healthy(): DoctorFacts {
  const vulkan: VulkanFacts = {
    loader: '/usr/lib/x86_64-linux-gnu/libvulkan.so.1',
    manifestVariable: undefined,
    manifests: [{ path: NVIDIA_ICD, library: 'libGLX_nvidia.so.0', nvidia: true, software: false }],
    unusedNvidiaManifests: [],
    nvidiaDevice: true,
  };
  return {
    node: 'v20.20.2',
    platform: 'linux',
    arch: 'x64',
    tensorflow: [
      { pkg: '@tensorflow/tfjs-node-gpu', state: 'absent' },
      { pkg: '@tensorflow/tfjs-node', state: 'absent' },
    ],
    gpuDevices: ['/dev/nvidia0'],
    webgpu: {
      platform: 'linux',
      dawn: {
        kind: 'adapter',
        adapter: {
          vendor: 'nvidia',
          architecture: 'hopper',
          device: 'nvidia-h200',
          driver: 'NVIDIA: 580.95.05',
          software: false,
        },
      },
      vulkan,
      softwareAllowed: false,
    },
    wasm: { ok: true, detail: '@tensorflow/tfjs-backend-wasm (SIMD, 8 threads)' },
    ffmpeg: { ok: true, path: '/usr/bin/ffmpeg', source: 'ffmpeg on PATH' },
  };
}

/** The finding on `topic`, as `ok` or `no: TEXT | fix: FIX`. */
function finding(facts: DoctorFacts, topic: string): string {
  const f = diagnose(facts).findings.find((x) => x.topic === topic);
  if (f === undefined) return 'absent';
  return f.ok ? 'ok' : `no: ${f.text} | fix: ${f.fix}`;
}

function withVulkan(change: Partial<VulkanFacts>): DoctorFacts {
  const facts = healthy();
  facts.webgpu.dawn = { kind: 'no-adapter' };
  facts.webgpu.vulkan = { ...facts.webgpu.vulkan!, ...change };
  return facts;
}

describe('diagnose', () => {
  test('a healthy NVIDIA machine: everything but the optional tensorflow is in order, and auto picks webgpu', () => {
    const diagnosis = diagnose(healthy());
    expect(diagnosis.findings.filter((f) => !f.ok).map((f) => f.topic)).toEqual(['tensorflow']);
    expect(diagnosis.backends.map((b) => [b.kind, b.usable])).toEqual([
      ['tensorflow', false],
      ['webgpu', true],
      ['wasm', true],
      ['cpu', true],
    ]);
    expect(diagnosis.auto).toBe('webgpu');
    expect(formatDiagnosis(diagnosis)).toContain(
      'ok  dawn adapter    nvidia-h200 (nvidia, hopper; NVIDIA: 580.95.05)\n',
    );
  });

  test.each<[string, (f: DoctorFacts) => void, string, string]>([
    [
      'Node 18',
      (f) => (f.node = 'v18.19.0'),
      'node',
      'no: Node v18.19.0 on linux-x64; slicewatch needs Node 20 or newer | fix: install Node 20 (nodejs.org, or NodeSource node_20.x)',
    ],
    [
      'tfjs-node installed but broken',
      (f) =>
        (f.tensorflow[1] = { pkg: '@tensorflow/tfjs-node', state: 'fails', error: 'libtensorflow.so.2: cannot open' }),
      'tensorflow',
      'no: @tensorflow/tfjs-node is installed but fails to load: libtensorflow.so.2: cannot open | fix: reinstall it (npm rebuild @tensorflow/tfjs-node), or npm uninstall it so that auto moves on to webgpu or wasm',
    ],
    [
      'no GPU device node',
      (f) => (f.gpuDevices = []),
      'gpu devices',
      'no: no GPU device node (/dev/nvidia*, /dev/dri/renderD*, /dev/dxg): no hardware adapter is possible here | fix: on a GPU machine, install its driver; in a container, start it with the GPU (docker run --gpus all)',
    ],
    [
      'the webgpu package not installed',
      (f) => (f.webgpu.dawn = { kind: 'not-installed' }),
      'webgpu package',
      "no: the webgpu package (Dawn's Node binding) is not installed | fix: npm install webgpu@0.6.2 (an optional dependency: npm install without --omit=optional installs it)",
    ],
    [
      'dawn.node failing to load',
      (f) => (f.webgpu.dawn = { kind: 'load-failed', error: "version `GLIBC_2.38' not found" }),
      'webgpu package',
      "no: the webgpu package does not load: version `GLIBC_2.38' not found | fix: reinstall it (npm install webgpu@0.6.2); it ships dawn.node for linux-x64, linux-arm64, darwin and win32, and needs glibc 2.31 or newer",
    ],
    [
      'only a software adapter',
      (f) =>
        (f.webgpu.dawn = {
          kind: 'adapter',
          adapter: {
            vendor: 'mesa',
            architecture: 'software',
            device: 'llvmpipe',
            driver: 'Mesa 25.0.7',
            software: true,
          },
        }),
      'dawn adapter',
      'no: llvmpipe (mesa, software; Mesa 25.0.7), software | fix: run on a machine with a GPU, or set SLICEWATCH_WEBGPU_SOFTWARE=1 to compute on it anyway (slow)',
    ],
    [
      'wasm failing',
      (f) => (f.wasm = { ok: false, error: 'the wasm backend failed to start' }),
      'wasm',
      'no: the wasm backend failed to start | fix: npm install (it reinstalls @tensorflow/tfjs-backend-wasm); SLICEWATCH_THREADS=1 uses the single-threaded build',
    ],
    [
      'no ffmpeg',
      (f) =>
        (f.ffmpeg = {
          ok: false,
          error:
            'ffmpeg not found; looked in FFMPEG_PATH (unset), ffmpeg on PATH (none). set FFMPEG_PATH to an ffmpeg binary',
        }),
      'ffmpeg',
      'no: ffmpeg not found; looked in FFMPEG_PATH (unset), ffmpeg on PATH (none) | fix: set FFMPEG_PATH to an ffmpeg binary',
    ],
  ])('%s', (_name, change, topic, expected) => {
    const facts = healthy();
    change(facts);
    expect(finding(facts, topic)).toBe(expected);
  });

  test.each<[string, Partial<VulkanFacts>, string, string]>([
    [
      'no Vulkan loader',
      { loader: undefined },
      'vulkan loader',
      'no: no Vulkan loader (libvulkan.so.1) | fix: apt-get install libvulkan1 (Debian/Ubuntu), dnf install vulkan-loader (Fedora)',
    ],
    [
      'no driver manifest, NVIDIA GPU present',
      { manifests: [] },
      'vulkan drivers',
      "no: no Vulkan driver manifest in the icd.d folders | fix: install the NVIDIA driver's Vulkan support (Ubuntu: libnvidia-gl-VERSION, the driver's version), or in a container set VK_DRIVER_FILES to the driver's nvidia_icd.json",
    ],
    [
      "a container whose driver mount holds NVIDIA's manifest where the loader does not look",
      { manifests: [], unusedNvidiaManifests: ['/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json'] },
      'vulkan drivers',
      "no: no Vulkan driver manifest in the icd.d folders | fix: set VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json (the NVIDIA driver's Vulkan manifest)",
    ],
    [
      'only lavapipe, NVIDIA GPU present',
      {
        manifests: [
          { path: '/usr/share/vulkan/icd.d/lvp_icd.json', library: 'libvulkan_lvp.so', nvidia: false, software: true },
        ],
      },
      'vulkan drivers',
      "no: lvp_icd.json [software] in /usr/share/vulkan/icd.d; none is NVIDIA's, though an NVIDIA GPU is here | fix: install the NVIDIA driver's Vulkan support (Ubuntu: libnvidia-gl-VERSION, the driver's version), or in a container set VK_DRIVER_FILES to the driver's nvidia_icd.json",
    ],
  ])('%s', (_name, change, topic, expected) => {
    expect(finding(withVulkan(change), topic)).toBe(expected);
  });

  test.each<[string, Partial<VulkanFacts>, string]>([
    ['no loader', { loader: undefined }, 'no Vulkan loader (libvulkan.so.1) is installed'],
    [
      'no manifest, from VK_DRIVER_FILES',
      { manifests: [], manifestVariable: 'VK_DRIVER_FILES', nvidiaDevice: false },
      'no Vulkan driver manifest in VK_DRIVER_FILES was found',
    ],
    [
      'only an old lavapipe (Mesa 22), no NVIDIA GPU',
      {
        manifests: [
          { path: '/usr/share/vulkan/icd.d/lvp_icd.json', library: 'libvulkan_lvp.so', nvidia: false, software: true },
        ],
        nvidiaDevice: false,
      },
      'Dawn accepted none of the Vulkan drivers /usr/share/vulkan/icd.d/lvp_icd.json, all software',
    ],
  ])('webgpu is unusable and auto picks wasm: %s', (_name, change, reason) => {
    const diagnosis = diagnose(withVulkan(change));
    expect(diagnosis.backends[1]).toEqual({ kind: 'webgpu', usable: false, reason });
    expect(diagnosis.auto).toBe('wasm');
  });

  test('a software adapter is usable when SLICEWATCH_WEBGPU_SOFTWARE allows it', () => {
    const facts = healthy();
    facts.webgpu.softwareAllowed = true;
    facts.webgpu.dawn = {
      kind: 'adapter',
      adapter: { vendor: 'mesa', architecture: 'software', device: 'llvmpipe', driver: 'Mesa 25.0.7', software: true },
    };
    expect(diagnose(facts).auto).toBe('webgpu');
  });
});

test('slicewatch doctor on this machine: Node, wasm and cpu usable; webgpu exactly when Dawn has an accepted adapter', () => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'server/bin.ts', 'doctor', '--json'], {
    encoding: 'utf8',
  });
  expect(result.status).toBe(0);
  const { facts, ...printed } = JSON.parse(result.stdout) as { facts: DoctorFacts } & Diagnosis;
  expect(printed).toEqual(diagnose(facts));
  const usable = Object.fromEntries(printed.backends.map((b) => [b.kind, b.usable]));
  expect(finding(facts, 'node')).toBe('ok');
  expect([usable['wasm'], usable['cpu']]).toEqual([true, true]);
  const dawn = facts.webgpu.dawn;
  expect(usable['webgpu']).toBe(dawn.kind === 'adapter' && (!dawn.adapter.software || facts.webgpu.softwareAllowed));
  if (facts.platform === 'linux') expect(finding(facts, 'vulkan loader')).not.toBe('absent');
  const text = formatDiagnosis(printed);
  expect(text).toMatch(/^ok {2}node {12}Node v\d+/m);
  expect(text).toMatch(/\nauto picks (tensorflow|webgpu|wasm|cpu)\n$/);
}, 60_000);
