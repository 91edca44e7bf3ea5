import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from './shop-app';

/** The environment of a machine without AWS credentials or configuration. */
function offlineEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('AWS_') && !key.startsWith('CDK_') && key !== 'NODE_ENV') env[key] = value;
  }
  return { ...env, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
}

describe('npx cdk synth without AWS credentials', () => {
  let outdir: string;
  let result: ReturnType<typeof spawnSync>;
  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'shop-synth-'));
    // WHEN the real CLI synthesizes the app on a machine without credentials
    result = spawnSync('npx', ['cdk', 'synth', '--quiet', '-o', outdir], {
      cwd: REPO_ROOT,
      env: offlineEnv(),
      encoding: 'utf8',
      timeout: 120_000,
    });
  }, 130_000);
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('exits 0', () => {
    expect({ status: result.status, stderr: result.status === 0 ? '' : result.stderr }).toEqual({
      status: 0,
      stderr: '',
    });
  });

  test.each([
    [
      'Primary',
      [
        'shop-dev-us-east-1-network',
        'shop-dev-us-east-1-data',
        'shop-dev-us-east-1-services',
        'shop-dev-us-east-1-observability',
        'shop-dev-us-east-1-runbooks',
      ],
    ],
    [
      'Standby',
      [
        'shop-dev-us-west-2-network',
        'shop-dev-us-west-2-data',
        'shop-dev-us-west-2-services',
        'shop-dev-us-west-2-observability',
        'shop-dev-us-west-2-runbooks',
      ],
    ],
    ['Global', ['shop-dev-global-routing']],
  ])('writes the %s stage templates %j', (stage, stackNames) => {
    const assembly = path.join(outdir, `assembly-${stage}`);
    const manifest = JSON.parse(fs.readFileSync(path.join(assembly, 'manifest.json'), 'utf8'));
    type StackArtifact = { type: string; environment: string; properties: { stackName: string; templateFile: string } };
    const stacks = Object.values(manifest.artifacts as Record<string, StackArtifact>).filter(
      (a) => a.type === 'aws:cloudformation:stack',
    );
    expect(stacks.map((s) => s.properties.stackName).sort()).toEqual([...stackNames].sort());
    for (const stack of stacks) {
      expect(fs.existsSync(path.join(assembly, stack.properties.templateFile))).toBe(true);
      expect(stack.environment).toMatch(/^aws:\/\/111111111111\/[a-z]+-[a-z]+-\d$/);
    }
  });

  test('stages one image context per service and Region, without building it and without bulky folders', () => {
    const images = fs
      .readdirSync(outdir)
      .filter((name) => name.startsWith('assembly-'))
      .flatMap((assembly) =>
        fs
          .readdirSync(path.join(outdir, assembly))
          .filter((file) => file.endsWith('.assets.json'))
          .flatMap((file) => {
            const manifest = JSON.parse(fs.readFileSync(path.join(outdir, assembly, file), 'utf8'));
            type ImageAsset = {
              source: { dockerFile: string; directory: string; dockerBuildArgs?: Record<string, string> };
            };
            return Object.values((manifest.dockerImages ?? {}) as Record<string, ImageAsset>).map((image) => ({
              file: image.source.dockerFile,
              service: image.source.dockerBuildArgs?.['SERVICE'],
              directory: path.resolve(outdir, assembly, image.source.directory),
            }));
          }),
      );
    // One Dockerfile for the five services, told which one by its build argument.
    expect(images.map((i) => `${i.file} SERVICE=${i.service}`).sort()).toEqual(
      ['carts', 'carts', 'catalog', 'catalog', 'checkout', 'checkout', 'orders', 'orders', 'ui', 'ui'].map(
        (name) => `services/Dockerfile SERVICE=${name}`,
      ),
    );
    for (const image of images) {
      // CDK always keeps the .dockerignore it applied.
      expect(fs.readdirSync(image.directory).sort()).toEqual([
        '.dockerignore',
        'package-lock.json',
        'package.json',
        'services',
        'tsconfig.json',
      ]);
      expect(fs.existsSync(path.join(image.directory, image.file))).toBe(true);
      const staged = fs.readdirSync(path.join(image.directory, 'services'), { recursive: true }) as string[];
      expect(staged.filter((p) => /(^|\/)(node_modules|coverage|\.local)(\/|$)|\.test\.ts$/.test(p))).toEqual([]);
    }
  });
});

describe('npx cdk synth with a configuration the project refuses', () => {
  let outdir: string;
  let result: ReturnType<typeof spawnSync>;
  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'shop-synth-refused-'));
    // WHEN synth runs with a routing mode that does not exist
    result = spawnSync('npx', ['cdk', 'synth', '--quiet', '-o', outdir], {
      cwd: REPO_ROOT,
      env: { ...offlineEnv(), ROUTING_MODE: 'dns' },
      encoding: 'utf8',
      timeout: 120_000,
    });
  }, 130_000);
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('the app stops with exit code 2 and the configuration problem, without a stack trace', () => {
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(
      'Invalid configuration:\n  - routingMode: "dns" is not a routing mode; accepted: "arc-cluster" or "region-switch" (set by environment variable ROUTING_MODE)',
    );
    expect(result.stderr).toContain('Subprocess exited with error 2');
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(fs.readdirSync(outdir).filter((name) => name.startsWith('assembly-'))).toEqual([]);
  });
});
